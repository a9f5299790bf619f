/**
 * The cookies of the protocol (docs/concepts.md#the-http-protocol): their names, attributes, and how they are read back.
 *
 * | cookie | default name | path | with `domain` |
 * |---|---|---|---|
 * | access token (token transport) | `__Host-auth-at` | `/` | `__Secure-auth-at` |
 * | refresh token (token transport) | `__Secure-auth-rt` | the refresh path (`/auth/refresh`) | `__Secure-auth-rt` |
 * | session (session-cookie transport) | `__Host-auth-session` | `/` | `__Secure-auth-session` |
 *
 * All are `HttpOnly`, `Secure` and carry an explicit `SameSite` (default `Lax`). The prefix is
 * chosen, never configured: `__Host-` wherever the cookie can have one (host-only, `Path=/`),
 * which no other host, not even a sibling subdomain, can set or overwrite; `__Secure-`
 * otherwise, since `__Host-` forbids both `Domain` and any path but `/`. So the path-scoped
 * refresh cookie is `__Secure-`, and the `domain` option (an SPA on `app.example.com` calling
 * an API on `api.example.com`) makes all three `__Secure-`.
 *
 * A `__Secure-` cookie can be planted by a sibling subdomain with `Domain=example.com`; the
 * browser then sends two cookies of one name. {@link CookiePolicy.read} answers `duplicated`
 * for that, which the protocol turns into a 400 rather than guess which one is ours.
 *
 * Cookies are never shared across registrable domains (`app.example.com` and `api.other.com`):
 * no option can do that. Serve both behind one site (a same-site proxy), or use the Bearer
 * transport.
 *
 * @module
 */
import { parseCookieHeader } from './cookie-header.js'
import { assertCookiePair, formatCookieAttributes, formatCookieLifetime, type SameSite } from './set-cookie.js'

/** The three auth cookies. */
export type AuthCookieKind = 'accessToken' | 'refreshToken' | 'session'

/** The default base name of the auth cookies: `__Host-auth-at`, `__Secure-auth-rt`, `__Host-auth-session`. */
export const DEFAULT_COOKIE_NAME = 'auth'
/** The default path of the refresh cookie: the refresh route under the default prefix. */
export const DEFAULT_REFRESH_COOKIE_PATH = '/auth/refresh'

/** Options of {@link createCookiePolicy}. */
export interface CreateCookiePolicyOptions {
  /** Base name: letters, digits, `.`, `_`, `-`; the prefix and suffix are added. Default `'auth'`. */
  name?: string
  /**
   * Share the cookies with this domain and its subdomains (for example `example.com` for an SPA
   * on `app.example.com` and an API on `api.example.com`). Switches every cookie to `__Secure-`.
   * Default: none (host-only `__Host-` cookies).
   */
  domain?: string
  /** `SameSite` of every auth cookie. Default `'Lax'`. `'None'` leaves the CSRF check as the only defence. */
  sameSite?: SameSite
  /** The path of the refresh cookie: the refresh route (no trailing slash). Default `'/auth/refresh'`. */
  refreshPath?: string
}

/** What {@link CookiePolicy.read} answers. */
export type ReadAuthCookiesResult =
  | {
      /** The cookies could be read. */
      readonly ok: true
      /** The value of each auth cookie present and well-formed. */
      readonly values: Readonly<Partial<Record<AuthCookieKind, string>>>
      /** Auth cookies present with a value outside the cookie grammar: a refused credential, not a missing one. */
      readonly malformed: readonly AuthCookieKind[]
    }
  | {
      /** The `Cookie` header was refused. */
      readonly ok: false
      /** It is longer than `MAX_COOKIE_HEADER_LENGTH`. */
      readonly reason: 'too_large'
    }
  | {
      /** The auth cookies were refused. */
      readonly ok: false
      /** An auth cookie was sent more than once (a planted cookie): answer 400, use neither. */
      readonly reason: 'duplicated'
      /** Which auth cookies were duplicated. */
      readonly kinds: readonly AuthCookieKind[]
    }

/** The validated cookie configuration; see {@link createCookiePolicy}. */
export interface CookiePolicy {
  /** The full name of each cookie, for example `{ accessToken: '__Host-auth-at', … }`. */
  readonly names: Readonly<Record<AuthCookieKind, string>>
  /**
   * The `Set-Cookie` value that sets one cookie. Throws a `TypeError` for a value outside the
   * cookie grammar or over 4096 characters with its name (a browser would drop it).
   *
   * @param kind - which cookie
   * @param value - the token
   * @param maxAgeSeconds - `Max-Age` in seconds; omit it for a cookie that ends with the browser session
   */
  serialize(kind: AuthCookieKind, value: string, maxAgeSeconds?: number): string
  /** The `Set-Cookie` value that deletes one cookie: same name, path, domain and attributes. */
  serializeClear(kind: AuthCookieKind): string
  /** Reads the auth cookies from a `Cookie` header, refusing oversized headers and duplicated auth cookies. */
  read(cookieHeader: string | readonly string[] | null | undefined): ReadAuthCookiesResult
}

const KINDS: readonly AuthCookieKind[] = ['accessToken', 'refreshToken', 'session']
const SUFFIX: Readonly<Record<AuthCookieKind, string>> = { accessToken: 'at', refreshToken: 'rt', session: 'session' }
const BASE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const KNOWN = new Set(['name', 'domain', 'sameSite', 'refreshPath'])
const REFUSED: Readonly<Record<string, string>> = {
  secure: 'auth cookies are always Secure (Chromium treats http://localhost as secure)',
  httpOnly: 'auth cookies are always HttpOnly',
  prefix: 'the prefix follows from domain and path (__Host- where allowed, else __Secure-)',
  path: 'the access-token and session cookies use Path=/; set refreshPath for the refresh cookie',
}

/**
 * Creates the cookie policy of the protocol, validating it at setup: an option a browser would
 * answer by dropping the cookie is a `TypeError` here. See the module table for the names.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { createCookiePolicy } from '@auth/core'
 *
 * const cookies = createCookiePolicy() // or { domain: 'example.com' } for app. and api. subdomains
 * cookies.serialize('session', sessionToken, 7 * 24 * 3600)
 * // '__Host-auth-session=…; Max-Age=604800; Path=/; Secure; HttpOnly; SameSite=Lax'
 * cookies.serializeClear('refreshToken')
 * // '__Secure-auth-rt=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/auth/refresh; Secure; HttpOnly; SameSite=Lax'
 * const read = cookies.read(request.headers.get('cookie'))
 * if (read.ok) read.values.session // the session token, if sent
 * ```
 *
 * > [!NOTE]
 * > Development on `http://localhost` works in Chromium, which treats localhost as a secure
 * > origin, so `Secure` and `__Host-` cookies are stored and sent there. Safari does not: use
 * > HTTPS in development to test it.
 *
 * @param options - base name, domain, `SameSite` and the refresh path
 */
export function createCookiePolicy(options: CreateCookiePolicyOptions = {}): CookiePolicy {
  if (typeof options !== 'object' || options === null) throw new TypeError('createCookiePolicy: options must be an object')
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(REFUSED, key)) throw new TypeError(`createCookiePolicy: "${key}" is not an option: ${REFUSED[key]}`)
    if (!KNOWN.has(key)) throw new TypeError(`createCookiePolicy: unknown option "${key}"`)
  }
  const { domain, sameSite = 'Lax', refreshPath = DEFAULT_REFRESH_COOKIE_PATH, name = DEFAULT_COOKIE_NAME } = options
  if (typeof name !== 'string' || !BASE_NAME.test(name)) {
    throw new TypeError('createCookiePolicy: name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit (the prefix is added)')
  }
  if (typeof refreshPath !== 'string' || (refreshPath.length > 1 && refreshPath.endsWith('/'))) {
    // A cookie with Path=/auth/refresh/ is not sent to /auth/refresh.
    throw new TypeError('createCookiePolicy: refreshPath must be the refresh route without a trailing slash, e.g. "/auth/refresh"')
  }

  const cookies = {} as Record<AuthCookieKind, { name: string; tail: string; clear: string }>
  for (const kind of KINDS) {
    const path = kind === 'refreshToken' ? refreshPath : '/'
    const prefix = domain === undefined && path === '/' ? '__Host-' : '__Secure-'
    const cookieName = `${prefix}${name}-${SUFFIX[kind]}`
    const attributes = { name: cookieName, sameSite, path, secure: true, httpOnly: true, ...(domain === undefined ? {} : { domain }) }
    const tail = formatCookieAttributes(attributes) // throws the TypeErrors of a bad domain, path or sameSite
    cookies[kind] = { name: cookieName, tail, clear: `${cookieName}=${formatCookieLifetime(cookieName, 0, new Date(0))}${tail}` }
  }
  const names = Object.freeze({ accessToken: cookies.accessToken.name, refreshToken: cookies.refreshToken.name, session: cookies.session.name })
  const cookieOf = (kind: AuthCookieKind) => {
    if (!KINDS.includes(kind)) throw new TypeError(`cookie policy: unknown cookie kind ${JSON.stringify(kind)}`)
    return cookies[kind]
  }

  return Object.freeze({
    names,
    serialize(kind: AuthCookieKind, value: string, maxAgeSeconds?: number): string {
      const cookie = cookieOf(kind)
      assertCookiePair(cookie.name, value)
      return `${cookie.name}=${value}${formatCookieLifetime(cookie.name, maxAgeSeconds, undefined)}${cookie.tail}`
    },
    serializeClear(kind: AuthCookieKind): string {
      return cookieOf(kind).clear
    },
    read(cookieHeader: string | readonly string[] | null | undefined): ReadAuthCookiesResult {
      const parsed = parseCookieHeader(cookieHeader)
      if (!parsed.ok) return parsed
      const duplicated = KINDS.filter((kind) => parsed.duplicates.includes(cookies[kind].name))
      if (duplicated.length > 0) return { ok: false, reason: 'duplicated', kinds: duplicated }
      const values: Partial<Record<AuthCookieKind, string>> = {}
      for (const kind of KINDS) {
        const value = parsed.cookies.get(cookies[kind].name)
        if (value !== undefined) values[kind] = value
      }
      return { ok: true, values, malformed: KINDS.filter((kind) => parsed.malformed.includes(cookies[kind].name)) }
    },
  })
}
