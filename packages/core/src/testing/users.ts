/**
 * Conformance: user token versions and "log out everywhere" (`logoutAll`).
 *
 * @module
 * @internal
 */
import { expect, it } from 'vitest'
import { eventsOf, idsOf, makeCookieSession, makeSessionRecord, readAll, refOf, T0, type SuiteContext } from './fixtures.js'

/** Registers the `logoutAll` and user version tests. */
export function defineUserTests({ store }: SuiteContext): void {
  it('bumps the user version 0 → 1 → 2 and answers it', async () => {
    expect(await store().getUserVersion('user-1')).toBe(0)
    expect((await store().logoutAll('user-1', T0)).ver).toBe(1)
    expect(await store().getUserVersion('user-1')).toBe(1)
    expect((await store().logoutAll('user-1', T0 + 1)).ver).toBe(2)
    expect(await store().getUserVersion('user-1')).toBe(2)
    expect(await store().getUserVersion('user-2')).toBe(0)
  })

  it("ends every session of the user, and only that user's, answering the ended ids", async () => {
    const mine = [makeSessionRecord({ id: 'a' }), makeCookieSession({ id: 'b' }), makeSessionRecord({ id: 'c' })]
    const theirs = makeSessionRecord({ sub: 'user-2', id: 'a' })
    for (const record of [...mine, theirs]) await store().createSession(record, T0)

    const { ver, ended } = await store().logoutAll('user-1', T0 + 10)
    expect(ver).toBe(1)
    expect([...ended].sort()).toEqual(['a', 'b', 'c'])
    for (const record of mine) expect(await store().getSession(refOf(record), T0 + 10)).toBeNull()
    expect(await store().listSessions('user-1', T0 + 10)).toEqual([])

    expect(await store().getSession(refOf(theirs), T0 + 10)).toStrictEqual(theirs)
    expect(idsOf(await store().listSessions('user-2', T0 + 10))).toEqual(['a'])
    expect(await store().getUserVersion('user-2')).toBe(0)
  })

  it('appends one user event with the new version', async () => {
    await store().createSession(makeSessionRecord(), T0)
    await store().logoutAll('user-1', T0 + 10)
    await store().logoutAll('user-1', T0 + 20)
    expect(eventsOf((await readAll(store())).entries)).toEqual([
      { type: 'user', sub: 'user-1', ver: 1, at: T0 + 10 },
      { type: 'user', sub: 'user-1', ver: 2, at: T0 + 20 },
    ])
  })

  it("creates a session only while the user's version equals its ver", async () => {
    await expect(store().createSession(makeSessionRecord({ id: 'v0' }), T0)).resolves.toMatchObject({ created: true })
    await store().logoutAll('user-1', T0 + 1)
    await store().logoutAll('user-1', T0 + 2)
    for (const ver of [0, 1, 3]) {
      await expect(store().createSession(makeSessionRecord({ id: `stale-${ver}`, ver }), T0 + 3)).resolves.toMatchObject({ created: false })
      expect(await store().getSession({ sub: 'user-1', id: `stale-${ver}` }, T0 + 3)).toBeNull()
    }
    expect(await store().listSessions('user-1', T0 + 3)).toEqual([])
    const current = makeSessionRecord({ id: 'v2', ver: 2 })
    await expect(store().createSession(current, T0 + 3)).resolves.toMatchObject({ created: true })
    expect(await store().getSession(refOf(current), T0 + 3)).toStrictEqual(current)
    expect(idsOf(await store().listSessions('user-1', T0 + 3))).toEqual(['v2'])
    // Only user-1 moved on.
    await expect(store().createSession(makeSessionRecord({ sub: 'user-2', id: 'v0' }), T0 + 3)).resolves.toMatchObject({ created: true })
  })

  it('bumps the version and answers no ids for a user without sessions', async () => {
    expect(await store().logoutAll('nobody', T0)).toEqual({ ver: 1, ended: [] })
    expect(await store().getUserVersion('nobody')).toBe(1)
  })

  it('leaves the ended sessions ended: updates do not bring them back, new logins work', async () => {
    const record = makeSessionRecord()
    await store().createSession(record, T0)
    await store().logoutAll('user-1', T0 + 1)
    expect(await store().updateSession(refOf(record), {}, { lastSeenAt: T0 + 2 }, T0 + 2)).toStrictEqual({ applied: false, session: null })

    const next = makeSessionRecord({ id: 'after', ver: 1, createdAt: T0 + 3, lastSeenAt: T0 + 3 })
    await store().createSession(next, T0 + 3)
    expect(idsOf(await store().listSessions('user-1', T0 + 3))).toEqual(['after'])
    expect(await store().getSession(refOf(next), T0 + 3)).toStrictEqual(next)
  })
}
