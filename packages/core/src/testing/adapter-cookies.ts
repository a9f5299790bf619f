/**
 * `describeAdapter`: the auth cookies on the wire — every attribute of every cookie set or
 * cleared, `Cache-Control: no-store` on token responses, and the rule that a refused refresh
 * leaves the cookies alone unless the session truly ended.
 *
 * @module
 * @internal
 */
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, type AdapterHarness, codeOf, EVIL_ORIGIN } from './adapter-harness.js'
import { type HttpReply, isClearing, type SetCookie } from './http-client.js'

/** Where each auth cookie lives: `__Host-` cookies at `/`, the refresh cookie at the refresh route only. */
const PATHS: Readonly<Record<string, string>> = {
  '__Host-auth-at': '/',
  '__Secure-auth-rt': '/auth/refresh',
  '__Host-auth-session': '/',
}

/** Asserts the attributes every auth cookie must carry, set or cleared. */
function expectAuthCookie(cookie: SetCookie): void {
  expect(Object.keys(PATHS), cookie.raw).toContain(cookie.name)
  const a = cookie.attributes
  expect(a, cookie.raw).toHaveProperty('httponly')
  expect(a, cookie.raw).toHaveProperty('secure')
  expect(a.samesite?.toLowerCase(), cookie.raw).toBe('lax')
  expect(a.path, cookie.raw).toBe(PATHS[cookie.name])
  expect(a, cookie.raw).not.toHaveProperty('domain') // host-only: __Host- forbids Domain, and none is configured
  expect(a['max-age'], cookie.raw).toMatch(/^-?\d+$/)
}

function expectSets(reply: HttpReply, names: readonly string[]): void {
  for (const cookie of reply.cookies) expectAuthCookie(cookie)
  expect(reply.cookies.filter((cookie) => !isClearing(cookie)).map((cookie) => cookie.name).sort()).toEqual([...names].sort())
  for (const cookie of reply.cookies.filter((c) => !isClearing(c))) expect(Number(cookie.attributes['max-age'])).toBeGreaterThan(0)
}

function expectClearsAll(reply: HttpReply): void {
  for (const cookie of reply.cookies) expectAuthCookie(cookie)
  expect(reply.cookies.every(isClearing), 'only clearing cookies').toBe(true)
  expect(reply.cookies.map((cookie) => cookie.name).sort()).toEqual(Object.keys(PATHS).sort())
}

const clearedNames = (reply: HttpReply) => reply.cookies.filter(isClearing).map((cookie) => cookie.name).sort()

const DAY = 24 * 60 * 60 * 1000

const noStore = (reply: HttpReply) => expect(String(reply.headers['cache-control'])).toMatch(/\bno-store\b/)

/** @internal */
export function defineCookieTests(harness: () => AdapterHarness): void {
  describe('cookies', () => {
    it('sets the access and refresh cookies at login and at refresh with every attribute, never cached', async () => {
      const alice = harness().agent()
      const login = await alice.login('alice', 'cookie')
      expectSets(login, ['__Host-auth-at', '__Secure-auth-rt'])
      expect(clearedNames(login)).toEqual(['__Host-auth-session']) // the other transport's, against fixation
      noStore(login)
      const refresh = await alice.refresh()
      expect(refresh.status).toBe(200)
      expectSets(refresh, ['__Host-auth-at', '__Secure-auth-rt'])
      noStore(refresh)
    })

    it('sets the session cookie at a session login with every attribute, never cached', async () => {
      const alice = harness().agent()
      const login = await alice.login('alice', 'session')
      expectSets(login, ['__Host-auth-session'])
      expect(clearedNames(login)).toEqual(['__Host-auth-at', '__Secure-auth-rt'])
      noStore(login)
    })

    it('answers bearer logins and refreshes with no cookie, never cached', async () => {
      const client = harness().agent()
      const login = await client.login('alice', 'bearer')
      expect(login.cookies).toEqual([])
      noStore(login)
      const refresh = await client.refresh()
      expect(refresh.cookies).toEqual([])
      noStore(refresh)
    })

    it.each(['cookie', 'session'] as const)('clears every auth cookie, by name and path, when a %s session ends', async (transport) => {
      const h = harness()
      for (const end of ['/auth/logout', '/auth/logout-all', 'DELETE own']) {
        const alice = h.agent()
        const sid = (await alice.login('alice', transport)).json.sessionId
        const reply = end === 'DELETE own' ? await alice.send('DELETE', `/auth/sessions/${sid}`) : await alice.send('POST', end)
        expect(reply.status, end).toBeLessThan(300)
        expectClearsAll(reply)
        expect(alice.jar.header('/auth/refresh'), end).toBeUndefined()
      }
    })

    it('clears the cookies when a refresh finds the session ended (logged out elsewhere)', async () => {
      const h = harness()
      const [laptop, phone] = [h.agent(), h.agent()]
      const sid = (await laptop.login('alice', 'cookie')).json.sessionId
      await phone.login('alice', 'cookie')
      expect((await phone.send('DELETE', `/auth/sessions/${sid}`)).status).toBe(204)
      const refresh = await laptop.refresh()
      expect(refresh.status).toBe(401)
      expectClearsAll(refresh)
    })

    it('clears the cookies once the session has expired (idle), and only then', async () => {
      const h = harness()
      const [tokens, session] = [h.agent(), h.agent()]
      await tokens.login('alice', 'cookie')
      await session.login('alice', 'session')
      h.advance(8 * DAY) // past the idle timeout (7 days)
      const me = await session.me()
      expect([me.status, codeOf(me)]).toEqual([401, 'session_expired'])
      expect(me.cookies.map((cookie) => [cookie.name, isClearing(cookie)])).toEqual([['__Host-auth-session', true]])
      const refresh = await tokens.refresh()
      expect([refresh.status, codeOf(refresh)]).toEqual([401, 'session_expired'])
      expectClearsAll(refresh)
    })

    describe('a refused refresh sets no cookie unless the session truly ended', () => {
      const RT = '__Secure-auth-rt'
      const cases: Array<[string, (rt: string) => { headers: Record<string, string>; down?: boolean }, number, string]> = [
        ['a cross-origin refresh', (rt) => ({ headers: { Cookie: `${RT}=${rt}`, Origin: EVIL_ORIGIN } }), 403, 'csrf_rejected'],
        ['a refresh without Origin', (rt) => ({ headers: { Cookie: `${RT}=${rt}` } }), 403, 'csrf_rejected'],
        ['a refresh during a store outage', (rt) => ({ headers: { Cookie: `${RT}=${rt}`, Origin: APP_ORIGIN }, down: true }), 503, 'store_unavailable'],
        ['a malformed cookie (outside the cookie grammar)', () => ({ headers: { Cookie: `${RT}=a\\b`, Origin: APP_ORIGIN } }), 401, 'refresh_invalid'],
        ['a truncated refresh token', (rt) => ({ headers: { Cookie: `${RT}=${rt.slice(0, -6)}`, Origin: APP_ORIGIN } }), 401, 'refresh_invalid'],
        ['a garbage refresh token', () => ({ headers: { Cookie: `${RT}=garbage`, Origin: APP_ORIGIN } }), 401, 'refresh_invalid'],
        ['a forged refresh token (another tag)', (rt) => ({ headers: { Cookie: `${RT}=${forgeTag(rt)}`, Origin: APP_ORIGIN } }), 401, 'refresh_invalid'],
        ['a duplicated refresh cookie', (rt) => ({ headers: { Cookie: `${RT}=${rt}; ${RT}=${rt}`, Origin: APP_ORIGIN } }), 400, 'bad_request'],
        ['an oversized Cookie header', (rt) => ({ headers: { Cookie: `${RT}=${rt}; pad=${'x'.repeat(9 * 1024)}`, Origin: APP_ORIGIN } }), 400, 'bad_request'],
      ]
      it.each(cases)('%s', async (_name, request, status, code) => {
        const h = harness()
        const alice = h.agent()
        await alice.login('alice', 'cookie')
        const { headers, down } = request(alice.jar.get(RT)!)
        h.store.storeDown = down === true
        const reply = await h.send({ method: 'POST', path: '/auth/refresh', headers: { ...headers} })
        h.store.storeDown = false
        expect(reply.status).toBe(status)
        expect(codeOf(reply)).toBe(code)
        expect(reply.cookies).toEqual([])
        noStore(reply)
        // Nothing was lost: the browser's own cookies still refresh.
        expect((await alice.refresh()).status).toBe(200)
      })
    })
  })
}

/** The refresh token with the first character of its tag (the last part) changed: well-formed, not ours. */
export function forgeTag(token: string): string {
  const at = token.lastIndexOf('.') + 1
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1)
}
