/**
 * The transition period of docs/migration.md: for as long as express-session sessions can still
 * be alive (their cookie's `maxAge`), a request that comes with a live `connect.sid` and no new
 * session gets a new session for the same user and data; the old one is destroyed. Users stay
 * signed in across the switch. Delete this file (and the `legacySessions` option) once the
 * longest old session has expired.
 *
 * The old store is only read, never touched (`disableTouch`), so an old session cannot outlive
 * its expiry. The carried-over request is answered `307` to the same URL: the client repeats it
 * with the new cookie (browsers and `fetch` follow a 307 by themselves, with the same method and
 * body).
 */
import type { AuthHttp } from '@auth/core'
import { applyNodeHeaders, fromNodeRequest } from '@auth/core/node'
import { RedisStore } from 'connect-redis'
import type { RequestHandler } from 'express'
import session from 'express-session'
import { createClient } from 'redis'

declare module 'express-session' {
  interface SessionData {
    userId: string
    cart: string[]
  }
}

/** Where the old sessions are, and the secret that signed their cookies. */
export interface LegacySessionOptions {
  /** `redis://…` of connect-redis. */
  readonly redisUrl: string
  /** express-session's `secret`. */
  readonly secret: string
}

export async function carryOverSessions(http: AuthHttp, options: LegacySessionOptions): Promise<{ middleware: RequestHandler; close(): Promise<void> }> {
  const client = createClient({ url: options.redisUrl })
  await client.connect()
  const readOldSession = session({
    store: new RedisStore({ client, prefix: 'sess:', disableTouch: true }),
    secret: options.secret,
    resave: false,
    saveUninitialized: false,
  })
  const middleware: RequestHandler = function carryOverSession(req, res, next) {
    if (req.auth || !/(?:^|;\s*)connect\.sid=/.test(req.headers.cookie ?? '')) return next()
    readOldSession(req, res, async (error?: unknown) => {
      try {
        if (error) throw error
        const old = req.session
        if (!old.userId) return next() // unknown, expired or forged: nothing to carry over
        // The login's own rules apply: a cross-site POST (CSRF) is not carried over, and stays unauthenticated.
        const answer = await http.login(fromNodeRequest(req, { url: req.originalUrl, ip: req.ip }), {
          sub: old.userId,
          transport: 'session',
          data: { cart: old.cart ?? [] },
        })
        if (answer.status !== 200) return next()
        await new Promise<void>((resolve, reject) => old.destroy((failed) => (failed ? reject(failed) : resolve())))
        applyNodeHeaders(res, answer)
        res.clearCookie('connect.sid').redirect(307, req.originalUrl)
      } catch (failed) {
        next(failed)
      }
    })
  }
  return { middleware, close: async () => void (await client.quit()) }
}
