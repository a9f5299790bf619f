/**
 * Flows: refresh rotation (docs/concepts.md#refresh-rotation) through `createAuth` on a real store.
 *
 * @module
 * @internal
 */
import { expect, it } from 'vitest'
import type { AuthError } from '../errors.js'
import type { TokenResult } from '../refresh/issue-tokens.js'
import { type FlowHarness, generationOf, outcome } from './auth-flows.js'

/** @internal */
export function defineRotationFlows(setup: () => Promise<FlowHarness>): void {
  it('rotates the current refresh token into a successor of the next generation', async () => {
    const h = await setup()
    const auth = h.auth()
    const login = await auth.login({ sub: 'alice' })
    expect(generationOf(login)).toBe(0)
    const first = await auth.refresh(login.refreshToken)
    expect(generationOf(first)).toBe(1)
    expect(first.refreshToken).not.toBe(login.refreshToken)
    expect(first.sessionId).toBe(login.sessionId)
    const second = await auth.refresh(first.refreshToken)
    expect(generationOf(second)).toBe(2)
    const { claims } = await auth.verifyAccessToken(second.accessToken)
    expect(claims).toMatchObject({ sub: 'alice', sid: login.sessionId })
  })

  it('answers the previous token within the grace window with the very same successor (lost response)', async () => {
    const h = await setup()
    const auth = h.auth()
    const login = await auth.login({ sub: 'alice' })
    const first = await auth.refresh(login.refreshToken)
    h.clock.advance(9_000) // the response was lost; the client retries within 10 s
    const retry = await auth.refresh(login.refreshToken)
    expect(retry.refreshToken).toBe(first.refreshToken)
    // and the successor still works: one live token
    const next = await auth.refresh(first.refreshToken)
    expect(generationOf(next)).toBe(2)
    expect(h.events).toEqual([])
  })

  it('treats the previous token after the grace window as reuse: the session ends and an event is emitted', async () => {
    const h = await setup()
    const auth = h.auth()
    const login = await auth.login({ sub: 'alice' })
    const first = await auth.refresh(login.refreshToken)
    h.clock.advance(10_001)
    expect(await outcome(auth.refresh(login.refreshToken))).toBe('refresh_reused')
    expect(h.events).toEqual([
      expect.objectContaining({ type: 'refresh_reused', sub: 'alice', sid: login.sessionId, presentedGeneration: 0, currentGeneration: 1 }),
    ])
    // the whole session is gone: the thief's and the victim's tokens alike
    expect(await outcome(auth.refresh(first.refreshToken))).toBe('refresh_invalid')
    expect(await auth.getSession({ sub: 'alice', id: login.sessionId })).toBeNull()
    expect(await outcome(auth.verifyAccessToken(first.accessToken))).toBe('session_revoked')
  })

  it('treats any older token as reuse, even within the grace window', async () => {
    const h = await setup()
    const auth = h.auth()
    const g0 = await auth.login({ sub: 'alice' })
    const g1 = await auth.refresh(g0.refreshToken)
    await auth.refresh(g1.refreshToken)
    expect(await outcome(auth.refresh(g0.refreshToken))).toBe('refresh_reused')
    expect(h.events.map((e) => e.type)).toEqual(['refresh_reused'])
  })

  it.each([
    ['empty', '', 'token_missing'],
    ['garbage', 'not-a-token', 'refresh_invalid'],
    ['an access token', null, 'refresh_invalid'],
    ['a forged tag', 'forge-tag', 'refresh_invalid'],
    ['a forged generation', 'forge-generation', 'refresh_invalid'],
    ['another sub', 'forge-sub', 'refresh_invalid'],
  ])('refuses %s without ending the session', async (_name, kind, code) => {
    const h = await setup()
    const auth = h.auth()
    const login = await auth.login({ sub: 'alice' })
    const parts = login.refreshToken.split('.')
    let presented: string
    if (kind === null) presented = login.accessToken
    else if (kind === 'forge-tag') presented = [...parts.slice(0, 4), 'A'.repeat(22)].join('.')
    else if (kind === 'forge-generation') presented = [parts[0], parts[1], '5', parts[3], parts[4]].join('.')
    else if (kind === 'forge-sub') presented = [Buffer.from('mallory').toString('base64url'), ...parts.slice(1)].join('.')
    else presented = kind
    expect(await outcome(auth.refresh(presented))).toBe(code)
    expect(h.events).toEqual([])
    expect(await outcome(auth.refresh(login.refreshToken))).toBe('ok')
  })

  it('rejects a refresh token presented as an access token, and a session token as either', async () => {
    const h = await setup()
    const auth = h.auth()
    const tokens = await auth.login({ sub: 'alice' })
    const cookie = await auth.login({ sub: 'alice', transport: 'session' })
    expect(await outcome(auth.verifyAccessToken(tokens.refreshToken))).toBe('token_invalid')
    expect(await outcome(auth.verifyAccessToken(cookie.sessionToken))).toBe('token_invalid')
    expect(await outcome(auth.refresh(cookie.sessionToken))).toBe('refresh_invalid')
    expect(await outcome(auth.verifySessionToken(tokens.refreshToken))).toBe('token_invalid')
    expect(await outcome(auth.verifySessionToken(tokens.accessToken))).toBe('token_invalid')
  })

  it('refuses a refresh past the idle timeout and past the absolute lifetime', async () => {
    const h = await setup()
    const auth = h.auth({ session: { idleTimeoutMs: 3_600_000, absoluteTtlMs: 4 * 3_600_000 } })
    const idle = await auth.login({ sub: 'alice' })
    h.clock.advance(3600 * 1000)
    expect(await outcome(auth.refresh(idle.refreshToken))).toBe('session_expired')

    const start = h.clock()
    let tokens: TokenResult = await auth.login({ sub: 'bob' })
    for (let i = 0; i < 4; i++) {
      h.clock.advance(50 * 60_000) // within the idle timeout each time
      tokens = await auth.refresh(tokens.refreshToken)
      // sliding, never past the absolute expiry
      expect(tokens.refreshTokenExpiresAt).toBe(Math.min(start + 4 * 3600_000, h.clock() + 3600_000))
    }
    // 3 h 20 min in: idle expiry would be 4 h 20 min, but the absolute expiry (4 h) comes first
    h.clock.advance(45 * 60_000)
    expect(await outcome(auth.refresh(tokens.refreshToken))).toBe('session_expired')
    expect(h.events).toEqual([])
  })

  it('lets 50 concurrent refreshes with one token end with exactly one live successor and no logout', async () => {
    const h = await setup()
    const auth = h.auth()
    const other = h.auth() // a second process on the same store
    const login = await auth.login({ sub: 'alice' })
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? auth : other).refresh(login.refreshToken)),
    )
    const successors = new Set<string>()
    for (const result of results) {
      if (result.status === 'fulfilled') successors.add(result.value.refreshToken)
      else expect((result.reason as AuthError).code).toBe('refresh_invalid')
    }
    expect(successors.size).toBe(1)
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(0)
    expect(h.events).toEqual([])
    const [successor] = successors
    const next = await auth.refresh(successor!)
    expect(generationOf(next)).toBe(2)
    const session = await auth.getSession({ sub: 'alice', id: login.sessionId })
    expect(session?.refresh?.generation).toBe(2)
  })

  it('issues the access token with the user version the session was created with', async () => {
    const h = await setup()
    const auth = h.auth()
    await auth.logoutAll('alice')
    await auth.logoutAll('alice')
    const login = await auth.login({ sub: 'alice' })
    expect((await auth.verifyAccessToken(login.accessToken)).claims.ver).toBe(2)
    const next = await auth.refresh(login.refreshToken)
    expect((await auth.verifyAccessToken(next.accessToken)).claims.ver).toBe(2)
  })

  it('shares refresh tokens between processes with the same secret, and refuses another secret without ending the session', async () => {
    const h = await setup()
    const secret = new Uint8Array(32).map((_, i) => (i * 37 + 11) % 256)
    const a = h.auth({ secret })
    const b = h.auth({ secret })
    const stranger = h.auth({ secret: new Uint8Array(32).map((_, i) => (i * 53 + 7) % 256) })
    const login = await a.login({ sub: 'alice' })
    expect(await outcome(stranger.refresh(login.refreshToken))).toBe('refresh_invalid')
    const next = await b.refresh(login.refreshToken)
    expect(generationOf(next)).toBe(1)
    expect(h.events).toEqual([])
  })

  it('computes application claims at login and at every refresh', async () => {
    const h = await setup()
    let role = 'member'
    const auth = h.auth({ claims: () => ({ role }) })
    const login = await auth.login({ sub: 'alice' })
    expect((await auth.verifyAccessToken(login.accessToken)).claims.role).toBe('member')
    role = 'admin'
    const next = await auth.refresh(login.refreshToken)
    expect((await auth.verifyAccessToken(next.accessToken)).claims.role).toBe('admin')
  })
}
