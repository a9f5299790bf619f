/**
 * The protocol in process, on the test store with a fake clock: option validation, route
 * matching, which credential counts, the cookie rules of refresh, guards and the login helper.
 * Over real HTTP, the same protocol is `describeAdapter`'s.
 */
import { describe, expect, it } from 'vitest'
import { useHarness } from '../../test/harness.js'
import { createAuthHttp, type CreateAuthHttpOptions } from './auth-http.js'
import type { AuthHttpRequest, AuthHttpResponse } from './exchange.js'

const harness = useHarness()
const ORIGIN = 'https://app.test'

function req(method: string, url: string, headers: Record<string, string | string[]> = {}, body?: unknown): AuthHttpRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  if (body !== undefined) lower['content-type'] ??= 'application/json'
  return { method, url, header: (name) => lower[name], readBody: async () => (body === undefined ? '' : JSON.stringify(body)), ip: '203.0.113.7' }
}

function setup(options: Partial<CreateAuthHttpOptions> = {}) {
  const h = harness({ refreshGraceMs: 10_000 })
  return { ...h, http: createAuthHttp(h.auth, { allowedOrigins: [ORIGIN], ...options }) }
}

/** The `Cookie` header a browser sends after this response: cleared cookies (`Max-Age=0`) are gone. */
const jar = (response: AuthHttpResponse) => response.cookies.filter((c) => !/; Max-Age=0;/.test(c)).map((c) => c.split(';')[0]).join('; ')
const codeOf = (response: AuthHttpResponse | undefined) => (response?.body as { error?: { code: string } } | undefined)?.error?.code ?? response?.status

describe('createAuthHttp options', () => {
  it('refuses what a typo or a bad value would silently change', () => {
    const { auth } = harness()
    expect(() => createAuthHttp(auth, { allowedOrigins: [ORIGIN], prefx: '/x' } as never)).toThrow(/unknown option "prefx"/)
    expect(() => createAuthHttp(auth, undefined as never)).toThrow(/allowedOrigins/)
    expect(() => createAuthHttp({} as never, { allowedOrigins: [ORIGIN] })).toThrow(/createAuth/)
    expect(() => createAuthHttp(auth, { allowedOrigins: [] })).toThrow(/allowedOrigins/)
    for (const prefix of ['auth', '/auth/', '/', '/a b', '/a//b']) expect(() => createAuthHttp(auth, { allowedOrigins: [ORIGIN], prefix })).toThrow(/prefix/)
    expect(() => createAuthHttp(auth, { allowedOrigins: [ORIGIN], transports: [] })).toThrow(/transports/)
    expect(() => createAuthHttp(auth, { allowedOrigins: [ORIGIN], transports: ['tokens' as never] })).toThrow(/transports/)
    expect(() => createAuthHttp(auth, { allowedOrigins: [ORIGIN], maxBodyBytes: 100 })).toThrow(/maxBodyBytes/)
    expect(() => createAuthHttp(auth, { allowedOrigins: [ORIGIN], jwksPath: 'jwks' })).toThrow(/jwksPath/)
    expect(() => createAuthHttp(auth, { allowedOrigins: [ORIGIN], cookies: { sameSite: 'None', path: '/' } as never })).toThrow(TypeError)
  })

  it('scopes the refresh cookie to the refresh route under the prefix', async () => {
    const { http } = setup({ prefix: '/api/auth' })
    const login = await http.login(req('POST', '/api/auth/login', { origin: ORIGIN }), { sub: 'alice' })
    expect(login.cookies[1]).toMatch(/^__Secure-auth-rt=[^;]+; Max-Age=\d+; Path=\/api\/auth\/refresh; Secure; HttpOnly; SameSite=Lax$/)
    const refreshed = await http.handle(req('POST', '/api/auth/refresh', { cookie: jar(login), origin: ORIGIN }))
    expect(refreshed?.status).toBe(200)
    expect(await http.handle(req('POST', '/auth/refresh', { cookie: jar(login), origin: ORIGIN }))).toBeUndefined()
  })
})

describe('route matching', () => {
  it('matches exact paths only; anything else is the next handler\'s', async () => {
    const { http } = setup()
    for (const url of ['/auth', '/auth/', '/auth/Refresh', '/auth/refresh/', '/auth/%72efresh', '//auth/refresh', '/auth/login', '/auth/sessions/a/b', '/auth/sessions/', '/authx/refresh', '/.well-known/jwks.json/']) {
      expect(await http.handle(req('POST', url)), url).toBeUndefined()
    }
    expect(codeOf(await http.handle(req('POST', '/auth/refresh?x=1#y')))).toBe('token_missing')
  })

  it('answers 405 with Allow for another method on a route', async () => {
    const { http } = setup()
    for (const [method, url, allow] of [['GET', '/auth/refresh', 'POST'], ['POST', '/auth/sessions', 'GET, HEAD'], ['GET', '/auth/sessions/x', 'DELETE'], ['POST', '/.well-known/jwks.json', 'GET, HEAD'], ['get', '/auth/sessions', 'GET, HEAD']]) {
      const response = await http.handle(req(method!, url!))
      expect([response?.status, response?.headers.allow], `${method} ${url}`).toEqual([405, allow])
    }
  })

  it('lists its paths for frameworks that register routes one by one', () => {
    const pathsOf = (http: { routes: readonly { path: string }[] }) => http.routes.map((route) => route.path)
    expect(pathsOf(setup().http)).toEqual(['/auth/refresh', '/auth/logout', '/auth/logout-all', '/auth/sessions', '/auth/sessions/:id', '/.well-known/jwks.json'])
    expect(setup().http.routes.every((route) => route.response['4xx'] !== undefined && route.response['5xx'] !== undefined)).toBe(true)
    expect(pathsOf(setup({ prefix: '/v1/auth', jwksPath: false }).http)).toEqual(['/v1/auth/refresh', '/v1/auth/logout', '/v1/auth/logout-all', '/v1/auth/sessions', '/v1/auth/sessions/:id'])
  })

  it('serves the JWKS publicly cacheable, or not at all with jwksPath: false', async () => {
    const { http, auth } = setup()
    const jwks = await http.handle(req('GET', '/.well-known/jwks.json'))
    expect([jwks?.status, jwks?.body, jwks?.headers['cache-control']]).toEqual([200, auth.jwks(), 'public, max-age=300'])
    expect(await setup({ jwksPath: false }).http.handle(req('GET', '/.well-known/jwks.json'))).toBeUndefined()
    expect((await setup({ jwksPath: '/keys' }).http.handle(req('GET', '/keys')))?.status).toBe(200)
  })
})

describe('authenticate', () => {
  it('judges a request with a Bearer header by that token alone, never falling back to a cookie', async () => {
    const { http } = setup()
    const cookie = jar(await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'alice' }))
    const result = await http.authenticate(req('GET', '/x', { authorization: 'Bearer abc.def.ghi', cookie }))
    expect([result.principal, result.error?.code, result.credential]).toEqual([null, 'token_invalid', 'bearer'])
    const basic = await http.authenticate(req('GET', '/x', { authorization: 'Basic dXNlcjpwYXNz', cookie }))
    expect([basic.principal?.sub, basic.credential]).toEqual(['alice', 'cookie'])
  })

  it('prefers the access-token cookie to the session cookie', async () => {
    const { http } = setup()
    const tokens = jar(await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'alice' }))
    const session = jar(await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'bob', transport: 'session' }))
    const result = await http.authenticate(req('GET', '/x', { cookie: `${session}; ${tokens}` }))
    expect([result.principal?.sub, result.principal?.transport]).toEqual(['alice', 'cookie'])
  })

  it('answers malformed requests and outages now, refused credentials later', async () => {
    const { http, store } = setup()
    const session = jar(await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'alice', transport: 'session' }))
    const cases: Array<[Record<string, string | string[]>, string, boolean]> = [
      [{ authorization: 'Bearer a b' }, 'bad_request', true],
      [{ authorization: ['Bearer a', 'Bearer b'] }, 'bad_request', true],
      [{ authorization: `Bearer ${'a'.repeat(8193)}` }, 'bad_request', true],
      [{ cookie: `__Host-auth-at=a; __Host-auth-at=b` }, 'bad_request', true],
      [{ authorization: 'Bearer a.b.c' }, 'token_invalid', false],
      [{ cookie: '__Host-auth-session=junk' }, 'token_invalid', false],
      [{}, 'token_missing', false],
    ]
    for (const [headers, code, now] of cases) {
      const result = await http.authenticate(req('GET', '/x', headers))
      expect([result.error?.code, result.answerNow], JSON.stringify(headers)).toEqual([code, now])
    }
    store.failing.add('getSession')
    const down = await http.authenticate(req('GET', '/x', { cookie: session }))
    expect([down.error?.code, down.answerNow, down.cookies]).toEqual(['store_unavailable', true, []])
  })

  it('checks CSRF before verifying a cookie on an unsafe method; never for a bearer token', async () => {
    const { http, store } = setup()
    const login = await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'alice', transport: 'bearer' })
    const { accessToken } = login.body as { accessToken: string }
    const session = jar(await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'bob', transport: 'session' }))
    const before = store.calls.get('getSession') ?? 0
    const forged = await http.authenticate(req('POST', '/x', { cookie: session, origin: 'https://evil.test' }))
    expect([forged.error?.code, forged.credential]).toEqual(['csrf_rejected', 'session'])
    expect(store.calls.get('getSession') ?? 0).toBe(before)
    expect((await http.authenticate(req('POST', '/x', { cookie: session, 'sec-fetch-site': 'same-origin' }))).principal?.sub).toBe('bob')
    expect((await http.authenticate(req('GET', '/x', { cookie: session, origin: 'https://evil.test' }))).principal?.sub).toBe('bob')
    expect((await http.authenticate(req('POST', '/x', { authorization: `Bearer ${accessToken}`, origin: 'https://evil.test' }))).principal?.sub).toBe('alice')
  })

  it('clears a session cookie that can never work again, and only that one', async () => {
    const { http, auth, clock } = setup()
    const login = await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'alice', transport: 'session' })
    const cookie = jar(login)
    await auth.logoutAll('alice')
    clock.advance(1)
    const ended = await http.authenticate(req('GET', '/x', { cookie }))
    expect([ended.error?.code, ended.cookies.map((c) => c.split(';')[0])]).toEqual(['session_revoked', ['__Host-auth-session=']])
  })

  it('reads roles from the claims or the session data, only as a list of strings', async () => {
    const h = harness({ claims: (s) => ({ roles: s.sub === 'admin' ? ['admin', 'ops'] : 'admin' }) })
    const http = createAuthHttp(h.auth, { allowedOrigins: [ORIGIN] })
    const principalOf = async (sub: string, transport: 'bearer' | 'session', data?: Record<string, unknown>) => {
      const login = await http.login(req('POST', '/login', { origin: ORIGIN }), { sub, transport, ...(data ? { data } : {}) })
      const headers: Record<string, string> = transport === 'bearer' ? { authorization: `Bearer ${(login.body as { accessToken: string }).accessToken}` } : { cookie: jar(login) }
      return http.authenticate(req('GET', '/x', headers))
    }
    const admin = await principalOf('admin', 'bearer')
    expect(admin.principal?.roles).toEqual(['admin', 'ops'])
    expect(http.authorize(admin, { roles: ['admin'] })).toBeUndefined()
    expect(codeOf(http.authorize(admin, { roles: ['admin', 'root'] }))).toBe('forbidden')
    expect(codeOf(http.authorize(admin, { allow: (p) => p.sub !== 'admin' }))).toBe('forbidden')
    expect((await principalOf('eve', 'bearer')).principal?.roles).toEqual([])
    const session = await principalOf('sam', 'session', { roles: ['admin', 1] })
    expect(session.principal?.roles).toEqual([])
    expect((await principalOf('sue', 'session', { roles: ['ops'] })).principal?.roles).toEqual(['ops'])
    expect(codeOf(http.authorize(await http.authenticate(req('GET', '/x'))))).toBe('token_missing')
  })
})

describe('authenticateNow', () => {
  it('answers a warm token without a Promise under the mirror, sharing one frozen result, and still refuses it once revoked', async () => {
    const h = harness({ revocation: 'mirror' })
    await h.auth.ready()
    const { auth, clock } = h
    const http = createAuthHttp(auth, { allowedOrigins: [ORIGIN] })
    const login = await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'alice', transport: 'bearer' })
    const bearer = { authorization: `Bearer ${(login.body as { accessToken: string }).accessToken}` }
    for (let i = 0; i < 3; i++) await http.authenticateNow(req('GET', '/x', bearer)) // the cache admits a token at its second sighting
    const first = http.authenticateNow(req('GET', '/x', bearer))
    const second = http.authenticateNow(req('GET', '/x', { ...bearer }))
    expect(first).not.toBeInstanceOf(Promise)
    expect(second).toBe(first)
    expect(Object.isFrozen(first) && Object.isFrozen((first as { principal: object }).principal)).toBe(true)
    expect(await http.authenticate(req('GET', '/x', bearer))).toBe(first)
    expect([(first as { principal: { sub: string } }).principal.sub, (first as { credential: string }).credential]).toEqual(['alice', 'bearer'])
    await auth.logout({ sub: 'alice', id: (login.body as { sessionId: string }).sessionId })
    clock.advance(1)
    const revoked = await http.authenticateNow(req('GET', '/x', bearer))
    expect([revoked.principal, revoked.error?.code]).toEqual([null, 'session_revoked'])
  })

  it('answers through a Promise under the strict strategy, which reads the store for every token', async () => {
    const { http } = setup()
    const login = await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'alice', transport: 'bearer' })
    const bearer = { authorization: `Bearer ${(login.body as { accessToken: string }).accessToken}` }
    for (let i = 0; i < 3; i++) await http.authenticateNow(req('GET', '/x', bearer))
    const warm = http.authenticateNow(req('GET', '/x', bearer))
    expect(warm).toBeInstanceOf(Promise)
    expect((await warm).principal?.sub).toBe('alice')
  })

  it('decides what needs no I/O at once, a session cookie through a Promise, with the verdicts of authenticate', async () => {
    const { http } = setup()
    const session = jar(await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'bob', transport: 'session' }))
    const immediate: Array<Record<string, string | string[]>> = [{}, { authorization: 'Bearer a b' }, { authorization: ['Bearer a', 'Bearer b'] }, { cookie: '__Host-auth-at=a; __Host-auth-at=b' }]
    for (const headers of immediate) {
      const now = http.authenticateNow(req('GET', '/x', headers))
      expect(now, JSON.stringify(headers)).not.toBeInstanceOf(Promise)
      expect(now, JSON.stringify(headers)).toEqual(await http.authenticate(req('GET', '/x', headers)))
    }
    const later: Array<Record<string, string>> = [{ cookie: session }, { cookie: '__Host-auth-session=junk' }, { authorization: 'Bearer a.b.c' }]
    for (const headers of later) {
      const now = await http.authenticateNow(req('GET', '/x', headers))
      const then = await http.authenticate(req('GET', '/x', headers))
      expect([now.principal?.sub, now.error?.code, now.credential, now.answerNow, now.cookies]).toEqual([then.principal?.sub, then.error?.code, then.credential, then.answerNow, then.cookies])
    }
    expect(http.authenticateNow(req('GET', '/x', { cookie: session }))).toBeInstanceOf(Promise)
  })
})

describe('refresh in the cookie transport', () => {
  it('sets the same refresh cookie for a retry within grace; clears cookies on reuse after it', async () => {
    const { http, clock } = setup()
    const cookie = jar(await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'alice' }))
    const first = await http.handle(req('POST', '/auth/refresh', { cookie, origin: ORIGIN }))
    clock.advance(10_000)
    const retry = await http.handle(req('POST', '/auth/refresh', { cookie, origin: ORIGIN }))
    expect([first?.status, retry?.status]).toEqual([200, 200])
    // The same successor; its cookie's Max-Age counts down to the same expiry (10 s later: 10 s less).
    expect(retry?.cookies[1]?.split(';')[0]).toBe(first?.cookies[1]?.split(';')[0])
    expect(retry?.cookies[1]).toMatch(/; Max-Age=604790;/)
    clock.advance(1)
    const reused = await http.handle(req('POST', '/auth/refresh', { cookie, origin: ORIGIN }))
    expect(codeOf(reused)).toBe('refresh_reused')
    expect(reused?.cookies.map((c) => c.split(';')[0])).toEqual(['__Host-auth-at=', '__Secure-auth-rt=', '__Host-auth-session='])
  })

  it('never touches the cookies when the refresh fails for any reason but an ended session', async () => {
    const { http, store } = setup()
    const login = await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'alice' })
    const cookie = jar(login)
    const rt = login.cookies[1]!.split(';')[0]!.split('=')[1]!
    const cases: Array<[Record<string, string>, string]> = [
      [{ cookie, origin: 'https://evil.test' }, 'csrf_rejected'],
      [{ cookie }, 'csrf_rejected'],
      [{ cookie: `__Secure-auth-rt=${rt.slice(0, -2)}`, origin: ORIGIN }, 'refresh_invalid'],
      [{ cookie: '__Secure-auth-rt="a b"', origin: ORIGIN }, 'refresh_invalid'],
      [{ cookie: `${cookie}; __Secure-auth-rt=planted`, origin: ORIGIN }, 'bad_request'],
    ]
    for (const [headers, code] of cases) {
      const response = await http.handle(req('POST', '/auth/refresh', headers))
      expect([codeOf(response), response?.cookies], JSON.stringify(headers)).toEqual([code, []])
    }
    store.failing.add('updateSession')
    const down = await http.handle(req('POST', '/auth/refresh', { cookie, origin: ORIGIN }))
    expect([codeOf(down), down?.headers['retry-after'], down?.cookies]).toEqual(['store_unavailable', '1', []])
  })
})

describe('the login helper', () => {
  it('answers each transport in its own way, never caching, with the user agent and address recorded', async () => {
    const { http, auth } = setup()
    const headers = { origin: ORIGIN, 'user-agent': 'Test/1.0' }
    const cookie = await http.login(req('POST', '/login', headers), { sub: 'alice', label: 'laptop' })
    expect(cookie.body).toEqual({ transport: 'cookie', accessTokenExpiresAt: expect.any(Number), refreshTokenExpiresAt: expect.any(Number), expiresIn: 900, sessionId: expect.any(String) })
    expect(cookie.headers['cache-control']).toBe('no-store')
    expect(cookie.cookies[0]).toMatch(/^__Host-auth-at=[^;]+; Max-Age=900; Path=\/; Secure; HttpOnly; SameSite=Lax$/)
    expect(cookie.cookies[1]).toMatch(/^__Secure-auth-rt=[^;]+; Max-Age=604800; Path=\/auth\/refresh; Secure; HttpOnly; SameSite=Lax$/)
    const bearer = await http.login(req('POST', '/login'), { sub: 'alice', transport: 'bearer' })
    expect([Object.keys(bearer.body as object), bearer.cookies]).toEqual([['transport', 'accessToken', 'refreshToken', 'accessTokenExpiresAt', 'refreshTokenExpiresAt', 'expiresIn', 'sessionId'], []])
    const session = await http.login(req('POST', '/login', headers), { sub: 'alice', transport: 'session', data: { cart: [] } })
    expect(session.body).toEqual({ transport: 'session', sessionId: expect.any(String), expiresAt: expect.any(Number), expiresIn: 604800 })
    // Max-Age from the session's own lifetime (30 days), not this process's clock (the harness runs at T0).
    expect(session.cookies[0]).toMatch(/^__Host-auth-session=[^;]+; Max-Age=2592000; Path=\/; Secure; HttpOnly; SameSite=Lax$/)
    // Each cookie login clears the other cookie transport's cookies: nothing planted outlives it.
    expect(cookie.cookies.slice(2).map((c) => c.split('=')[0])).toEqual(['__Host-auth-session'])
    expect(session.cookies.slice(1).map((c) => c.split('=')[0])).toEqual(['__Host-auth-at', '__Secure-auth-rt'])
    expect([...cookie.cookies.slice(2), ...session.cookies.slice(1)].every((c) => c.includes('; Max-Age=0;'))).toBe(true)
    const [listed] = (await auth.listSessions('alice')).filter((s) => s.id === (cookie.body as { sessionId: string }).sessionId)
    expect(listed?.metadata).toEqual({ userAgent: 'Test/1.0', ip: '203.0.113.7', label: 'laptop' })
  })

  it('checks login CSRF for the cookie transports only, and refuses a transport that is off', async () => {
    const { http } = setup({ transports: ['cookie', 'bearer'] })
    expect(codeOf(await http.login(req('POST', '/login', { origin: 'https://evil.test' }), { sub: 'alice' }))).toBe('csrf_rejected')
    expect(codeOf(await http.login(req('POST', '/login'), { sub: 'alice', transport: 'session' }))).toBe('bad_request')
    expect(codeOf(await http.login(req('POST', '/login', { origin: ORIGIN }), { sub: 'alice', transport: 'session' }))).toBe('bad_request')
    expect(codeOf(await http.login(req('POST', '/login', { origin: 'https://evil.test' }), { sub: 'alice', transport: 'bearer' }))).toBe(200)
  })
})
