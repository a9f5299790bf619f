/**
 * AFTER the migration (docs/migration.md): `before.ts` on `@auth/express` with the session-cookie
 * transport on `@auth/store-redis`. The same routes, the same JSON; `diff before.ts after.ts` is
 * the migration. `transition.ts` carries the old express-session sessions over, if you want that.
 */
import { createAuthHttp, generateKeySet, isAuthError } from '@auth/core'
import { createAuth, sendNodeResponse } from '@auth/core/node'
import { createAuthMiddleware, login, requireAuth } from '@auth/express'
import { createRedisStore } from '@auth/store-redis'
import express, { type Express } from 'express'
import { Redis } from 'ioredis'
import { carryOverSessions, type LegacySessionOptions } from './transition.js'

/** The one user of this example; yours come from your database, with hashed passwords. */
const USER = { id: 'user-1', email: 'demo@example.com', password: 'demo-password' }

export interface MigrationApp {
  readonly app: Express
  close(): Promise<void>
}

export interface AppOptions {
  /** `redis://…` */
  readonly redisUrl: string
  /** MACs the session token: 32+ random bytes (`openssl rand -base64 32`), not a phrase. */
  readonly secret: string
  /** Where the browser loads the pages from, e.g. `https://app.example.com`. */
  readonly origin: string
  /** During the transition only: carry express-session sessions over (`transition.ts`). */
  readonly legacySessions?: LegacySessionOptions
}

export async function createApp(options: AppOptions): Promise<MigrationApp> {
  const client = new Redis(options.redisUrl) // @auth/store-redis takes an ioredis client
  const store = createRedisStore({ client, prefix: 'auth:' })
  const auth = createAuth({
    store,
    keys: await generateKeySet(),
    issuer: options.origin,
    audience: options.origin,
    secret: options.secret,
    session: { idleTimeoutMs: 7 * 24 * 3600_000 },
  })
  // Only the session transport: this app never hands out tokens.
  const http = createAuthHttp(auth, { allowedOrigins: [options.origin], transports: ['session'] })
  const app = express()
  app.use(createAuthMiddleware(http)) // req.auth, and the CSRF check of every cookie-authenticated POST
  const transition = options.legacySessions ? await carryOverSessions(http, options.legacySessions) : undefined
  if (transition) app.use(transition.middleware)
  app.use(express.json({ limit: '4kb' }))

  app.post('/login', async (req, res) => {
    const { email, password } = (req.body ?? {}) as Record<string, unknown>
    if (email !== USER.email || password !== USER.password) return res.status(401).json({ error: 'wrong email or password' })
    // Always a new session with a new id (no fixation); refused from another site (login CSRF).
    await login(req, res, { sub: USER.id, transport: 'session', data: { cart: [] } })
  })

  app.get('/api/me', requireAuth(), (req, res) => {
    res.json({ userId: req.auth!.sub, cart: req.auth!.session!.data?.cart ?? [] })
  })

  app.post('/api/cart', requireAuth(), async (req, res) => {
    const item = String((req.body as { item?: unknown } | undefined)?.item ?? '')
    // What was `req.session.cart = […]`: an atomic update (compare-and-set) of the session's data.
    const data = await auth.updateSessionData({ sub: req.auth!.sub, id: req.auth!.sid }, (current) => ({
      ...current,
      cart: [...((current.cart as string[] | undefined) ?? []), item],
    }))
    res.json({ cart: data.cart })
  })

  app.post('/logout', requireAuth(), async (req, res) => {
    await auth.logout({ sub: req.auth!.sub, id: req.auth!.sid })
    res.append('set-cookie', http.cookies.serializeClear('session')).status(204).end()
  })

  // An AuthError thrown by a route (`store_unavailable` when Redis is down: 503) as the protocol answers it.
  app.use((error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!isAuthError(error)) return next(error)
    sendNodeResponse(res, http.errorResponse(error), req.method)
  })

  return {
    app,
    async close() {
      await transition?.close()
      await auth.close()
      await store.close()
      await client.quit()
    },
  }
}
