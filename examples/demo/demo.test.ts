// The demo server end to end: started as a child process on a free port (once on the memory
// store, once on a real redis-server), driven over real HTTP the way its page and a non-browser
// client drive it, then stopped with a signal. And the ways it refuses to start.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { freePort, type RedisServer, startRedisServer } from '@auth/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DemoProcess, spawnDemo, startDemo } from './demo-process.js'

const STOP_BUDGET_MS = 5000

/** The cookies a browser keeps for the demo's origin, each sent only under its `Path`. */
class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>()

  absorb(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const name = pair.slice(0, pair.indexOf('='))
      const value = pair.slice(pair.indexOf('=') + 1)
      const attribute = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1)
      if (value === '' || Number(attribute('max-age') ?? 1) <= 0) this.#cookies.delete(name)
      else this.#cookies.set(name, { value, path: attribute('path') ?? '/' })
    }
  }

  header(path: string): string | undefined {
    const sent = [...this.#cookies].filter(([, c]) => c.path === '/' || path === c.path || path.startsWith(`${c.path}/`))
    return sent.length === 0 ? undefined : sent.map(([name, c]) => `${name}=${c.value}`).join('; ')
  }

  names(): string[] {
    return [...this.#cookies.keys()].sort()
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name)?.value
  }
}

interface Reply {
  status: number
  headers: Headers
  body: any // whatever the JSON holds
}

interface RequestOptions {
  body?: unknown
  bearer?: string
  /** The `Origin` header; default the demo's own, as a browser on the page sends it. `null`: none. */
  origin?: string | null
}

/** A client of the demo: a browser tab (its cookie jar, its `Origin`) or, with `bearer`, an API client. */
function clientOf(base: string) {
  const jar = new CookieJar()
  async function request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = {}
    const origin = options.origin === undefined ? base : options.origin
    if (origin !== null) headers.origin = origin
    const cookie = jar.header(path)
    if (cookie) headers.cookie = cookie
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(base + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) })
    jar.absorb(response)
    const text = await response.text()
    const json = response.headers.get('content-type')?.startsWith('application/json') && text !== ''
    return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : text }
  }
  return { jar, request }
}

const DEMO = { email: 'demo@example.com', password: 'demo-password' }
const ALICE = { email: 'alice@example.com', password: 'alice-password' }

const RUNS = [
  { framework: 'express', store: 'memory', env: {}, ttlSeconds: 900, graceSeconds: 10, stopWith: 'SIGTERM' },
  { framework: 'fastify', store: 'memory', env: { DEMO_FRAMEWORK: 'fastify' }, ttlSeconds: 900, graceSeconds: 10, stopWith: 'SIGTERM' },
  { framework: 'koa', store: 'memory', env: { DEMO_FRAMEWORK: 'koa', DEMO_TEST_HOOKS: '1' }, ttlSeconds: 900, graceSeconds: 10, stopWith: 'SIGINT' },
  { framework: 'express', store: 'redis', env: { ACCESS_TOKEN_TTL: '120', REFRESH_GRACE: '0', DEMO_TEST_HOOKS: '1' }, ttlSeconds: 120, graceSeconds: 0, stopWith: 'SIGINT' },
  { framework: 'fastify', store: 'redis', env: { DEMO_FRAMEWORK: 'fastify', ACCESS_TOKEN_TTL: '120', REFRESH_GRACE: '0', DEMO_TEST_HOOKS: '1' }, ttlSeconds: 120, graceSeconds: 0, stopWith: 'SIGTERM' },
] as const

describe.each(RUNS)('the demo on $framework and the $store store', ({ framework, store, env, ttlSeconds, graceSeconds, stopWith }) => {
  let redis: RedisServer | undefined
  let demo: DemoProcess & { url: string }
  let base: string

  beforeAll(async () => {
    if (store === 'redis') redis = await startRedisServer()
    demo = await startDemo({ ...env, PORT: String(await freePort()), REDIS_URL: redis?.url })
    base = demo.url
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('prints the localhost URL, the store and the demo users', () => {
    expect(base).toMatch(/^http:\/\/localhost:\d+$/)
    expect(demo.stdout()).toContain(`(${framework}, ${store} store) listening on ${base}`)
    expect(demo.stdout()).toContain('demo@example.com / demo-password')
  })

  it('serves the HTML page at GET /, on the client bundle of this origin, with a CSP that allows nothing else', async () => {
    const page = await clientOf(base).request('GET', '/')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'self' 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'self'/)
    expect(page.body).toContain('<form id="login-form">')
    expect(page.body).toContain("import { createAuthClient } from '/client.js'")
    expect(page.body).not.toMatch(/\b(?:src|href)=["']?(?:https?:)?\/\//) // nothing from elsewhere
    expect(page.body).not.toMatch(/localStorage|sessionStorage|document\.cookie/)
  })

  it('serves @auth/client as one ES module at GET /client.js', async () => {
    const bundle = await clientOf(base).request('GET', '/client.js')
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(bundle.body).toMatch(/export\s*\{[^}]*\bcreateAuthClient\b/)
    expect(bundle.body).not.toMatch(/\bimport\b[^;]*\bfrom\b/) // self-contained
  })

  it(`${'DEMO_TEST_HOOKS' in env ? 'serves' : 'does not serve'} the test routes under /test/`, async () => {
    const { request } = clientOf(base)
    const stats = await request('GET', '/test/stats')
    if (!('DEMO_TEST_HOOKS' in env)) {
      expect(stats.status).toBe(404)
      expect((await request('GET', '/test/always-401')).status).toBe(404)
      return
    }
    expect(stats.status).toBe(200)
    expect((await request('POST', '/test/reset')).status).toBe(200)
    const login = await request('POST', '/auth/login', { body: { ...DEMO, transport: 'bearer' } })
    const { refreshToken } = login.body
    expect((await request('POST', '/auth/refresh', { body: { refreshToken } })).status).toBe(200)
    expect((await request('GET', '/test/stats')).body).toMatchObject({ refreshCalls: 1, refreshed: 1, refused: {}, reuseDetections: 0 })
    const always = await request('GET', '/test/always-401', { bearer: login.body.accessToken })
    expect(always.status).toBe(401)
    expect(always.body.error.code).toBe('token_invalid')
    // The server's clock moves: the access token of the login is then expired there.
    expect((await request('POST', `/test/clock?advanceMs=${(ttlSeconds + 10) * 1000}`)).status).toBe(200)
    expect((await request('GET', '/api/me', { bearer: login.body.accessToken })).body.error.code).toBe('token_expired')
    expect((await request('POST', '/test/clock?advanceMs=-1')).status).toBe(400)
    expect((await request('GET', '/test/nothing')).status).toBe(404)
  })

  it('answers a wrong password or an unknown email with 401 invalid_credentials, a malformed login with 400', async () => {
    const { request } = clientOf(base)
    for (const body of [{ ...DEMO, password: 'wrong' }, { email: 'nobody@example.com', password: 'demo-password' }, { email: DEMO.email, password: ALICE.password }]) {
      const reply = await request('POST', '/auth/login', { body })
      expect(reply.status).toBe(401)
      expect(reply.body).toEqual({ error: { code: 'invalid_credentials', message: 'The credentials are invalid.' } })
      expect(reply.headers.getSetCookie()).toEqual([])
    }
    for (const body of [{ email: DEMO.email }, { ...DEMO, transport: 'carrier-pigeon' }, ['demo@example.com']]) {
      expect((await request('POST', '/auth/login', { body })).body.error.code).toBe('bad_request')
    }
  })

  it('refuses a cookie login sent from another origin (login CSRF): 403 csrf_rejected, no cookies', async () => {
    const reply = await clientOf(base).request('POST', '/auth/login', { body: DEMO, origin: 'http://evil.example' })
    expect(reply.status).toBe(403)
    expect(reply.body.error.code).toBe('csrf_rejected')
    expect(reply.headers.getSetCookie()).toEqual([])
  })

  it('cookie transport: login, /api/me, refresh, sessions, logout; then /api/me is 401', async () => {
    const { jar, request } = clientOf(base)
    const login = await request('POST', '/auth/login', { body: DEMO })
    expect(login.status).toBe(200)
    expect(login.body).toEqual({ transport: 'cookie', expiresIn: ttlSeconds, sessionId: expect.any(String), accessTokenExpiresAt: expect.any(Number), refreshTokenExpiresAt: expect.any(Number) })
    expect(jar.names()).toEqual(['__Host-auth-at', '__Secure-auth-rt'])
    const sid = login.body.sessionId
    if (redis) expect(redis.cli('--scan', '--pattern', 'auth-demo:*')).toContain(`:user-demo:${sid}`)

    expect((await request('GET', '/api/me')).body).toEqual({ sub: 'user-demo', sid, email: DEMO.email, transport: 'cookie' })

    const refreshCookie = jar.get('__Secure-auth-rt')
    const refreshed = await request('POST', '/auth/refresh')
    expect(refreshed.status).toBe(200)
    expect(refreshed.body).toMatchObject({ transport: 'cookie', sessionId: sid, expiresIn: ttlSeconds })
    expect(refreshed.body.accessToken).toBeUndefined()
    expect(jar.get('__Secure-auth-rt')).not.toBe(refreshCookie)
    expect((await request('GET', '/api/me')).status).toBe(200)

    const sessions = await request('GET', '/auth/sessions')
    expect(sessions.status).toBe(200)
    expect(sessions.body.sessions.filter((s: { current: boolean }) => s.current).map((s: { id: string }) => s.id)).toEqual([sid])

    const accessCookie = jar.get('__Host-auth-at')
    const logout = await request('POST', '/auth/logout')
    expect(logout.status).toBe(204)
    expect(jar.names()).toEqual([])
    const me = await request('GET', '/api/me')
    expect(me.status).toBe(401)
    expect(me.body.error.code).toBe('token_missing')
    // The access token itself stopped working too, not just the browser's copy of it.
    const replay = await fetch(`${base}/api/me`, { headers: { cookie: `__Host-auth-at=${accessCookie}` } })
    expect(replay.status).toBe(401)
    expect(((await replay.json()) as Reply['body']).error.code).toBe('session_revoked')
  })

  it('bearer transport: login, /api/me, refresh, sessions, logout; then /api/me is 401', async () => {
    const { jar, request } = clientOf(base)
    const login = await request('POST', '/auth/login', { body: { ...DEMO, transport: 'bearer' }, origin: null })
    expect(login.status).toBe(200)
    expect(login.body).toMatchObject({ transport: 'bearer', expiresIn: ttlSeconds, accessToken: expect.any(String), refreshToken: expect.any(String) })
    expect(jar.names()).toEqual([])
    const sid = login.body.sessionId

    const me = await request('GET', '/api/me', { bearer: login.body.accessToken, origin: null })
    expect(me.body).toEqual({ sub: 'user-demo', sid, email: DEMO.email, transport: 'bearer' })

    const refreshed = await request('POST', '/auth/refresh', { body: { refreshToken: login.body.refreshToken }, origin: null })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body).toMatchObject({ transport: 'bearer', sessionId: sid, expiresIn: ttlSeconds })
    const { accessToken } = refreshed.body
    expect((await request('GET', '/api/me', { bearer: accessToken })).status).toBe(200)

    const sessions = await request('GET', '/auth/sessions', { bearer: accessToken })
    expect(sessions.body.sessions.find((s: { id: string }) => s.id === sid)).toMatchObject({ current: true, transport: 'tokens' })

    expect((await request('POST', '/auth/logout', { bearer: accessToken, origin: null })).status).toBe(204)
    const after = await request('GET', '/api/me', { bearer: accessToken })
    expect(after.status).toBe(401)
    expect(after.body.error.code).toBe('session_revoked')
    expect(after.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    expect((await request('POST', '/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } })).status).toBe(401)
  })

  it(`a rotated refresh token presented again ${graceSeconds > 0 ? 'within the grace window gets the same successor' : 'after the grace window ends the session'}`, async () => {
    const { request } = clientOf(base)
    const login = await request('POST', '/auth/login', { body: { ...DEMO, transport: 'bearer' } })
    const first = await request('POST', '/auth/refresh', { body: { refreshToken: login.body.refreshToken } })
    await new Promise((resolve) => setTimeout(resolve, 5)) // REFRESH_GRACE=0 forgives the same millisecond only
    const again = await request('POST', '/auth/refresh', { body: { refreshToken: login.body.refreshToken } })
    if (graceSeconds > 0) {
      expect(again.status).toBe(200)
      expect(again.body.refreshToken).toBe(first.body.refreshToken)
    } else {
      expect(again.status).toBe(401)
      expect(again.body.error.code).toBe('refresh_reused')
      expect((await request('GET', '/api/me', { bearer: first.body.accessToken })).status).toBe(401)
    }
  })

  it('session transport: login, /api/me, sessions, logout; then /api/me is 401', async () => {
    const { jar, request } = clientOf(base)
    const login = await request('POST', '/auth/login', { body: { ...DEMO, transport: 'session' } })
    expect(login.status).toBe(200)
    expect(login.body).toEqual({ transport: 'session', sessionId: expect.any(String), expiresAt: expect.any(Number), expiresIn: 604_800 })
    expect(jar.names()).toEqual(['__Host-auth-session'])
    const sid = login.body.sessionId
    expect((await request('GET', '/api/me')).body).toEqual({ sub: 'user-demo', sid, email: DEMO.email, transport: 'session' })
    const sessions = await request('GET', '/auth/sessions')
    expect(sessions.body.sessions.find((s: { id: string }) => s.id === sid)).toMatchObject({ current: true, transport: 'session' })
    expect((await request('POST', '/auth/logout')).status).toBe(204)
    expect(jar.names()).toEqual([])
    expect((await request('GET', '/api/me')).status).toBe(401)
  })

  it('a user lists and ends only their own sessions; logout-all ends all of them', async () => {
    const demoApi = clientOf(base)
    const demoTab = clientOf(base)
    const alice = clientOf(base)
    const demoLogin = await demoApi.request('POST', '/auth/login', { body: { ...DEMO, transport: 'bearer' } })
    const tabLogin = await demoTab.request('POST', '/auth/login', { body: DEMO })
    const aliceLogin = await alice.request('POST', '/auth/login', { body: ALICE })
    const demoToken = demoLogin.body.accessToken

    const aliceSessions = (await alice.request('GET', '/auth/sessions')).body.sessions.map((s: { id: string }) => s.id)
    expect(aliceSessions).toContain(aliceLogin.body.sessionId)
    expect(aliceSessions).not.toContain(demoLogin.body.sessionId)
    const stranger = await alice.request('DELETE', `/auth/sessions/${demoLogin.body.sessionId}`)
    expect(stranger.status).toBe(404)
    expect(stranger.body.error.code).toBe('not_found')
    expect((await demoApi.request('GET', '/api/me', { bearer: demoToken })).status).toBe(200)

    // From the API client, end the browser tab's session.
    expect((await demoApi.request('DELETE', `/auth/sessions/${tabLogin.body.sessionId}`, { bearer: demoToken })).status).toBe(204)
    expect((await demoTab.request('GET', '/api/me')).body.error.code).toBe('session_revoked')

    const all = await demoApi.request('POST', '/auth/logout-all', { bearer: demoToken })
    expect(all.status).toBe(200)
    expect(all.body.ended).toBeGreaterThanOrEqual(1)
    expect((await demoApi.request('GET', '/api/me', { bearer: demoToken })).status).toBe(401)
    expect((await alice.request('GET', '/api/me')).body.email).toBe(ALICE.email)
  })

  it('serves the public JWKS, and a JSON 404 elsewhere', async () => {
    const { request } = clientOf(base)
    const jwks = await request('GET', '/.well-known/jwks.json')
    expect(jwks.status).toBe(200)
    expect(jwks.body.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: expect.any(String) })])
    expect(jwks.body.keys[0].d).toBeUndefined()
    const missing = await request('GET', '/api/nothing')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('not_found')
  })

  it(`stops with exit code 0 within ${STOP_BUDGET_MS / 1000} s on ${stopWith}`, async () => {
    const started = Date.now()
    demo.child.kill(stopWith)
    expect(await demo.exited).toEqual({ code: 0, signal: null })
    expect(Date.now() - started).toBeLessThan(STOP_BUDGET_MS)
    expect(demo.stdout()).toContain(`demo: stopped (${stopWith})`)
    expect(demo.stderr()).toBe('')
  })
})

describe('the demo refuses to start', () => {
  /** Runs the demo to its exit and answers its code, stdout and stderr. */
  async function runToExit(env: Record<string, string | undefined>) {
    const demo = spawnDemo(env)
    const exit = await demo.exited
    return { ...exit, stdout: demo.stdout(), stderr: demo.stderr() }
  }

  it('with NODE_ENV=production: exit code 1 and one line saying why', async () => {
    const run = await runToExit({ NODE_ENV: 'production', PORT: String(await freePort()) })
    expect(run).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: 'demo: refusing to start with NODE_ENV=production: the demo has built-in users and passwords and a fixed secret\n',
    })
  })

  it('with an unknown DEMO_FRAMEWORK: exit code 1, listing the supported ones', async () => {
    const run = await runToExit({ DEMO_FRAMEWORK: 'hapi' })
    expect(run).toMatchObject({ code: 1, stdout: '', stderr: 'demo: DEMO_FRAMEWORK="hapi" is not supported; use one of: express, fastify, koa\n' })
  })

  it('when nothing answers at REDIS_URL: exit code 1 within seconds', async () => {
    const port = await freePort()
    const run = await runToExit({ REDIS_URL: `redis://:hunter2@127.0.0.1:${port}`, PORT: String(await freePort()) })
    expect(run).toMatchObject({ code: 1, stdout: '' })
    expect(run.stderr).toMatch(new RegExp(`^demo: cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(REDIS_URL\\): .+\\n$`))
    expect(run.stderr).not.toContain('hunter2')
  })

  it('when the port is taken: exit code 1, saying to set PORT', async () => {
    const taken = createServer()
    const port = await freePort()
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve))
    try {
      const run = await runToExit({ PORT: String(port) })
      expect(run).toMatchObject({ code: 1, stdout: '', stderr: `demo: cannot listen on 127.0.0.1:${port}: port ${port} is in use; set PORT to another one\n` })
    } finally {
      taken.close()
    }
  })
})

describe('the demo started by a test', () => {
  it('stops by itself once the process that started it is gone, even killed with SIGKILL (DEMO_PARENT_PID)', async () => {
    const parent = spawn('sleep', ['600'], { stdio: 'ignore' })
    const demo = await startDemo({ DEMO_PARENT_PID: String(parent.pid), PORT: String(await freePort()) })
    parent.kill('SIGKILL')
    const started = Date.now()
    expect(await demo.exited).toEqual({ code: 0, signal: null })
    expect(Date.now() - started).toBeLessThan(STOP_BUDGET_MS)
    expect(demo.stdout()).toContain('demo: stopped (SIGTERM)')
  })
})
