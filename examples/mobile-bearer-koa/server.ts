/**
 * A JSON API on Koa for mobile and other non-browser clients, on the Bearer transport
 * (docs/guides/mobile-bearer-koa.md): login answers the tokens in JSON, requests carry
 * `Authorization: Bearer`, the client rotates its refresh token at `POST /auth/refresh`.
 *
 * Run it: `npx tsx --conditions=@auth/source examples/mobile-bearer-koa/server.ts` (port 3000, `PORT`
 * to change it), then the client: `npx tsx --conditions=@auth/source examples/mobile-bearer-koa/mobile-client.ts`.
 */
import { type Auth, AuthError, type Clock, createAuthHttp, generateKeySet } from '@auth/core'
import { createAuth } from '@auth/core/node'
import { createAuthMiddleware, createAuthRoutes, login, requireAuth, sendAuthError } from '@auth/koa'
import { createMemoryStore } from '@auth/store-memory'
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import Koa from 'koa'
import { pathToFileURL } from 'node:url'

/** The one user of this example; yours come from your database, with hashed passwords. */
const USER = { id: 'user-1', email: 'demo@example.com', password: 'demo-password' }

export interface MobileApi {
  readonly app: Koa
  readonly auth: Auth
  close(): Promise<void>
}

export interface MobileApiOptions {
  /** `iss` of the access tokens, e.g. `https://api.example.com`. */
  issuer: string
  /** The clock (ms); the test moves it forward instead of sleeping. Default `Date.now`. */
  clock?: Clock
}

export async function createMobileApi({ issuer, clock }: MobileApiOptions): Promise<MobileApi> {
  const store = createMemoryStore()
  const auth = createAuth({
    store,
    keys: await generateKeySet(),
    issuer,
    audience: issuer,
    secret: process.env.AUTH_SECRET, // 32+ random bytes: openssl rand -base64 32
    accessTokenTtlMs: 15 * 60_000, // the default: how long a stolen access token is worth anything
    revocation: 'strict', // the default: a logout is seen by the very next request
    ...(clock ? { clock } : {}),
    onSecurityEvent: (event) => console.warn('security event', event), // refresh_reused: a stolen refresh token
  })
  // Bearer only: no cookie is ever set, so no CSRF to think about. `allowedOrigins` is required
  // but only consulted for cookies.
  const http = createAuthHttp(auth, { allowedOrigins: [issuer], transports: ['bearer'] })

  const router = new Router()
  router.post('/auth/login', bodyParser(), async (ctx) => {
    const { email, password, device } = (ctx.request.body ?? {}) as Record<string, unknown>
    if (email !== USER.email || password !== USER.password) {
      return sendAuthError(ctx, new AuthError('invalid_credentials'))
    }
    // { transport: 'bearer', accessToken, refreshToken, expiresIn, accessTokenExpiresAt, refreshTokenExpiresAt, sessionId }
    await login(ctx, { sub: USER.id, transport: 'bearer', ...(typeof device === 'string' ? { label: device.slice(0, 128) } : {}) })
  })
  router.get('/api/me', requireAuth(), (ctx) => {
    ctx.body = { sub: ctx.state.auth!.sub, sid: ctx.state.auth!.sid }
  })

  const app = new Koa()
  app.use(createAuthRoutes(http)) // POST /auth/refresh, /auth/logout, /auth/logout-all, GET /auth/sessions, …
  app.use(createAuthMiddleware(http)) // ctx.state.auth
  app.use(router.routes())

  return {
    app,
    auth,
    async close() {
      await auth.close()
      await store.close()
    },
  }
}

// Started directly (not imported by the test): listen on PORT, default 3000.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000)
  const { app } = await createMobileApi({ issuer: `http://localhost:${port}` })
  app.listen(port, () => console.log(`http://localhost:${port}  (demo@example.com / demo-password)`))
}
