// docs/migration.md, from express-session + connect-redis: one HTTP scenario (login, a protected
// call, session data round trip, logout, the old cookie refused after logout) run against the app
// before the migration and after it, on a real redis-server; then what changes for clients, and
// the transition that carries old sessions over.
import { randomBytes } from 'node:crypto'
import { type RedisServer, startRedisServer } from '@auth/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CookieJar, serve } from '../guide-testing/http.js'
import * as after from './after.js'
import * as before from './before.js'

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedisServer()
})
afterAll(async () => {
  await redis?.stop()
})

/** One app on a free loopback port; `origin` is where its pages would be served from. */
async function start(create: typeof before.createApp | typeof after.createApp, extra: Partial<after.AppOptions> = {}) {
  const served = await serve((req, res) => example?.app(req, res))
  const origin = `http://127.0.0.1:${served.port}`
  const options = { redisUrl: redis.url, secret: randomBytes(32).toString('base64'), origin, ...extra }
  const example: before.MigrationApp | after.MigrationApp = await create(options)
  return {
    origin,
    options,
    /** A request as a page of the site sends it: JSON, with its `Origin`, the jar's cookies. */
    async call(jar: CookieJar, method: string, path: string, body?: unknown, headers: Record<string, string> = { origin }) {
      const response = await fetch(origin + path, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers, ...jar.header() },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'manual',
      })
      jar.take(response)
      return response
    },
    async close() {
      await served.close()
      await example.close()
    },
  }
}
type Started = Awaited<ReturnType<typeof start>>

const CREDENTIALS = { email: 'demo@example.com', password: 'demo-password' }

describe.each([
  { name: 'before: express-session + connect-redis', create: before.createApp, cookie: 'connect.sid' },
  { name: 'after: @auth/express, session transport, @auth/store-redis', create: after.createApp, cookie: '__Host-auth-session' },
])('$name', ({ create, cookie }) => {
  let app: Started
  beforeAll(async () => {
    app = await start(create)
  })
  afterAll(async () => {
    await app?.close()
  })

  it('runs the scenario: login, protected call, session data round trip, logout, old cookie refused', async () => {
    const jar = new CookieJar()
    expect((await app.call(jar, 'GET', '/api/me')).status).toBe(401)
    const wrong = await app.call(jar, 'POST', '/login', { ...CREDENTIALS, password: 'nope' })
    expect(wrong.status).toBe(401)
    expect(jar.names()).toEqual([])

    expect((await app.call(jar, 'POST', '/login', CREDENTIALS)).status).toBe(200)
    expect(jar.names()).toEqual([cookie])
    const me = await app.call(jar, 'GET', '/api/me')
    expect([me.status, await me.json()]).toEqual([200, { userId: 'user-1', cart: [] }])

    expect(await (await app.call(jar, 'POST', '/api/cart', { item: 'apple' })).json()).toEqual({ cart: ['apple'] })
    expect(await (await app.call(jar, 'POST', '/api/cart', { item: 'pear' })).json()).toEqual({ cart: ['apple', 'pear'] })
    expect(await (await app.call(jar, 'GET', '/api/me')).json()).toEqual({ userId: 'user-1', cart: ['apple', 'pear'] })

    const copied = jar.copy()
    const logout = await app.call(jar, 'POST', '/logout')
    expect(logout.status).toBe(204)
    expect(jar.names()).toEqual([])
    // The old cookie, replayed: its session is gone from Redis.
    expect((await app.call(copied, 'GET', '/api/me')).status).toBe(401)
    expect((await app.call(copied, 'POST', '/api/cart', { item: 'fig' })).status).toBe(401)
  })

  it('gives every login a new session id (no fixation): the cookie before login is not the one after', async () => {
    const jar = new CookieJar()
    await app.call(jar, 'POST', '/login', CREDENTIALS)
    const first = jar.get(cookie)
    await app.call(jar, 'POST', '/login', CREDENTIALS)
    expect(jar.get(cookie)).toBeDefined()
    expect(jar.get(cookie)).not.toBe(first)
  })
})

describe('what changes for clients', () => {
  let old: Started
  let next: Started
  beforeAll(async () => {
    ;[old, next] = await Promise.all([start(before.createApp), start(after.createApp)])
  })
  afterAll(async () => {
    await old?.close()
    await next?.close()
  })
  const signIn = async (app: Started) => {
    const jar = new CookieJar()
    expect((await app.call(jar, 'POST', '/login', CREDENTIALS)).status).toBe(200)
    return jar
  }

  it('the cookie: connect.sid (HttpOnly, SameSite=Lax) becomes __Host-auth-session (also Secure, always)', async () => {
    const oldCookie = (await old.call(new CookieJar(), 'POST', '/login', CREDENTIALS)).headers.getSetCookie()
    expect(oldCookie).toEqual([expect.stringMatching(/^connect\.sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/)])
    const newCookie = (await next.call(new CookieJar(), 'POST', '/login', CREDENTIALS)).headers.getSetCookie()
    expect(newCookie[0]).toMatch(/^__Host-auth-session=[^;]+; Max-Age=\d+; Path=\/; Secure; HttpOnly; SameSite=Lax$/)
  })

  it('the 401 body: your own JSON becomes { error: { code, message } } with a stable code', async () => {
    const oldAnswer = await old.call(new CookieJar(), 'GET', '/api/me')
    expect(await oldAnswer.json()).toEqual({ error: 'not signed in' })
    const newAnswer = await next.call(new CookieJar(), 'GET', '/api/me')
    expect([newAnswer.status, await newAnswer.json()]).toEqual([401, { error: { code: 'token_missing', message: expect.any(String) } }])
  })

  it('CSRF: a cookie-authenticated POST from another site went through before; now it is 403 csrf_rejected', async () => {
    const evil = { origin: 'https://evil.example' }
    const oldJar = await signIn(old)
    expect((await old.call(oldJar, 'POST', '/api/cart', { item: 'forged' }, evil)).status).toBe(200)
    const newJar = await signIn(next)
    const refused = await next.call(newJar, 'POST', '/api/cart', { item: 'forged' }, evil)
    expect([refused.status, (await refused.json()).error.code]).toEqual([403, 'csrf_rejected'])
    expect(await (await next.call(newJar, 'GET', '/api/me')).json()).toEqual({ userId: 'user-1', cart: [] })
    // A login posted from another site (login CSRF) is refused too.
    expect((await next.call(new CookieJar(), 'POST', '/login', CREDENTIALS, evil)).status).toBe(403)
  })

  it('an express-session cookie means nothing to the new app without the transition', async () => {
    const oldJar = await signIn(old)
    const answer = await next.call(oldJar, 'GET', '/api/me')
    expect([answer.status, (await answer.json()).error.code]).toEqual([401, 'token_missing'])
  })
})

describe('the transition: the new app carries live express-session sessions over', () => {
  let old: Started
  let next: Started
  beforeAll(async () => {
    old = await start(before.createApp)
    next = await start(after.createApp, { legacySessions: { redisUrl: redis.url, secret: old.options.secret } })
  })
  afterAll(async () => {
    await old?.close()
    await next?.close()
  })

  /** What a browser does with a 307: repeat the request, same method and body, with the cookies it now holds. */
  async function follow(jar: CookieJar, method: string, path: string, body?: unknown) {
    const first = await next.call(jar, method, path, body)
    if (first.status !== 307) return first
    expect(first.headers.get('location')).toBe(path)
    return next.call(jar, method, path, body)
  }

  it('swaps a live old session for a new one, with its data; the old cookie then works nowhere', async () => {
    const jar = new CookieJar()
    await old.call(jar, 'POST', '/login', CREDENTIALS)
    await old.call(jar, 'POST', '/api/cart', { item: 'apple' })
    const oldCookie = jar.copy()

    const carried = await next.call(jar, 'POST', '/api/cart', { item: 'pear' })
    expect(carried.status).toBe(307)
    expect(jar.names()).toEqual(['__Host-auth-session'])
    const repeated = await next.call(jar, 'POST', '/api/cart', { item: 'pear' })
    expect(await repeated.json()).toEqual({ cart: ['apple', 'pear'] })

    // The old session was destroyed: not usable on the old app, nor carried over a second time.
    expect((await old.call(oldCookie.copy(), 'GET', '/api/me')).status).toBe(401)
    const again = await next.call(oldCookie.copy(), 'GET', '/api/me')
    expect([again.status, (await again.json()).error.code]).toEqual([401, 'token_missing'])
    const oldId = decodeURIComponent(oldCookie.get('connect.sid')!).slice('s:'.length).split('.')[0]!
    expect(redis.cli('exists', `sess:${oldId}`).trim()).toBe('0')
  })

  it('does not carry over a cross-site request (CSRF), a forged cookie, or an ended session', async () => {
    const jar = new CookieJar()
    await old.call(jar, 'POST', '/login', CREDENTIALS)
    const crossSite = await next.call(jar.copy(), 'POST', '/api/cart', { item: 'x' }, { origin: 'https://evil.example' })
    expect([crossSite.status, (await crossSite.json()).error.code]).toEqual([401, 'token_missing'])
    // Still live, so a same-site request then carries it over.
    expect((await follow(jar.copy(), 'GET', '/api/me')).status).toBe(200)

    const forged = new CookieJar()
    await old.call(forged, 'POST', '/login', CREDENTIALS)
    const value = forged.get('connect.sid')!
    const tampered = new CookieJar().set('connect.sid', `${value.slice(0, -4)}AAAA`) // the signature no longer matches
    expect((await next.call(tampered, 'GET', '/api/me')).status).toBe(401)

    const ended = new CookieJar()
    await old.call(ended, 'POST', '/login', CREDENTIALS)
    const copy = ended.copy()
    await old.call(ended, 'POST', '/logout')
    expect((await next.call(copy, 'GET', '/api/me')).status).toBe(401)
  })

  it('leaves new sessions alone: a new cookie is never redirected', async () => {
    const jar = new CookieJar()
    expect((await next.call(jar, 'POST', '/login', CREDENTIALS)).status).toBe(200)
    expect((await next.call(jar, 'GET', '/api/me')).status).toBe(200)
  })
})

describe('a Redis outage after the migration: 503 store_unavailable with Retry-After, never a pass, the cookie kept', () => {
  let own: RedisServer
  let app: Started
  beforeAll(async () => {
    own = await startRedisServer()
    app = await start(after.createApp, { redisUrl: own.url })
  })
  afterAll(async () => {
    own?.resume()
    await app?.close()
    await own?.stop()
  })

  it('answers 503 to a read and to a write while Redis is frozen, keeps the cookie, and serves again after', async () => {
    const jar = new CookieJar()
    expect((await app.call(jar, 'POST', '/login', CREDENTIALS)).status).toBe(200)
    own.pause()
    try {
      for (const [method, path, body] of [['GET', '/api/me', undefined], ['POST', '/api/cart', { item: 'x' }]] as const) {
        const answer = await app.call(jar, method, path, body)
        expect([answer.status, (await answer.json()).error.code], `${method} ${path}`).toEqual([503, 'store_unavailable'])
        expect(answer.headers.get('retry-after')).toMatch(/^\d+$/)
        expect(jar.names()).toEqual(['__Host-auth-session'])
      }
    } finally {
      own.resume()
    }
    let answer = await app.call(jar, 'GET', '/api/me')
    for (let attempt = 0; answer.status === 503 && attempt < 20; attempt++) answer = await app.call(jar, 'GET', '/api/me') // while ioredis reconnects
    expect([answer.status, await answer.json()]).toEqual([200, { userId: 'user-1', cart: [] }])
  })
})
