/**
 * The demo application's own two routes, framework-free: every framework module only maps its
 * request and response onto these.
 *
 * | route | does |
 * |---|---|
 * | `POST /auth/login` `{ "email", "password", "transport"? }` | checks the password ({@link checkLogin}), then the adapter's login helper answers in the transport |
 * | `GET /api/me` (guarded) | `{ "sub", "sid", "email", "transport" }` ({@link describeCaller}) |
 *
 * @module
 */
import { AuthError, type AuthPrincipal, type HttpTransport } from '@auth/core'
import { checkPassword, findUser } from './users.js'

/** The path of the login route. */
export const LOGIN_PATH = '/auth/login'
/** The path of the guarded route. */
export const ME_PATH = '/api/me'

const TRANSPORTS: readonly HttpTransport[] = ['cookie', 'bearer', 'session']

/** What the login helper needs once the credentials checked out. */
export interface CheckedLogin {
  readonly sub: string
  readonly transport: HttpTransport
}

/**
 * Checks a login body: `bad_request` (400) unless it is `{ "email": string, "password": string,
 * "transport"?: "cookie" | "bearer" | "session" }`, `invalid_credentials` (401) for a wrong email
 * or password, both as the same one-code answer. The body must be JSON: the frameworks' JSON
 * parsers leave other bodies unparsed, which arrive here as `undefined`.
 *
 * @param body - the parsed JSON body
 * @throws AuthError `bad_request` or `invalid_credentials`
 */
export function checkLogin(body: unknown): CheckedLogin {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AuthError('bad_request', { reason: 'body' })
  const { email, password, transport = 'cookie' } = body as Record<string, unknown>
  if (typeof email !== 'string' || typeof password !== 'string' || !TRANSPORTS.includes(transport as HttpTransport)) {
    throw new AuthError('bad_request', { reason: 'body' })
  }
  const user = checkPassword(email, password)
  if (!user) throw new AuthError('invalid_credentials')
  return { sub: user.id, transport: transport as HttpTransport }
}

/** What `GET /api/me` answers for an authenticated caller; the email comes from the user table. */
export function describeCaller(principal: AuthPrincipal): { sub: string; sid: string; email: string | null; transport: HttpTransport } {
  return { sub: principal.sub, sid: principal.sid, email: findUser(principal.sub)?.email ?? null, transport: principal.transport }
}
