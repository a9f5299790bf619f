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
 * - `bad_request`: the request is malformed: unparsable JSON, a field of the wrong type, a
 *   duplicated auth cookie, an oversized `Cookie` or `Authorization` header, a malformed
 *   `Authorization: Bearer`.
 * - `invalid_credentials`: the application refused a login (wrong email or password); the SDK
 *   never raises it itself, applications answer it with the same body as every other error.
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
 * - `not_found`: the addressed resource does not exist (or is not the caller's).
 * - `method_not_allowed`: the route exists, not with this method.
 * - `conflict`: a compare-and-set lost against a concurrent update.
 * - `payload_too_large`: a request body or session data is over its size limit.
 * - `unsupported_media_type`: a request body that is not `application/json`.
 * - `jwks_unavailable`: a resource server could not obtain the issuer's public keys.
 * - `store_unavailable`: the session store did not answer; the request is neither allowed nor denied.
 */
export type AuthErrorCode =
  | 'bad_request'
  | 'invalid_credentials'
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
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'jwks_unavailable'
  | 'store_unavailable'

/**
 * The HTTP status that goes with each {@link AuthErrorCode}. Adapters read this table and add no
 * codes of their own.
 *
 * Exported from `'@auth/core'` and `'@auth/core/errors'`.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<AuthErrorCode, number>> = Object.freeze({
  bad_request: 400,
  invalid_credentials: 401,
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
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  jwks_unavailable: 503,
  store_unavailable: 503,
})

const MESSAGE_BY_CODE: Readonly<Record<AuthErrorCode, string>> = Object.freeze({
  bad_request: 'The request is malformed.',
  invalid_credentials: 'The credentials are invalid.',
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
  method_not_allowed: 'This method is not allowed here.',
  conflict: 'The resource was changed concurrently; retry.',
  payload_too_large: 'The payload is too large.',
  unsupported_media_type: 'The request body must be application/json.',
  jwks_unavailable: 'The verification keys are unavailable; retry later.',
  store_unavailable: 'The session store is unavailable; retry later.',
})

/**
 * Which check failed, per {@link AuthErrorCode}: the `reason` of an {@link AuthError}, for logs
 * and tests, never sent to clients. `never` where a code has one cause only. `store_unavailable`
 * takes any text, since a store (yours too) says what went wrong in its own words.
 */
export interface AuthErrorReasons {
  /**
   * What was malformed: an auth cookie sent twice (`cookie_duplicated`), a `Cookie` header over
   * 8 KiB (`cookie_too_large`), an `Authorization` header that is not one Bearer token
   * (`authorization`) or is over 8 KiB (`header_too_large`), a body that is not JSON (`json`) or
   * not the expected object (`body`), a session id that cannot be one (`session_id`), or a
   * transport this server does not offer (`transport`).
   */
  bad_request: 'cookie_duplicated' | 'cookie_too_large' | 'authorization' | 'header_too_large' | 'json' | 'body' | 'session_id' | 'transport'
  /** The application refused the login. */
  invalid_credentials: never
  /** No credential at all. */
  token_missing: never
  /**
   * The check that refused the credential: its length (`too_large`), its shape (`shape`,
   * `encoding`, `header`, `payload`), the header (`typ`, `alg`, `kid`, or a forbidden member:
   * `jku`, `x5u`, `jwk`, `x5c`, `crit`, `b64`, `zip`, `enc`), the key (`key`), the signature, a
   * claim (`iss`, `aud`, `exp`, `iat`, `nbf`, `sub`, `sid`, `jti`, `ver`), an opaque session token
   * (`malformed`, `tag`, `transport`, `secret`), or a fault of the verifier itself (`internal`).
   */
  token_invalid:
    | 'too_large'
    | 'shape'
    | 'encoding'
    | 'header'
    | 'payload'
    | 'typ'
    | 'alg'
    | 'kid'
    | 'jku'
    | 'x5u'
    | 'jwk'
    | 'x5c'
    | 'crit'
    | 'b64'
    | 'zip'
    | 'enc'
    | 'key'
    | 'signature'
    | 'iss'
    | 'aud'
    | 'exp'
    | 'iat'
    | 'nbf'
    | 'sub'
    | 'sid'
    | 'jti'
    | 'ver'
    | 'malformed'
    | 'tag'
    | 'transport'
    | 'secret'
    | 'internal'
  /** Past `exp` (`exp`), or older than the maximum age (`max_age`). */
  token_expired: 'exp' | 'max_age'
  /** Denied `jti`, or a user version that moved on. */
  token_revoked: never
  /** The session was ended. */
  session_revoked: never
  /** The session passed its idle or absolute expiry. */
  session_expired: never
  /**
   * Malformed, a tag that is not ours (`tag`), a session that was ended (`ended`), a session of
   * the cookie transport (`transport`), a successor that does not match because the server secret
   * changed (`secret_changed`), or a token that is neither current nor previous yet not older
   * (`unknown`).
   */
  refresh_invalid: 'malformed' | 'tag' | 'ended' | 'transport' | 'secret_changed' | 'unknown'
  /** An already rotated refresh token after grace. */
  refresh_reused: never
  /** Which origin check failed. */
  csrf_rejected: 'origin' | 'sec_fetch_site' | 'no_origin'
  /** Not allowed. */
  forbidden: never
  /** Not found. */
  not_found: never
  /** Another method. */
  method_not_allowed: never
  /** A compare-and-set lost (`revision`), data or a user version that kept changing meanwhile. */
  conflict: 'revision' | 'session_data' | 'user_version'
  /** Session data over its limit (`session_data`), or a request body over its limit (`body`). */
  payload_too_large: 'session_data' | 'body'
  /** Not JSON. */
  unsupported_media_type: never
  /** Why the JWKS fetch failed: HTTP status, timeout, size cap, unparsable, or the network. */
  jwks_unavailable: 'jwks_status' | 'jwks_timeout' | 'jwks_too_large' | 'jwks_malformed' | 'jwks_network'
  /** The store's own words. */
  store_unavailable: string
}

/** The `reason` type of one code (or of every code). */
export type AuthErrorReason<TCode extends AuthErrorCode = AuthErrorCode> = AuthErrorReasons[TCode]

/** Options of the {@link AuthError} constructor. */
export interface AuthErrorOptions<TCode extends AuthErrorCode = AuthErrorCode> {
  /**
   * Which check failed, for logs and tests (for example `'signature'`, `'aud'`, `'kid'`): one of
   * {@link AuthErrorReasons} for the code. Never serialized into a response: the client only
   * learns the `code`.
   */
  reason?: AuthErrorReason<TCode>
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
export class AuthError<TCode extends AuthErrorCode = AuthErrorCode> extends Error {
  /** The stable error code. */
  readonly code: TCode
  /** The HTTP status from {@link HTTP_STATUS_BY_CODE}. */
  readonly status: number
  /** Which check failed ({@link AuthErrorReasons}); for logs only, never sent to clients. */
  readonly reason: AuthErrorReason<TCode> | undefined
  /** Seconds a client should wait before retrying, when the failure is transient. */
  readonly retryAfter: number | undefined

  /**
   * @param code - the stable error code
   * @param options - reason, cause and retry hint
   */
  constructor(code: TCode, options: AuthErrorOptions<TCode> = {}) {
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
 * Whether a value is an {@link AuthError} (also across duplicated copies of the package), and,
 * given a code, one with that code: its `reason` is then typed for that code.
 *
 * Exported from `'@auth/core'` and `'@auth/core/errors'`.
 *
 * @example
 * ```ts
 * import { isAuthError } from '@auth/core'
 *
 * if (isAuthError(error, 'token_expired')) log(error.reason) // 'exp' | 'max_age' | undefined
 * ```
 *
 * @param value - anything that was thrown
 * @param code - the code to match, if any
 */
export function isAuthError<TCode extends AuthErrorCode = AuthErrorCode>(value: unknown, code?: TCode): value is AuthError<TCode> {
  const isOne =
    value instanceof AuthError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'AuthError' &&
      typeof (value as { code?: unknown }).code === 'string' &&
      Object.hasOwn(HTTP_STATUS_BY_CODE, (value as { code: string }).code))
  return isOne && (code === undefined || (value as { code: unknown }).code === code)
}
