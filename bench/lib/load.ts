/**
 * One autocannon run (its programmatic API, in this process) against one bench server, with a
 * header set chosen per request: every request goes through autocannon's `setupRequest`, whatever
 * the row, so the client does the same work for a bare row, a warm token and a rotating pool.
 */
import autocannon from 'autocannon'

/** Options of {@link runLoad}. */
export interface RunLoadOptions {
  readonly port: number
  readonly path: string
  readonly connections: number
  /** Seconds; autocannon samples whole seconds, so a run lasts at least one. */
  readonly seconds: number
  /** The headers of the next request (called once per request, by every connection). */
  readonly nextHeaders: () => Record<string, string>
}

/** What one run measured. */
export interface LoadResult {
  /** autocannon's `requests.mean`: the mean of its per-second samples of completed requests. */
  readonly rps: number
  /** Every response's latency in ms, as autocannon timed it (its own histogram keeps whole ms only). */
  readonly latencies: Float64Array
  readonly completed: number
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
  readonly statusCodes: Readonly<Record<string, number>>
}

/** Runs autocannon for `seconds` with `connections` connections (no pipelining) against 127.0.0.1. */
export function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16)
  let count = 0
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${options.port}`,
        connections: options.connections,
        pipelining: 1,
        duration: options.seconds,
        requests: [
          {
            method: 'GET',
            path: options.path,
            setupRequest: (request) => {
              request.headers = options.nextHeaders()
              return request
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error)
        const statusCodes: Record<string, number> = {}
        for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = (stats as { count: number }).count
        resolve({
          rps: result.requests.mean,
          latencies: latencies.subarray(0, count),
          completed: count,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
        })
      },
    )
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2)
        grown.set(latencies)
        latencies = grown
      }
      latencies[count++] = responseTime
    })
  })
}

/** The `q` quantile (0–1) of sorted values, nearest rank. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}
