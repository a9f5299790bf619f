/**
 * The clock every part of the SDK takes, so tests and applications control time.
 *
 * @module
 */

/**
 * A clock: milliseconds since the epoch, like `Date.now`. Every time the SDK passes around is in
 * milliseconds (durations named with an `Ms` suffix, instants ending in `At`), except the JWT
 * claims `iat`, `exp` and `nbf` and the `expiresIn` of a token response, which are seconds as
 * their RFCs say.
 *
 * Exported (as a type) from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import type { Clock } from '@auth/core'
 *
 * let now = Date.UTC(2030, 0, 1)
 * const clock: Clock = () => now // a test moves `now` forward instead of sleeping
 * ```
 */
export type Clock = () => number
