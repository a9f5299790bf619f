/**
 * Retry timing after a refresh that reached no verdict, and the circuit breaker against refresh
 * loops.
 *
 * | situation | wait before the next attempt |
 * |---|---|
 * | attempt `n` failed (network, 5xx, 429) | uniformly random in `[0, min(cap, base · 2ⁿ)]` ("full jitter") |
 * | the answer had `Retry-After` | at least that long |
 * | the network comes back (`online`) | none: retry at once |
 *
 * Full jitter because a server that just came back should not see every client of a fleet at
 * the same instant; AWS measured it as the cheapest of the jitter schemes for the same work.
 *
 * @internal
 * @module
 */

/** Backoff settings (ms). */
export interface BackoffOptions {
  /** The first window. Default 1 000. */
  baseMs?: number
  /** The largest window. Default 60 000. */
  capMs?: number
}

/** Circuit breaker settings. */
export interface BreakerOptions {
  /** Refreshes allowed within the window; the next one trips the breaker. Default 3. */
  maxRefreshes?: number
  /** The window (ms). Default 60 000. */
  windowMs?: number
}

/** @internal The wait before attempt `attempt + 1` (ms). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number, retryAfterMs: number | null): number {
  const base = options.baseMs ?? 1_000
  const cap = options.capMs ?? 60_000
  const jittered = Math.floor(random() * Math.min(cap, base * 2 ** Math.min(attempt, 30)))
  return Math.max(jittered, retryAfterMs ?? 0)
}

/**
 * @internal `Retry-After` as milliseconds from now: delta-seconds or an HTTP date (RFC 9110
 * §10.2.3); `null` when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/** @internal Counts successful refreshes in a sliding window. */
export interface Breaker {
  /** Whether another refresh would be one too many now. */
  isOpen(now: number): boolean
  /** Records a refresh at `now`. */
  record(now: number): void
  /** How many refreshes are in the window ending `now`. */
  count(now: number): number
  readonly windowMs: number
}

/** @internal */
export function createBreaker(options: BreakerOptions): Breaker {
  const max = options.maxRefreshes ?? 3
  const windowMs = options.windowMs ?? 60_000
  let times: number[] = []
  const prune = (now: number) => (times = times.filter((t) => now - t < windowMs))
  return {
    windowMs,
    isOpen: (now) => prune(now).length >= max,
    record: (now) => void prune(now).push(now),
    count: (now) => prune(now).length,
  }
}
