/**
 * Flows: revocation under the `strict` and `mirror` strategies, the denylist, user versions and
 * races between revocations and concurrent writes.
 *
 * @module
 * @internal
 */
import { expect, it } from 'vitest'
import type { RevocationStrategy } from '../revocation/strategy.js'
import { eventually, type FlowHarness, outcome } from './auth-flows.js'

const STRATEGIES: RevocationStrategy[] = ['strict', 'mirror']

/** @internal */
export function defineRevocationFlows(setup: () => Promise<FlowHarness>): void {
  it.each(STRATEGIES)('%s: reuse after grace rejects every access token of the session', async (revocation) => {
    const h = await setup()
    const auth = h.auth({ revocation })
    await auth.ready()
    const login = await auth.login({ sub: 'alice' })
    const first = await auth.refresh(login.refreshToken)
    const other = await auth.login({ sub: 'alice' })
    h.clock.advance(11_000)
    expect(await outcome(auth.refresh(login.refreshToken))).toBe('refresh_reused')
    for (const token of [login.accessToken, first.accessToken]) {
      expect(await outcome(auth.verifyAccessToken(token))).toBe('session_revoked')
    }
    expect(await outcome(auth.verifyAccessToken(other.accessToken))).toBe('ok')
  })

  it.each(STRATEGIES)('%s: logoutAll fails every earlier token of the user and no other user', async (revocation) => {
    const h = await setup()
    const auth = h.auth({ revocation })
    await auth.ready()
    const a1 = await auth.login({ sub: 'alice' })
    const a2 = await auth.login({ sub: 'alice' })
    const b = await auth.login({ sub: 'bob' })
    const result = await auth.logoutAll('alice')
    expect(result.ver).toBe(1)
    expect(result.ended.sort()).toEqual([a1.sessionId, a2.sessionId].sort())
    for (const token of [a1.accessToken, a2.accessToken]) {
      expect(await outcome(auth.verifyAccessToken(token))).toBe('token_revoked')
    }
    for (const token of [a1.refreshToken, a2.refreshToken]) expect(await outcome(auth.refresh(token))).toBe('refresh_invalid')
    expect(await outcome(auth.verifyAccessToken(b.accessToken))).toBe('ok')
    // a new login after the bump works
    const again = await auth.login({ sub: 'alice' })
    expect(await outcome(auth.verifyAccessToken(again.accessToken))).toBe('ok')
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'logout_all', sub: 'alice', ver: 1, ended: 2 }))
  })

  it.each(STRATEGIES)('%s: logout ends one session: its refresh token and access tokens stop working', async (revocation) => {
    const h = await setup()
    const auth = h.auth({ revocation })
    await auth.ready()
    const mine = await auth.login({ sub: 'alice' })
    const other = await auth.login({ sub: 'alice' })
    await auth.logout({ sub: 'alice', id: mine.sessionId })
    expect(await outcome(auth.verifyAccessToken(mine.accessToken))).toBe('session_revoked')
    expect(await outcome(auth.refresh(mine.refreshToken))).toBe('refresh_invalid')
    expect(await outcome(auth.verifyAccessToken(other.accessToken))).toBe('ok')
    expect((await auth.listSessions('alice')).map((s) => s.id)).toEqual([other.sessionId])
  })

  it.each(STRATEGIES)('%s: a denied jti fails until its exp, and the denylist entry expires after it', async (revocation) => {
    const h = await setup()
    const auth = h.auth({ revocation })
    await auth.ready()
    const login = await auth.login({ sub: 'alice' })
    const { claims } = await auth.verifyAccessToken(login.accessToken)
    await auth.revokeToken(claims)
    expect(await outcome(auth.verifyAccessToken(login.accessToken))).toBe('token_revoked')
    h.clock.advance(claims.exp * 1000 - h.clock() - 1000)
    expect(await outcome(auth.verifyAccessToken(login.accessToken))).toBe('token_revoked')
    h.clock.set(claims.exp * 1000 + 1)
    const state = await h.instrumented.store.getRevocationState({ sub: 'alice', sid: claims.sid, jti: claims.jti }, h.clock())
    expect(state.tokenDenied).toBe(false)
    // the session itself is fine: a fresh token works
    const next = await auth.refresh(login.refreshToken)
    expect(await outcome(auth.verifyAccessToken(next.accessToken))).toBe('ok')
  })

  it("a logout or denial naming another user's session or token revokes nothing of theirs: store, strict, mirrors now and later", async () => {
    const h = await setup()
    const strict = h.auth({ revocation: 'strict' })
    const mirror = h.auth({ revocation: 'mirror' })
    await mirror.ready()
    const victim = await strict.login({ sub: 'victim' })
    const { claims } = await strict.verifyAccessToken(victim.accessToken)
    const { entries: before } = await h.instrumented.store.readFeed({ after: null, since: 0 })

    // mallory knows the victim's sid and jti (they are in every access token the victim shows)
    await strict.logout({ sub: 'mallory', id: victim.sessionId })
    await strict.revokeToken({ sub: 'mallory', jti: claims.jti, exp: claims.exp })
    // a real revocation after them: once a mirror has it, it has read theirs too (the feed is ordered)
    const marker = await strict.login({ sub: 'marker' })
    await strict.logout({ sub: 'marker', id: marker.sessionId })
    await eventually(async () => (await outcome(mirror.verifyAccessToken(marker.accessToken))) === 'session_revoked')

    const { entries: after } = await h.instrumented.store.readFeed({ after: null, since: 0 })
    const appended = after.slice(before.length).map((entry) => entry.event)
    // no session event for the victim's sid; the one denial names mallory, whose tokens alone it concerns
    expect(appended.filter((event) => event.type === 'session' && event.sid === victim.sessionId)).toEqual([])
    expect(appended.filter((event) => event.sub === 'victim')).toEqual([])
    expect(await strict.getSession({ sub: 'victim', id: victim.sessionId })).not.toBeNull()
    const late = h.auth({ revocation: 'mirror' })
    await late.ready()
    for (const auth of [strict, mirror, late]) expect(await outcome(auth.verifyAccessToken(victim.accessToken))).toBe('ok')
    expect(await outcome(strict.refresh(victim.refreshToken))).toBe('ok')
  })

  it('strict: an access token of a session that expired is session_expired, of one signed out session_revoked', async () => {
    const h = await setup()
    const auth = h.auth({ revocation: 'strict', session: { idleTimeoutMs: 60_000 } })
    const idle = await auth.login({ sub: 'alice' })
    const out = await auth.login({ sub: 'alice' })
    await auth.logout({ sub: 'alice', id: out.sessionId })
    h.clock.advance(60_000) // idle past its timeout; the access tokens (15 min) are still valid
    expect(await outcome(auth.verifyAccessToken(idle.accessToken))).toBe('session_expired')
    expect(await outcome(auth.refresh(idle.refreshToken))).toBe('session_expired')
    expect(await outcome(auth.verifyAccessToken(out.accessToken))).toBe('session_expired') // it would have expired too
    const fresh = await auth.login({ sub: 'alice' })
    await auth.logout({ sub: 'alice', id: fresh.sessionId })
    expect(await outcome(auth.verifyAccessToken(fresh.accessToken))).toBe('session_revoked')
    expect(await outcome(auth.refresh(fresh.refreshToken))).toBe('refresh_invalid')
  })

  it('expiry: verification makes no store call and a revocation waits for exp', async () => {
    const h = await setup()
    const auth = h.auth({ revocation: 'expiry' })
    const login = await auth.login({ sub: 'alice' })
    const before = h.instrumented.verifyCalls()
    await auth.logout({ sub: 'alice', id: login.sessionId })
    expect(await outcome(auth.verifyAccessToken(login.accessToken))).toBe('ok')
    expect(h.instrumented.verifyCalls()).toBe(before)
    h.clock.advance(900_000 + 5000)
    expect(await outcome(auth.verifyAccessToken(login.accessToken))).toBe('token_expired')
  })

  it('strict: one store round trip per verification, warm or cold', async () => {
    const h = await setup()
    const auth = h.auth({ revocation: 'strict' })
    const login = await auth.login({ sub: 'alice' })
    const before = h.instrumented.calls.get('getRevocationState') ?? 0
    for (let i = 0; i < 5; i++) await auth.verifyAccessToken(login.accessToken)
    expect((h.instrumented.calls.get('getRevocationState') ?? 0) - before).toBe(5)
  })

  it('strict: a store outage is store_unavailable (503), never a pass', async () => {
    const h = await setup()
    const auth = h.auth({ revocation: 'strict' })
    const login = await auth.login({ sub: 'alice' })
    h.instrumented.storeDown = true
    const error = await auth.verifyAccessToken(login.accessToken).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'store_unavailable', status: 503 })
    expect(await outcome(auth.refresh(login.refreshToken))).toBe('store_unavailable')
    expect(await outcome(auth.login({ sub: 'bob' }))).toBe('store_unavailable')
    h.instrumented.storeDown = false
    expect(await outcome(auth.refresh(login.refreshToken))).toBe('ok')
  })

  it('mirror: a revocation in one process reaches another with no store call on its verify path', async () => {
    const h = await setup()
    const a = h.auth({ revocation: 'mirror' })
    const b = h.auth({ revocation: 'mirror' })
    await Promise.all([a.ready(), b.ready()])
    const login = await a.login({ sub: 'alice' })
    const before = h.instrumented.verifyCalls()
    for (let i = 0; i < 3; i++) expect(await outcome(b.verifyAccessToken(login.accessToken))).toBe('ok')
    expect(h.instrumented.verifyCalls()).toBe(before)

    await a.logout({ sub: 'alice', id: login.sessionId })
    await eventually(async () => (await outcome(b.verifyAccessToken(login.accessToken))) === 'session_revoked')
    expect(h.instrumented.verifyCalls()).toBe(before)

    const bob = await a.login({ sub: 'bob' })
    await a.logoutAll('bob')
    await eventually(async () => (await outcome(b.verifyAccessToken(bob.accessToken))) === 'token_revoked')
    expect(h.instrumented.verifyCalls()).toBe(before)
  })

  it('mirror: a new process replays the window and knows earlier revocations', async () => {
    const h = await setup()
    const a = h.auth({ revocation: 'mirror' })
    await a.ready()
    const login = await a.login({ sub: 'alice' })
    await a.logout({ sub: 'alice', id: login.sessionId })
    h.clock.advance(60_000)
    const late = h.auth({ revocation: 'mirror' })
    await late.ready()
    const before = h.instrumented.verifyCalls()
    expect(await outcome(late.verifyAccessToken(login.accessToken))).toBe('session_revoked')
    expect(h.instrumented.verifyCalls()).toBe(before)
  })

  it('mirror: past the staleness bound it falls back to store lookups, and fails closed when the store is down', async () => {
    const h = await setup()
    const a = h.auth({ revocation: 'mirror' })
    await a.ready()
    const login = await a.login({ sub: 'alice' })
    expect(await outcome(a.verifyAccessToken(login.accessToken))).toBe('ok')
    const before = h.instrumented.verifyCalls()
    h.instrumented.feedDown = true
    h.clock.advance(2001) // past the 2 s staleness bound, while the feed cannot be read
    expect(await outcome(a.verifyAccessToken(login.accessToken))).toBe('ok')
    expect(h.instrumented.verifyCalls()).toBe(before + 1)
    h.instrumented.storeDown = true
    expect(await outcome(a.verifyAccessToken(login.accessToken))).toBe('store_unavailable')
    h.instrumented.storeDown = false
    h.instrumented.feedDown = false
    // the feed is back: the mirror catches up and verification stops calling the store
    await eventually(async () => {
      const n = h.instrumented.verifyCalls()
      await a.verifyAccessToken(login.accessToken)
      return h.instrumented.verifyCalls() === n
    })
  })

  it('mirror: after a gap in the feed (entries trimmed unseen) it distrusts itself for a window and replays', async () => {
    const h = await setup()
    const a = h.auth({ revocation: 'mirror' })
    const writer = h.auth({ revocation: 'strict' })
    await a.ready()
    const first = await writer.login({ sub: 'alice' })
    await writer.logout({ sub: 'alice', id: first.sessionId })
    await eventually(async () => (await outcome(a.verifyAccessToken(first.accessToken))) === 'session_revoked')
    const bob = await writer.login({ sub: 'bob' })
    expect(await outcome(a.verifyAccessToken(bob.accessToken))).toBe('ok')

    h.instrumented.feedDown = true // the mirror cannot read while entries come and go
    const carol = await writer.login({ sub: 'carol' })
    await writer.logout({ sub: 'carol', id: carol.sessionId })
    h.clock.advance(1000)
    await h.instrumented.store.trimFeed(h.clock()) // carol's logout is trimmed before the mirror saw it
    await writer.logout({ sub: 'bob', id: bob.sessionId })
    h.instrumented.feedDown = false

    // carol's logout is not in the feed any more, yet the mirror must not accept her token
    await eventually(async () => (await outcome(a.verifyAccessToken(bob.accessToken))) === 'session_revoked')
    const before = h.instrumented.verifyCalls()
    expect(await outcome(a.verifyAccessToken(carol.accessToken))).toBe('session_revoked')
    expect(h.instrumented.verifyCalls()).toBeGreaterThan(before) // answered by the store (strict)
  })

  it('races: logout and logoutAll against concurrent refreshes, touches and data updates leave nothing alive', async () => {
    const h = await setup()
    const auth = h.auth({ revocation: 'strict' })
    for (let round = 0; round < 5; round++) {
      const sessions = await Promise.all(Array.from({ length: 6 }, () => auth.login({ sub: 'alice' })))
      const cookies = await Promise.all(Array.from({ length: 3 }, () => auth.login({ sub: 'alice', transport: 'session', data: { n: 0 } })))
      const work: Array<Promise<unknown>> = []
      for (const s of sessions) {
        work.push(auth.refresh(s.refreshToken).catch(() => null))
        work.push(auth.touchSession({ sub: 'alice', id: s.sessionId }).catch(() => null))
      }
      for (const c of cookies) {
        work.push(auth.updateSessionData({ sub: 'alice', id: c.sessionId }, (d) => ({ n: Number(d.n) + 1 })).catch(() => null))
        work.push(auth.verifySessionToken(c.sessionToken).catch(() => null))
      }
      work.splice(round % work.length, 0, round % 2 === 0 ? auth.logoutAll('alice') : auth.logout({ sub: 'alice', id: sessions[0]!.sessionId }))
      if (round % 2 === 1) work.push(auth.logoutAll('alice'))
      await Promise.all(work)
      // every pre-existing session is gone, in the record and in the index
      for (const s of [...sessions, ...cookies]) {
        expect(await auth.getSession({ sub: 'alice', id: s.sessionId })).toBeNull()
      }
      expect(await auth.listSessions('alice')).toEqual([])
      for (const s of sessions) {
        expect(await outcome(auth.refresh(s.refreshToken))).not.toBe('ok')
        expect(await outcome(auth.verifyAccessToken(s.accessToken))).not.toBe('ok')
      }
      for (const c of cookies) expect(await outcome(auth.verifySessionToken(c.sessionToken))).toBe('session_revoked')
    }
  })
}
