/**
 * `WWW-Authenticate: Bearer` challenges (RFC 6750 §3).
 *
 * | what happened | status | challenge |
 * |---|---|---|
 * | no credential, or another scheme (`token_missing`, `missing`, `scheme`) | 401 | `Bearer realm="…"`, **no** `error` (§3.1) |
 * | a bearer credential that is not one b64token (`malformed`) | 400 | `error="invalid_request"` |
 * | a credential refused: invalid, expired, revoked, its session ended | 401 | `error="invalid_token"` |
 * | the token lacks a required scope or role (the caller decides) | 403 | `error="insufficient_scope"` |
 *
 * {@link toBearerError} is that table; {@link formatBearerChallenge} writes the header value and
 * refuses (`TypeError`) anything that would break out of a quoted string: a CR or LF in a realm
 * is header injection, not a realm.
 *
 * @module
 */
import { type AuthErrorCode, HTTP_STATUS_BY_CODE } from '../errors.js'

/** The `error` attribute values of RFC 6750 §3.1. */
export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope'

/** Options of {@link formatBearerChallenge}. */
export interface FormatBearerChallengeOptions {
  /** The protection space, for example the API's name. Printable ASCII; `"` and `\` are escaped. */
  realm?: string
  /** The `error` attribute; leave it out when no credential was sent (see {@link toBearerError}). */
  error?: BearerError
  /** Human-readable text for developers: printable ASCII without `"` and `\` (RFC 6750 §3). Never a token. */
  errorDescription?: string
  /** Space-separated scope tokens (with `insufficient_scope`). */
  scope?: string
}

/** A failure to map: an {@link AuthErrorCode}, or why `parseBearer` found no token. */
export type BearerFailure = AuthErrorCode | 'missing' | 'scheme' | 'malformed' // the latter three: ParseBearerResult's reasons

/** Printable ASCII, HTAB and SP: what may sit in a quoted-string once `"` and `\` are escaped. */
const QUOTABLE = /^[\t\x20-\x7E]*$/
/** RFC 6750 NQSCHAR: printable ASCII and SP without `"` and `\`. */
const NQSCHARS = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/
/** RFC 6750 scope: scope-tokens separated by single spaces. */
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/
const ERRORS: ReadonlySet<unknown> = new Set(['invalid_request', 'invalid_token', 'insufficient_scope'])

const quote = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`

/**
 * The `error` attribute for a failure, or `undefined` when the challenge must carry none: no
 * credential was sent (`token_missing`, a missing header, another scheme), or the failure is no
 * 401 at all (`csrf_rejected`, `store_unavailable`: send no challenge with those).
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { formatBearerChallenge, toBearerError } from '@auth/core'
 *
 * toBearerError('token_expired') // 'invalid_token'
 * toBearerError('malformed') // 'invalid_request'
 * toBearerError('token_missing') // undefined
 * formatBearerChallenge({ realm: 'api', error: toBearerError('token_expired') })
 * // 'Bearer realm="api", error="invalid_token"'
 * ```
 *
 * @param failure - the error code, or the reason `parseBearer` refused the header
 */
export function toBearerError(failure: BearerFailure): 'invalid_request' | 'invalid_token' | undefined {
  if (failure === 'malformed') return 'invalid_request'
  if (failure === 'missing' || failure === 'scheme' || failure === 'token_missing') return undefined
  return Object.hasOwn(HTTP_STATUS_BY_CODE, failure) && HTTP_STATUS_BY_CODE[failure] === 401 ? 'invalid_token' : undefined
}

/**
 * Formats a `WWW-Authenticate` value for the Bearer scheme: `Bearer`, then `realm`, `scope`,
 * `error` and `error_description` as quoted strings, in that order, each at most once. Throws a
 * `TypeError` for an attribute that cannot be written safely.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { formatBearerChallenge } from '@auth/core'
 *
 * formatBearerChallenge({ realm: 'api' }) // 'Bearer realm="api"' (no credential was sent)
 * formatBearerChallenge({ realm: 'api', error: 'invalid_token' }) // 'Bearer realm="api", error="invalid_token"'
 * ```
 *
 * > [!NOTE]
 * > Send the challenge with every 401 of a Bearer request (HTTP requires one) and with a 400
 * > `invalid_request`; leave `error` out when the request carried no credential (RFC 6750 §3.1).
 *
 * @param options - realm, error, description and scope
 */
export function formatBearerChallenge(options: FormatBearerChallengeOptions = {}): string {
  const { realm, error, errorDescription, scope } = options
  const params: string[] = []
  if (realm !== undefined) {
    if (typeof realm !== 'string' || !QUOTABLE.test(realm)) throw new TypeError('formatBearerChallenge: realm must be printable ASCII')
    params.push(`realm=${quote(realm)}`)
  }
  if (scope !== undefined) {
    if (typeof scope !== 'string' || !SCOPE.test(scope)) throw new TypeError('formatBearerChallenge: scope must be scope tokens separated by single spaces')
    params.push(`scope=${quote(scope)}`)
  }
  if (error !== undefined) {
    if (!ERRORS.has(error)) throw new TypeError('formatBearerChallenge: error must be invalid_request, invalid_token or insufficient_scope')
    params.push(`error="${error}"`)
  }
  if (errorDescription !== undefined) {
    if (error === undefined) throw new TypeError('formatBearerChallenge: errorDescription needs an error (RFC 6750 §3.1)')
    if (typeof errorDescription !== 'string' || !NQSCHARS.test(errorDescription)) {
      throw new TypeError('formatBearerChallenge: errorDescription must be printable ASCII without \'"\' and \'\\\'')
    }
    params.push(`error_description=${quote(errorDescription)}`)
  }
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`
}
