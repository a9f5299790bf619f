/**
 * Who is calling: the one place where a request's credential is found, checked against CSRF,
 * and verified, for every transport.
 *
 * | credential | read from | CSRF check on unsafe methods |
 * |---|---|---|
 * | `bearer` | `Authorization: Bearer` (never the query string) | none: a browser never attaches it by itself |
 * | `cookie` | the access-token cookie | `Origin` / `Sec-Fetch-Site` |
 * | `session` | the session cookie | `Origin` / `Sec-Fetch-Site` |
 *
 * A request with an `Authorization: Bearer` header is judged by that token alone; the cookies
 * are not consulted even when it fails, so a stale header never falls back to an ambient cookie.
 *
 * @internal
 * @module
 */
import { type Auth, verifyAccessTokenNowOf } from '../auth.js'
import { AuthError, isAuthError } from '../errors.js'
import { isThenable } from '../lib/thenable.js'
import type { VerifyAccessTokenResult, VerifyNowFn } from '../token/verify.js'
import { bearerTokenOf } from './bearer.js'
import type { CookiePolicy } from './cookie-policy.js'
import { checkCsrf, type CsrfPolicy } from './csrf.js'
import type { AuthHttpRequest, AuthPrincipal, HttpTransport } from './exchange.js'

/** The longest `Authorization` header read, in characters (8 KiB). */
export const MAX_AUTHORIZATION_LENGTH = 8192

/** @internal What authentication needs from the protocol's configuration. */
export interface HttpContext {
  readonly auth: Auth
  readonly cookies: CookiePolicy
  readonly csrf: CsrfPolicy
  readonly transports: ReadonlySet<HttpTransport>
  readonly realm: string | undefined
  /** `auth.verifyAccessToken`, synchronous where it can be (see {@link verifierOf}). */
  readonly verifyAccess: VerifyNowFn
  /**
   * The accepted result of each cached verification, by transport: a warm token's request then
   * allocates nothing here. Keyed by the verifier's cached (frozen) result objects only.
   */
  readonly acceptedByResult: { readonly bearer: WeakMap<VerifyAccessTokenResult, AuthenticateResult>; readonly cookie: WeakMap<VerifyAccessTokenResult, AuthenticateResult> }
}

/** @internal The verification an `HttpContext` uses: `createAuth`'s synchronous path, else the object's own method. */
export function verifierOf(auth: Auth): VerifyNowFn {
  return verifyAccessTokenNowOf(auth) ?? ((token) => auth.verifyAccessToken(token as string))
}

/** What `authenticate` finds. */
export interface AuthenticateResult {
  /** The caller, or `null`: no credential, or one that was refused (see {@link error}). */
  readonly principal: AuthPrincipal | null
  /** Why there is no principal: `token_missing` when nothing was presented. `null` with a principal. */
  readonly error: AuthError | null
  /** The credential the request presented, whether or not it was accepted. */
  readonly credential: 'none' | HttpTransport
  /**
   * Whether the request must be answered with {@link error} now instead of going on anonymously:
   * a malformed request (400) or an unavailable store or key set (503). A failing store is never
   * an anonymous pass.
   */
  readonly answerNow: boolean
  /**
   * `Set-Cookie` values to send with whatever the request is answered (a dead session cookie
   * cleared): the middleware's to send, once; `authorize` and `errorResponse` do not repeat them.
   * Send them **before** the route's own `Set-Cookie`s: a login that answers a new session cookie
   * must come after the clearing of the old one, or the browser keeps neither.
   */
  readonly cookies: readonly string[]
}

const NONE: readonly string[] = Object.freeze([])

/** @internal Authenticates a request; never rejects for anything the client sent. */
export function authenticateRequest(ctx: HttpContext, request: AuthHttpRequest): Promise<AuthenticateResult> {
  try {
    return Promise.resolve(authenticateRequestNow(ctx, request))
  } catch (error) {
    return Promise.reject(error)
  }
}

/**
 * @internal {@link authenticateRequest}, answered synchronously when no I/O is needed: no
 * credential, a malformed one, or an access token the verifier decides at once (a warm token;
 * any token on `node:crypto` with the `expiry` or `mirror` strategy). A session cookie always
 * reads the store, so it answers a Promise.
 */
export function authenticateRequestNow(ctx: HttpContext, request: AuthHttpRequest): AuthenticateResult | Promise<AuthenticateResult> {
  const authorization = request.header('authorization')
  if (authorization !== undefined && authorization !== null && authorization !== '') {
    if (String(authorization).length > MAX_AUTHORIZATION_LENGTH) return refused('none', new AuthError('bad_request', { reason: 'header_too_large' }))
    const bearer = bearerTokenOf(authorization)
    if (typeof bearer === 'string') {
      if (!ctx.transports.has('bearer')) return refused('bearer', new AuthError('bad_request', { reason: 'transport' }))
      return verifyAccess(ctx, bearer, 'bearer')
    }
    if (bearer.reason === 'malformed') return refused('none', new AuthError('bad_request', { reason: 'authorization' }))
    // Another scheme (Basic, …) is not ours: the cookies decide.
  }
  const read = ctx.cookies.read(request.header('cookie'))
  if (!read.ok) {
    return refused('none', new AuthError('bad_request', { reason: read.reason === 'too_large' ? 'cookie_too_large' : 'cookie_duplicated' }))
  }
  const { values, malformed } = read
  const kind: HttpTransport | undefined =
    values.accessToken !== undefined || malformed.includes('accessToken') ? 'cookie'
    : values.session !== undefined || malformed.includes('session') ? 'session'
    : undefined
  if (kind === undefined || !ctx.transports.has(kind)) return refused('none', new AuthError('token_missing'))
  const csrf = csrfError(ctx, request)
  if (csrf) return refused(kind, csrf)
  if (kind === 'cookie') {
    return values.accessToken === undefined ? refused(kind, new AuthError('token_invalid', { reason: 'malformed' })) : verifyAccess(ctx, values.accessToken, 'cookie')
  }
  if (values.session === undefined) return refused(kind, new AuthError('token_invalid', { reason: 'malformed' }), [ctx.cookies.serializeClear('session')])
  return verifySession(ctx, values.session)
}

/** @internal The CSRF refusal of a cookie-carried credential on an unsafe method, if any. */
export function csrfError(ctx: HttpContext, request: AuthHttpRequest): AuthError | undefined {
  const result = checkCsrf(ctx.csrf, { method: request.method, origin: request.header('origin'), secFetchSite: request.header('sec-fetch-site') })
  return result.ok ? undefined : result.error
}

function verifyAccess(ctx: HttpContext, token: string, transport: 'bearer' | 'cookie'): AuthenticateResult | Promise<AuthenticateResult> {
  let verified: VerifyAccessTokenResult | Promise<VerifyAccessTokenResult>
  try {
    verified = ctx.verifyAccess(token)
  } catch (error) {
    return refused(transport, asAuthError(error))
  }
  if (isThenable(verified)) return Promise.resolve(verified).then((result) => acceptAccess(ctx, result, transport), (error: unknown) => refused(transport, asAuthError(error)))
  return acceptAccess(ctx, verified, transport)
}

/**
 * The accepted result of a verified access token. A verification the verifier cached is the same
 * frozen object on every request with that token, and so is its accepted result (frozen too):
 * built once, then found by identity.
 */
function acceptAccess(ctx: HttpContext, verified: VerifyAccessTokenResult, transport: 'bearer' | 'cookie'): AuthenticateResult {
  const shared = Object.isFrozen(verified)
  const byResult = ctx.acceptedByResult[transport]
  if (shared) {
    const known = byResult.get(verified)
    if (known !== undefined) return known
  }
  const { claims } = verified
  const result = accepted({ sub: claims.sub, sid: claims.sid, transport, claims, session: null, roles: rolesOf(claims.roles) })
  if (shared) byResult.set(verified, Object.freeze(result))
  return result
}

async function verifySession(ctx: HttpContext, token: string): Promise<AuthenticateResult> {
  try {
    const record = await ctx.auth.verifySessionToken(token)
    const session = { data: record.data, expiresAt: record.expiresAt, revision: record.revision }
    return accepted({ sub: record.sub, sid: record.id, transport: 'session', claims: null, session, roles: rolesOf(record.data?.roles) })
  } catch (error) {
    const authError = asAuthError(error)
    // A session cookie that can never work again is removed; a store outage keeps it.
    return refused('session', authError, authError.status === 401 ? [ctx.cookies.serializeClear('session')] : NONE)
  }
}

function accepted(principal: AuthPrincipal): AuthenticateResult {
  return { principal: Object.freeze(principal), error: null, credential: principal.transport, answerNow: false, cookies: NONE }
}

function refused(credential: 'none' | HttpTransport, error: AuthError, cookies: readonly string[] = NONE): AuthenticateResult {
  return { principal: null, error, credential, answerNow: error.status === 400 || error.status >= 500, cookies }
}

/** Verification throws only `AuthError`s; anything else would be a bug, and still never an anonymous pass. */
function asAuthError(error: unknown): AuthError {
  return isAuthError(error) ? error : new AuthError('store_unavailable', { reason: 'unexpected error while authenticating', cause: error })
}

function rolesOf(value: unknown): readonly string[] {
  return Array.isArray(value) && value.every((role) => typeof role === 'string') ? (value as string[]) : NONE
}
