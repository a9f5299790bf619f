/**
 * Reading a `Cookie` request header (RFC 6265 §4.2 and §5.4), strictly and without surprises.
 *
 * | input | outcome |
 * |---|---|
 * | over {@link MAX_COOKIE_HEADER_LENGTH} characters | `{ ok: false, reason: 'too_large' }`, nothing parsed |
 * | `name=value` with a token name and cookie-octet value | in `cookies` (a `"quoted"` value loses its quotes) |
 * | the same name again | first value kept, the name listed in `duplicates` |
 * | a token name with a value outside cookie-octet (space, `,`, `"`, `\`, CTL, non-ASCII) | not in `cookies`, the name listed in `malformed` |
 * | no `=`, an empty or non-token name | skipped |
 * | not a string (or a list of strings) | no cookies |
 *
 * Why duplicates are reported rather than resolved: a host on a sibling subdomain can plant a
 * second cookie of the same name (a `Domain=example.com` cookie, "cookie tossing"), and the
 * browser sends both in an order the server cannot trust. For the auth cookies a duplicate is a
 * 400, decided by `CookiePolicy.read`; for other cookies the caller chooses.
 *
 * Percent-encoding: none. Values come back exactly as sent; `%3B` stays the three characters
 * `%3B`. `decodeURIComponent` would throw on a stray `%`, turn `%3B` into `;`, and give one value
 * two spellings. Our own values (tokens, session ids) are base64url and dots, which need no
 * encoding; an application that percent-encodes its own cookies decodes them itself.
 *
 * @module
 */
import { isCookieName, isCookieValue } from './cookie-grammar.js'

/** The longest `Cookie` header accepted, in characters (8 KiB; header values are octets). */
export const MAX_COOKIE_HEADER_LENGTH = 8192

/** What {@link parseCookieHeader} answers. */
export type ParseCookieHeaderResult =
  | {
      /** The header was read. */
      readonly ok: true
      /** Name → value; a duplicated name keeps its first well-formed value. */
      readonly cookies: ReadonlyMap<string, string>
      /** Names that appeared more than once (each listed once), in order of first repetition. */
      readonly duplicates: readonly string[]
      /** Names that appeared with a value outside the cookie-octet grammar (each listed once). */
      readonly malformed: readonly string[]
    }
  | {
      /** The header was refused unread. */
      readonly ok: false
      /** The header is longer than {@link MAX_COOKIE_HEADER_LENGTH}. */
      readonly reason: 'too_large'
    }

const TOO_LARGE: ParseCookieHeaderResult = Object.freeze({ ok: false, reason: 'too_large' })

/** Strips RFC 9110 OWS (spaces and horizontal tabs) from both ends, nothing else. */
function trimOws(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start++
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--
  return text.slice(start, end)
}

/**
 * Parses a `Cookie` header into name → value. Never throws: garbage pairs are skipped, malformed
 * values and repeated names are reported (see the module table). Pairs may be separated by `;`
 * with or without spaces (RFC 6265 sends `"; "`, some clients send `";"`); a comma separates
 * nothing (it is not a cookie-octet, so `a=1,b=2` is a malformed `a`).
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { parseCookieHeader } from '@auth/core'
 *
 * const parsed = parseCookieHeader('theme=dark; __Host-auth-session=abc.def')
 * if (parsed.ok) {
 *   parsed.cookies.get('theme') // 'dark'
 *   parsed.duplicates // []
 * }
 * ```
 *
 * > [!NOTE]
 * > Node joins repeated `Cookie` headers with `"; "`; pass a list and it is joined the same way,
 * > and the length limit applies to the whole.
 *
 * @param header - the `Cookie` header value (or values), or nothing
 */
export function parseCookieHeader(header: string | readonly string[] | null | undefined): ParseCookieHeaderResult {
  let text = ''
  if (typeof header === 'string') text = header
  else if (Array.isArray(header) && header.every((part) => typeof part === 'string')) text = header.join('; ')
  if (text.length > MAX_COOKIE_HEADER_LENGTH) return TOO_LARGE

  const cookies = new Map<string, string>()
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  const malformed = new Set<string>()
  for (const piece of text.split(';')) {
    const pair = trimOws(piece)
    const eq = pair.indexOf('=')
    if (eq <= 0) continue
    const name = pair.slice(0, eq)
    if (!isCookieName(name)) continue
    if (seen.has(name)) duplicates.add(name)
    seen.add(name)
    let value = pair.slice(eq + 1)
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    if (!isCookieValue(value)) malformed.add(name)
    else if (!cookies.has(name)) cookies.set(name, value)
  }
  return { ok: true, cookies, duplicates: [...duplicates], malformed: [...malformed] }
}
