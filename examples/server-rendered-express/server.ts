/**
 * A server-rendered Express app on the session-cookie transport (docs/guides/server-rendered-express.md):
 * HTML forms for login, logout and "log out everywhere", a "your devices" list, and session data
 * in place of express-session's `req.session`.
 *
 * Run it: `npx tsx --conditions=@auth/source examples/server-rendered-express/server.ts`, then open
 * http://localhost:3000 and sign in as demo@example.com / demo-password.
 */
import { type Auth, AuthError, type AuthHttp, createAuthHttp, generateKeySet, isAuthError } from '@auth/core'
import { applyNodeHeaders, createAuth, fromNodeRequest, sendNodeResponse } from '@auth/core/node'
import { createAuthMiddleware, requireAuth } from '@auth/express'
import { createMemoryStore } from '@auth/store-memory'
import express, { type Express } from 'express'
import { pathToFileURL } from 'node:url'

/** The one user of this example; yours come from your database, with hashed passwords. */
const USER = { id: 'user-1', email: 'demo@example.com', password: 'demo-password' }

export interface ServerRenderedApp {
  readonly app: Express
  readonly auth: Auth
  readonly http: AuthHttp
  close(): Promise<void>
}

/** `origin`: where the browser loads the pages from, e.g. `http://localhost:3000`. */
export async function createServerRenderedApp(origin: string): Promise<ServerRenderedApp> {
  const store = createMemoryStore()
  const auth = createAuth({
    store,
    keys: await generateKeySet(),
    issuer: origin,
    audience: origin,
    secret: process.env.AUTH_SECRET, // 32+ random bytes: openssl rand -base64 32
    session: { idleTimeoutMs: 30 * 60_000, absoluteTtlMs: 7 * 24 * 3600_000 },
  })
  // Only the session transport: this app never hands out tokens.
  const http = createAuthHttp(auth, { allowedOrigins: [origin], transports: ['session'] })

  const app = express()
  app.use(createAuthMiddleware(http)) // req.auth, and the CSRF check of every cookie-authenticated POST
  app.use(express.urlencoded({ extended: false, limit: '4kb' }))

  app.get('/', async (req, res) => {
    if (!req.auth) return res.type('html').send(loginPage())
    const ref = { sub: req.auth.sub, id: req.auth.sid }
    // What was `req.session.views++` with express-session: an atomic update of the session's data.
    const data = await auth.updateSessionData(ref, (current) => ({ ...current, views: Number(current.views ?? 0) + 1 }))
    const sessions = await auth.listSessions(req.auth.sub, req.auth.sid)
    res.type('html').send(homePage(String(data.email), Number(data.views), sessions))
  })

  app.post('/login', async (req, res) => {
    const { email, password } = (req.body ?? {}) as Record<string, string | undefined>
    if (email !== USER.email || password !== USER.password) {
      return res.status(401).type('html').send(loginPage('Wrong email or password.'))
    }
    // A new session (a new id: no fixation), its cookie, and the login-CSRF check on `Origin`.
    const answer = await http.login(fromNodeRequest(req, { url: req.originalUrl, ip: req.ip, parsedBody: req.body }), {
      sub: USER.id,
      transport: 'session',
      data: { email: USER.email },
    })
    if (answer.status !== 200) return res.status(answer.status).type('html').send(loginPage('Sign-in refused. Please try again.'))
    applyNodeHeaders(res, answer) // Set-Cookie: __Host-auth-session=…; Path=/; Secure; HttpOnly; SameSite=Lax
    res.redirect(303, '/')
  })

  app.post('/logout', requireAuth(), async (req, res) => {
    await auth.logout({ sub: req.auth!.sub, id: req.auth!.sid })
    res.append('set-cookie', http.cookies.serializeClear('session'))
    res.redirect(303, '/')
  })

  app.post('/logout-all', requireAuth(), async (req, res) => {
    // Every session of the user ends: this browser, their phone, the laptop they forgot about.
    await auth.logoutAll(req.auth!.sub)
    res.append('set-cookie', http.cookies.serializeClear('session'))
    res.redirect(303, '/')
  })

  app.post('/sessions/:id/end', requireAuth(), async (req, res) => {
    // `false` for an id that is not one of this user's live sessions: nothing changes.
    const ended = await auth.logout({ sub: req.auth!.sub, id: String(req.params.id) })
    if (!ended) throw new AuthError('not_found')
    res.redirect(303, '/')
  })

  // An AuthError thrown by a route (a store outage is `store_unavailable`, 503) as the protocol answers it.
  app.use((error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!isAuthError(error)) return next(error)
    sendNodeResponse(res, http.errorResponse(error), req.method) // status, JSON body, Retry-After
  })

  return {
    app,
    auth,
    http,
    async close() {
      await auth.close()
      await store.close()
    },
  }
}

interface DeviceRow {
  id: string
  current: boolean
  lastSeenAt: number
  metadata: { userAgent?: string; ip?: string; label?: string }
}

function homePage(email: string, views: number, sessions: readonly DeviceRow[]): string {
  const rows = sessions
    .map((s) => {
      const what = escapeHtml(s.metadata.userAgent ?? 'unknown browser')
      const end = s.current ? '(this browser)' : `<form method="post" action="/sessions/${escapeHtml(s.id)}/end"><button>End</button></form>`
      return `<li data-session="${escapeHtml(s.id)}">${what}, last seen ${new Date(s.lastSeenAt).toISOString()} ${end}</li>`
    })
    .join('')
  return page(`
    <p id="who">Signed in as ${escapeHtml(email)}. Pages viewed in this session: <span id="views">${views}</span>.</p>
    <form method="post" action="/logout"><button id="logout">Log out</button></form>
    <form method="post" action="/logout-all"><button id="logout-all">Log out everywhere</button></form>
    <h2>Your devices</h2><ul id="devices">${rows}</ul>`)
}

function loginPage(message?: string): string {
  return page(`
    ${message ? `<p id="message">${escapeHtml(message)}</p>` : ''}
    <form id="login" method="post" action="/login">
      <label>Email <input name="email" type="email" autocomplete="username"></label>
      <label>Password <input name="password" type="password" autocomplete="current-password"></label>
      <button>Sign in</button>
    </form>`)
}

function page(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Server-rendered example</title></head><body>${body}</body></html>`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

// Started directly (not imported by the test): listen on PORT, default 3000.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000)
  const { app } = await createServerRenderedApp(`http://localhost:${port}`)
  app.listen(port, () => console.log(`http://localhost:${port}  (demo@example.com / demo-password)`))
}
