/**
 * What is Express-specific in the adapter, on Express 4 and 5: where the principal goes, the
 * setup errors, how an error of the application is answered, and that the adapter's answers keep
 * cookies the application set. The protocol itself is `describeAdapter`'s (express.test.ts).
 */
import type { AddressInfo } from 'node:net'
import { AuthError, createAuth, createAuthHttp, generateKeySet } from '@auth/core'
import { createMemoryStore } from '@auth/store-memory'
import express5 from 'express'
import express4 from 'express4'
import { afterEach, describe, expect, it } from 'vitest'
import { createAuthMiddleware, createAuthRouter, login, requireAuth, sendAuthError } from '../src/index.js'

const majors = { 'Express 4': express4, 'Express 5': express5 } as const
const ORIGIN = 'http://app.test'

async function setup() {
  const auth = createAuth({ store: createMemoryStore(), keys: await generateKeySet(), issuer: 'https://i.test', audience: 'https://a.test' })
  return createAuthHttp(auth, { allowedOrigins: [ORIGIN] })
}

const servers: Array<{ close(): void }> = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

async function listen(app: ReturnType<typeof express5>): Promise<string> {
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await new Promise((resolve) => server.once('listening', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe.each(Object.entries(majors))('%s', (_name, express) => {
  it('puts the principal on req.auth (null without a credential) and answers an application AuthError as JSON', async () => {
    const http = await setup()
    const app = express()
    app.use(createAuthMiddleware(http))
    app.post('/login', express.json(), (req, res, next) => {
      if (req.body.password !== 'right') return sendAuthError(req, res, new AuthError('invalid_credentials'))
      login(req, res, { sub: 'alice', transport: 'bearer' }).catch(next)
    })
    app.get('/whoami', (req, res) => {
      res.json({ auth: req.auth === null ? null : { sub: req.auth?.sub, transport: req.auth?.transport } })
    })
    const url = await listen(app)
    const refused = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":"wrong"}' })
    expect([refused.status, await refused.json()]).toEqual([401, { error: { code: 'invalid_credentials', message: 'The credentials are invalid.' } }])
    const ok = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":"right"}' })
    const { accessToken } = (await ok.json()) as { accessToken: string }
    expect(await (await fetch(`${url}/whoami`)).json()).toEqual({ auth: null })
    const me = await fetch(`${url}/whoami`, { headers: { authorization: `Bearer ${accessToken}` } })
    expect(await me.json()).toEqual({ auth: { sub: 'alice', transport: 'bearer' } })
  })

  it('req.auth reads in a mounted sub-app and a router, writes nothing on req, and can be assigned by the application', async () => {
    const http = await setup()
    const app = express()
    const keys: { before?: Array<string | symbol>; after?: Array<string | symbol> } = {}
    app.use((req, _res, next) => ((keys.before = Reflect.ownKeys(req)), next()))
    app.use(createAuthMiddleware(http))
    app.use((req, _res, next) => ((keys.after = Reflect.ownKeys(req)), next()))
    app.post('/login', (req, res, next) => {
      login(req, res, { sub: 'alice', transport: 'bearer' }).catch(next)
    })
    const sub = express()
    sub.get('/me', requireAuth(), (req, res) => {
      res.json({ sub: req.auth?.sub ?? null })
    })
    app.use('/sub', sub)
    const router = express.Router()
    router.get('/me', (req, res) => {
      res.json({ sub: req.auth === null ? null : req.auth?.sub })
    })
    app.use('/router', router)
    app.get('/assigned', (req, res) => {
      req.auth = { ...req.auth!, sub: 'impersonated' }
      res.json({ sub: req.auth.sub })
    })
    const url = await listen(app)
    const { accessToken } = (await (await fetch(`${url}/login`, { method: 'POST' })).json()) as { accessToken: string }
    const headers = { authorization: `Bearer ${accessToken}` }
    const read = async (path: string, init?: RequestInit) => (await (await fetch(`${url}${path}`, init)).json()) as unknown
    expect(await read('/sub/me', { headers })).toEqual({ sub: 'alice' })
    expect(keys.after).toEqual(keys.before)
    expect(await read('/router/me', { headers })).toEqual({ sub: 'alice' })
    expect(await read('/router/me')).toEqual({ sub: null })
    expect(await read('/assigned', { headers })).toEqual({ sub: 'impersonated' })
    expect(await read('/router/me', { headers })).toEqual({ sub: 'alice' })
  })

  it('requireAuth and login without the middleware fail loudly through Express, naming what is missing', async () => {
    const http = await setup()
    const app = express()
    app.get('/guarded', requireAuth(), (_req, res) => {
      res.json({ ok: true })
    })
    app.use(createAuthRouter(http))
    app.use((error: Error, _req: unknown, res: { status(n: number): { json(v: unknown): void } }, _next: unknown) => {
      res.status(500).json({ message: error.message })
    })
    const url = await listen(app)
    const response = await fetch(`${url}/guarded`)
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ message: '@auth/express: requireAuth needs createAuthMiddleware(http) mounted before it' })
  })

  it("records the address Express reports (req.ip, with trust proxy) in a login's session metadata", async () => {
    const http = await setup()
    const app = express()
    app.set('trust proxy', 'loopback')
    app.use(createAuthMiddleware(http))
    app.post('/login', (req, res, next) => {
      login(req, res, { sub: 'alice', transport: 'bearer' }).catch(next)
    })
    const url = await listen(app)
    const response = await fetch(`${url}/login`, { method: 'POST', headers: { 'x-forwarded-for': '203.0.113.7' } })
    expect(response.status).toBe(200)
    expect((await http.auth.listSessions('alice')).map((session) => session.metadata.ip)).toEqual(['203.0.113.7'])
  })

  it('refuses anything but createAuthHttp output at setup', () => {
    expect(() => createAuthMiddleware({} as never)).toThrow(/createAuthHttp/)
    expect(() => createAuthRouter(undefined as never)).toThrow(/createAuthHttp/)
  })

  it('keeps the cookies the application set when the router answers, and mounts under a sub-path', async () => {
    const http = await setup()
    const app = express()
    app.use((_req, res, next) => {
      res.setHeader('set-cookie', ['theme=dark; Path=/'])
      next()
    })
    app.use('/mounted', createAuthRouter(http)) // full paths: /mounted/auth/… is not a route
    app.use(createAuthRouter(http))
    const url = await listen(app)
    const response = await fetch(`${url}/auth/logout`, { method: 'POST' })
    expect(response.status).toBe(401)
    expect(response.headers.getSetCookie()).toEqual(['theme=dark; Path=/'])
    const jwks = await fetch(`${url}/.well-known/jwks.json`)
    expect(jwks.status).toBe(200)
    expect((await fetch(`${url}/mounted/auth/logout`, { method: 'POST' })).status).toBe(404)
  })
})
