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

/**
 * @internal The wait before attempt `attempt + 1` (ms): full jitter, and at least `Retry-After`
 * (delta-seconds or an HTTP date, RFC 9110 §10.2.3; ignored when unreadable).
 */
export function backoffDelay(attempt: number, { baseMs = 1_000, capMs = 60_000 }: BackoffOptions = {}, random: () => number, retryAfter: string | null | undefined, now: number): number {
  // Seconds (`Number` skips surrounding whitespace; null and '' are 0), else a date.
  const seconds = Number(retryAfter)
  const retryAfterMs = seconds >= 0 ? seconds * 1000 : Date.parse(retryAfter!) - now
  return Math.max(Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30))), retryAfterMs || 0)
}
