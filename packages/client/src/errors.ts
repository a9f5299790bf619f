/**
 * The one error type of `@auth/client`, with a stable code per failure.
 *
 * Exported from `'@auth/client'`.
 *
 * @module
 */

/**
 * Why a call of the client failed, as a stable string to `switch` on.
 *
 * - `signed_out`: there is no session, or it ended while the call waited (a refused refresh, a
 *   logout here or in another tab). Queued requests are rejected with it.
 * - `refresh_failed`: the refresh could not reach a verdict: a network error, a 5xx, a 429, an
 *   unreadable answer. The session is kept; the client retries with backoff and on `online`.
 * - `refresh_loop`: the circuit breaker is open, more than three refreshes in a minute; see the
 *   `refreshLoop` event.
 */
export type AuthClientErrorCode = 'signed_out' | 'refresh_failed' | 'refresh_loop'

/** Details of an {@link AuthClientError}. */
export interface AuthClientErrorDetails {
  /** The HTTP status of the refresh answer; `0` for a network error. */
  status?: number
  /** The server's error code (`session_expired`, `refresh_reused`…), when it sent one. */
  serverCode?: string
  /** How long the client waits before it retries (ms), for `refresh_failed`. */
  retryInMs?: number
  /** The underlying failure, for logs. */
  cause?: unknown
}

/**
 * A failure of the client: a stable {@link AuthClientErrorCode} (also its message), and typed
 * details. Tokens never appear in it.
 *
 * Exported from `'@auth/client'`.
 *
 * @example
 * ```ts
 * import { AuthClientError } from '@auth/client'
 *
 * try {
 *   await client.fetch('/api/me')
 * } catch (error) {
 *   if (error instanceof AuthClientError && error.code === 'signed_out') location.assign('/login')
 *   else throw error
 * }
 * ```
 */
export class AuthClientError extends Error {
  /** What failed. */
  declare readonly code: AuthClientErrorCode
  /** The HTTP status of the refresh answer; `0` for a network error. */
  declare readonly status: number | undefined
  /** The server's error code, when it sent one. */
  declare readonly serverCode: string | undefined
  /** How long until the next automatic retry (ms), for `refresh_failed`. */
  declare readonly retryInMs: number | undefined

  /**
   * @param code - what failed; it is the message too
   * @param details - status, server code, retry delay, cause
   */
  constructor(code: AuthClientErrorCode, details?: AuthClientErrorDetails) {
    // The message is the code: fixed, short, and never a token. `details.cause` becomes `cause`.
    super(code, details)
    Object.assign(this, { name: 'AuthClientError', code }, details)
  }
}
