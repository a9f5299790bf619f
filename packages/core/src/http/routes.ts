/**
 * The routes of the protocol (docs/concepts.md#the-http-protocol), under the prefix (default `/auth`):
 *
 * | route | does | answers |
 * |---|---|---|
 * | `POST /refresh` | rotates the refresh token from `{ "refreshToken" }` (bearer) or its cookie | 200 token response |
 * | `POST /logout` | ends the caller's session, clears the auth cookies | 204 |
 * | `POST /logout-all` | ends every session of the caller, bumps the user's token version | 200 `{ "ended" }` |
 * | `GET /sessions` (and `HEAD`) | the caller's live sessions, the current one marked | 200 `{ "sessions" }` |
 * | `DELETE /sessions/:id` | ends one of the caller's own sessions; any other id is 404 and changes nothing | 204 |
 * | `GET /.well-known/jwks.json` (and `HEAD`) | the public verification keys | 200 JWKS |
 *
 * Paths match exactly, case and encoding included: `/auth/Refresh`, `/auth/refresh/` and
 * `/auth/%72efresh` are not routes of the protocol (the framework answers them 404).
 *
 * @internal
 * @module
 */
import { AuthError } from '../errors.js'
import type { TokenResult } from '../refresh/issue-tokens.js'
import { type AuthenticateResult, authenticateRequest, csrfError, type HttpContext } from './authenticate.js'
import type { AuthHttpRequest, AuthHttpResponse } from './exchange.js'
import { readJsonObject } from './json-body.js'
import { type JsonSchema, RESPONSE_SCHEMAS } from './schemas.js'
import { emptyResponse, errorResponse, jsonResponse } from './reply.js'

/** @internal The configuration the routes read. */
export interface RouteContext extends HttpContext {
  readonly prefix: string
  readonly jwksPath: string | null
  readonly maxBodyBytes: number
}

/** A route of the protocol, as {@link AuthHttp.routes} lists it. */
export interface AuthHttpRoute {
  /** The path, `:id` for the session id: `/auth/refresh`, `/auth/sessions/:id`, `/.well-known/jwks.json`. */
  readonly path: string
  /** JSON Schemas of the response bodies by status (`200`, `4xx`, `5xx`): what a schema serializer needs. */
  readonly response: Readonly<Record<string, JsonSchema>>
}

type Route = (ctx: RouteContext, request: AuthHttpRequest, param: string) => Promise<AuthHttpResponse>

const ROUTES: Readonly<Record<string, Readonly<Record<string, Route>>>> = {
  '/refresh': { POST: refresh },
  '/logout': { POST: (ctx, request) => withPrincipal(ctx, request, logout) },
  '/logout-all': { POST: (ctx, request) => withPrincipal(ctx, request, logoutAll) },
  '/sessions': { GET: (ctx, request) => withPrincipal(ctx, request, listSessions) },
  '/sessions/:id': { DELETE: (ctx, request, id) => withPrincipal(ctx, request, (c, a) => deleteSession(c, a, id)) },
}

/** @internal The response of a protocol route, or `undefined` when the path is not one. */
export async function handleRoute(ctx: RouteContext, request: AuthHttpRequest): Promise<AuthHttpResponse | undefined> {
  const path = pathOf(request.url)
  if (path === ctx.jwksPath) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return errorResponse(new AuthError('method_not_allowed'), { allow: 'GET, HEAD' })
    return jsonResponse(200, ctx.auth.jwks(), [], { 'cache-control': 'public, max-age=300' })
  }
  if (!path.startsWith(ctx.prefix + '/')) return undefined
  const rest = path.slice(ctx.prefix.length)
  const slash = rest.indexOf('/', 1)
  const [key, param] = slash === -1 ? [rest, ''] : rest.slice(0, slash) === '/sessions' ? ['/sessions/:id', rest.slice(slash + 1)] : [rest, '']
  const route = Object.hasOwn(ROUTES, key) ? ROUTES[key] : undefined
  if (!route || (key === '/sessions/:id' && (param === '' || param.includes('/')))) return undefined
  // HEAD is GET without the body (RFC 9110 §9.3.2), wherever GET is answered. The body stays in
  // the response: the writer drops it (the bridges do; Koa 2 would turn a null body into a 204).
  const method = request.method === 'HEAD' && Object.hasOwn(route, 'GET') ? 'GET' : request.method
  const handler = Object.hasOwn(route, method) ? route[method] : undefined
  if (!handler) return errorResponse(new AuthError('method_not_allowed'), { allow: allowOf(route) })
  try {
    return await handler(ctx, request, param)
  } catch (error) {
    return errorResponse(error, { realm: ctx.realm })
  }
}

/** The `Allow` of a route: its methods, and `HEAD` with `GET`. */
function allowOf(route: Readonly<Record<string, Route>>): string {
  const methods = Object.keys(route)
  return (methods.includes('GET') ? [...methods, 'HEAD'] : methods).join(', ')
}

/** The path of a request target, without query or fragment. */
export function pathOf(url: string): string {
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}

async function refresh(ctx: RouteContext, request: AuthHttpRequest): Promise<AuthHttpResponse> {
  const body = await readJsonObject(request, ctx.maxBodyBytes)
  if (body?.refreshToken !== undefined) {
    if (typeof body.refreshToken !== 'string') throw new AuthError('bad_request', { reason: 'body' })
    if (!ctx.transports.has('bearer')) throw new AuthError('bad_request', { reason: 'transport' })
    const tokens = await ctx.auth.refresh(body.refreshToken)
    return jsonResponse(200, tokenBody('bearer', tokens))
  }
  const read = ctx.cookies.read(request.header('cookie'))
  if (!read.ok) throw new AuthError('bad_request', { reason: read.reason === 'too_large' ? 'cookie_too_large' : 'cookie_duplicated' })
  const token = read.values.refreshToken
  if (token === undefined && !read.malformed.includes('refreshToken')) throw new AuthError('token_missing')
  if (!ctx.transports.has('cookie')) throw new AuthError('bad_request', { reason: 'transport' })
  const csrf = csrfError(ctx, request)
  if (csrf) return errorResponse(csrf, { credential: 'cookie', realm: ctx.realm })
  if (token === undefined) return errorResponse(new AuthError('refresh_invalid', { reason: 'malformed' }), { credential: 'cookie', realm: ctx.realm })
  try {
    const tokens = await ctx.auth.refresh(token)
    return jsonResponse(200, tokenBody('cookie', tokens), tokenCookies(ctx, tokens))
  } catch (error) {
    // Only a session that truly ended loses its cookies: a request that lost a race, a store
    // outage or a token this server cannot read must not log out the browser that won.
    return errorResponse(error, { credential: 'cookie', realm: ctx.realm, cookies: sessionEnded(error) ? clearAuthCookies(ctx) : [] })
  }
}

function sessionEnded(error: unknown): boolean {
  if (!(error instanceof AuthError)) return false
  return error.code === 'refresh_reused' || error.code === 'session_expired' || error.code === 'session_revoked' ||
    (error.code === 'refresh_invalid' && error.reason === 'ended')
}

type Action = (ctx: RouteContext, authn: AuthenticateResult & { principal: NonNullable<AuthenticateResult['principal']> }) => Promise<AuthHttpResponse>

async function withPrincipal(ctx: RouteContext, request: AuthHttpRequest, action: Action): Promise<AuthHttpResponse> {
  const authn = await authenticateRequest(ctx, request)
  if (!authn.principal) return errorResponse(authn.error, { credential: authn.credential, realm: ctx.realm, cookies: authn.cookies })
  return action(ctx, authn as Parameters<Action>[1])
}

async function logout(ctx: RouteContext, { principal }: Parameters<Action>[1]): Promise<AuthHttpResponse> {
  await ctx.auth.logout({ sub: principal.sub, id: principal.sid })
  return emptyResponse(principal.transport === 'bearer' ? [] : clearAuthCookies(ctx))
}

async function logoutAll(ctx: RouteContext, { principal }: Parameters<Action>[1]): Promise<AuthHttpResponse> {
  const result = await ctx.auth.logoutAll(principal.sub)
  return jsonResponse(200, { ended: result.ended.length }, principal.transport === 'bearer' ? [] : clearAuthCookies(ctx))
}

async function listSessions(ctx: RouteContext, { principal }: Parameters<Action>[1]): Promise<AuthHttpResponse> {
  return jsonResponse(200, { sessions: await ctx.auth.listSessions(principal.sub, principal.sid) })
}

/** Session ids are base64url; anything else cannot name a session (and is answered like a stranger's). */
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/

async function deleteSession(ctx: RouteContext, { principal }: Parameters<Action>[1], id: string): Promise<AuthHttpResponse> {
  // Another user's session id finds nothing under the caller's `sub`: 404, and nothing changes.
  if (!SESSION_ID.test(id) || !(await ctx.auth.logout({ sub: principal.sub, id }))) throw new AuthError('not_found')
  const own = id === principal.sid && principal.transport !== 'bearer'
  return emptyResponse(own ? clearAuthCookies(ctx) : [])
}

/** @internal The JSON of a token response; the tokens themselves only in the bearer transport. */
export function tokenBody(transport: 'bearer' | 'cookie', tokens: TokenResult): Record<string, unknown> {
  const { accessToken, refreshToken, accessTokenExpiresAt, refreshTokenExpiresAt, expiresIn, sessionId } = tokens
  const times = { accessTokenExpiresAt, refreshTokenExpiresAt, expiresIn, sessionId }
  return transport === 'bearer' ? { transport, accessToken, refreshToken, ...times } : { transport, ...times }
}

/** @internal The access and refresh cookies of a token response, each living as long as its token. */
export function tokenCookies(ctx: HttpContext, tokens: TokenResult): string[] {
  // Relative lifetimes from the token response alone, so this process's clock does not matter.
  const refreshSeconds = tokens.expiresIn + Math.floor((tokens.refreshTokenExpiresAt - tokens.accessTokenExpiresAt) / 1000)
  return [ctx.cookies.serialize('accessToken', tokens.accessToken, tokens.expiresIn), ctx.cookies.serialize('refreshToken', tokens.refreshToken, refreshSeconds)]
}

/** @internal Clears every auth cookie, each with the attributes it was set with. */
export function clearAuthCookies(ctx: HttpContext): string[] {
  return [ctx.cookies.serializeClear('accessToken'), ctx.cookies.serializeClear('refreshToken'), ctx.cookies.serializeClear('session')]
}

/** @internal Every route: its path (`:id` for the parameter) and response schemas, for frameworks that register routes (Fastify). */
export function routeList(ctx: RouteContext): AuthHttpRoute[] {
  const routes = Object.keys(ROUTES).map((key) => ({ path: ctx.prefix + key, response: RESPONSE_SCHEMAS[key]! }))
  return ctx.jwksPath === null ? routes : [...routes, { path: ctx.jwksPath, response: RESPONSE_SCHEMAS.jwks! }]
}
