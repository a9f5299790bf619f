/**
 * What is Koa-specific in the adapter, on Koa 2 and 3: where the principal goes, the setup
 * errors, how an application's AuthError is answered, `@koa/router` and a body parser in front
 * of the routes. The protocol itself is `describeAdapter`'s (koa.test.ts).
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AuthError, createAuth, createAuthHttp, generateKeySet } from '@auth/core'
import { createMemoryStore } from '@auth/store-memory'
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import { afterEach, describe, expect, it } from 'vitest'
import { createAuthMiddleware, createAuthRoutes, login, requireAuth, sendAuthError } from '../src/index.js'

const majors = { 'Koa 2': Koa2, 'Koa 3': Koa3 } as const
const ORIGIN = 'http://app.test'

async function setup() {
  const auth = createAuth({ store: createMemoryStore(), keys: await generateKeySet(), issuer: 'https://i.test', audience: 'https://a.test' })
  return createAuthHttp(auth, { allowedOrigins: [ORIGIN] })
}

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

async function listen(app: Koa3): Promise<string> {
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await new Promise((resolve) => server.once('listening', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe.each(Object.entries(majors))('%s', (_name, Koa) => {
  it('puts the principal on ctx.state.auth (null without a credential); answers an application AuthError as JSON', async () => {
    const http = await setup()
    const app = new Koa()
    const router = new Router()
    router.post('/login', bodyParser(), async (ctx) => {
      const body = ctx.request.body as { password?: string }
      if (body.password !== 'right') return sendAuthError(ctx, new AuthError('invalid_credentials'))
      await login(ctx, { sub: 'alice', transport: 'bearer' })
    })
    router.get('/whoami', (ctx) => {
      const auth = ctx.state.auth
      ctx.body = { auth: auth === null ? null : { sub: auth?.sub, transport: auth?.transport } }
    })
    app.use(createAuthRoutes(http)).use(createAuthMiddleware(http)).use(router.routes())
    const url = await listen(app)
    const refused = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":"wrong"}' })
    expect([refused.status, await refused.json()]).toEqual([401, { error: { code: 'invalid_credentials', message: 'The credentials are invalid.' } }])
    const ok = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":"right"}' })
    const { accessToken } = (await ok.json()) as { accessToken: string }
    expect(await (await fetch(`${url}/whoami`)).json()).toEqual({ auth: null })
    const me = await fetch(`${url}/whoami`, { headers: { authorization: `Bearer ${accessToken}` } })
    expect(await me.json()).toEqual({ auth: { sub: 'alice', transport: 'bearer' } })
  })

  it('reads a refresh body a body parser already consumed, and answers 204 and HEAD without a body', async () => {
    const http = await setup()
    const app = new Koa()
    app.use(bodyParser()).use(createAuthRoutes(http)).use(createAuthMiddleware(http))
    app.use(async (ctx, next) => {
      if (ctx.path === '/login') return login(ctx, { sub: 'alice', transport: 'bearer' })
      await next()
    })
    app.use(requireAuth()).use((ctx) => {
      ctx.body = { sub: ctx.state.auth?.sub }
    })
    const url = await listen(app)
    const tokens = (await (await fetch(`${url}/login`, { method: 'POST' })).json()) as { accessToken: string; refreshToken: string }
    const refreshed = await fetch(`${url}/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: tokens.refreshToken }) })
    expect(refreshed.status).toBe(200)
    const head = await fetch(`${url}/api/me`, { method: 'HEAD' })
    expect([head.status, await head.text(), head.headers.get('www-authenticate')]).toEqual([401, '', 'Bearer'])
    const logout = await fetch(`${url}/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${tokens.accessToken}` } })
    expect([logout.status, await logout.text()]).toEqual([204, ''])
  })

  it("records the address Koa reports (ctx.ip, with app.proxy) in a login's session metadata", async () => {
    const http = await setup()
    const app = new Koa({ proxy: true })
    const router = new Router()
    router.post('/login', (ctx) => login(ctx, { sub: 'alice', transport: 'bearer' }))
    app.use(createAuthMiddleware(http)).use(router.routes())
    const url = await listen(app)
    const response = await fetch(`${url}/login`, { method: 'POST', headers: { 'x-forwarded-for': '203.0.113.7' } })
    expect(response.status).toBe(200)
    expect((await http.auth.listSessions('alice')).map((session) => session.metadata.ip)).toEqual(['203.0.113.7'])
  })

  it('requireAuth without the middleware fails loudly, naming what is missing; setup refuses a non-protocol', async () => {
    const app = new Koa()
    app.use(async (ctx, next) => {
      try {
        await next()
      } catch (error) {
        ctx.status = 500
        ctx.body = { message: (error as Error).message }
      }
    })
    app.use(requireAuth())
    const url = await listen(app)
    const response = await fetch(`${url}/x`)
    expect([response.status, await response.json()]).toEqual([500, { message: '@auth/koa: requireAuth needs createAuthMiddleware(http) mounted before it' }])
    expect(() => createAuthMiddleware({} as never)).toThrow(/createAuthHttp/)
    expect(() => createAuthRoutes(undefined as never)).toThrow(/createAuthHttp/)
  })
})
