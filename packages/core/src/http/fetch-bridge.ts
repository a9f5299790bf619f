/**
 * The Fetch bridge: the protocol over the Fetch API's `Request` and `Response`, so Hono, Next.js
 * route handlers, Bun, Deno and Cloudflare Workers need no adapter of their own. Edge-safe: no
 * `node:` import.
 *
 * @module
 */
import { AuthError } from '../errors.js'
import { readCappedText, type ReadCappedErrors } from '../lib/read-capped.js'
import type { AuthHttp } from './auth-http.js'
import type { AuthenticateResult } from './authenticate.js'
import type { AuthHttpRequest, AuthHttpResponse, RequireAuthOptions } from './exchange.js'

/** Options of {@link toAuthRequest}. */
export interface ToAuthRequestOptions {
  /** The client address (the platform knows it: `cf-connecting-ip`, `server.requestIP(request)`…). */
  ip?: string
}

/**
 * Maps a Fetch `Request` to the protocol's request. The body is read (at most once) only by the
 * routes that take one, with the size limit enforced while reading.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { toAuthRequest } from '@auth/core'
 *
 * const result = await http.authenticate(toAuthRequest(request))
 * ```
 *
 * @param request - the Fetch request
 * @param options - the client address, if the platform gives it
 */
export function toAuthRequest(request: Request, options: ToAuthRequestOptions = {}): AuthHttpRequest {
  const url = new URL(request.url)
  return {
    method: request.method,
    url: url.pathname + url.search,
    header: (name) => request.headers.get(name),
    readBody: (maxBytes) => readCappedText(request.body, maxBytes, BODY_ERRORS),
    ip: options.ip,
  }
}

/**
 * Maps the protocol's response to a Fetch `Response` (one `Set-Cookie` header per cookie; no body
 * for `HEAD` and 204).
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { toFetchResponse } from '@auth/core'
 *
 * const answer = await http.handle(toAuthRequest(request))
 * if (answer) return toFetchResponse(answer, request.method)
 * ```
 *
 * @param response - what the protocol answered
 * @param method - the request method: `HEAD` gets no body
 */
export function toFetchResponse(response: AuthHttpResponse, method = 'GET'): Response {
  const headers = new Headers(response.headers)
  for (const cookie of response.cookies) headers.append('set-cookie', cookie)
  const body = response.body === undefined || method === 'HEAD' || response.status === 204 ? null : JSON.stringify(response.body)
  return new Response(body, { status: response.status, headers })
}

/** What {@link FetchAuthHandler.authenticate} resolves. */
export interface FetchAuthenticateResult {
  /** The authentication: the principal, or `null` and why; send its `cookies` with your own answer. */
  result: AuthenticateResult
  /** The response to send instead of your own, when there is one (400, 503, or the guard's 401/403), with the result's `cookies`. */
  response?: Response
}

/** What {@link createFetchHandler} returns. */
export interface FetchAuthHandler {
  /** Answers a route of the protocol, or resolves `undefined` for any other request. */
  handle(request: Request, options?: ToAuthRequestOptions): Promise<Response | undefined>
  /**
   * Authenticates a request for your own routes. Resolves `{ result }` with the principal (or
   * `null` and why), or `{ response }` when the request must be answered now (malformed: 400;
   * store down: 503) — or, with `guard`, when the guard refuses it (401, 403).
   */
  authenticate(request: Request, guard?: RequireAuthOptions | false): Promise<FetchAuthenticateResult>
  /** Creates a session and answers in the requested transport (the login helper). */
  login(request: Request, options: Parameters<AuthHttp['login']>[1] & { ip?: string }, body?: unknown): Promise<Response>
  /** The JSON error response for an `AuthError` (say, `new AuthError('invalid_credentials')`). */
  error(error: AuthError, request?: Request): Response
}

/**
 * The protocol as Fetch handlers: one call answers the auth routes, one guards your own.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { createAuthHttp, createFetchHandler } from '@auth/core'
 *
 * const auth = createFetchHandler(createAuthHttp(core, { allowedOrigins: ['https://app.example.com'] }))
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     const answered = await auth.handle(request)
 *     if (answered) return answered
 *     const { result, response } = await auth.authenticate(request, {}) // {} = requireAuth()
 *     if (response) return response
 *     return Response.json({ sub: result.principal!.sub })
 *   },
 * }
 * ```
 *
 * @param http - from {@link createAuthHttp}
 */
export function createFetchHandler(http: AuthHttp): FetchAuthHandler {
  return {
    async handle(request, options) {
      const answer = await http.handle(toAuthRequest(request, options))
      return answer && toFetchResponse(answer, request.method)
    },
    async authenticate(request, guard = false) {
      const result = await http.authenticate(toAuthRequest(request))
      const refusal = result.answerNow ? http.errorResponse(result.error, result) : guard === false ? undefined : http.authorize(result, guard)
      // This response is the whole answer, so it carries the result's cookies (first).
      return refusal ? { result, response: toFetchResponse({ ...refusal, cookies: [...result.cookies, ...refusal.cookies] }, request.method) } : { result }
    },
    async login(request, options, body) {
      const { ip, ...login } = options
      const exchange = { ...toAuthRequest(request, ip === undefined ? {} : { ip }), ...(body === undefined ? {} : { parsedBody: body }) }
      return toFetchResponse(await http.login(exchange, login), request.method)
    },
    error: (error, request) => toFetchResponse(http.errorResponse(error), request?.method),
  }
}

/** @internal How a request body over the limit or not UTF-8 is refused. */
export const BODY_ERRORS: ReadCappedErrors = {
  tooLarge: () => new AuthError('payload_too_large', { reason: 'body' }),
  malformed: () => new AuthError('bad_request', { reason: 'json' }),
}
