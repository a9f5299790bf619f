/**
 * `describeAdapter`: each transport end to end — login, authenticated requests, refresh, logout,
 * logout everywhere, the session list, ending one session, and another user's session left alone.
 *
 * @module
 * @internal
 */
import { describe, expect, it } from 'vitest'
import type { HttpTransport } from '../http/exchange.js'
import { type AdapterHarness, codeOf, loginAdmin, TRANSPORTS } from './adapter-harness.js'
import { isClearing } from './http-client.js'

/** What each transport's login answers in JSON: never a token in the cookie transports. */
const LOGIN_FIELDS: Readonly<Record<HttpTransport, readonly string[]>> = {
  cookie: ['accessTokenExpiresAt', 'expiresIn', 'refreshTokenExpiresAt', 'sessionId', 'transport'],
  bearer: ['accessToken', 'accessTokenExpiresAt', 'expiresIn', 'refreshToken', 'refreshTokenExpiresAt', 'sessionId', 'transport'],
  session: ['expiresAt', 'expiresIn', 'sessionId', 'transport'],
}

/** @internal */
export function defineTransportTests(harness: () => AdapterHarness): void {
  describe.each(TRANSPORTS)('the %s transport', (transport) => {
    it('logs in, then authenticates GET, HEAD and POST as the user', async () => {
      const h = harness()
      const alice = h.agent()
      const login = await alice.login('alice', transport)
      expect(Object.keys(login.json).sort()).toEqual(LOGIN_FIELDS[transport])
      expect(login.json).toMatchObject({ transport, sessionId: expect.any(String) })
      for (const cookie of login.cookies.filter((c) => !isClearing(c))) expect(login.text).not.toContain(cookie.value)
      const principal = { sub: 'alice', sid: login.json.sessionId, transport }
      expect(await alice.me()).toMatchObject({ status: 200, json: principal })
      expect(await alice.send('POST', '/api/me')).toMatchObject({ status: 200, json: principal })
      expect(await alice.send('HEAD', '/api/me')).toMatchObject({ status: 200, text: '' })
      expect(await alice.send('GET', '/api/public')).toMatchObject({ status: 200, json: { sub: 'alice' } })
    })

    it('guards a role: 200 for an admin, 403 forbidden for anybody else', async () => {
      const h = harness()
      const admin = h.agent()
      await loginAdmin(admin, transport)
      expect(await admin.send('GET', '/api/admin')).toMatchObject({ status: 200, json: { ok: true } })
      const alice = h.agent()
      await alice.login('alice', transport)
      const refused = await alice.send('GET', '/api/admin')
      expect(refused.status).toBe(403)
      expect(codeOf(refused)).toBe('forbidden')
      if (transport === 'bearer') expect(String(refused.headers['www-authenticate'])).toMatch(/^Bearer (?:.*, )?error="insufficient_scope"/)
    })

    if (transport === 'session') {
      it('has nothing to refresh: 401, no cookie touched, and the session lives on', async () => {
        const h = harness()
        const alice = h.agent()
        await alice.login('alice', transport)
        const refresh = await alice.refresh()
        expect(refresh.status).toBe(401)
        expect(refresh.cookies).toEqual([])
        expect((await alice.me()).status).toBe(200)
      })
    } else {
      it('refreshes into new credentials that authenticate the same session', async () => {
        const h = harness()
        const alice = h.agent()
        const login = await alice.login('alice', transport)
        const before = transport === 'bearer' ? alice.tokens!.refreshToken : alice.jar.get('__Secure-auth-rt')
        const refresh = await alice.refresh()
        expect(refresh.status).toBe(200)
        expect(Object.keys(refresh.json).sort()).toEqual(LOGIN_FIELDS[transport])
        expect(refresh.json.sessionId).toBe(login.json.sessionId)
        const after = transport === 'bearer' ? alice.tokens!.refreshToken : alice.jar.get('__Secure-auth-rt')
        expect(after).toEqual(expect.any(String))
        expect(after).not.toBe(before)
        expect(await alice.me()).toMatchObject({ status: 200, json: { sub: 'alice', sid: login.json.sessionId, transport } })
        expect((await alice.refresh()).status).toBe(200) // and the successor rotates again
      })
    }

    it('logs out: 204, and neither the old access credential nor the refresh token works again', async () => {
      const h = harness()
      const alice = h.agent()
      await alice.login('alice', transport)
      const stale = { jar: alice.jar.header('/api/me'), rt: alice.jar.header('/auth/refresh'), tokens: alice.tokens }
      const logout = await alice.send('POST', '/auth/logout')
      expect(logout.status).toBe(204)
      expect(logout.text).toBe('')
      expect((await alice.me()).status).toBe(401)
      // Replaying what the client held before (a copied cookie, a kept token) is refused too.
      const replay = stale.tokens
        ? await h.send({ path: '/api/me', headers: { Authorization: `Bearer ${stale.tokens.accessToken}` } })
        : await h.send({ path: '/api/me', headers: { Cookie: stale.jar! } })
      expect(replay.status).toBe(401)
      if (transport !== 'session') {
        const refresh = stale.tokens
          ? await h.send({ method: 'POST', path: '/auth/refresh', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: stale.tokens.refreshToken }) })
          : await h.send({ method: 'POST', path: '/auth/refresh', headers: { Cookie: stale.rt!, Origin: 'http://app.test' } })
        expect(refresh.status).toBe(401)
      }
    })

    it('logs out everywhere: every session of the user ends, other users keep theirs', async () => {
      const h = harness()
      const [laptop, phone, bob] = [h.agent(), h.agent(), h.agent()]
      await laptop.login('alice', transport)
      await phone.login('alice', transport)
      await bob.login('bob', transport)
      const all = await phone.send('POST', '/auth/logout-all')
      expect(all).toMatchObject({ status: 200, json: { ended: 2 } })
      expect((await laptop.me()).status).toBe(401)
      expect((await phone.me()).status).toBe(401)
      expect(await bob.me()).toMatchObject({ status: 200, json: { sub: 'bob' } })
    })

    it("lists the user's sessions, marking the current one, and no one else's", async () => {
      const h = harness()
      const [laptop, phone, bob] = [h.agent(), h.agent(), h.agent()]
      const mine = (await laptop.login('alice', transport)).json.sessionId
      const other = (await phone.login('alice', transport)).json.sessionId
      await bob.login('bob', transport)
      const list = await laptop.send('GET', '/auth/sessions')
      expect(list.status).toBe(200)
      const sessions = list.json.sessions as Array<{ id: string; current: boolean }>
      expect(sessions.map((s) => s.id).sort()).toEqual([mine, other].sort())
      expect(sessions.filter((s) => s.current).map((s) => s.id)).toEqual([mine])
    })

    it('ends one of its own sessions (another device, then this one)', async () => {
      const h = harness()
      const [laptop, phone] = [h.agent(), h.agent()]
      const mine = (await laptop.login('alice', transport)).json.sessionId
      const other = (await phone.login('alice', transport)).json.sessionId
      expect((await laptop.send('DELETE', `/auth/sessions/${other}`)).status).toBe(204)
      expect((await phone.me()).status).toBe(401)
      expect((await laptop.me()).status).toBe(200)
      expect((await laptop.send('DELETE', `/auth/sessions/${mine}`)).status).toBe(204)
      expect((await laptop.me()).status).toBe(401)
    })

    it("answers 404 for another user's session and changes nothing", async () => {
      const h = harness()
      const [alice, bob] = [h.agent(), h.agent()]
      await alice.login('alice', transport)
      const bobs = (await bob.login('bob', transport)).json.sessionId
      const refused = await alice.send('DELETE', `/auth/sessions/${bobs}`)
      expect(refused.status).toBe(404)
      expect(codeOf(refused)).toBe('not_found')
      expect(refused.cookies).toEqual([])
      expect(await bob.me()).toMatchObject({ status: 200, json: { sub: 'bob', sid: bobs } })
      expect((await alice.me()).status).toBe(200)
      if (transport !== 'session') expect((await bob.refresh()).status).toBe(200)
    })
  })
}
