/**
 * Benchmark entry: `npm run bench` (from the repository root) runs the verify, strategies and redis
 * benchmarks; `npm run bench -- verify`, `npm run bench -- strategies`, `npm run bench -- redis` or
 * `npm run bench -- http` runs the ones named (the http benchmark runs only when named: it needs
 * `npm run build` first and takes about 10 minutes). `BENCH_QUICK=1` for a smoke run.
 *
 * Benchmarks are reports, not tests: the exit code is 0 whatever the figures are. It is non-zero
 * only when a benchmark could not run (for example, a candidate refused a sample token).
 */

/**
 * Each benchmark's module is loaded only when it runs, so a benchmark's process holds only what it
 * measures. Loading ioredis 6 (which the redis benchmark imports) slows the cold HS256 rows of the
 * verify benchmark by ~1 µs per call, ours and the floor' alike: measured with the same verifier
 * code, 1.01× of the floor without ioredis in the process and 1.20–1.27× with it.
 */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  verify: async () => (await import('./verify.js')).runVerifyBench(),
  strategies: async () => (await import('./strategies.js')).runStrategiesBench(),
  redis: async () => (await import('./redis.js')).runRedisBench(),
  http: async () => (await import('./http.js')).runHttpBench(),
}

/** What `npm run bench` without names runs. */
const DEFAULT = ['verify', 'strategies', 'redis']

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((arg) => arg !== '--')
  const unknown = names.filter((name) => !Object.hasOwn(BENCHMARKS, name))
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`)
  }
  const selected = names.length > 0 ? [...new Set(names)] : DEFAULT
  for (const [i, name] of selected.entries()) {
    if (i > 0) console.log('\n')
    await BENCHMARKS[name]!()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
