/**
 * Retry timing after a refresh that reached no verdict, and the options of the circuit breaker
 * against refresh loops (a sliding window of the times of successful refreshes, kept in the
 * client's closure).
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
  const { baseMs = 1_000, capMs = 60_000 } = options
  return Math.max(Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30))), retryAfterMs ?? 0)
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
