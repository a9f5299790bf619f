/**
 * The session-cookie transport on every request, and session data, through `createAuth` on the
 * tiny test store: each refusal with its reason, the touch interval to the millisecond, and the
 * compare-and-set of session data.
 */
import { describe, expect, it } from 'vitest'
import { codeOf, errorOf, SECRET, T0, useHarness } from '../../test/harness.js'
import { webTokenPrimitives } from '../lib/mac.js'
import { formatSessionToken } from './session-token.js'

const setup = useHarness()
const forgeSessionToken = async (sub: string, sid: string, secret = new Uint8Array(32).fill(3)) =>
  formatSessionToken(await webTokenPrimitives.importMacKey(SECRET), sub, sid, secret)

describe('verifySessionToken', () => {
  it.each([
    ['undefined', undefined, 'token_missing', undefined],
    ['null', null, 'token_missing', undefined],
    ['the empty string', '', 'token_missing', undefined],
    ['garbage', 'a.b.c.d', 'token_invalid', 'malformed'],
  ])('refuses %s', async (_name, token, code, reason) => {
    const h = setup()
    const error = await errorOf(h.auth.verifySessionToken(token as string))
    expect([error.code, error.reason]).toEqual([code, reason])
    expect(h.store.calls.get('getSession')).toBeUndefined()
  })

  it('refuses a forged tag before asking the store', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', transport: 'session' })
    const forged = [...login.sessionToken.split('.').slice(0, 3), 'A'.repeat(22)].join('.')
    const error = await errorOf(h.auth.verifySessionToken(forged))
    expect([error.code, error.reason]).toEqual(['token_invalid', 'tag'])
    expect(h.store.calls.get('getSession')).toBeUndefined()
  })

  it('refuses a well-tagged token whose secret is not the stored one', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', transport: 'session' })
    const error = await errorOf(h.auth.verifySessionToken(await forgeSessionToken('alice', login.sessionId)))
    expect([error.code, error.reason]).toEqual(['token_invalid', 'secret'])
  })

  it('refuses a session token for a token-transport session', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    const error = await errorOf(h.auth.verifySessionToken(await forgeSessionToken('alice', login.sessionId)))
    expect([error.code, error.reason]).toEqual(['token_invalid', 'transport'])
  })

  it('refuses the token of an ended session with session_revoked', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', transport: 'session' })
    await h.auth.logout({ sub: 'alice', id: login.sessionId })
    expect(await codeOf(h.auth.verifySessionToken(login.sessionToken))).toBe('session_revoked')
  })

  it.each([
    ['1 ms before the touch interval: no write', 59_999, false],
    ['exactly at the touch interval: one write', 60_000, true],
  ])('slides the idle expiry %s', async (_name, elapsed, writes) => {
    const h = setup({ session: { touchIntervalMs: 60_000, idleTimeoutMs: 3_600_000 } })
    const login = await h.auth.login({ sub: 'alice', transport: 'session' })
    h.clock.advance(elapsed)
    const session = await h.auth.verifySessionToken(login.sessionToken)
    expect(h.store.calls.get('updateSession') ?? 0).toBe(writes ? 1 : 0)
    expect(session.lastSeenAt).toBe(writes ? T0 + elapsed : T0)
    expect(session.expiresAt).toBe((writes ? T0 + elapsed : T0) + 3_600_000)
  })

  it('answers session_revoked when the session ends between the lookup and the touch', async () => {
    const h = setup({ session: { touchIntervalMs: 0 } })
    const login = await h.auth.login({ sub: 'alice', transport: 'session' })
    const update = h.store.updateSession.bind(h.store)
    h.store.updateSession = async (ref, condition, patch, now) => {
      await h.store.endSession(ref, now)
      return update(ref, condition, patch, now)
    }
    expect(await codeOf(h.auth.verifySessionToken(login.sessionToken))).toBe('session_revoked')
  })

  it('answers store_unavailable when the store fails', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', transport: 'session' })
    h.store.failing.add('getSession')
    const error = await errorOf(h.auth.verifySessionToken(login.sessionToken))
    expect([error.code, error.retryAfter]).toEqual(['store_unavailable', 1])
  })
})

describe('touchSession', () => {
  it('slides lastSeenAt and the idle expiry, never past the absolute expiry', async () => {
    const h = setup({ session: { idleTimeoutMs: 3_600_000, absoluteTtlMs: 5_400_000 } })
    const login = await h.auth.login({ sub: 'alice' })
    const ref = { sub: 'alice', id: login.sessionId }
    h.clock.advance(1_000_000)
    expect(await h.auth.touchSession(ref)).toMatchObject({ lastSeenAt: T0 + 1_000_000, expiresAt: T0 + 4_600_000 })
    h.clock.advance(2_000_000)
    expect(await h.auth.touchSession(ref)).toMatchObject({ lastSeenAt: T0 + 3_000_000, expiresAt: T0 + 5_400_000 })
  })

  it('refuses to revive an ended session', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    await h.auth.logout({ sub: 'alice', id: login.sessionId })
    expect(await codeOf(h.auth.touchSession({ sub: 'alice', id: login.sessionId }))).toBe('session_revoked')
  })
})

describe('session data', () => {
  it('updates with the current data and answers the stored result', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', transport: 'session', data: { n: 1 } })
    const ref = { sub: 'alice', id: login.sessionId }
    const seen: unknown[] = []
    const result = await h.auth.updateSessionData(ref, (data) => {
      seen.push(data)
      return { n: (data.n as number) + 1 }
    })
    expect(seen).toEqual([{ n: 1 }])
    expect(result).toEqual({ n: 2 })
    expect(h.store.peek(ref)?.data).toEqual({ n: 2 })
  })

  it('hands the update a copy: changing it in place changes nothing stored', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', transport: 'session', data: { list: [1] } })
    const ref = { sub: 'alice', id: login.sessionId }
    await h.auth.updateSessionData(ref, (data) => {
      ;(data.list as number[]).push(2)
      return { other: true }
    })
    expect(h.store.peek(ref)?.data).toEqual({ other: true })
  })

  it('starts from an empty object when the session has no data', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    const seen: unknown[] = []
    await h.auth.updateSessionData({ sub: 'alice', id: login.sessionId }, (data) => {
      seen.push(data)
      return {}
    })
    expect(seen).toEqual([{}])
  })

  it('runs the update again on the newer data when another update won, and gives up with conflict after maxAttempts', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', transport: 'session', data: { n: 0 } })
    const ref = { sub: 'alice', id: login.sessionId }
    let calls = 0
    const racing = (rounds: number) => async (data: Readonly<Record<string, unknown>>) => {
      calls++
      // another writer lands between our read and our write, `rounds` times
      if (calls <= rounds) await h.store.updateSession(ref, {}, { data: { n: (data.n as number) + 100 } }, h.clock())
      return { n: (data.n as number) + 1 }
    }
    expect(await h.auth.updateSessionData(ref, racing(2))).toEqual({ n: 201 })
    expect(calls).toBe(3)

    calls = 0
    const error = await errorOf(h.auth.updateSessionData(ref, racing(99), { maxAttempts: 3 }))
    expect([error.code, error.reason]).toEqual(['conflict', 'session_data'])
    expect(calls).toBe(3)

    calls = 0
    expect(await codeOf(h.auth.updateSessionData(ref, racing(99)))).toBe('conflict')
    expect(calls).toBe(5) // the default
  })

  it('refuses data over the limit, and answers session_revoked for an ended session', async () => {
    const h = setup({ session: { maxDataBytes: 10 } })
    const login = await h.auth.login({ sub: 'alice', transport: 'session' })
    const ref = { sub: 'alice', id: login.sessionId }
    expect(await codeOf(h.auth.updateSessionData(ref, () => ({ long: 'x'.repeat(20) })))).toBe('payload_too_large')
    await h.auth.logout(ref)
    expect(await codeOf(h.auth.updateSessionData(ref, () => ({})))).toBe('session_revoked')
  })

  it('answers session_revoked when the session ends between the read and the write', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', transport: 'session' })
    const ref = { sub: 'alice', id: login.sessionId }
    const error = await errorOf(
      h.auth.updateSessionData(ref, async () => {
        await h.auth.logout(ref)
        return { late: true }
      }),
    )
    expect(error.code).toBe('session_revoked')
  })

  it('answers session_revoked, not conflict, when the one allowed attempt finds the session ended at the write', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', transport: 'session' })
    const ref = { sub: 'alice', id: login.sessionId }
    const update = async () => {
      await h.auth.logout(ref)
      return { late: true }
    }
    expect(await codeOf(h.auth.updateSessionData(ref, update, { maxAttempts: 1 }))).toBe('session_revoked')
  })

  it.each([
    ['null', null],
    ['an array', [1, 2]],
    ['a string', 'data'],
  ])('refuses an update that answers %s, with a TypeError', async (_name, next) => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', transport: 'session', data: { n: 1 } })
    const ref = { sub: 'alice', id: login.sessionId }
    await expect(h.auth.updateSessionData(ref, () => next as never)).rejects.toThrow(new TypeError('session data must be a plain JSON object'))
    expect(h.store.peek(ref)?.data).toEqual({ n: 1 })
  })

  it('sets data at a revision (compare-and-set): conflict on a stale one, session_revoked once ended', async () => {
    const h = setup({ session: { maxDataBytes: 10 } })
    const login = await h.auth.login({ sub: 'alice', transport: 'session' })
    const ref = { sub: 'alice', id: login.sessionId }
    const set = await h.auth.setSessionData(ref, { a: 1 }, 0)
    expect(set).toMatchObject({ data: { a: 1 }, revision: 1 })
    const stale = await errorOf(h.auth.setSessionData(ref, { a: 2 }, 0))
    expect([stale.code, stale.reason]).toEqual(['conflict', 'revision'])
    expect(await codeOf(h.auth.setSessionData(ref, { long: 'x'.repeat(20) }, 1))).toBe('payload_too_large')
    await h.auth.logout(ref)
    expect(await codeOf(h.auth.setSessionData(ref, { a: 3 }, 1))).toBe('session_revoked')
  })
})
