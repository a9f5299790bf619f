/**
 * `@auth/fastify`: the protocol of `@auth/core` as a Fastify 4 and 5 plugin; translation only.
 *
 * @module @auth/fastify
 */
import { type AuthError, type AuthenticateResult, type AuthHttp, type AuthHttpResponse, type AuthPrincipal, type HttpLoginOptions, isAuthError, type RequireAuthOptions } from '@auth/core'
import { createNodeRequestMapper } from '@auth/core/node'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, or `null`; set by the `@auth/fastify` plugin. */
    auth: AuthPrincipal | null
  }
}
export type { AuthPrincipal, RequireAuthOptions } from '@auth/core'
/** Options of {@link authPlugin}. */
export interface AuthPluginOptions {
  /** From `createAuthHttp` (`@auth/core`). */
  http: AuthHttp
  /** Answer an `AuthError` thrown by a route registered after the plugin like the protocol does. Default `true`. */
  errorHandler?: boolean
}

const STATE = Symbol.for('@auth/fastify')
const AUTH_ROUTE = Symbol('@auth/fastify route')
type WithState = FastifyRequest & { [STATE]?: { http: AuthHttp; result: AuthenticateResult } }
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']
const exchangeOf = createNodeRequestMapper<FastifyRequest>({ req: (request) => request.raw, url: (request) => request.raw.url ?? request.url, ip: (request) => request.ip, parsedBody: (request) => request.body })
function send(reply: FastifyReply, answer: AuthHttpResponse): FastifyReply {
  reply.code(answer.status).headers(answer.headers)
  for (const cookie of answer.cookies) reply.header('set-cookie', cookie) // Fastify appends set-cookie
  return reply.send(answer.body)
}

function proceed(http: AuthHttp, request: FastifyRequest, reply: FastifyReply, result: AuthenticateResult, done: () => void): void {
  for (const cookie of result.cookies) reply.header('set-cookie', cookie)
  if (result.answerNow) return void send(reply, http.errorResponse(result.error, result)) // answered: no done()
  ;(request as WithState)[STATE] = { http, result }
  request.auth = result.principal
  done()
}

function stateOf(request: FastifyRequest, caller: string) {
  const state = (request as WithState)[STATE]
  if (state) return state
  throw new Error(`@auth/fastify: ${caller} needs the authPlugin registered`)
}

const plugin: FastifyPluginAsync<AuthPluginOptions> = async (fastify, { http, errorHandler = true }) => {
  if (typeof http?.authenticateNow !== 'function') throw new TypeError('@auth/fastify: options.http must be the result of createAuthHttp(auth, options)')
  fastify.decorateRequest('auth', null).decorateRequest(STATE, null) // every request of one shape
  if (errorHandler) fastify.addHook('onRoute', (route) => { // per route (registered after the plugin), not setErrorHandler: yours stays yours
    const own = route.errorHandler
    route.errorHandler = function answerAuthError(error, request, reply) {
      if (!isAuthError(error)) return (own ?? request.server.errorHandler).call(this, error, request, reply)
      return send(reply, http.errorResponse(error, (request as WithState)[STATE]?.result))
    }
  })
  // Callback style: a warm token goes on in this tick. The protocol's routes (marked by a decorator of their context, not `routeOptions`, an object per read) authenticate themselves.
  fastify.addHook('onRequest', function authenticate(request, reply, done) {
    if ((request as { [AUTH_ROUTE]?: true })[AUTH_ROUTE]) return done()
    const result = http.authenticateNow(exchangeOf(request))
    if (result instanceof Promise) result.then((settled) => proceed(http, request, reply, settled, done), done)
    else proceed(http, request, reply, result, done)
  })
  // The protocol's routes in their own context, bodies unread: the protocol reads and checks them.
  await fastify.register(async function authRoutes(routes) {
    routes.decorateRequest(AUTH_ROUTE, true)
    routes.removeAllContentTypeParsers()
    routes.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined))
    for (const route of http.routes) {
      routes.route({
        method: METHODS, url: route.path, exposeHeadRoute: false,
        schema: { response: structuredClone(route.response) }, // Fastify 4 writes into it
        handler: async (request, reply) => {
          const answer = await http.handle(exchangeOf(request))
          return answer ? send(reply, answer) : reply.callNotFound()
        },
      })
    }
  })
}

/**
 * The plugin: decorates every request with `request.auth` (`AuthPrincipal | null`, typed), set by
 * an `onRequest` hook that answers a malformed request (400) or an unreachable store (503) at once,
 * and registers the protocol's routes (`POST /auth/refresh`, `/auth/logout`, `/auth/logout-all`,
 * `GET /auth/sessions`, `DELETE /auth/sessions/:id`, the JWKS) with their response schemas.
 *
 * Exported from `'@auth/fastify'`.
 *
 * @example
 * ```ts
 * import { authPlugin, requireAuth } from '@auth/fastify'
 *
 * await app.register(authPlugin, { http })
 * app.get('/api/me', { preHandler: requireAuth() }, async (request) => ({ sub: request.auth!.sub }))
 * ```
 */
export const authPlugin = fp(plugin, { name: '@auth/fastify', fastify: '4.x || 5.x' })

/**
 * Guards a route (its `preHandler`): lets authenticated callers through (with every role in
 * `options.roles`, and `options.allow` if given), else 401 or 403. Exported from `'@auth/fastify'`.
 *
 * @example
 * ```ts
 * app.delete('/api/users/:id', { preHandler: requireAuth({ roles: ['admin'] }) }, handler)
 * ```
 *
 * @param options - roles and a check of your own
 */
export function requireAuth(options?: RequireAuthOptions): preHandlerHookHandler {
  return function requireAuth(request, reply, done) { // callback style: no Promise per request
    const { http, result } = stateOf(request, 'requireAuth')
    const refusal = http.authorize(result, options)
    return refusal ? void send(reply, refusal) : done() // answered: no done()
  }
}

/**
 * The login helper, for your route once it has checked the user's credentials: creates a session
 * and answers in the transport asked for (`cookie` by default, `bearer`, `session`), with the
 * login-CSRF check for the cookie transports. Exported from `'@auth/fastify'`.
 *
 * @example
 * ```ts
 * app.post('/auth/login', async (request, reply) => login(request, reply, { sub: (await check(request.body)).id }))
 * ```
 *
 * @param request - the request (the plugin must be registered)
 * @param reply - the reply it answers
 * @param options - the user id, transport, label and session data
 */
export async function login(request: FastifyRequest, reply: FastifyReply, options: HttpLoginOptions): Promise<FastifyReply> {
  return send(reply, await stateOf(request, 'login').http.login(exchangeOf(request), options))
}

/**
 * Answers an `AuthError` of yours (say `invalid_credentials`) like the protocol. Exported from `'@auth/fastify'`.
 * @param request - the request (the plugin must be registered)
 * @param reply - the reply it answers
 * @param error - the error to answer
 */
export function sendAuthError(request: FastifyRequest, reply: FastifyReply, error: AuthError): FastifyReply {
  const { http, result } = stateOf(request, 'sendAuthError')
  return send(reply, http.errorResponse(error, result))
}
