/**
 * The Node bridge: the protocol over `IncomingMessage` and `ServerResponse`, shared by the
 * Express, Fastify and Koa adapters (and plain `node:http` servers).
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { AuthError } from '../errors.js'
import type { AuthHttp } from '../http/auth-http.js'
import type { AuthHttpRequest, AuthHttpResponse, HeaderValue } from '../http/exchange.js'
import { BODY_ERRORS } from '../http/fetch-bridge.js'
import { decodeUtf8Chunks } from '../lib/read-capped.js'

/** Options of {@link fromNodeRequest}. */
export interface FromNodeRequestOptions {
  /** The request target; default `req.url`. Express gives `req.originalUrl`, which survives mounting. */
  url?: string
  /**
   * The client address, or a function that answers it; default the socket's. Express gives
   * `() => req.ip`, which honours `trust proxy`. A function is called only when the protocol uses
   * the address (login metadata), not when the request is mapped: Express' `req.ip` parses
   * `X-Forwarded-For` on every read (~2 µs).
   *
   * > [!NOTE]
   * > Prefer a function to an object literal with a `get ip()` accessor, made per request: V8 keeps
   * > such literals (and the request they capture) alive across young-generation collections, so
   * > under load every request is promoted to the old generation (measured: ~2 MB per scavenge on
   * > Fastify, a major GC every second or so, ~10 µs of GC per request).
   */
  ip?: string | (() => string | undefined) | undefined
  /** A body the framework already parsed; used when the stream has been read. */
  parsedBody?: unknown
}

/**
 * Maps a Node request to the protocol's request. Headers are read from `req.rawHeaders` by name
 * (every occurrence, as `req.headersDistinct` would give them), so a repeated `Authorization` or
 * auth cookie is seen as such; the body is read from the stream only
 * by the routes that take one, with the size limit enforced while reading — or taken from
 * `parsedBody` when a body parser already consumed the stream.
 *
 * Exported from `'@auth/core/node'`.
 *
 * @example
 * ```ts
 * import { fromNodeRequest, sendNodeResponse } from '@auth/core/node'
 *
 * createServer(async (req, res) => {
 *   const answer = await http.handle(fromNodeRequest(req))
 *   if (answer) return sendNodeResponse(res, answer, req.method)
 *   // … your routes
 * })
 * ```
 *
 * @param req - the Node request
 * @param options - the URL, address and parsed body the framework knows better
 */
export function fromNodeRequest(req: IncomingMessage, options: FromNodeRequestOptions = NO_OPTIONS): AuthHttpRequest {
  return new NodeRequestView(req, options, FROM_OPTIONS)
}

const NO_OPTIONS: FromNodeRequestOptions = Object.freeze({})

/**
 * What {@link createNodeRequestMapper} reads from a framework's request object `S` (Express' `req`,
 * Koa's `ctx`, Fastify's `request`). Each is a function of that object, made once, so mapping a
 * request allocates the view alone.
 */
export interface NodeRequestMapping<S> {
  /** The Node request inside it (Koa: `(ctx) => ctx.req`; Fastify: `(request) => request.raw`); default the object itself. */
  readonly req?: (source: S) => IncomingMessage
  /** The request target; default the Node request's `url`. Express: `(req) => req.originalUrl`, which survives mounting. */
  readonly url?: (source: S) => string | undefined
  /** The client address, read only when the protocol uses it (login metadata); default the socket's. Express: `(req) => req.ip`. */
  readonly ip?: (source: S) => string | undefined
  /** A body the framework already parsed, read only by the routes that take a body, once the stream was consumed. */
  readonly parsedBody?: (source: S) => unknown
}

/**
 * {@link fromNodeRequest} for a framework's request object, with the functions that read it made
 * once: the mapper allocates the request view and nothing else per request (no options object, no
 * closure), which is what the adapters call on every request.
 *
 * Exported from `'@auth/core/node'`.
 *
 * @example
 * ```ts
 * import { createNodeRequestMapper } from '@auth/core/node'
 *
 * const exchangeOf = createNodeRequestMapper<Context>({ req: (ctx) => ctx.req, url: (ctx) => ctx.originalUrl, ip: (ctx) => ctx.ip })
 * const result = http.authenticateNow(exchangeOf(ctx))
 * ```
 *
 * @param mapping - how to read the Node request, URL, address and parsed body from `S`
 */
export function createNodeRequestMapper<S extends object = IncomingMessage>(mapping: NodeRequestMapping<S>): (source: S) => AuthHttpRequest {
  const { req = (source: S) => source as unknown as IncomingMessage } = mapping
  const readers: Readers<S> = { url: mapping.url, ip: mapping.ip, parsedBody: mapping.parsedBody }
  return (source) => new NodeRequestView(req(source), source, readers)
}

/** The optional readers of a mapping, each a function of the source (`undefined`: the Node request's own). */
interface Readers<S> {
  readonly url: ((source: S) => string | undefined) | undefined
  readonly ip: ((source: S) => string | undefined) | undefined
  readonly parsedBody: ((source: S) => unknown) | undefined
}

/** {@link fromNodeRequest}'s options as a mapping whose source is the options object. */
const FROM_OPTIONS: Readers<FromNodeRequestOptions> = {
  url: (options) => options.url,
  ip: (options) => (typeof options.ip === 'function' ? options.ip() : options.ip),
  parsedBody: (options) => options.parsedBody,
}

/**
 * The request view of {@link fromNodeRequest} and {@link createNodeRequestMapper}: one object per
 * request, its methods on the prototype (no closures per request). Headers are read from
 * `req.rawHeaders` by name, when asked for: the same values `headersDistinct` would give (every
 * occurrence, in order), without building that object (an array for every header of the request)
 * on every request, where the protocol reads one header (`Authorization`) or two.
 */
class NodeRequestView<S> implements AuthHttpRequest {
  readonly method: string
  readonly url: string
  readonly #req: IncomingMessage
  readonly #source: S
  readonly #readers: Readers<S>

  constructor(req: IncomingMessage, source: S, readers: Readers<S>) {
    this.#req = req
    this.#source = source
    this.#readers = readers
    this.method = req.method ?? 'GET'
    this.url = readers.url?.(source) ?? req.url ?? '/'
  }

  /** The body a body parser read, once the stream is consumed: then there is no `readBody`. */
  get parsedBody(): unknown {
    return this.#req.readableEnded ? this.#readers.parsedBody?.(this.#source) : undefined
  }

  /** A reader bound to this request (it may be called detached), made only by the routes that read a body. */
  get readBody(): ((maxBytes: number) => Promise<string>) | undefined {
    if (this.parsedBody !== undefined) return undefined
    const req = this.#req
    return (maxBytes: number) => readNodeBody(req, maxBytes)
  }

  header(name: string): HeaderValue {
    const raw = this.#req.rawHeaders
    // Injected requests (Fastify's `inject`, light-my-request) may lack the raw list: then
    // `headersDistinct`, or the joined `headers` (every value one string).
    if (!Array.isArray(raw)) return headerOf(this.#req, name)
    let first: string | undefined
    let all: string[] | undefined
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const key = raw[i]!
      if (key.length !== name.length || (key !== name && key.toLowerCase() !== name)) continue
      const value = raw[i + 1]!
      if (first === undefined) first = value
      else (all ??= [first]).push(value)
    }
    return all ?? first
  }

  get ip(): string | undefined {
    return this.#readers.ip?.(this.#source) ?? this.#req.socket?.remoteAddress
  }
}

function headerOf(req: IncomingMessage, name: string): HeaderValue {
  const values = req.headersDistinct?.[name] ?? distinctValue(req.headers[name])
  return values === undefined ? undefined : values.length === 1 ? values[0] : values
}

/**
 * Writes the protocol's response: status, headers, one `Set-Cookie` per cookie, the JSON body
 * (none for `HEAD` and 204).
 *
 * Exported from `'@auth/core/node'`.
 *
 * @param res - the Node response
 * @param response - what the protocol answered
 * @param method - the request method: `HEAD` gets no body
 */
export function sendNodeResponse(res: ServerResponse, response: AuthHttpResponse, method = 'GET'): void {
  applyNodeHeaders(res, response)
  res.statusCode = response.status
  const body = response.body === undefined || response.status === 204 ? undefined : JSON.stringify(response.body)
  if (body !== undefined) res.setHeader('content-length', Buffer.byteLength(body))
  res.end(method === 'HEAD' ? undefined : body)
}

/**
 * Sets a response's headers and cookies on a Node response without ending it (for cookies that
 * go with the application's own answer). `Set-Cookie` values are appended to any already set.
 *
 * Exported from `'@auth/core/node'`.
 *
 * @param res - the Node response
 * @param response - its `headers` and `cookies` are applied
 */
export function applyNodeHeaders(res: ServerResponse, response: Pick<AuthHttpResponse, 'headers' | 'cookies'>): void {
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value)
  if (response.cookies.length > 0) {
    const existing = res.getHeader('set-cookie')
    const before = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)]
    res.setHeader('set-cookie', [...before, ...response.cookies])
  }
}

/**
 * A `node:http` handler for the protocol's routes: answers them and resolves `true`, or resolves
 * `false` for any other request.
 *
 * Exported from `'@auth/core/node'`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { createNodeHandler } from '@auth/core/node'
 *
 * const handleAuth = createNodeHandler(http)
 * createServer(async (req, res) => {
 *   if (await handleAuth(req, res)) return
 *   res.statusCode = 404
 *   res.end()
 * }).listen(3000)
 * ```
 *
 * @param http - from `createAuthHttp`
 */
export function createNodeHandler(http: AuthHttp): (req: IncomingMessage, res: ServerResponse, options?: FromNodeRequestOptions) => Promise<boolean> {
  return async function handleAuthRoute(req, res, options) {
    const answer = await http.handle(fromNodeRequest(req, options))
    if (!answer) return false
    sendNodeResponse(res, answer, req.method)
    return true
  }
}

function distinctValue(value: string | string[] | undefined): string[] | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? value : [value]
}

/** Reads a Node request body as UTF-8 text, refusing more than `maxBytes` bytes while reading. */
function readNodeBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let size = 0
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > maxBytes) {
        cleanup()
        req.resume() // discard the rest; the 413 goes out once the handler answers
        reject(new AuthError('payload_too_large', { reason: 'body' }))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      try {
        resolve(decodeUtf8Chunks(chunks, size, BODY_ERRORS))
      } catch (error) {
        reject(error)
      }
    }
    const onError = () => {
      cleanup()
      reject(new AuthError('bad_request', { reason: 'body' }))
    }
    if (req.readableEnded) return resolve('')
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}
