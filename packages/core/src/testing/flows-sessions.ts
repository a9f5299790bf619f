/**
 * Flows: sessions and the session-cookie transport, session data, expiry.
 *
 * @module
 * @internal
 */
import { expect, it } from 'vitest'
import { type FlowHarness, outcome } from './auth-flows.js'

/** @internal */
export function defineSessionFlows(setup: () => Promise<FlowHarness>): void {
  it('creates a new session id from a CSPRNG at every login (no fixation) and lists sessions per user', async () => {
    const h = await setup()
    const auth = h.auth()
    const ids = new Set<string>()
    for (let i = 0; i < 20; i++) ids.add((await auth.login({ sub: 'alice', metadata: { label: `device ${i}` } })).sessionId)
    expect(ids.size).toBe(20)
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/) // 128 bits
    const listed = await auth.listSessions('alice', [...ids][3])
    expect(listed).toHaveLength(20)
    expect(listed.filter((s) => s.current).map((s) => s.id)).toEqual([[...ids][3]])
    expect(listed.map((s) => s.metadata.label).sort()).toContain('device 7')
    expect(await auth.listSessions('bob')).toEqual([])
  })

  it.each(['strict', 'mirror'] as const)(
    '%s: a login beyond session.maxPerUser ends the least recently seen session: its tokens stop working, an event says so',
    async (revocation) => {
      const h = await setup()
      const auth = h.auth({ revocation, session: { maxPerUser: 2 } })
      await auth.ready()
      const first = await auth.login({ sub: 'alice' })
      h.clock.advance(1000)
      const second = await auth.login({ sub: 'alice' })
      h.clock.advance(1000)
      await auth.refresh(first.refreshToken) // first is now the more recently seen
      const bob = await auth.login({ sub: 'bob' })
      h.clock.advance(1000)
      const third = await auth.login({ sub: 'alice' })
      expect((await auth.listSessions('alice')).map((s) => s.id).sort()).toEqual([first.sessionId, third.sessionId].sort())
      expect(await outcome(auth.verifyAccessToken(second.accessToken))).toBe('session_revoked')
      expect(await outcome(auth.refresh(second.refreshToken))).toBe('refresh_invalid')
      expect(await outcome(auth.verifyAccessToken(third.accessToken))).toBe('ok')
      expect(await outcome(auth.verifyAccessToken(bob.accessToken))).toBe('ok')
      expect(h.events).toEqual([{ type: 'session_evicted', sub: 'alice', sid: second.sessionId, at: h.clock() }])
    },
  )

  it('keeps the known metadata fields, truncated to their limits; refuses unknown fields and non-strings', async () => {
    const h = await setup()
    const auth = h.auth()
    const huge = 'A'.repeat(5_000_000)
    const login = await auth.login({ sub: 'alice', metadata: { userAgent: huge, ip: '2001:db8::1', label: `${'x'.repeat(127)}\u{1F600}` } })
    const [session] = await auth.listSessions('alice')
    expect(session!.id).toBe(login.sessionId)
    expect(session!.metadata).toStrictEqual({ userAgent: 'A'.repeat(512), ip: '2001:db8::1', label: 'x'.repeat(127) })
    for (const metadata of [{ userAgent: 42 }, { color: 'red' }, 'agent', [1]]) {
      await expect(auth.login({ sub: 'alice', metadata: metadata as never }), JSON.stringify(metadata)).rejects.toBeInstanceOf(TypeError)
    }
    expect(await auth.listSessions('alice')).toHaveLength(1)
  })

  it('verifies a session token by store lookup on every request, and logout ends it at once', async () => {
    const h = await setup()
    const auth = h.auth()
    const login = await auth.login({ sub: 'alice', transport: 'session', data: { cart: [1] } })
    expect(login.sessionToken.split('.')).toHaveLength(4)
    const session = await auth.verifySessionToken(login.sessionToken)
    expect(session).toMatchObject({ sub: 'alice', id: login.sessionId, data: { cart: [1] }, transport: 'session' })
    // the store keeps a hash, never the token
    expect(JSON.stringify(session)).not.toContain(login.sessionToken.split('.')[2])
    await auth.logout({ sub: 'alice', id: login.sessionId })
    expect(await outcome(auth.verifySessionToken(login.sessionToken))).toBe('session_revoked')
  })

  it('refuses forged and re-spelled session tokens before trusting the store', async () => {
    const h = await setup()
    const auth = h.auth()
    const login = await auth.login({ sub: 'alice', transport: 'session' })
    const [sub, sid, secret, tag] = login.sessionToken.split('.') as [string, string, string, string]
    const otherSecret = Buffer.alloc(32, 7).toString('base64url')
    for (const forged of [
      `${sub}.${sid}.${otherSecret}.${tag}`,
      `${sub}.${sid}.${secret}.${'A'.repeat(22)}`,
      `${Buffer.from('bob').toString('base64url')}.${sid}.${secret}.${tag}`,
      `${sub}.${sid}.${secret}=.${tag}`,
      `${sub}.${sid}.${secret}`,
    ]) {
      expect(await outcome(auth.verifySessionToken(forged))).toBe('token_invalid')
    }
    expect(await outcome(auth.verifySessionToken(login.sessionToken))).toBe('ok')
  })

  it('slides the idle expiry of a session-cookie session, never past the absolute expiry', async () => {
    const h = await setup()
    const auth = h.auth({ session: { idleTimeoutMs: 1_800_000, absoluteTtlMs: 3 * 3_600_000, touchIntervalMs: 60_000 } })
    const start = h.clock()
    const login = await auth.login({ sub: 'alice', transport: 'session' })
    expect(login.expiresAt).toBe(start + 1800_000)
    // used every 25 minutes: stays alive past the idle timeout
    for (let i = 1; i <= 6; i++) {
      h.clock.advance(25 * 60_000)
      const session = await auth.verifySessionToken(login.sessionToken)
      expect(session.expiresAt).toBe(Math.min(start + 3 * 3600_000, h.clock() + 1800_000))
    }
    // 2 h 30 min in; the absolute expiry (3 h) ends it whatever the activity
    h.clock.advance(25 * 60_000)
    await auth.verifySessionToken(login.sessionToken)
    h.clock.advance(6 * 60_000)
    expect(await outcome(auth.verifySessionToken(login.sessionToken))).toBe('session_expired')
  })

  it('ends a session-cookie session after the idle timeout without use: session_expired, not session_revoked', async () => {
    const h = await setup()
    const auth = h.auth({ session: { idleTimeoutMs: 1_800_000 } })
    const login = await auth.login({ sub: 'alice', transport: 'session' })
    h.clock.advance(1800_000 - 1)
    expect(await outcome(auth.verifySessionToken(login.sessionToken))).toBe('ok')
    h.clock.advance(1800_000)
    expect(await outcome(auth.verifySessionToken(login.sessionToken))).toBe('session_expired')
    expect(await outcome(auth.touchSession({ sub: 'alice', id: login.sessionId }))).toBe('session_expired')
  })

  it('tells a session that was signed out (session_revoked) from one that expired (session_expired), until it would have expired', async () => {
    const h = await setup()
    const auth = h.auth({ session: { idleTimeoutMs: 1_800_000 } })
    const out = await auth.login({ sub: 'alice', transport: 'session' })
    const kept = await auth.login({ sub: 'alice', transport: 'session' })
    await auth.logout({ sub: 'alice', id: out.sessionId })
    expect(await outcome(auth.verifySessionToken(out.sessionToken))).toBe('session_revoked')
    expect(await outcome(auth.setSessionData({ sub: 'alice', id: out.sessionId }, {}, 0))).toBe('session_revoked')
    h.clock.advance(1800_000 - 1)
    expect(await outcome(auth.verifySessionToken(out.sessionToken))).toBe('session_revoked')
    h.clock.advance(1)
    expect(await outcome(auth.verifySessionToken(out.sessionToken))).toBe('session_expired') // it would have expired by now
    expect(await outcome(auth.verifySessionToken(kept.sessionToken))).toBe('session_expired')
  })

  it('writes the sliding expiry at most once per touch interval', async () => {
    const h = await setup()
    const auth = h.auth({ session: { touchIntervalMs: 60_000 } })
    const login = await auth.login({ sub: 'alice', transport: 'session' })
    const before = h.instrumented.calls.get('updateSession') ?? 0
    for (let i = 0; i < 10; i++) {
      h.clock.advance(1000)
      await auth.verifySessionToken(login.sessionToken)
    }
    expect((h.instrumented.calls.get('updateSession') ?? 0) - before).toBe(0)
    h.clock.advance(60_000)
    await auth.verifySessionToken(login.sessionToken)
    expect((h.instrumented.calls.get('updateSession') ?? 0) - before).toBe(1)
  })

  it('updates session data atomically: 20 concurrent increments lose none', async () => {
    const h = await setup()
    const auth = h.auth()
    const login = await auth.login({ sub: 'alice', transport: 'session', data: { n: 0 } })
    const ref = { sub: 'alice', id: login.sessionId }
    await Promise.all(
      Array.from({ length: 20 }, () => auth.updateSessionData(ref, (d) => ({ n: Number(d.n) + 1 }), { maxAttempts: 50 })),
    )
    expect((await auth.getSession(ref))?.data).toEqual({ n: 20 })
  })

  it('refuses a compare-and-set against a stale revision, and session data over the size limit', async () => {
    const h = await setup()
    const auth = h.auth({ session: { maxDataBytes: 64 } })
    const login = await auth.login({ sub: 'alice', transport: 'session', data: { a: 1 } })
    const ref = { sub: 'alice', id: login.sessionId }
    const session = (await auth.getSession(ref))!
    await auth.setSessionData(ref, { a: 2 }, session.revision)
    expect(await outcome(auth.setSessionData(ref, { a: 3 }, session.revision))).toBe('conflict')
    const big = { blob: 'x'.repeat(100) }
    expect(await outcome(auth.updateSessionData(ref, () => big))).toBe('payload_too_large')
    expect(await outcome(auth.login({ sub: 'alice', transport: 'session', data: big }))).toBe('payload_too_large')
    expect((await auth.getSession(ref))?.data).toEqual({ a: 2 })
  })

  it.each(['update first', 'logout first'])('an ended session stays ended when a slow update races logout (%s)', async (order) => {
    const h = await setup()
    const auth = h.auth()
    const login = await auth.login({ sub: 'alice', transport: 'session', data: { step: 0 } })
    const ref = { sub: 'alice', id: login.sessionId }
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    // the update reads the session, then waits (a slow request) before writing
    const slow = auth.updateSessionData(ref, async (d) => {
      await gate
      return { step: Number(d.step) + 1 }
    })
    if (order === 'logout first') {
      await auth.logout(ref)
      release()
    } else {
      release()
      await new Promise((resolve) => setTimeout(resolve, 0))
      await auth.logout(ref)
    }
    expect(await outcome(slow)).toMatch(/^(ok|session_revoked)$/)
    const touch = await outcome(auth.touchSession(ref))
    expect(touch).toBe('session_revoked')
    expect(await auth.getSession(ref)).toBeNull()
    expect(await auth.listSessions('alice')).toEqual([])
    expect(await outcome(auth.verifySessionToken(login.sessionToken))).toBe('session_revoked')
  })
}
