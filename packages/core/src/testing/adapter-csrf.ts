/**
 * `describeAdapter`: cross-site requests and planted cookies — CSRF on every cookie-authenticated
 * unsafe request and on cookie logins, none for bearer; session fixation.
 *
 * @module
 * @internal
 */
import { describe, expect, it } from 'vitest'
import type { HttpTransport } from '../http/exchange.js'
import { type AdapterHarness, type Agent, codeOf, EVIL_ORIGIN } from './adapter-harness.js'

/** The ways a cross-site request shows (or fails to show) where it comes from. */
const CROSS_SITE: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ['Origin: http://evil.test', { Origin: EVIL_ORIGIN }],
  ['Origin: null', { Origin: 'null' }],
  ['Origin: https://app.test (another scheme)', { Origin: 'https://app.test' }],
  ['Origin: http://app.test:8080 (another port)', { Origin: 'http://app.test:8080' }],
  ['Origin: http://app.test/ (not an origin)', { Origin: 'http://app.test/' }],
  ['Sec-Fetch-Site: cross-site without Origin', { 'Sec-Fetch-Site': 'cross-site' }],
  ['Sec-Fetch-Site: same-site without Origin (a sibling subdomain)', { 'Sec-Fetch-Site': 'same-site' }],
  ['Sec-Fetch-Site: none without Origin (typed or bookmarked)', { 'Sec-Fetch-Site': 'none' }],
  ['neither Origin nor Sec-Fetch-Site', {}],
]

/** A cookie-authenticated unsafe request: method, path (given the caller's session id), expected success status. */
type Endpoint = readonly [name: string, transport: HttpTransport, method: string, path: (sid: string) => string, ok: number]

const ENDPOINTS: readonly Endpoint[] = [
  ['POST /auth/refresh', 'cookie', 'POST', () => '/auth/refresh', 200],
  ['POST /auth/logout (cookie)', 'cookie', 'POST', () => '/auth/logout', 204],
  ['POST /auth/logout (session)', 'session', 'POST', () => '/auth/logout', 204],
  ['POST /auth/logout-all', 'cookie', 'POST', () => '/auth/logout-all', 200],
  ['DELETE /auth/sessions/:id (cookie)', 'cookie', 'DELETE', (sid) => `/auth/sessions/${sid}`, 204],
  ['DELETE /auth/sessions/:id (session)', 'session', 'DELETE', (sid) => `/auth/sessions/${sid}`, 204],
  ['POST /api/me (cookie)', 'cookie', 'POST', () => '/api/me', 200],
  ['POST /api/me (session)', 'session', 'POST', () => '/api/me', 200],
]

/** Whether the agent's session still works, by the transport's own means. */
async function expectAlive(agent: Agent, transport: HttpTransport): Promise<void> {
  expect((await agent.me()).status).toBe(200)
  if (transport === 'cookie') expect((await agent.refresh()).status).toBe(200)
}

/** @internal */
export function defineCsrfTests(harness: () => AdapterHarness): void {
  describe('CSRF', () => {
    it.each(ENDPOINTS)('refuses a cross-site %s with 403 csrf_rejected, changing nothing', async (_name, transport, method, path, ok) => {
      const alice = harness().agent()
      const sid = (await alice.login('alice', transport)).json.sessionId
      for (const [flavor, headers] of CROSS_SITE) {
        const reply = await alice.send(method, path(sid), { origin: null, headers })
        expect([reply.status, codeOf(reply)], flavor).toEqual([403, 'csrf_rejected'])
        expect(reply.cookies, flavor).toEqual([])
      }
      const doubled = await alice.send(method, path(sid), { origin: null, headers: { Origin: ['http://app.test', EVIL_ORIGIN] } })
      expect([doubled.status, codeOf(doubled)], 'two Origin headers').toEqual([403, 'csrf_rejected'])
      await expectAlive(alice, transport)
      // The same request from the app itself passes: by Sec-Fetch-Site alone, or by Origin.
      expect((await alice.send(method, path(sid), { origin: null, headers: { 'Sec-Fetch-Site': 'same-origin' } })).status).toBe(ok)
      const again = harness().agent()
      const sid2 = (await again.login('alice', transport)).json.sessionId
      expect((await again.send(method, path(sid2))).status).toBe(ok)
    })

    it.each(['cookie', 'session'] as const)('refuses a cross-site %s login (login CSRF), setting no cookie', async (transport) => {
      const h = harness()
      const victim = h.agent()
      for (const [flavor, headers] of CROSS_SITE) {
        const reply = await victim.send('POST', '/auth/login', { origin: null, headers, json: { sub: 'mallory', transport } })
        expect([reply.status, codeOf(reply)], flavor).toEqual([403, 'csrf_rejected'])
        expect(reply.cookies, flavor).toEqual([])
      }
      expect((await victim.me()).status).toBe(401)
      expect((await victim.send('POST', '/auth/login', { json: { sub: 'alice', transport } })).status).toBe(200)
    })

    it('asks nothing of bearer requests: a bearer token is never sent by a browser on its own', async () => {
      const client = harness().agent()
      const sid = (await client.send('POST', '/auth/login', { origin: EVIL_ORIGIN, json: { sub: 'alice', transport: 'bearer' } })).json.sessionId
      const login = await client.login('alice', 'bearer')
      expect(login.status).toBe(200)
      for (const [flavor, headers] of CROSS_SITE) {
        expect((await client.send('POST', '/api/me', { origin: null, headers })).status, flavor).toBe(200)
      }
      expect((await client.refresh({ origin: EVIL_ORIGIN })).status).toBe(200)
      expect((await client.send('DELETE', `/auth/sessions/${sid}`, { origin: EVIL_ORIGIN })).status).toBe(204)
      expect((await client.send('POST', '/auth/logout', { origin: EVIL_ORIGIN })).status).toBe(204)
    })
  })

  describe('session fixation', () => {
    it('gives a login carrying a planted session cookie a new session; the planted value never authenticates', async () => {
      const h = harness()
      const victim = h.agent()
      const planted = 'attacker-chosen.session-id'
      victim.jar.set('__Host-auth-session', planted)
      const login = await victim.login('alice', 'session')
      const issued = victim.jar.get('__Host-auth-session')
      expect(issued).toEqual(expect.any(String))
      expect(issued).not.toBe(planted)
      expect(await victim.me()).toMatchObject({ status: 200, json: { sub: 'alice', sid: login.json.sessionId } })
      expect((await h.send({ path: '/api/me', headers: { Cookie: `__Host-auth-session=${planted}` } })).status).toBe(401)
    })

    it.each(['cookie', 'session'] as const)("never lets a planted session of the attacker's speak for a %s login", async (transport) => {
      const h = harness()
      const mallory = h.agent()
      const mallorys = (await mallory.login('mallory', 'session')).json.sessionId
      const victim = h.agent()
      victim.jar.set('__Host-auth-session', mallory.jar.get('__Host-auth-session')!)
      const login = await victim.login('alice', transport)
      expect(login.json.sessionId).not.toBe(mallorys)
      expect(await victim.me()).toMatchObject({ status: 200, json: { sub: 'alice', sid: login.json.sessionId } })
      // Once the access cookie is gone (it expires first), the browser must not fall back to mallory.
      victim.jar.delete('__Host-auth-at')
      expect((await victim.me()).json?.sub ?? null).not.toBe('mallory')
      expect(victim.jar.get('__Host-auth-session')).not.toBe(mallory.jar.get('__Host-auth-session'))
    })

    it("never lets planted access and refresh cookies of the attacker's speak for a session login", async () => {
      const h = harness()
      const mallory = h.agent()
      await mallory.login('mallory', 'cookie')
      const victim = h.agent()
      victim.jar.set('__Host-auth-at', mallory.jar.get('__Host-auth-at')!)
      victim.jar.set('__Secure-auth-rt', mallory.jar.get('__Secure-auth-rt')!, '/auth/refresh')
      const login = await victim.login('alice', 'session')
      expect(await victim.me()).toMatchObject({ status: 200, json: { sub: 'alice', sid: login.json.sessionId, transport: 'session' } })
      expect(victim.jar.get('__Secure-auth-rt')).toBeUndefined()
    })
  })
}
