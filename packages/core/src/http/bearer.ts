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

const MISSING: ParseBearerResult = Object.freeze({ ok: false, reason: 'missing' })
const SCHEME_REFUSED: ParseBearerResult = Object.freeze({ ok: false, reason: 'scheme' })
const MALFORMED: ParseBearerResult = Object.freeze({ ok: false, reason: 'malformed' })

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
  let value: unknown = authorization
  if (Array.isArray(value)) {
    if (value.length > 1) return MALFORMED
    value = value[0]
  }
  if (value === undefined || value === null || value === '') return MISSING
  if (typeof value !== 'string') return MALFORMED
  const scheme = SCHEME.exec(value)
  if (!scheme) return MALFORMED
  if (scheme[0].toLowerCase() !== 'bearer') return SCHEME_REFUSED
  const credentials = CREDENTIALS.exec(value)
  return credentials ? { ok: true, token: credentials[1] as string } : MALFORMED
}
