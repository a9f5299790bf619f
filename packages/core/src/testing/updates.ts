/**
 * Conformance: conditional updates (`updateSession`).
 *
 * @module
 * @internal
 */
import { expect, it } from 'vitest'
import type { RefreshState } from '../store.js'
import { HOUR, idsOf, makeCookieSession, makeSessionRecord, MINUTE, refOf, T0, type SuiteContext } from './fixtures.js'

const rotated: RefreshState = { generation: 1, current: 'hash-1', previous: 'hash-0', rotatedAt: T0 + MINUTE }

/** Registers the `updateSession` tests. */
export function defineUpdateTests({ store }: SuiteContext): void {
  it('applies a patch, increments the revision and answers the new record', async () => {
    const record = makeSessionRecord({ revision: 3 })
    await store().createSession(record, T0)
    const patch = { lastSeenAt: T0 + MINUTE, refresh: rotated, metadata: { label: 'Renamed' } }
    const result = await store().updateSession(refOf(record), {}, patch, T0 + MINUTE)
    // A patch replaces each given top-level field (metadata is replaced, not merged); patching
    // lastSeenAt re-derives expiresAt = min(absoluteExpiresAt, lastSeenAt + idleTimeoutMs).
    const expected = { ...record, ...patch, expiresAt: T0 + MINUTE + HOUR, revision: 4 }
    expect(result).toStrictEqual({ applied: true, session: expected })
    expect(await store().getSession(refOf(record), T0 + MINUTE)).toStrictEqual(expected)
    expect(idsOf(await store().listSessions(record.sub, T0 + MINUTE))).toEqual([record.id])
  })

  it('patches session data with nested values', async () => {
    const record = makeCookieSession()
    await store().createSession(record, T0)
    const data = { cart: [], flags: { beta: true, limits: [1, 2, 3] }, note: 'ünïcødé ✓' }
    const result = await store().updateSession(refOf(record), { revision: 0 }, { data }, T0 + 1)
    expect(result.applied).toBe(true)
    expect((await store().getSession(refOf(record), T0 + 1))?.data).toStrictEqual(data)
  })

  it('leaves fields the patch does not name (or names as undefined) as they are', async () => {
    const record = makeCookieSession()
    await store().createSession(record, T0)
    const result = await store().updateSession(refOf(record), {}, { lastSeenAt: T0 + 5, data: undefined, metadata: undefined }, T0 + 5)
    const expected = { ...record, lastSeenAt: T0 + 5, expiresAt: T0 + 5 + HOUR, revision: 1 }
    expect(result).toStrictEqual({ applied: true, session: expected })
    expect(await store().getSession(refOf(record), T0 + 5)).toStrictEqual(expected)
  })

  it('counts the revision up by one per applied write', async () => {
    const record = makeSessionRecord()
    await store().createSession(record, T0)
    for (let i = 0; i < 5; i++) {
      const result = await store().updateSession(refOf(record), { revision: i }, { lastSeenAt: T0 + i + 1 }, T0 + i + 1)
      expect(result.applied).toBe(true)
      expect(result.session?.revision).toBe(i + 1)
    }
    expect((await store().getSession(refOf(record), T0 + 10))?.revision).toBe(5)
  })

  it('does not apply when the revision condition fails, and answers the record as it is', async () => {
    const record = makeSessionRecord({ revision: 2 })
    await store().createSession(record, T0)
    for (const revision of [1, 3, 0]) {
      const result = await store().updateSession(refOf(record), { revision }, { lastSeenAt: T0 + 9 }, T0 + 9)
      expect(result).toStrictEqual({ applied: false, session: record })
    }
    expect(await store().getSession(refOf(record), T0 + 9)).toStrictEqual(record)
    const matching = await store().updateSession(refOf(record), { revision: 2 }, { lastSeenAt: T0 + 9 }, T0 + 9)
    expect(matching).toStrictEqual({ applied: true, session: { ...record, lastSeenAt: T0 + 9, expiresAt: T0 + 9 + HOUR, revision: 3 } })
  })

  it('applies when refresh.current matches, and not when it differs', async () => {
    const record = makeSessionRecord()
    await store().createSession(record, T0)
    const stale = await store().updateSession(refOf(record), { refreshCurrent: 'hash-previous' }, { refresh: rotated }, T0 + 1)
    expect(stale).toStrictEqual({ applied: false, session: record })

    const applied = await store().updateSession(refOf(record), { refreshCurrent: 'hash-0' }, { refresh: rotated }, T0 + 1)
    expect(applied).toStrictEqual({ applied: true, session: { ...record, refresh: rotated, revision: 1 } })

    const replay = await store().updateSession(refOf(record), { refreshCurrent: 'hash-0' }, { refresh: { ...rotated, generation: 9 } }, T0 + 2)
    expect(replay).toStrictEqual({ applied: false, session: { ...record, refresh: rotated, revision: 1 } })
  })

  it('never matches refreshCurrent on a session without refresh state', async () => {
    const record = makeCookieSession()
    await store().createSession(record, T0)
    const result = await store().updateSession(refOf(record), { refreshCurrent: 'token-hash-1' }, { lastSeenAt: T0 + 1 }, T0 + 1)
    expect(result).toStrictEqual({ applied: false, session: record })
  })

  it('requires every given condition to hold', async () => {
    const record = makeSessionRecord({ revision: 4 })
    await store().createSession(record, T0)
    const cases = [
      { revision: 3, refreshCurrent: 'hash-0' },
      { revision: 4, refreshCurrent: 'hash-x' },
      { revision: 5, refreshCurrent: 'hash-x' },
    ]
    for (const condition of cases) {
      expect(await store().updateSession(refOf(record), condition, { refresh: rotated }, T0 + 1)).toStrictEqual({ applied: false, session: record })
    }
    const both = await store().updateSession(refOf(record), { revision: 4, refreshCurrent: 'hash-0' }, { refresh: rotated }, T0 + 1)
    expect(both).toStrictEqual({ applied: true, session: { ...record, refresh: rotated, revision: 5 } })
  })

  it('never creates a session: an absent one answers { applied: false, session: null }', async () => {
    const ref = { sub: 'user-1', id: 'absent' }
    expect(await store().updateSession(ref, {}, { lastSeenAt: T0 }, T0)).toStrictEqual({ applied: false, session: null })
    expect(await store().getSession(ref, T0)).toBeNull()
    expect(await store().listSessions('user-1', T0)).toEqual([])
  })

  it('does not update an expired session and answers null', async () => {
    const record = makeSessionRecord({ expiresAt: T0 + 1000 })
    await store().createSession(record, T0)
    const late = await store().updateSession(refOf(record), {}, { lastSeenAt: T0 + 1000 }, T0 + 1000)
    expect(late).toStrictEqual({ applied: false, session: null })
    expect(await store().getSession(refOf(record), T0 + 1000)).toBeNull()
    expect(await store().getSession(refOf(record), T0 + 1001)).toBeNull()
  })

  it('slides the expiry when lastSeenAt is patched: min(absoluteExpiresAt, lastSeenAt + idleTimeoutMs)', async () => {
    const record = makeSessionRecord({ idleTimeoutMs: 1000, expiresAt: T0 + 1000, absoluteExpiresAt: T0 + 2500 })
    await store().createSession(record, T0)
    const slid = await store().updateSession(refOf(record), {}, { lastSeenAt: T0 + 900 }, T0 + 900)
    const expected = { ...record, lastSeenAt: T0 + 900, expiresAt: T0 + 1900, revision: 1 }
    expect(slid).toStrictEqual({ applied: true, session: expected })
    expect(await store().getSession(refOf(record), T0 + 1500)).toStrictEqual(expected)
    expect(idsOf(await store().listSessions(record.sub, T0 + 1500))).toEqual([record.id])
    expect((await store().getRevocationState({ sub: record.sub, sid: record.id, jti: 'j' }, T0 + 1899)).sessionAlive).toBe(true)
    expect(await store().getSession(refOf(record), T0 + 1900)).toBeNull()
  })

  it('caps the slid expiry at absoluteExpiresAt', async () => {
    const record = makeSessionRecord({ idleTimeoutMs: 1000, expiresAt: T0 + 1000, absoluteExpiresAt: T0 + 1500 })
    await store().createSession(record, T0)
    const result = await store().updateSession(refOf(record), { revision: 0 }, { lastSeenAt: T0 + 800 }, T0 + 800)
    expect(result.session?.expiresAt).toBe(T0 + 1500)
    expect(await store().getSession(refOf(record), T0 + 1499)).not.toBeNull()
    expect(await store().getSession(refOf(record), T0 + 1500)).toBeNull()
    expect(await store().listSessions(record.sub, T0 + 1500)).toEqual([])
  })

  it('keeps the expiry when lastSeenAt is not patched', async () => {
    const record = makeCookieSession({ expiresAt: T0 + 1000 })
    await store().createSession(record, T0)
    const result = await store().updateSession(refOf(record), {}, { data: { step: 2 }, metadata: { label: 'x' } }, T0 + 500)
    expect(result).toStrictEqual({ applied: true, session: { ...record, data: { step: 2 }, metadata: { label: 'x' }, revision: 1 } })
    expect(await store().getSession(refOf(record), T0 + 999)).not.toBeNull()
    expect(await store().getSession(refOf(record), T0 + 1000)).toBeNull()
  })

  it('never resurrects an ended session', async () => {
    const record = makeSessionRecord()
    await store().createSession(record, T0)
    await store().endSession(refOf(record), T0 + 1)
    for (const condition of [{}, { revision: 0 }, { refreshCurrent: 'hash-0' }]) {
      expect(await store().updateSession(refOf(record), condition, { lastSeenAt: T0 + 2 }, T0 + 2)).toStrictEqual({
        applied: false,
        session: null,
      })
    }
    expect(await store().getSession(refOf(record), T0 + 2)).toBeNull()
    expect(await store().listSessions(record.sub, T0 + 2)).toEqual([])
  })
}
