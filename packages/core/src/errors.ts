/**
 * The one error type of the SDK, its stable codes, and the one table from code to HTTP status.
 *
 * Exported from `'@auth/core'` and `'@auth/core/errors'`.
 *
 * @module
 */

/**
 * Every failure the SDK reports at run time, as a stable snake_case string. The same string is
 * the `code` in the JSON error body, so clients and logs can `switch` on it.
 *
 * - `token_missing`: no credential was presented.
 * - `token_invalid`: the credential is malformed, forged, of the wrong type, or fails a claim rule.
 * - `token_expired`: the access token is past `exp`, or older than the verifier's maximum age.
 * - `token_revoked`: the access token's `jti` was revoked, or the user's token version moved on.
 * - `session_revoked`: the session the credential belongs to has ended.
 * - `session_expired`: the session passed its idle or absolute expiry.
 * - `refresh_invalid`: the refresh token is unknown, malformed or belongs to an ended session.
 * - `refresh_reused`: an already rotated refresh token was presented after the grace window.
 * - `csrf_rejected`: a cookie-authenticated unsafe request failed the origin check.
 * - `forbidden`: the principal may not do this (for example, end another user's session).
 * - `not_found`: the addressed resource does not exist.
 * - `conflict`: a compare-and-set lost against a concurrent update.
 * - `payload_too_large`: a request body or session data is over its size limit.
 * - `jwks_unavailable`: a resource server could not obtain the issuer's public keys.
 * - `store_unavailable`: the session store did not answer; the request is neither allowed nor denied.
 */
export type AuthErrorCode =
  | 'token_missing'
  | 'token_invalid'
  | 'token_expired'
  | 'token_revoked'
  | 'session_revoked'
  | 'session_expired'
  | 'refresh_invalid'
  | 'refresh_reused'
  | 'csrf_rejected'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'jwks_unavailable'
  | 'store_unavailable'

/**
 * The HTTP status that goes with each {@link AuthErrorCode}. Adapters read this table and add no
 * codes of their own.
 *
 * Exported from `'@auth/core'` and `'@auth/core/errors'`.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<AuthErrorCode, number>> = Object.freeze({
  token_missing: 401,
  token_invalid: 401,
  token_expired: 401,
  token_revoked: 401,
  session_revoked: 401,
  session_expired: 401,
  refresh_invalid: 401,
  refresh_reused: 401,
  csrf_rejected: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  jwks_unavailable: 503,
  store_unavailable: 503,
})

const MESSAGE_BY_CODE: Readonly<Record<AuthErrorCode, string>> = Object.freeze({
  token_missing: 'No credential was presented.',
  token_invalid: 'The credential is invalid.',
  token_expired: 'The access token has expired.',
  token_revoked: 'The access token has been revoked.',
  session_revoked: 'The session has ended.',
  session_expired: 'The session has expired.',
  refresh_invalid: 'The refresh token is invalid.',
  refresh_reused: 'The refresh token was already used; the session has been ended.',
  csrf_rejected: 'The request origin is not allowed.',
  forbidden: 'This action is not allowed.',
  not_found: 'Not found.',
  conflict: 'The resource was changed concurrently; retry.',
  payload_too_large: 'The payload is too large.',
  jwks_unavailable: 'The verification keys are unavailable; retry later.',
  store_unavailable: 'The session store is unavailable; retry later.',
})

/** Options of the {@link AuthError} constructor. */
export interface AuthErrorOptions {
  /**
   * Which check failed, for logs and tests (for example `'signature'`, `'aud'`, `'kid'`). Never
   * serialized into a response: the client only learns the `code`.
   */
  reason?: string
  /** The underlying error, kept for logs and never serialized. */
  cause?: unknown
  /** Seconds a client should wait before retrying (sent as `Retry-After` with 503s). */
  retryAfter?: number
}

/** The JSON body of an error response: `{ "error": { "code", "message" } }`. */
export interface AuthErrorBody {
  /** The error object. */
  error: {
    /** The stable {@link AuthErrorCode}. */
    code: AuthErrorCode
    /** A fixed, human readable message for the code; never contains a credential. */
    message: string
  }
}

/**
 * The single error class of the SDK. Every malformed, forged, expired, revoked or replayed
 * credential ends in an `AuthError` with a stable {@link AuthErrorCode}, the matching HTTP
 * `status`, and a fixed message that never contains a token, a secret or key material.
 *
 * Exported from `'@auth/core'` and `'@auth/core/errors'`.
 *
 * @example
 * ```ts
 * import { AuthError } from '@auth/core'
 *
 * try {
 *   await verifier.verify(token)
 * } catch (error) {
 *   if (error instanceof AuthError && error.code === 'token_expired') {
 *     // ask the client to refresh
 *   }
 *   throw error
 * }
 * ```
 */
export class AuthError extends Error {
  /** The stable error code. */
  readonly code: AuthErrorCode
  /** The HTTP status from {@link HTTP_STATUS_BY_CODE}. */
  readonly status: number
  /** Which check failed; for logs only, never sent to clients. */
  readonly reason: string | undefined
  /** Seconds a client should wait before retrying, when the failure is transient. */
  readonly retryAfter: number | undefined

  /**
   * @param code - the stable error code
   * @param options - reason, cause and retry hint
   */
  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    super(MESSAGE_BY_CODE[code], options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AuthError'
    this.code = code
    this.status = HTTP_STATUS_BY_CODE[code]
    this.reason = options.reason
    this.retryAfter = options.retryAfter
  }

  /** The response body for this error; contains only `code` and the fixed message. */
  toJSON(): AuthErrorBody {
    return { error: { code: this.code, message: this.message } }
  }
}

/**
 * Whether a value is an {@link AuthError} (also across duplicated copies of the package).
 *
 * Exported from `'@auth/core'` and `'@auth/core/errors'`.
 *
 * @param value - anything that was thrown
 */
export function isAuthError(value: unknown): value is AuthError {
  return (
    value instanceof AuthError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'AuthError' &&
      typeof (value as { code?: unknown }).code === 'string' &&
      Object.hasOwn(HTTP_STATUS_BY_CODE, (value as { code: string }).code))
  )
}
