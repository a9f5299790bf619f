/**
 * AFTER the migration (docs/migration.md): `before.ts` on `@auth/express` with the bearer
 * transport: a 15-minute ES256 access token and a rotating refresh token at login,
 * `POST /auth/refresh` and `POST /auth/logout` served by `createAuthRouter`, revocation that
 * reaches tokens already issued. `diff before.ts after.ts` is the migration; `transition.ts` keeps
 * the old tokens working until they expire, if you want that.
 */
import { createAuthHttp, generateKeySet, isAuthError } from '@auth/core'
import { createAuth, sendNodeResponse } from '@auth/core/node'
import { createAuthMiddleware, createAuthRouter, login, requireAuth } from '@auth/express'
import { createRedisStore } from '@auth/store-redis'
import express, { type Express } from 'express'
import { Redis } from 'ioredis'
import { claimsOf, type LegacyTokenOptions, requireAuthOrLegacy } from './transition.js'

/** The one user of this example; yours come from your database, with hashed passwords. */
const USER = { id: 'user-1', email: 'demo@example.com', password: 'demo-password', role: 'editor' }

export interface MigrationApp {
  readonly app: Express
  close(): Promise<void>
}

export interface AppOptions {
  /** `redis://…`: sessions, refresh tokens and revocations live there now. */
  readonly redisUrl: string
  /** MACs the refresh tokens: 32+ random bytes (`openssl rand -base64 32`), not a phrase. */
  readonly secret: string
  /** The tokens' issuer and audience, e.g. `https://api.example.com`. */
  readonly origin: string
  /** During the transition only: tokens signed by the old code still count (`transition.ts`). */
  readonly legacyTokens?: LegacyTokenOptions
}

export async function createApp(options: AppOptions): Promise<MigrationApp> {
  const client = new Redis(options.redisUrl)
  const store = createRedisStore({ client, prefix: 'auth:' })
  const auth = createAuth({
    store,
    keys: await generateKeySet(), // ES256; every process of one deployment needs the same keys (docs/operations.md)
    issuer: options.origin,
    audience: options.origin,
    secret: options.secret,
    revocation: 'mirror', // no store round trip per request, and a logout reaches every process in milliseconds
    claims: (session) => ({ role: session.sub === USER.id ? USER.role : undefined }), // at login and at every refresh
  })
  const http = createAuthHttp(auth, { allowedOrigins: [options.origin], transports: ['bearer'] })
  const app = express()
  app.use(createAuthRouter(http)) // POST /auth/refresh, /auth/logout, /auth/logout-all, GET /.well-known/jwks.json
  app.use(createAuthMiddleware(http)) // req.auth: the verified caller, or null

  app.post('/login', express.json({ limit: '4kb' }), async (req, res) => {
    const { email, password } = (req.body ?? {}) as Record<string, unknown>
    if (email !== USER.email || password !== USER.password) return res.status(401).json({ error: 'wrong email or password' })
    await login(req, res, { sub: USER.id, transport: 'bearer' }) // { accessToken, refreshToken, expiresIn, … }
  })

  const requireCaller = options.legacyTokens ? requireAuthOrLegacy(options.legacyTokens) : requireAuth()
  app.get('/api/me', requireCaller, (req, res) => {
    const { sub, role } = claimsOf(req)
    res.json({ sub, role })
  })

  // An AuthError thrown by a route (`store_unavailable` when Redis is down: 503) as the protocol answers it.
  app.use((error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!isAuthError(error)) return next(error)
    sendNodeResponse(res, http.errorResponse(error), req.method)
  })

  return {
    app,
    async close() {
      await auth.close()
      await store.close()
      await client.quit()
    },
  }
}
