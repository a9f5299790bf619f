/**
 * `@auth/koa`: the protocol of `@auth/core` in Koa 2 and 3. Translation only: every rule
 * (credentials, CSRF, cookies, status codes, error bodies) is `createAuthHttp`'s.
 *
 * @module @auth/koa
 */
import type { AuthError, AuthenticateResult, AuthHttp, AuthHttpResponse, AuthPrincipal, HttpLoginOptions, RequireAuthOptions } from '@auth/core'
import { createNodeRequestMapper } from '@auth/core/node'
import type { Context, Middleware, Next } from 'koa'

declare module 'koa' {
  interface DefaultState {
    /** The authenticated caller, or `null`; set by `createAuthMiddleware` from `@auth/koa`. */
    auth?: AuthPrincipal | null
  }
}

export type { AuthPrincipal, RequireAuthOptions } from '@auth/core'

const STATE = Symbol.for('@auth/koa')
type WithState = Context & { [STATE]?: { http: AuthHttp; result: AuthenticateResult } }

const exchangeOf = createNodeRequestMapper<Context>({ req: (ctx) => ctx.req, url: (ctx) => ctx.originalUrl, ip: (ctx) => ctx.ip, parsedBody: (ctx) => (ctx.request as { body?: unknown }).body }) // made once: a request allocates its view only

/** Writes the protocol's answer the Koa way: Koa sends it (and drops the body of a `HEAD`). */
function send(ctx: Context, answer: AuthHttpResponse): void {
  ctx.status = answer.status
  ctx.set(answer.headers as Record<string, string>)
  if (answer.cookies.length > 0) ctx.append('Set-Cookie', [...answer.cookies])
  ctx.body = answer.body === undefined ? null : answer.body
}

function stateOf(ctx: Context, caller: string) {
  const state = (ctx as WithState)[STATE]
  if (!state) throw new Error(`@auth/koa: ${caller} needs createAuthMiddleware(http) mounted before it`)
  return state
}
const checkHttp = (http: AuthHttp, caller: string): void => {
  if (typeof http?.authenticateNow !== 'function') throw new TypeError(`@auth/koa: ${caller} takes the result of createAuthHttp(auth, options)`)
}

/**
 * Authenticates every request: the caller goes on `ctx.state.auth` (`null` when there is none, or
 * the credential was refused; `requireAuth` then answers why). A malformed request (400) or an
 * unreachable store (503) is answered at once: a failing store is never an anonymous pass.
 *
 * Exported from `'@auth/koa'`.
 *
 * @example
 * ```ts
 * import { createAuthMiddleware, createAuthRoutes, requireAuth } from '@auth/koa'
 *
 * app.use(createAuthRoutes(http)) // POST /auth/refresh, /auth/logout, … and the JWKS
 * app.use(createAuthMiddleware(http))
 * router.get('/api/me', requireAuth(), (ctx) => { ctx.body = { sub: ctx.state.auth!.sub } })
 * ```
 *
 * @param http - from `createAuthHttp` (`@auth/core`)
 */
export function createAuthMiddleware(http: AuthHttp): Middleware {
  checkHttp(http, 'createAuthMiddleware')
  return function authenticate(ctx: Context, next: Next) {
    const result = http.authenticateNow(exchangeOf(ctx)) // a warm token: synchronous, no `async` hop
    return result instanceof Promise ? result.then((settled) => proceed(http, ctx, next, settled)) : proceed(http, ctx, next, result)
  }
}

function proceed(http: AuthHttp, ctx: Context, next: Next, result: AuthenticateResult): Promise<unknown> | void {
  if (result.cookies.length > 0) ctx.append('Set-Cookie', [...result.cookies])
  if (result.answerNow) return send(ctx, http.errorResponse(result.error, result))
  ;(ctx as WithState)[STATE] = { http, result }
  ctx.state.auth = result.principal
  return next()
}

/**
 * Guards a route: lets authenticated callers through (with every role in `options.roles`, and
 * `options.allow` if given), answers 401 (with its `WWW-Authenticate`) or 403 otherwise.
 * Exported from `'@auth/koa'`.
 *
 * @example
 * ```ts
 * router.get('/api/me', requireAuth(), handler)
 * router.delete('/api/users/:id', requireAuth({ roles: ['admin'] }), handler)
 * ```
 *
 * @param options - roles and a check of your own
 */
export function requireAuth(options?: RequireAuthOptions): Middleware {
  return function requireAuth(ctx: Context, next: Next) {
    const { http, result } = stateOf(ctx, 'requireAuth')
    const refusal = http.authorize(result, options)
    return refusal ? send(ctx, refusal) : next()
  }
}

/**
 * The protocol's routes: `POST {prefix}/refresh`, `/logout`, `/logout-all`, `GET /sessions`,
 * `DELETE /sessions/:id` (prefix `/auth` by default) and `GET /.well-known/jwks.json`; any other
 * request goes on. Router-agnostic: `app.use(...)` it, with or without `@koa/router`.
 *
 * Exported from `'@auth/koa'`.
 *
 * @example
 * ```ts
 * app.use(createAuthRoutes(http))
 * ```
 *
 * @param http - from `createAuthHttp` (`@auth/core`)
 */
export function createAuthRoutes(http: AuthHttp): Middleware {
  checkHttp(http, 'createAuthRoutes')
  return async function authRoutes(ctx: Context, next: Next) {
    const answer = await http.handle(exchangeOf(ctx))
    if (answer) return send(ctx, answer)
    await next()
  }
}

/**
 * The login helper, for your route once it has checked the user's credentials: creates a session
 * and answers in the transport asked for (`cookie` by default, `bearer`, `session`), with the
 * login-CSRF check for the cookie transports. Exported from `'@auth/koa'`.
 *
 * @example
 * ```ts
 * router.post('/auth/login', bodyParser(), async (ctx) => {
 *   const user = await users.check(ctx.request.body.email, ctx.request.body.password)
 *   if (!user) return sendAuthError(ctx, new AuthError('invalid_credentials'))
 *   await login(ctx, { sub: user.id, transport: ctx.request.body.transport })
 * })
 * ```
 *
 * @param ctx - the Koa context (`createAuthMiddleware` must have run)
 * @param options - the user id, transport, label and session data
 */
export async function login(ctx: Context, options: HttpLoginOptions): Promise<void> {
  send(ctx, await stateOf(ctx, 'login').http.login(exchangeOf(ctx), options))
}

/**
 * Answers an `AuthError` of yours (say `invalid_credentials`) like the protocol's. Exported from `'@auth/koa'`.
 *
 * @param ctx - the Koa context (`createAuthMiddleware` must have run)
 * @param error - the error to answer
 */
export function sendAuthError(ctx: Context, error: AuthError): void {
  const { http, result } = stateOf(ctx, 'sendAuthError')
  send(ctx, http.errorResponse(error, result))
}
