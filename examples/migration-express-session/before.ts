/**
 * BEFORE the migration (docs/migration.md): an Express app on express-session + connect-redis.
 * A JSON API with a login, session data (a cart) in `req.session`, a protected route and a logout.
 * `after.ts` is the same app on `@auth/express`; `diff before.ts after.ts` is the migration.
 */
import { RedisStore } from 'connect-redis'
import express, { type Express } from 'express'
import session from 'express-session'
import { createClient } from 'redis'

declare module 'express-session' {
  interface SessionData {
    userId: string
    cart: string[]
  }
}

/** The one user of this example; yours come from your database, with hashed passwords. */
const USER = { id: 'user-1', email: 'demo@example.com', password: 'demo-password' }

export interface MigrationApp {
  readonly app: Express
  close(): Promise<void>
}

export interface AppOptions {
  /** `redis://…` */
  readonly redisUrl: string
  /** Signs the session cookie. */
  readonly secret: string
}

export async function createApp(options: AppOptions): Promise<MigrationApp> {
  const client = createClient({ url: options.redisUrl }) // connect-redis 9 takes a node-redis client
  await client.connect()
  const app = express()
  app.use(session({
    store: new RedisStore({ client, prefix: 'sess:' }),
    secret: options.secret,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: process.env.NODE_ENV === 'production', maxAge: 7 * 24 * 3600_000 },
  }))
  app.use(express.json({ limit: '4kb' }))

  app.post('/login', (req, res, next) => {
    const { email, password } = (req.body ?? {}) as Record<string, unknown>
    if (email !== USER.email || password !== USER.password) return res.status(401).json({ error: 'wrong email or password' })
    // A new session id at login, or a session id planted before it would now be signed in (fixation).
    req.session.regenerate((error) => {
      if (error) return next(error)
      req.session.userId = USER.id
      req.session.cart = []
      res.json({ userId: USER.id })
    })
  })

  const requireLogin: express.RequestHandler = (req, res, next) => {
    if (!req.session.userId) return res.status(401).json({ error: 'not signed in' })
    next()
  }

  app.get('/api/me', requireLogin, (req, res) => {
    res.json({ userId: req.session.userId, cart: req.session.cart })
  })

  app.post('/api/cart', requireLogin, (req, res) => {
    const item = String((req.body as { item?: unknown } | undefined)?.item ?? '')
    req.session.cart = [...(req.session.cart ?? []), item]
    res.json({ cart: req.session.cart })
  })

  app.post('/logout', requireLogin, (req, res, next) => {
    req.session.destroy((error) => {
      if (error) return next(error)
      res.clearCookie('connect.sid').status(204).end()
    })
  })

  return { app, close: async () => void (await client.quit()) }
}
