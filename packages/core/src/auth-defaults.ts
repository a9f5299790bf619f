/**
 * The defaults of `createAuth`, as constants an application can read (all durations in
 * milliseconds).
 *
 * Exported from `'@auth/core'`.
 *
 * @module
 */

const SECOND = 1000
const DAY = 86_400 * SECOND

/** Default `session.absoluteTtlMs`: a session ends 30 days after login, whatever its activity. */
export const DEFAULT_SESSION_ABSOLUTE_TTL_MS = 30 * DAY

/** Default `session.idleTimeoutMs`: a session ends after 7 days without use. */
export const DEFAULT_SESSION_IDLE_TIMEOUT_MS = 7 * DAY

/** Default `session.touchIntervalMs`: a session-cookie session slides its idle expiry at most once a minute. */
export const DEFAULT_SESSION_TOUCH_INTERVAL_MS = 60 * SECOND

/** Default `session.maxDataBytes`: the largest session data, in bytes of JSON. */
export const DEFAULT_SESSION_MAX_DATA_BYTES = 4096

/** Default `session.maxPerUser`: the most live sessions one user may have. */
export const DEFAULT_MAX_SESSIONS_PER_USER = 100

/** Default `refreshGraceMs`: the previous refresh token yields the same successor for 10 seconds. */
export const DEFAULT_REFRESH_GRACE_MS = 10 * SECOND

/** Default `mirror.stalenessMs`: the mirror is trusted only if it heard from the feed within 5 seconds. */
export const DEFAULT_MIRROR_STALENESS_MS = 5 * SECOND

/** Default `mirror.blockMs`: one blocking feed read waits up to 1 second. */
export const DEFAULT_MIRROR_BLOCK_MS = SECOND
