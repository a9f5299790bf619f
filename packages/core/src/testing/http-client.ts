/**
 * The HTTP client of `describeAdapter`: `node:http` requests with the path sent byte for byte
 * (`//api/me`, `/api/%6De`) and headers exactly as given (two `Authorization` lines, a 9 KiB
 * `Cookie`), and a cookie jar that reads `Set-Cookie` the way a browser does. No `fetch`: it
 * normalizes paths and joins repeated headers, which is what some tests must get past.
 *
 * @module
 * @internal
 */
import { request } from 'node:http'

/** Request headers: one value, or several (each sent as its own header line). */
export type RawHeaders = Readonly<Record<string, string | readonly string[]>>

/** One `Set-Cookie` header, parsed. */
export interface SetCookie {
  /** The cookie name. */
  readonly name: string
  /** The cookie value, as sent. */
  readonly value: string
  /** Attributes by lower-case name (`httponly`, `secure`, `samesite`, `path`, `max-age`…); flags are `''`. */
  readonly attributes: Readonly<Record<string, string>>
  /** The header as received. */
  readonly raw: string
}

/** A response as the suite looks at it. */
export interface HttpReply {
  /** The status code. */
  readonly status: number
  /** The headers, by lower-case name (Node's `IncomingHttpHeaders`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** Every `Set-Cookie`, in order. */
  readonly cookies: readonly SetCookie[]
  /** The body as text. */
  readonly text: string
  /** The body parsed as JSON, or `undefined` when it is not JSON. `any`: tests read its fields freely. */
  readonly json: any
}

/** What {@link send} sends. */
export interface SendOptions {
  /** The method. Default `GET`. */
  method?: string
  /** The request target, sent as is. */
  path: string
  /** Headers, sent as given (names as written, repeated values as repeated lines). */
  headers?: RawHeaders
  /** The body. A `Transfer-Encoding: chunked` header sends it in 1 KiB chunks without a length. */
  body?: string | Buffer
}

/** Sends one request over a fresh connection (no keep-alive: every test closes its server). */
export function send(baseUrl: string, options: SendOptions): Promise<HttpReply> {
  const url = new URL(baseUrl)
  // A raw header list gets no defaults from Node: the `Host` header is ours to send.
  const headers: string[] = ['Host', url.host]
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    for (const one of typeof value === 'string' ? [value] : value) headers.push(name, one)
  }
  const body = options.body === undefined ? undefined : Buffer.from(options.body)
  const given = new Set(Object.keys(options.headers ?? {}).map((name) => name.toLowerCase()))
  const chunked = given.has('transfer-encoding')
  if (!chunked && !given.has('content-length')) {
    if (body !== undefined) headers.push('Content-Length', String(body.byteLength))
    // Like a browser's bodiless `fetch(url, { method: 'POST' })` (Node would send an empty chunked body).
    else if (['POST', 'PUT', 'PATCH'].includes(options.method ?? 'GET')) headers.push('Content-Length', '0')
  }
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: options.method ?? 'GET', path: options.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const setCookie = res.headers['set-cookie'] ?? []
          resolve({ status: res.statusCode ?? 0, headers: res.headers, cookies: setCookie.map(parseSetCookie), text, json: parseJson(text) })
        })
      },
    )
    req.on('error', reject)
    if (body !== undefined && chunked) {
      for (let at = 0; at < body.byteLength; at += 1024) req.write(body.subarray(at, at + 1024))
    } else if (body !== undefined) {
      req.write(body)
    }
    req.end()
  })
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Parses one `Set-Cookie` value (RFC 6265 §5.2): name, value, attributes by lower-case name. */
export function parseSetCookie(raw: string): SetCookie {
  const [pair = '', ...parts] = raw.split(';')
  const eq = pair.indexOf('=')
  const attributes: Record<string, string> = {}
  for (const part of parts) {
    const at = part.indexOf('=')
    const name = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase()
    if (name !== '') attributes[name] = at === -1 ? '' : part.slice(at + 1).trim()
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes, raw }
}

/** Whether a `Set-Cookie` deletes its cookie (`Max-Age` of zero or less). */
export function isClearing(cookie: SetCookie): boolean {
  return cookie.attributes['max-age'] !== undefined && Number(cookie.attributes['max-age']) <= 0
}

/** A browser's cookie store for one host: cookies by name and path, sent by path match. */
export interface CookieJar {
  /** Applies the `Set-Cookie`s of a response, in order (a `Max-Age=0` removes). */
  store(cookies: readonly SetCookie[]): void
  /** The value of a cookie, whatever its path, or `undefined`. */
  get(name: string): string | undefined
  /** Sets a cookie directly (a planted cookie), at `path`. */
  set(name: string, value: string, path?: string): void
  /** Removes a cookie, whatever its path. */
  delete(name: string): void
  /** The `Cookie` header a browser sends to `path` (RFC 6265 §5.4: longer paths first), or `undefined`. */
  header(path: string): string | undefined
}

/** Creates an empty {@link CookieJar}. */
export function createCookieJar(): CookieJar {
  const cookies = new Map<string, { name: string; value: string; path: string }>()
  const keyOf = (name: string, path: string) => `${name}\u0000${path}`
  const jar: CookieJar = {
    store(received) {
      for (const cookie of received) {
        const path = cookie.attributes.path?.startsWith('/') ? cookie.attributes.path : '/'
        if (isClearing(cookie)) cookies.delete(keyOf(cookie.name, path))
        else cookies.set(keyOf(cookie.name, path), { name: cookie.name, value: cookie.value, path })
      }
    },
    get: (name) => [...cookies.values()].find((cookie) => cookie.name === name)?.value,
    set(name, value, path = '/') {
      cookies.set(keyOf(name, path), { name, value, path })
    },
    delete(name) {
      for (const [key, cookie] of cookies) if (cookie.name === name) cookies.delete(key)
    },
    header(path) {
      const sent = [...cookies.values()]
        .filter((cookie) => pathMatches(path, cookie.path))
        .sort((a, b) => b.path.length - a.path.length)
      return sent.length === 0 ? undefined : sent.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ')
    },
  }
  return jar
}

/** RFC 6265 §5.1.4 path-match, on the path of a request target. */
function pathMatches(target: string, cookiePath: string): boolean {
  const path = target.split(/[?#]/)[0] ?? '/'
  if (path === cookiePath) return true
  return path.startsWith(cookiePath) && (cookiePath.endsWith('/') || path[cookiePath.length] === '/')
}
