/** The token response of a login and of a refresh: lifetimes, the session id, application claims. */
import { describe, expect, it } from 'vitest'
import { T0, useHarness } from '../../test/harness.js'

const setup = useHarness()

describe('token response', () => {
  it('carries the access-token lifetime (expiresIn, in seconds, and its expiry in ms), the session expiry and id', async () => {
    const h = setup({ accessTokenTtlMs: 300_000, session: { idleTimeoutMs: 3_600_000 } })
    const login = await h.auth.login({ sub: 'alice' })
    expect(login).toMatchObject({ expiresIn: 300, accessTokenExpiresAt: T0 + 300_000, refreshTokenExpiresAt: T0 + 3_600_000 })
    h.clock.advance(60_000)
    const next = await h.auth.refresh(login.refreshToken)
    expect(next).toMatchObject({ expiresIn: 300, accessTokenExpiresAt: T0 + 360_000, refreshTokenExpiresAt: T0 + 3_660_000, sessionId: login.sessionId })
    const { claims } = await h.auth.verifyAccessToken(next.accessToken)
    expect(claims).toMatchObject({ sub: 'alice', sid: login.sessionId, ver: 0, iat: (T0 + 60_000) / 1000, exp: (T0 + 360_000) / 1000 })
  })

  it('asks the claims hook with the session record, at login and at every refresh', async () => {
    const seen: Array<{ id: string; sub: string; generation: number | undefined }> = []
    const h = setup({
      claims: (session) => {
        seen.push({ id: session.id, sub: session.sub, generation: session.refresh?.generation })
        return { role: `r${seen.length}` }
      },
    })
    const login = await h.auth.login({ sub: 'alice' })
    const next = await h.auth.refresh(login.refreshToken)
    expect(seen).toEqual([
      { id: login.sessionId, sub: 'alice', generation: 0 },
      { id: login.sessionId, sub: 'alice', generation: 1 },
    ])
    expect((await h.auth.verifyAccessToken(login.accessToken)).claims.role).toBe('r1')
    expect((await h.auth.verifyAccessToken(next.accessToken)).claims.role).toBe('r2')
  })

  it('accepts an asynchronous claims hook', async () => {
    const h = setup({ claims: async () => ({ tier: 'gold' }) })
    const login = await h.auth.login({ sub: 'alice' })
    expect((await h.auth.verifyAccessToken(login.accessToken)).claims.tier).toBe('gold')
  })

  it('adds no application claims without a hook', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    const { claims } = await h.auth.verifyAccessToken(login.accessToken)
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub', 'ver'])
  })
})
