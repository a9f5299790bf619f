/**
 * Responses of the protocol: JSON bodies that are never cached, and the one mapping from an
 * {@link AuthError} to status, body and headers (`WWW-Authenticate`, `Retry-After`, `Allow`).
 *
 * @internal
 * @module
 */
import { isAuthError } from '../errors.js'
import { formatBearerChallenge } from './bearer-challenge.js'
import type { AuthHttpResponse } from './exchange.js'

/** Every response of the protocol carries credentials or depends on them: never cached. */
const NO_STORE = Object.freeze({ 'cache-control': 'no-store', pragma: 'no-cache' })
const JSON_TYPE = 'application/json; charset=utf-8'

/** How long a client should wait before retrying a 503, by code (seconds). */
const RETRY_AFTER: Readonly<Partial<Record<string, string>>> = { store_unavailable: '1', jwks_unavailable: '5' }

/** @internal A JSON response that is never cached. */
export function jsonResponse(status: number, body: unknown, cookies: readonly string[] = [], headers: Record<string, string> = {}): AuthHttpResponse {
  return { status, headers: { ...NO_STORE, 'content-type': JSON_TYPE, ...headers }, cookies, body }
}

/** @internal A 204 that is never cached. */
export function emptyResponse(cookies: readonly string[] = []): AuthHttpResponse {
  return { status: 204, headers: { ...NO_STORE }, cookies }
}

/** What {@link errorResponse} needs to know of the request. */
export interface ErrorContext {
  /** The credential the request presented: a Bearer one gets `error="invalid_token"` in its challenge. */
  readonly credential?: 'none' | 'bearer' | 'cookie' | 'session'
  /** The realm of the Bearer challenge. */
  readonly realm?: string | undefined
  /** Cookies to set with the error (the auth cookies cleared when the session truly ended). */
  readonly cookies?: readonly string[]
  /** The methods the route allows (with `method_not_allowed`). */
  readonly allow?: string
}

/**
 * @internal The response for an error: `{ "error": { "code", "message" } }` with the status of
 * {@link HTTP_STATUS_BY_CODE}. A 401 carries a Bearer challenge (with `error="invalid_token"`
 * when a Bearer token was refused, RFC 6750 §3.1), a malformed `Authorization` a 400 with
 * `error="invalid_request"`, a 503 `Retry-After`. Anything that is not an {@link AuthError} is
 * rethrown: a bug in the application is the framework's to report, not a credential failure.
 */
export function errorResponse(error: unknown, context: ErrorContext = {}): AuthHttpResponse {
  if (!isAuthError(error)) throw error
  const headers: Record<string, string> = {}
  const realm = context.realm
  if (error.status === 401) {
    const refusedBearer = context.credential === 'bearer' && error.code !== 'token_missing'
    headers['www-authenticate'] = formatBearerChallenge({ realm, ...(refusedBearer ? { error: 'invalid_token' } : {}) })
  } else if (error.code === 'bad_request' && (error.reason === 'authorization' || error.reason === 'header_too_large')) {
    headers['www-authenticate'] = formatBearerChallenge({ realm, error: 'invalid_request' })
  } else if (error.code === 'forbidden' && context.credential === 'bearer') {
    headers['www-authenticate'] = formatBearerChallenge({ realm, error: 'insufficient_scope' })
  }
  const retryAfter = RETRY_AFTER[error.code]
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter
  if (error.code === 'method_not_allowed' && context.allow !== undefined) headers.allow = context.allow
  return jsonResponse(error.status, error.toJSON(), context.cookies ?? [], headers)
}
