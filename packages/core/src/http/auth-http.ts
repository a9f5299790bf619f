/**
 * `createAuthHttp`: the HTTP protocol (docs/concepts.md#the-http-protocol), once, for every framework. Adapters (and the
 * Node and Fetch bridges) only translate requests and responses; every rule — which credential
 * counts, CSRF, cookie attributes, status codes, error bodies — is decided here.
 *
 * @module
 */
import type { Auth } from '../auth.js'
import { AuthError } from '../errors.js'
import type { SessionMetadata } from '../store.js'
import { type AuthenticateResult, authenticateRequest, authenticateRequestNow, csrfError, type HttpContext, verifierOf } from './authenticate.js'
import { createCookiePolicy, type CookiePolicy, type CreateCookiePolicyOptions } from './cookie-policy.js'
import { createCsrfPolicy, type CreateCsrfPolicyOptions } from './csrf.js'
import type { AuthHttpRequest, AuthHttpResponse, AuthPrincipal, HttpTransport, RequireAuthOptions } from './exchange.js'
import { DEFAULT_MAX_BODY_BYTES } from './json-body.js'
import { errorResponse, jsonResponse } from './reply.js'
import { type AuthHttpRoute, handleRoute, type RouteContext, routeList, tokenBody, tokenCookies } from './routes.js'

/** The default prefix of the protocol's routes. */
export const DEFAULT_AUTH_PREFIX = '/auth'
/** The default path of the public JWKS. */
export const DEFAULT_JWKS_PATH = '/.well-known/jwks.json'

/** Options of {@link createAuthHttp}. */
export interface CreateAuthHttpOptions {
  /**
   * The origins allowed to send cookie-authenticated unsafe requests (and cookie logins), for
   * example `['https://app.example.com']`. List your own site: browsers send `Origin` on
   * same-origin `POST`s. Required, also for a bearer-only API (where it is never consulted).
   */
  allowedOrigins: readonly string[]
  /** The two relaxations of the CSRF check; see `createCsrfPolicy`. Default: neither. */
  csrf?: Omit<CreateCsrfPolicyOptions, 'allowedOrigins'>
  /** The prefix of the routes: `/auth` gives `/auth/refresh`, `/auth/logout`… Default {@link DEFAULT_AUTH_PREFIX}. */
  prefix?: string
  /** Where the public JWKS is served, or `false` for nowhere. Default {@link DEFAULT_JWKS_PATH}. */
  jwksPath?: string | false
  /** Cookie name, domain and `SameSite`; the refresh cookie's path is the refresh route. */
  cookies?: Omit<CreateCookiePolicyOptions, 'refreshPath'>
  /** The transports this server offers. Default all three: `['cookie', 'bearer', 'session']`. */
  transports?: readonly HttpTransport[]
  /** The largest request body read, in bytes. Default 16 KiB. */
  maxBodyBytes?: number
  /** The `realm` of `WWW-Authenticate: Bearer` challenges. Default none. */
  realm?: string
}

/** Options of {@link AuthHttp.login}. */
export interface HttpLoginOptions {
  /** The user id, from the application's own credential check. */
  sub: string
  /** How the client wants its credentials. Default `'cookie'`. */
  transport?: HttpTransport
  /** A label for "your devices"; the user agent and IP are taken from the request. */
  label?: string
  /** Initial session data (`session` transport). */
  data?: Record<string, unknown>
}

/** The protocol, bound to one {@link Auth}; created by {@link createAuthHttp}. */
export interface AuthHttp {
  /** The auth object it serves. */
  readonly auth: Auth
  /** The route prefix, for example `/auth`. */
  readonly prefix: string
  /** The cookie policy in force. */
  readonly cookies: CookiePolicy
  /**
   * The protocol's routes (`/auth/refresh`, …, `/auth/sessions/:id`, the JWKS path; `:param` as
   * Fastify, Express and `@koa/router` write it) with their response schemas, for a framework that
   * registers routes one by one: register each for every method and let {@link AuthHttp.handle}
   * answer (405 for a method the route does not take).
   */
  readonly routes: readonly AuthHttpRoute[]
  /** Answers a route of the protocol, or resolves `undefined` when the request is not for one (call the next handler). */
  handle(request: AuthHttpRequest): Promise<AuthHttpResponse | undefined>
  /** Finds and verifies the request's credential; never rejects for anything the client sent. */
  authenticate(request: AuthHttpRequest): Promise<AuthenticateResult>
  /**
   * {@link AuthHttp.authenticate}, answered without a Promise when no I/O is needed: no
   * credential, a malformed one, or an access token decided at once (a warm token from the
   * verifier's cache; with `@auth/core/node`'s `createAuth`, any token under the `expiry` or
   * `mirror` strategy). A session cookie (a store read) or the `strict` strategy answers a
   * Promise. For adapters: a middleware that calls `next()` in the same tick saves the Promise
   * chain on every request. The same rules as `authenticate`; a result is shared between
   * requests with the same warm token, so it is frozen.
   *
   * @example
   * ```ts
   * const result = http.authenticateNow(request)
   * if (result instanceof Promise) result.then(proceed, fail)
   * else proceed(result)
   * ```
   */
  authenticateNow(request: AuthHttpRequest): AuthenticateResult | Promise<AuthenticateResult>
  /**
   * The refusal a guard answers for this authentication result, or `undefined` to let the request
   * through. It does not repeat the result's `cookies`: the middleware sends those with every answer.
   */
  authorize(result: AuthenticateResult, options?: RequireAuthOptions): AuthHttpResponse | undefined
  /** Creates a session for a user the application has just checked, answering in the requested transport. */
  login(request: AuthHttpRequest, options: HttpLoginOptions): Promise<AuthHttpResponse>
  /**
   * The response for an `AuthError` (status, JSON body, challenge, `Retry-After`); rethrows anything
   * else. Given the request's authentication result, the challenge fits its credential; the
   * result's `cookies` are not repeated (the middleware sends them).
   */
  errorResponse(error: unknown, result?: AuthenticateResult): AuthHttpResponse
}

const TRANSPORTS: readonly HttpTransport[] = ['cookie', 'bearer', 'session']
const KNOWN = new Set(['allowedOrigins', 'csrf', 'prefix', 'jwksPath', 'cookies', 'transports', 'maxBodyBytes', 'realm'])
const PATH = /^(?:\/[A-Za-z0-9._~-]+)+$/

/**
 * Creates the HTTP protocol for an {@link Auth}, validating its options at setup (`TypeError`).
 * Framework adapters take the result: `createAuthMiddleware(http)` in `@auth/express` and
 * `@auth/koa`, `app.register(authPlugin, { http })` in `@auth/fastify`; the Fetch bridge
 * ({@link createFetchHandler}) serves Hono, Next.js route handlers, Bun, Deno and Workers.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { createAuthHttp } from '@auth/core'
 *
 * const http = createAuthHttp(auth, { allowedOrigins: ['https://app.example.com'] })
 * ```
 *
 * @param auth - from `createAuth`
 * @param options - allowed origins, prefix, cookies, transports, limits
 */
export function createAuthHttp(auth: Auth, options: CreateAuthHttpOptions): AuthHttp {
  if (!auth || typeof auth.refresh !== 'function') throw new TypeError('createAuthHttp: auth must come from createAuth')
  if (typeof options !== 'object' || options === null) throw new TypeError('createAuthHttp: options are required ({ allowedOrigins })')
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw new TypeError(`createAuthHttp: unknown option "${key}"`)
  const prefix = options.prefix ?? DEFAULT_AUTH_PREFIX
  if (typeof prefix !== 'string' || !PATH.test(prefix)) throw new TypeError('createAuthHttp: prefix must be a path like "/auth" (no trailing slash)')
  const jwksPath = options.jwksPath === false ? null : (options.jwksPath ?? DEFAULT_JWKS_PATH)
  if (jwksPath !== null && (typeof jwksPath !== 'string' || !PATH.test(jwksPath))) throw new TypeError('createAuthHttp: jwksPath must be a path or false')
  const transports = options.transports ?? TRANSPORTS
  if (!Array.isArray(transports) || transports.length === 0 || !transports.every((t) => TRANSPORTS.includes(t))) {
    throw new TypeError('createAuthHttp: transports must list some of "cookie", "bearer", "session"')
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024 || maxBodyBytes > 1 << 20) throw new TypeError('createAuthHttp: maxBodyBytes must be an integer from 1024 to 1048576')
  const ctx: RouteContext = {
    auth,
    cookies: createCookiePolicy({ ...options.cookies, refreshPath: `${prefix}/refresh` }),
    csrf: createCsrfPolicy({ ...options.csrf, allowedOrigins: options.allowedOrigins }),
    transports: new Set(transports),
    realm: options.realm,
    verifyAccess: verifierOf(auth),
    acceptedByResult: { bearer: new WeakMap(), cookie: new WeakMap() },
    prefix,
    jwksPath,
    maxBodyBytes,
  }
  // A result's cookies are the middleware's to send, with whatever the request is answered: a
  // refusal built from the result does not repeat them (every adapter sends them up front).
  const fail = (error: unknown, result?: AuthenticateResult) => errorResponse(error, { credential: result?.credential ?? 'none', realm: ctx.realm })

  return Object.freeze({
    auth,
    prefix,
    cookies: ctx.cookies,
    routes: Object.freeze(routeList(ctx)),
    handle: (request: AuthHttpRequest) => handleRoute(ctx, request),
    authenticate: (request: AuthHttpRequest) => authenticateRequest(ctx, request),
    authenticateNow: (request: AuthHttpRequest) => authenticateRequestNow(ctx, request),
    authorize: (result: AuthenticateResult, guard?: RequireAuthOptions) => authorize(ctx, result, guard),
    login: (request: AuthHttpRequest, login: HttpLoginOptions) => loginResponse(ctx, request, login).catch((error: unknown) => fail(error)),
    errorResponse: fail,
  })
}

function authorize(ctx: HttpContext, result: AuthenticateResult, guard: RequireAuthOptions = {}): AuthHttpResponse | undefined {
  const context = { credential: result.credential, realm: ctx.realm }
  if (!result.principal) return errorResponse(result.error ?? new AuthError('token_missing'), context)
  if (!allowed(result.principal, guard)) return errorResponse(new AuthError('forbidden'), context)
  return undefined
}

function allowed(principal: AuthPrincipal, guard: RequireAuthOptions): boolean {
  if (guard.roles && !guard.roles.every((role) => principal.roles.includes(role))) return false
  return guard.allow ? guard.allow(principal) === true : true
}

async function loginResponse(ctx: HttpContext, request: AuthHttpRequest, options: HttpLoginOptions): Promise<AuthHttpResponse> {
  const transport = options.transport ?? 'cookie'
  if (!TRANSPORTS.includes(transport) || !ctx.transports.has(transport)) throw new AuthError('bad_request', { reason: 'transport' })
  // Login CSRF: a forged cookie login would sign the victim into the attacker's account.
  // Fixation: a cookie login also clears the other cookie transport's cookies. A planted
  // (attacker's) session cookie would otherwise speak for the browser once the access cookie
  // expires, and a planted access cookie wins over a new session cookie (it is read first).
  if (transport !== 'bearer') {
    const csrf = csrfError(ctx, request)
    if (csrf) throw csrf
  }
  const metadata = metadataOf(request, options.label)
  if (transport === 'session') {
    const login = await ctx.auth.login({ sub: options.sub, transport: 'session', metadata, ...(options.data ? { data: options.data } : {}) })
    // The cookie lives until the absolute expiry; the store enforces the sliding idle expiry, so the
    // cookie need not be set again on every request.
    const body = { transport, sessionId: login.sessionId, expiresAt: login.expiresAt, expiresIn: login.expiresIn }
    const cookies = [ctx.cookies.serialize('session', login.sessionToken, Math.max(login.absoluteExpiresIn, 1))]
    return jsonResponse(200, body, [...cookies, ctx.cookies.serializeClear('accessToken'), ctx.cookies.serializeClear('refreshToken')])
  }
  const tokens = await ctx.auth.login({ sub: options.sub, transport: 'tokens', metadata })
  const cookies = transport === 'cookie' ? [...tokenCookies(ctx, tokens), ctx.cookies.serializeClear('session')] : []
  return jsonResponse(200, tokenBody(transport, tokens), cookies)
}

function metadataOf(request: AuthHttpRequest, label: string | undefined): SessionMetadata {
  const agent = request.header('user-agent')
  const userAgent = typeof agent === 'string' ? agent : undefined
  return {
    ...(userAgent ? { userAgent } : {}),
    ...(request.ip ? { ip: request.ip } : {}),
    ...(label === undefined ? {} : { label }),
  }
}
