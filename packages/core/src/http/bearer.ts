/**
 * Reading the `Authorization: Bearer` header (RFC 6750 §2.1), and nothing else: an access token
 * is never read from a query string or a form body.
 *
 * | header | answer |
 * |---|---|
 * | absent, empty, or an empty list | `missing` (send a challenge without an error: RFC 6750 §3.1) |
 * | another scheme (`Basic …`, `Token …`) | `scheme` (the same: no bearer credential was sent) |
 * | `Bearer` (any case) + one space + a b64token | the token |
 * | `Bearer` alone, two spaces, a trailing space, a second token, a comma, a character outside b64token, several header values | `malformed` (400 `invalid_request`) |
 *
 * Stricter than RFC 6750, which allows `1*SP` after the scheme: exactly one space. Every client
 * we know sends one, and a parser with one spelling per credential has nothing to disagree with
 * another component about.
 *
 * @module
 */

/** What {@link parseBearer} answers: the token, or why there is none. */
export type ParseBearerResult =
  | {
      /** A Bearer credential was found. */
      readonly ok: true
      /** The access token. */
      readonly token: string
    }
  | {
      /** No usable Bearer credential. */
      readonly ok: false
      /** `missing`: no `Authorization`; `scheme`: not the Bearer scheme; `malformed`: Bearer, but not one b64token. */
      readonly reason: 'missing' | 'scheme' | 'malformed'
    }

/** An RFC 9110 token, then the end or a space: the auth-scheme. */
const SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?= |$)/
/** The Bearer scheme, one space, one b64token (RFC 6750 §2.1). */
const CREDENTIALS = /^bearer ([A-Za-z0-9\-._~+/]+=*)$/i

/** The b64token after `Bearer ` to the end, from `lastIndex` 7 (sticky: `test` allocates no match). */
const B64TOKEN = /[A-Za-z0-9\-._~+/]+=*$/y

/** @internal A refusal of {@link parseBearer}. */
export type ParseBearerFailure = Extract<ParseBearerResult, { ok: false }>

const MISSING: ParseBearerFailure = Object.freeze({ ok: false, reason: 'missing' })
const SCHEME_REFUSED: ParseBearerFailure = Object.freeze({ ok: false, reason: 'scheme' })
const MALFORMED: ParseBearerFailure = Object.freeze({ ok: false, reason: 'malformed' })

/**
 * Reads the bearer token from an `Authorization` header value. Never throws; the scheme is
 * matched without regard to case (`bearer`, `BEARER`), the token is returned exactly as sent.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { parseBearer } from '@auth/core'
 *
 * const bearer = parseBearer(request.headers.get('authorization'))
 * if (bearer.ok) await auth.verifyAccessToken(bearer.token)
 * else if (bearer.reason === 'malformed') {
 *   // 400, WWW-Authenticate: Bearer error="invalid_request"
 * }
 * ```
 *
 * > [!NOTE]
 * > The Fetch API joins repeated headers with `", "`, so two `Authorization` headers arrive as
 * > one malformed value; pass Node's raw list (`string[]`) and more than one is `malformed` too.
 *
 * @param authorization - the `Authorization` header value (or values), or nothing
 */
export function parseBearer(authorization: string | readonly string[] | null | undefined): ParseBearerResult {
  const token = bearerTokenOf(authorization)
  return typeof token === 'string' ? { ok: true, token } : token
}

/**
 * @internal {@link parseBearer} without its result object: the token, or the refusal. The usual
 * header (`Bearer ` in any case, then a b64token) is read by character codes and one `test` of a
 * sticky pattern, which allocates nothing but the token's slice; anything else takes the
 * regular expressions that tell `scheme` from `malformed`.
 */
export function bearerTokenOf(authorization: string | readonly string[] | null | undefined): string | ParseBearerFailure {
  let value: unknown = authorization
  if (Array.isArray(value)) {
    if (value.length > 1) return MALFORMED
    value = value[0]
  }
  if (value === undefined || value === null || value === '') return MISSING
  if (typeof value !== 'string') return MALFORMED
  if (value.length > 7 && value.charCodeAt(6) === 32 && isBearerScheme(value)) {
    B64TOKEN.lastIndex = 7
    return B64TOKEN.test(value) ? value.slice(7) : MALFORMED
  }
  const scheme = SCHEME.exec(value)
  if (!scheme) return MALFORMED
  if (scheme[0].toLowerCase() !== 'bearer') return SCHEME_REFUSED
  const credentials = CREDENTIALS.exec(value)
  return credentials ? (credentials[1] as string) : MALFORMED
}

/** Whether `value` starts with `bearer` in any case (ASCII letters only: `| 32` lowers them). */
function isBearerScheme(value: string): boolean {
  return (value.charCodeAt(0) | 32) === 98 && (value.charCodeAt(1) | 32) === 101 && (value.charCodeAt(2) | 32) === 97 && (value.charCodeAt(3) | 32) === 114 && (value.charCodeAt(4) | 32) === 101 && (value.charCodeAt(5) | 32) === 114
}
