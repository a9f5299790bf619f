/**
 * The Fetch bridge on an edge runtime: `createAuthHttp` + `createFetchHandler` with the test
 * store, bundled without any Node builtin and run inside `EdgeVM` (`@edge-runtime/vm`, a
 * Web-standard sandbox: no `require`, `process` or `Buffer`). Requests go in and responses come
 * out as JSON strings; the scenario covers each transport end to end, CSRF, and a store outage.
 */
import { fileURLToPath } from 'node:url'
import { EdgeVM } from '@edge-runtime/vm'
import { beforeAll, describe, expect, it } from 'vitest'
import { bundle } from './edge/bundle.js'

interface WireResponse {
  status: number
  headers: Record<string, string>
  cookies: string[]
  body: string
}

const APP = fileURLToPath(new URL('./edge/fetch-app.ts', import.meta.url))
const SAME_ORIGIN = 'https://edge.test'

describe('the Fetch bridge inside EdgeVM', () => {
  let vm: EdgeVM
  let call: (method: string, url: string, headers?: Record<string, string>, body?: unknown) => Promise<WireResponse>

  beforeAll(async () => {
    const result = await bundle(APP)
    expect(result.errors).toEqual([])
    const code = result.outputFiles[0]!.text
    expect(code).not.toMatch(/["'`]node:/)
    vm = new EdgeVM()
    vm.evaluate(code)
    const app = vm.context.__app as (json: string) => Promise<string>
    call = async (method, url, headers = {}, body) => {
      const wire = { method, url, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) }
      return JSON.parse(await app(JSON.stringify(wire))) as WireResponse
    }
  })

  const json = { 'content-type': 'application/json' }
  /** Cookies a response sets (not those it clears with `Max-Age=0`). */
  const sets = (cookies: string[]) => cookies.filter((cookie) => !cookie.includes('; Max-Age=0;'))
  const jar = (cookies: string[]) => sets(cookies).map((cookie) => cookie.split(';')[0]).join('; ')

  it('runs without require, process or Buffer', () => {
    expect(vm.evaluate('[typeof require, typeof process, typeof Buffer, typeof EdgeRuntime].join()')).toBe('undefined,undefined,undefined,string')
  })

  it('bearer: login, a guarded request, refresh, logout', async () => {
    const login = await call('POST', '/auth/login', json, { sub: 'alice', transport: 'bearer' })
    expect(login.status).toBe(200)
    expect(login.headers['cache-control']).toBe('no-store')
    const tokens = JSON.parse(login.body) as { accessToken: string; refreshToken: string }
    const me = await call('GET', '/api/me', { authorization: `Bearer ${tokens.accessToken}` })
    expect([me.status, JSON.parse(me.body)]).toEqual([200, { sub: 'alice', sid: expect.any(String), transport: 'bearer' }])
    const refreshed = await call('POST', '/auth/refresh', json, { refreshToken: tokens.refreshToken })
    expect(refreshed.status).toBe(200)
    expect(JSON.parse(refreshed.body).refreshToken).not.toBe(tokens.refreshToken)
    expect((await call('POST', '/auth/logout', { authorization: `Bearer ${tokens.accessToken}` })).status).toBe(204)
    const after = await call('GET', '/api/me', { authorization: `Bearer ${tokens.accessToken}` })
    expect([after.status, JSON.parse(after.body).error.code]).toEqual([401, 'session_revoked'])
    expect(after.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
  })

  it('cookie: tokens only in HttpOnly cookies; refresh rotates them; a cross-origin refresh is 403 and sets nothing', async () => {
    const login = await call('POST', '/auth/login', { ...json, origin: SAME_ORIGIN }, { sub: 'bob' })
    expect(login.status).toBe(200)
    expect(login.body).not.toMatch(/accessToken"|refreshToken"/)
    expect(sets(login.cookies).map((c) => c.split('=')[0])).toEqual(['__Host-auth-at', '__Secure-auth-rt'])
    expect(login.cookies.every((c) => /; Secure; HttpOnly; SameSite=Lax$/.test(c))).toBe(true)
    const cookie = jar(login.cookies)
    const me = await call('GET', '/api/me', { cookie })
    expect(JSON.parse(me.body)).toMatchObject({ sub: 'bob', transport: 'cookie' })
    const forged = await call('POST', '/auth/refresh', { cookie, origin: 'https://evil.test' })
    expect([forged.status, JSON.parse(forged.body).error.code, forged.cookies]).toEqual([403, 'csrf_rejected', []])
    const refreshed = await call('POST', '/auth/refresh', { cookie, origin: SAME_ORIGIN })
    expect(refreshed.status).toBe(200)
    expect(refreshed.cookies).toHaveLength(2)
    expect(jar(refreshed.cookies)).not.toBe(cookie)
  })

  it('session: an opaque cookie; logout clears every auth cookie', async () => {
    const login = await call('POST', '/auth/login', { ...json, origin: SAME_ORIGIN }, { sub: 'carol', transport: 'session' })
    expect(sets(login.cookies).map((c) => c.split('=')[0])).toEqual(['__Host-auth-session'])
    const cookie = jar(login.cookies)
    expect(JSON.parse((await call('GET', '/api/me', { cookie })).body)).toMatchObject({ sub: 'carol', transport: 'session' })
    const logout = await call('POST', '/auth/logout', { cookie, origin: SAME_ORIGIN })
    expect(logout.status).toBe(204)
    expect(logout.cookies.map((c) => c.split(';')[0])).toEqual(['__Host-auth-at=', '__Secure-auth-rt=', '__Host-auth-session='])
    expect((await call('GET', '/api/me', { cookie })).status).toBe(401)
  })

  it('a store outage is 503 store_unavailable with Retry-After, never a pass', async () => {
    const login = await call('POST', '/auth/login', { ...json, origin: SAME_ORIGIN }, { sub: 'dave', transport: 'session' })
    vm.evaluate('__storeDown(true)')
    try {
      const me = await call('GET', '/api/me', { cookie: jar(login.cookies) })
      expect([me.status, JSON.parse(me.body).error.code, me.headers['retry-after']]).toEqual([503, 'store_unavailable', '1'])
    } finally {
      vm.evaluate('__storeDown(false)')
    }
  })

  it('serves the JWKS and refuses malformed input with 4xx JSON', async () => {
    const jwks = await call('GET', '/.well-known/jwks.json')
    expect(JSON.parse(jwks.body).keys).toHaveLength(1)
    const bad = await call('POST', '/auth/refresh', json, '{"refreshToken":')
    expect([bad.status, JSON.parse(bad.body).error.code]).toEqual([400, 'bad_request'])
    const big = await call('POST', '/auth/refresh', json, JSON.stringify({ refreshToken: 'x'.repeat(17_000) }))
    expect([big.status, JSON.parse(big.body).error.code]).toEqual([413, 'payload_too_large'])
  })
})
