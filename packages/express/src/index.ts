/**
 * `@auth/express`: the protocol of `@auth/core` in Express 4 and 5. Translation only: every rule
 * (credentials, CSRF, cookies, status codes, error bodies) is `createAuthHttp`'s.
 *
 * @module @auth/express
 */
import type { AuthError, AuthenticateResult, AuthHttp, AuthHttpResponse, AuthPrincipal, HttpLoginOptions, RequireAuthOptions } from '@auth/core'
import { applyNodeHeaders, createNodeRequestMapper, createRequestState, sendNodeResponse } from '@auth/core/node'
import type { NextFunction, Request, RequestHandler, Response } from 'express'

declare global {
  // Express' own augmentation point, as @types/express documents it.
  namespace Express {
    interface Request {
      /** The authenticated caller, or `null`; set by `createAuthMiddleware` from `@auth/express`. */
      auth?: AuthPrincipal | null
    }
  }
}

export type { AuthPrincipal, RequireAuthOptions } from '@auth/core'

type State = { readonly http: AuthHttp; readonly result: AuthenticateResult }
// Nothing is written on `req` (Express 5 makes every added property a new hidden class, per request): `req.auth` is an accessor.
const states = createRequestState<Request, State>({ name: 'auth', read: (state) => state.result.principal })
const exchangeOf = createNodeRequestMapper<Request>({ url: (req) => req.originalUrl, ip: (req) => req.ip, parsedBody: (req) => req.body })
const send = (req: Request, res: Response, answer: AuthHttpResponse) => sendNodeResponse(res, answer, req.method)

function stateOf(req: Request, caller: string) {
  const state = states.get(req)
  if (!state) throw new Error(`@auth/express: ${caller} needs createAuthMiddleware(http) mounted before it`)
  return state
}

const checkHttp = (http: AuthHttp, caller: string): void => {
  if (typeof http?.authenticateNow !== 'function') throw new TypeError(`@auth/express: ${caller} takes the result of createAuthHttp(auth, options)`)
}
/**
 * Authenticates every request: the caller goes on `req.auth` (`null` when there is none, or the
 * credential was refused; `requireAuth` then answers why). A malformed request (400) or an
 * unreachable store (503) is answered at once: a failing store is never an anonymous pass.
 *
 * Exported from `'@auth/express'`.
 *
 * @example
 * ```ts
 * import { createAuthMiddleware, createAuthRouter, requireAuth } from '@auth/express'
 *
 * app.use(createAuthRouter(http)) // POST /auth/refresh, /auth/logout, … and the JWKS
 * app.use(createAuthMiddleware(http))
 * app.get('/api/me', requireAuth(), (req, res) => res.json({ sub: req.auth!.sub }))
 * ```
 *
 * @param http - from `createAuthHttp` (`@auth/core`)
 */
export function createAuthMiddleware(http: AuthHttp): RequestHandler {
  checkHttp(http, 'createAuthMiddleware')
  return function authenticate(req, res, next) {
    const result = http.authenticateNow(exchangeOf(req)) // a warm token: synchronous, `next()` in this tick
    if (result instanceof Promise) result.then((settled) => proceed(http, req, res, next, settled), next)
    else proceed(http, req, res, next, result)
  }
}

function proceed(http: AuthHttp, req: Request, res: Response, next: NextFunction, result: AuthenticateResult): void {
  if (result.cookies.length > 0) applyNodeHeaders(res, { headers: {}, cookies: result.cookies })
  if (result.answerNow) return send(req, res, http.errorResponse(result.error, result))
  states.set(req, { http, result })
  next()
}

/**
 * Guards a route: lets authenticated callers through (with every role in `options.roles`, and
 * `options.allow` if given), answers 401 (with its `WWW-Authenticate`) or 403 otherwise.
 * Exported from `'@auth/express'`.
 *
 * @example
 * ```ts
 * app.get('/api/me', requireAuth(), handler)
 * app.delete('/api/users/:id', requireAuth({ roles: ['admin'] }), handler)
 * ```
 *
 * @param options - roles and a check of your own
 */
export function requireAuth(options?: RequireAuthOptions): RequestHandler {
  return function requireAuth(req, res, next) {
    const { http, result } = stateOf(req, 'requireAuth')
    const refusal = http.authorize(result, options)
    return refusal ? send(req, res, refusal) : next()
  }
}

/**
 * The protocol's routes: `POST {prefix}/refresh`, `/logout`, `/logout-all`, `GET /sessions`,
 * `DELETE /sessions/:id` (prefix `/auth` by default) and `GET /.well-known/jwks.json`. Any other
 * request goes to the next handler. Mount it at the application's root: it matches full paths.
 *
 * Exported from `'@auth/express'`.
 *
 * @example
 * ```ts
 * app.use(createAuthRouter(http))
 * ```
 *
 * @param http - from `createAuthHttp` (`@auth/core`)
 */
export function createAuthRouter(http: AuthHttp): RequestHandler {
  checkHttp(http, 'createAuthRouter')
  return function authRoutes(req, res, next) {
    http.handle(exchangeOf(req)).then((answer) => (answer ? send(req, res, answer) : next()), next)
  }
}

/**
 * The login helper: call it once your route has checked the user's credentials. It creates a
 * session and answers in the transport asked for (`cookie` by default: the tokens only in
 * HttpOnly cookies; `bearer`: in the JSON body; `session`: an opaque session cookie), with the
 * login-CSRF check for the cookie transports.
 *
 * Exported from `'@auth/express'`.
 *
 * @example
 * ```ts
 * app.post('/auth/login', express.json(), async (req, res) => {
 *   const user = await users.check(req.body.email, req.body.password)
 *   if (!user) return sendAuthError(req, res, new AuthError('invalid_credentials'))
 *   await login(req, res, { sub: user.id, transport: req.body.transport })
 * })
 * ```
 *
 * @param req - the request (`createAuthMiddleware` must have run)
 * @param res - the response it answers
 * @param options - the user id, transport, label and session data
 */
export async function login(req: Request, res: Response, options: HttpLoginOptions): Promise<void> {
  send(req, res, await stateOf(req, 'login').http.login(exchangeOf(req), options))
}

/**
 * Answers an `AuthError` of your own (say `new AuthError('invalid_credentials')`) with the
 * protocol's status, JSON body and headers. Exported from `'@auth/express'`.
 *
 * @param req - the request (`createAuthMiddleware` must have run)
 * @param res - the response it answers
 * @param error - the error to answer
 */
export function sendAuthError(req: Request, res: Response, error: AuthError): void {
  const { http, result } = stateOf(req, 'sendAuthError')
  send(req, res, http.errorResponse(error, result))
}
