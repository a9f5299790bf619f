/**
 * Benchmark entry: `npm run bench` (from the repository root). `BENCH_QUICK=1` for a smoke run.
 *
 * Benchmarks are reports, not tests: the exit code is 0 whatever the figures are. It is non-zero
 * only when a benchmark could not run (for example, a candidate refused a sample token).
 */
import { runVerifyBench } from './verify.js'

async function main(): Promise<void> {
  await runVerifyBench()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
