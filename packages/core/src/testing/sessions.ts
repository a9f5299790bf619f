/**
 * Conformance: creating, reading, listing and ending sessions.
 *
 * @module
 * @internal
 */
import { expect, it } from 'vitest'
import { eventsOf, HOUR, idsOf, makeCookieSession, makeSessionRecord, mutable, readAll, refOf, T0, type SuiteContext } from './fixtures.js'

/** Registers the session tests. */
export function defineSessionTests({ store }: SuiteContext): void {
  it('createSession then getSession returns every field, nested values included', async () => {
    const tokens = makeSessionRecord({ revision: 7, lastSeenAt: T0 + 5, refresh: { generation: 4, current: 'h4', previous: 'h3', rotatedAt: T0 + 5 } })
    const cookie = makeCookieSession({ id: 'sid-2' })
    await expect(store().createSession(tokens, T0)).resolves.toMatchObject({ created: true })
    await expect(store().createSession(cookie, T0)).resolves.toMatchObject({ created: true })
    expect(await store().getSession(refOf(tokens), T0)).toStrictEqual(tokens)
    expect(await store().getSession(refOf(cookie), T0)).toStrictEqual(cookie)
  })

  it('keeps its own copy: mutating the input or a returned record does not change the stored one', async () => {
    const original = makeCookieSession()
    const input = structuredClone(original)
    await store().createSession(input, T0)
    mutable(input).lastSeenAt = 1
    ;(input.data!.cart as unknown[]).push('injected')

    const read = await store().getSession(refOf(original), T0)
    expect(read).toStrictEqual(original)
    mutable(read!).revision = 99
    ;(read!.data!.nested as { deep: { n: number } }).deep.n = 42
    expect(await store().getSession(refOf(original), T0)).toStrictEqual(original)
  })

  it('rejects a second session with the same user and id with a TypeError, keeping the first', async () => {
    const first = makeSessionRecord()
    await store().createSession(first, T0)
    await expect(store().createSession(makeSessionRecord({ lastSeenAt: T0 + 1 }), T0 + 1)).rejects.toBeInstanceOf(TypeError)
    expect(await store().getSession(refOf(first), T0 + 1)).toStrictEqual(first)
    expect(idsOf(await store().listSessions(first.sub, T0 + 1))).toEqual([first.id])
  })

  it('treats an expired record as absent: a new session may take its id', async () => {
    const old = makeSessionRecord({ expiresAt: T0 + 1000 })
    await store().createSession(old, T0)
    const fresh = makeSessionRecord({ createdAt: T0 + 1000, lastSeenAt: T0 + 1000, expiresAt: T0 + 1000 + HOUR })
    await expect(store().createSession(fresh, T0 + 1000)).resolves.toMatchObject({ created: true })
    expect(await store().getSession(refOf(fresh), T0 + 1000)).toStrictEqual(fresh)
    expect(idsOf(await store().listSessions(fresh.sub, T0 + 1000))).toEqual([fresh.id])
  })

  it('getSession answers null for an unknown session, an unknown user and another user', async () => {
    await store().createSession(makeSessionRecord(), T0)
    expect(await store().getSession({ sub: 'user-1', id: 'sid-unknown' }, T0)).toBeNull()
    expect(await store().getSession({ sub: 'user-unknown', id: 'sid-1' }, T0)).toBeNull()
    expect(await store().getSession({ sub: 'user-1', id: 'sid-1' }, T0)).not.toBeNull()
  })

  it('getSession answers null once expiresAt <= now, and the record before that', async () => {
    const record = makeSessionRecord({ expiresAt: T0 + 1000 })
    await store().createSession(record, T0)
    expect(await store().getSession(refOf(record), T0 + 999)).toStrictEqual(record)
    expect(await store().getSession(refOf(record), T0 + 1000)).toBeNull()
    expect(await store().getSession(refOf(record), T0 + 5000)).toBeNull()
  })

  it('keeps sessions of different users with the same id apart', async () => {
    const alice = makeSessionRecord({ sub: 'alice', id: 'same', metadata: { label: 'alice' } })
    const bob = makeSessionRecord({ sub: 'bob', id: 'same', metadata: { label: 'bob' }, expiresAt: T0 + 2 * HOUR })
    await store().createSession(alice, T0)
    await store().createSession(bob, T0)
    expect(await store().getSession(refOf(alice), T0)).toStrictEqual(alice)
    expect(await store().getSession(refOf(bob), T0)).toStrictEqual(bob)

    expect(await store().endSession(refOf(alice), T0 + 1)).toStrictEqual(alice)
    expect(await store().getSession(refOf(alice), T0 + 1)).toBeNull()
    expect(await store().getSession(refOf(bob), T0 + 1)).toStrictEqual(bob)
    expect(idsOf(await store().listSessions('bob', T0 + 1))).toEqual(['same'])
    expect(await store().listSessions('alice', T0 + 1)).toEqual([])
  })

  it('listSessions lists exactly the live sessions of that user', async () => {
    await store().createSession(makeSessionRecord({ id: 'a' }), T0)
    await store().createSession(makeCookieSession({ id: 'b', expiresAt: T0 + 2 * HOUR }), T0)
    await store().createSession(makeSessionRecord({ id: 'short', expiresAt: T0 + 1000 }), T0)
    await store().createSession(makeSessionRecord({ id: 'other', sub: 'user-2' }), T0)

    const live = await store().listSessions('user-1', T0)
    expect(idsOf(live)).toEqual(['a', 'b', 'short'])
    expect(live.find((record) => record.id === 'b')).toStrictEqual(makeCookieSession({ id: 'b', expiresAt: T0 + 2 * HOUR }))
    expect(idsOf(await store().listSessions('user-1', T0 + 1000))).toEqual(['a', 'b'])
    expect(idsOf(await store().listSessions('user-1', T0 + HOUR))).toEqual(['b'])
    expect(idsOf(await store().listSessions('user-2', T0))).toEqual(['other'])
    expect(await store().listSessions('user-unknown', T0)).toEqual([])
  })

  it('getUserVersion is 0 for a user never bumped', async () => {
    await store().createSession(makeSessionRecord(), T0)
    expect(await store().getUserVersion('user-1')).toBe(0)
    expect(await store().getUserVersion('nobody')).toBe(0)
  })

  it('endSession deletes the record, removes it from the index and answers it', async () => {
    const ended = makeSessionRecord({ id: 'a' })
    const kept = makeSessionRecord({ id: 'b' })
    await store().createSession(ended, T0)
    await store().createSession(kept, T0)
    expect(await store().endSession(refOf(ended), T0 + 10)).toStrictEqual(ended)
    expect(await store().getSession(refOf(ended), T0 + 10)).toBeNull()
    expect(idsOf(await store().listSessions('user-1', T0 + 10))).toEqual(['b'])
    expect(await store().getSession(refOf(kept), T0 + 10)).toStrictEqual(kept)
    expect(await store().endSession(refOf(ended), T0 + 11)).toBeNull()
  })

  it('endSession appends a session event only when it removed a session', async () => {
    await store().createSession(makeSessionRecord(), T0)
    expect(await store().endSession({ sub: 'user-1', id: 'sid-1' }, T0 + 10)).not.toBeNull()
    expect(await store().endSession({ sub: 'user-1', id: 'sid-1' }, T0 + 15)).toBeNull()
    expect(await store().endSession({ sub: 'user-9', id: 'never-existed' }, T0 + 20)).toBeNull()
    expect(eventsOf((await readAll(store())).entries)).toEqual([{ type: 'session', sub: 'user-1', sid: 'sid-1', at: T0 + 10 }])
  })

  it("endSession naming another user's session id changes nothing: the session lives on, no feed entry", async () => {
    const victim = makeSessionRecord({ sub: 'victim', id: 'sid-v' })
    await store().createSession(victim, T0)
    expect(await store().endSession({ sub: 'mallory', id: 'sid-v' }, T0 + 10)).toBeNull()
    expect(await store().getSession(refOf(victim), T0 + 10)).toStrictEqual(victim)
    expect(idsOf(await store().listSessions('victim', T0 + 10))).toEqual(['sid-v'])
    expect((await store().getRevocationState({ sub: 'victim', sid: 'sid-v', jti: 'j' }, T0 + 10)).sessionAlive).toBe(true)
    expect((await readAll(store())).entries).toEqual([])
  })

  it('endSession of an expired session answers null (it was already absent)', async () => {
    const record = makeSessionRecord({ expiresAt: T0 + 1000 })
    await store().createSession(record, T0)
    expect(await store().endSession(refOf(record), T0 + 1000)).toBeNull()
    expect(await store().getSession(refOf(record), T0 + 999)).toBeNull()
  })
}

/** Registers the per-user cap tests of `createSession` (`maxPerUser`). */
export function defineSessionCapTests({ store }: SuiteContext): void {
  const seen = (id: string, lastSeenAt: number, sub = 'user-1') => makeSessionRecord({ id, sub, lastSeenAt, createdAt: T0 })

  it('at the cap, a new session ends the least recently seen one, with a session event, and answers its id', async () => {
    for (const [id, at] of [['b', T0 + 2], ['a', T0 + 3], ['c', T0 + 1]] as const) {
      expect(await store().createSession(seen(id, at), T0 + 5, { maxPerUser: 3 })).toStrictEqual({ created: true, ended: [] })
    }
    expect(await store().createSession(seen('d', T0 + 5), T0 + 5, { maxPerUser: 3 })).toStrictEqual({ created: true, ended: ['c'] })
    expect(idsOf(await store().listSessions('user-1', T0 + 5)).sort()).toEqual(['a', 'b', 'd'])
    expect(await store().getSession({ sub: 'user-1', id: 'c' }, T0 + 5)).toBeNull()
    expect((await store().getRevocationState({ sub: 'user-1', sid: 'c', jti: 'j' }, T0 + 5)).sessionAlive).toBe(false)
    expect(eventsOf((await readAll(store())).entries)).toEqual([{ type: 'session', sub: 'user-1', sid: 'c', at: T0 + 5 }])
  })

  it('above the cap (a lowered cap), ends as many as needed, oldest seen first, ties by id', async () => {
    for (const id of ['e', 'd', 'c', 'b', 'a']) await store().createSession(seen(id, T0 + (id === 'e' ? 9 : 1)), T0 + 10)
    const result = await store().createSession(seen('f', T0 + 10), T0 + 10, { maxPerUser: 2 })
    expect(result).toStrictEqual({ created: true, ended: ['a', 'b', 'c', 'd'] })
    expect(idsOf(await store().listSessions('user-1', T0 + 10)).sort()).toEqual(['e', 'f'])
  })

  it('counts live sessions only, of this user only', async () => {
    await store().createSession(makeSessionRecord({ id: 'old', expiresAt: T0 + 10 }), T0)
    await store().createSession(seen('live', T0 + 1), T0)
    await store().createSession(seen('other', T0, 'user-2'), T0)
    expect(await store().createSession(seen('new', T0 + 20), T0 + 20, { maxPerUser: 2 })).toStrictEqual({ created: true, ended: [] })
    expect(await store().getSession({ sub: 'user-2', id: 'other' }, T0 + 20)).not.toBeNull()
    expect(await store().createSession(seen('newer', T0 + 21), T0 + 21, { maxPerUser: 2 })).toStrictEqual({ created: true, ended: ['live'] })
    expect(await store().getSession({ sub: 'user-2', id: 'other' }, T0 + 21)).not.toBeNull()
  })

  it('a cap of 1 replaces the session; a refused creation (stale version) ends nothing', async () => {
    await store().createSession(seen('a', T0), T0, { maxPerUser: 1 })
    expect(await store().createSession(seen('b', T0 + 1), T0 + 1, { maxPerUser: 1 })).toStrictEqual({ created: true, ended: ['a'] })
    await store().logoutAll('user-2', T0 + 1)
    await store().createSession(seen('x', T0, 'user-2'), T0 + 1, { maxPerUser: 1 }) // ver 0 is stale: refused
    await store().createSession(makeSessionRecord({ id: 'y', sub: 'user-2', ver: 1 }), T0 + 1)
    expect(await store().createSession(seen('z', T0 + 2, 'user-2'), T0 + 2, { maxPerUser: 1 })).toStrictEqual({ created: false, ended: [] })
    expect(idsOf(await store().listSessions('user-2', T0 + 2))).toEqual(['y'])
  })

  it('refuses a maxPerUser that is not a positive integer, with a TypeError, and creates nothing', async () => {
    for (const maxPerUser of [0, -1, 1.5, Number.NaN]) {
      await expect(store().createSession(seen(`bad-${maxPerUser}`, T0), T0, { maxPerUser }), String(maxPerUser)).rejects.toBeInstanceOf(TypeError)
    }
    expect(await store().listSessions('user-1', T0)).toEqual([])
  })
}

/** Registers the tests of the ended marks (`wasSessionEnded`, `RevocationState.sessionEnded`). */
export function defineEndedMarkTests({ store }: SuiteContext): void {
  const ended = async (ref: { sub: string; id: string }, now: number) => ({
    asked: await store().wasSessionEnded(ref, now),
    state: (await store().getRevocationState({ sub: ref.sub, sid: ref.id, jti: 'j' }, now)).sessionEnded,
  })
  const yes = { asked: true, state: true }
  const no = { asked: false, state: false }

  it('endSession marks a live session as ended until its own expiry, and no longer', async () => {
    const record = makeSessionRecord({ expiresAt: T0 + HOUR })
    await store().createSession(record, T0)
    expect(await ended(refOf(record), T0)).toStrictEqual(no)
    await store().endSession(refOf(record), T0 + 10)
    expect(await ended(refOf(record), T0 + 10)).toStrictEqual(yes)
    expect(await ended(refOf(record), T0 + HOUR - 1)).toStrictEqual(yes)
    expect(await ended(refOf(record), T0 + HOUR)).toStrictEqual(no) // it would have expired by now
  })

  it('an expired session, an unknown one, or one named with another sub is not ended', async () => {
    const record = makeSessionRecord({ expiresAt: T0 + 1000 })
    await store().createSession(record, T0)
    expect(await ended(refOf(record), T0 + 1000)).toStrictEqual(no)
    expect(await store().endSession(refOf(record), T0 + 1000)).toBeNull()
    expect(await ended(refOf(record), T0 + 1001)).toStrictEqual(no)
    expect(await ended({ sub: 'user-1', id: 'never' }, T0)).toStrictEqual(no)
    const victim = makeSessionRecord({ sub: 'victim', id: 'sid-v' })
    await store().createSession(victim, T0)
    await store().endSession({ sub: 'mallory', id: 'sid-v' }, T0 + 1)
    expect(await ended(refOf(victim), T0 + 1)).toStrictEqual(no)
    expect(await ended({ sub: 'mallory', id: 'sid-v' }, T0 + 1)).toStrictEqual(no)
  })

  it('logoutAll marks each live session it ends', async () => {
    const a = makeSessionRecord({ id: 'a', expiresAt: T0 + HOUR })
    const b = makeSessionRecord({ id: 'b', expiresAt: T0 + 2 * HOUR })
    const gone = makeSessionRecord({ id: 'gone', expiresAt: T0 + 5 })
    for (const record of [a, b, gone]) await store().createSession(record, T0)
    await store().logoutAll('user-1', T0 + 10)
    expect(await ended(refOf(a), T0 + 10)).toStrictEqual(yes)
    expect(await ended(refOf(b), T0 + HOUR + 1)).toStrictEqual(yes)
    expect(await ended(refOf(a), T0 + HOUR + 1)).toStrictEqual(no)
    expect(await ended(refOf(gone), T0 + 10)).toStrictEqual(no)
  })

  it('the per-user cap marks the sessions it ends', async () => {
    await store().createSession(makeSessionRecord({ id: 'old', lastSeenAt: T0 }), T0)
    await store().createSession(makeSessionRecord({ id: 'new', lastSeenAt: T0 + 1 }), T0 + 1, { maxPerUser: 1 })
    expect(await ended({ sub: 'user-1', id: 'old' }, T0 + 2)).toStrictEqual(yes)
    expect(await ended({ sub: 'user-1', id: 'new' }, T0 + 2)).toStrictEqual(no)
  })
}
