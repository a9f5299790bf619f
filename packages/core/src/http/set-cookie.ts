/**
 * Writing `Set-Cookie` values (RFC 6265 §4.1, with the prefixes and `SameSite` of RFC 6265bis).
 *
 * Every rule a browser enforces by silently dropping the cookie is a `TypeError` here, so "cookie
 * set, then gone" shows up as an exception at the line that wrote it:
 *
 * | rule | why |
 * |---|---|
 * | name is an RFC 9110 token; value is `*cookie-octet` | a `;`, `,`, CR or LF in a value would inject attributes or headers |
 * | name plus value ≤ 4096 characters | browsers drop bigger cookies |
 * | `__Secure-` needs `Secure` | RFC 6265bis §4.1.3.1 |
 * | `__Host-` needs `Secure`, `Path=/`, no `Domain` | RFC 6265bis §4.1.3.2 |
 * | `SameSite=None` needs `Secure` | browsers refuse it otherwise |
 * | `SameSite` is always written | browsers differ on the default (Lax, or none at all) |
 * | `Domain` is a hostname without a leading dot, not an IP; `Path` starts with `/` | anything else is ignored or surprising |
 *
 * Prefixes are matched without regard to case, as browsers now do (`__HOST-` counts).
 * Values are written as given: no percent-encoding (see `cookie-header.ts`).
 *
 * @module
 */
import { isCookieName, isCookieValue, MAX_COOKIE_NAME_VALUE_LENGTH } from './cookie-grammar.js'

/** The `SameSite` attribute, always explicit. */
export type SameSite = 'Strict' | 'Lax' | 'None'

/** The attributes of a cookie, without its value (see {@link SerializeCookieOptions}). */
export interface CookieAttributes {
  /** The cookie name: an RFC 9110 token. `__Host-` and `__Secure-` prefixes are enforced. */
  name: string
  /** `SameSite`: required, since browsers disagree on the default. */
  sameSite: SameSite
  /** `HttpOnly`: hidden from page scripts. Default `true`. */
  httpOnly?: boolean
  /** `Secure`: sent over HTTPS only (Chromium counts `http://localhost` as secure too). Default `true`. */
  secure?: boolean
  /** `Path`, starting with `/`. Default `/` (always written: the browser's default is the request's directory). */
  path?: string
  /** `Domain`: share the cookie with subdomains. Default: none, a host-only cookie. */
  domain?: string
}

/** Options of {@link serializeCookie}. */
export interface SerializeCookieOptions extends CookieAttributes {
  /** The value: cookie-octets only (base64url, dots and the like), written as is. May be empty. */
  value: string
  /** `Max-Age`, in seconds (RFC 6265 §5.2.2): a non-negative integer. Default: none, a browser-session cookie. */
  maxAgeSeconds?: number
  /** `Expires`: for old clients that ignore `Max-Age`. */
  expires?: Date
}

const SAME_SITE: ReadonlySet<unknown> = new Set(['Strict', 'Lax', 'None'])
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
const HOSTNAME = new RegExp(`^(?:${LABEL}\\.)+${LABEL}$`, 'i')
/** A path-value (RFC 6265 §4.1.1) without spaces, `"`, `?` or `#`: a path, not a URL. */
const PATH = /^\/[\x21\x24-\x3A\x3C-\x3E\x40-\x7E]*$/
const EPOCH = new Date(0)

const fail = (what: string): never => {
  throw new TypeError(`cookie: ${what}`)
}

/** @internal Checks a name and value; throws a `TypeError` naming the cookie (never the value). */
export function assertCookiePair(name: string, value: unknown): void {
  if (typeof value !== 'string' || !isCookieValue(value)) {
    fail(`the value of "${name}" must contain only cookie-octets (no whitespace, '"', ',', ';', '\\', control or non-ASCII characters)`)
  }
  if (name.length + (value as string).length > MAX_COOKIE_NAME_VALUE_LENGTH) {
    fail(`"${name}" is over ${MAX_COOKIE_NAME_VALUE_LENGTH} characters (name plus value); browsers would drop it`)
  }
}

/**
 * @internal Validates the attributes and answers the fixed tail of the `Set-Cookie` value
 * (`; Domain=…; Path=…; Secure; HttpOnly; SameSite=…`), so a policy validates once at setup.
 */
export function formatCookieAttributes(attributes: CookieAttributes): string {
  const { name, sameSite, domain } = attributes
  const httpOnly = attributes.httpOnly ?? true
  const secure = attributes.secure ?? true
  const path = attributes.path ?? '/'
  if (typeof name !== 'string' || !isCookieName(name)) fail(`the name ${JSON.stringify(name)} is not an RFC 9110 token`)
  if (!SAME_SITE.has(sameSite)) fail(`sameSite of "${name}" must be 'Strict', 'Lax' or 'None'`)
  if (typeof httpOnly !== 'boolean' || typeof secure !== 'boolean') fail(`httpOnly and secure of "${name}" must be booleans`)
  if (typeof path !== 'string' || !PATH.test(path)) fail(`the path of "${name}" must start with '/' and hold no ';', '"', whitespace, '?' or '#'`)
  if (domain !== undefined) {
    if (typeof domain !== 'string' || !HOSTNAME.test(domain) || /^[\d.]+$/.test(domain)) {
      fail(`the domain of "${name}" must be a hostname with a dot, no leading dot, no port and no IP address (omit it for a host-only cookie)`)
    }
  }
  if (sameSite === 'None' && !secure) fail(`"${name}" has SameSite=None, which needs Secure`)
  const lower = name.toLowerCase()
  if (lower.startsWith('__secure-') && !secure) fail(`"${name}" has the __Secure- prefix, which needs Secure`)
  if (lower.startsWith('__host-')) {
    if (!secure) fail(`"${name}" has the __Host- prefix, which needs Secure`)
    if (path !== '/') fail(`"${name}" has the __Host- prefix, which needs Path=/`)
    if (domain !== undefined) fail(`"${name}" has the __Host- prefix, which forbids Domain (use __Secure- to share with subdomains)`)
  }
  return (
    (domain === undefined ? '' : `; Domain=${domain.toLowerCase()}`) +
    `; Path=${path}` +
    (secure ? '; Secure' : '') +
    (httpOnly ? '; HttpOnly' : '') +
    `; SameSite=${sameSite}`
  )
}

/** @internal `; Max-Age=…` (and `; Expires=…`), validated. */
export function formatCookieLifetime(name: string, maxAgeSeconds: number | undefined, expires: Date | undefined): string {
  let text = ''
  if (maxAgeSeconds !== undefined) {
    if (!Number.isSafeInteger(maxAgeSeconds) || maxAgeSeconds < 0) fail(`maxAgeSeconds of "${name}" must be a non-negative integer (seconds)`)
    text += `; Max-Age=${maxAgeSeconds}`
  }
  if (expires !== undefined) {
    if (!(expires instanceof Date) || Number.isNaN(expires.getTime())) fail(`expires of "${name}" must be a valid Date`)
    text += `; Expires=${expires.toUTCString()}`
  }
  return text
}

/**
 * Serializes one `Set-Cookie` header value. Throws a `TypeError` for any cookie a browser would
 * drop or misread (see the module table); never encodes or alters the value.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { serializeCookie } from '@auth/core'
 *
 * serializeCookie({ name: '__Host-theme', value: 'dark', sameSite: 'Lax', maxAgeSeconds: 86400 })
 * // '__Host-theme=dark; Max-Age=86400; Path=/; Secure; HttpOnly; SameSite=Lax'
 * ```
 *
 * > [!NOTE]
 * > `Secure` cookies, `__Host-` included, work on `http://localhost` in Chromium, which treats
 * > localhost as a secure origin. Safari does not: develop over HTTPS there.
 *
 * @param options - name, value, attributes and lifetime
 */
export function serializeCookie(options: SerializeCookieOptions): string {
  const attributes = formatCookieAttributes(options)
  assertCookiePair(options.name, options.value)
  return `${options.name}=${options.value}${formatCookieLifetime(options.name, options.maxAgeSeconds, options.expires)}${attributes}`
}

/**
 * Serializes the `Set-Cookie` value that deletes a cookie: an empty value, `Max-Age=0` and an
 * `Expires` in the past (1970), with the **same** name, path, domain and attributes as the cookie
 * it deletes (a browser keys cookies on name, domain and path; a different path deletes nothing).
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { serializeClearCookie } from '@auth/core'
 *
 * serializeClearCookie({ name: '__Host-theme', sameSite: 'Lax' })
 * // '__Host-theme=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly; SameSite=Lax'
 * ```
 *
 * @param attributes - the attributes the cookie was set with
 */
export function serializeClearCookie(attributes: CookieAttributes): string {
  return serializeCookie({ ...attributes, value: '', maxAgeSeconds: 0, expires: EPOCH })
}
