/**
 * Benchmark entry: `npm run bench` (from the repository root) runs every benchmark;
 * `npm run bench -- verify`, `npm run bench -- strategies` or `npm run bench -- redis` runs the ones named.
 * `BENCH_QUICK=1` for a smoke run.
 *
 * Benchmarks are reports, not tests: the exit code is 0 whatever the figures are. It is non-zero
 * only when a benchmark could not run (for example, a candidate refused a sample token).
 */
import { runRedisBench } from './redis.js'
import { runStrategiesBench } from './strategies.js'
import { runVerifyBench } from './verify.js'

const BENCHMARKS: Record<string, () => Promise<void>> = {
  verify: runVerifyBench,
  strategies: runStrategiesBench,
  redis: runRedisBench,
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((arg) => arg !== '--')
  const unknown = names.filter((name) => !Object.hasOwn(BENCHMARKS, name))
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`)
  }
  const selected = names.length > 0 ? [...new Set(names)] : Object.keys(BENCHMARKS)
  for (const [i, name] of selected.entries()) {
    if (i > 0) console.log('\n')
    await BENCHMARKS[name]!()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
