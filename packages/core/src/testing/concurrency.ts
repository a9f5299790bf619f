/**
 * Conformance: check-then-act is atomic under concurrent callers.
 *
 * @module
 * @internal
 */
import { expect, it } from 'vitest'
import type { AuthStore, RefreshState } from '../store.js'
import { eventsOf, idsOf, makeSessionRecord, readAll, refOf, T0, type SuiteContext } from './fixtures.js'

/**
 * Every id the user's index lists has a record, and every live record is in the index: the two
 * views of the user's sessions agree.
 */
async function expectIndexConsistent(store: AuthStore, sub: string, ids: readonly string[], now: number): Promise<string[]> {
  const listed = idsOf(await store.listSessions(sub, now))
  const present: string[] = []
  for (const id of ids) if ((await store.getSession({ sub, id }, now)) !== null) present.push(id)
  expect(listed).toEqual(present.sort())
  return listed
}

/** Registers the concurrency tests. */
export function defineConcurrencyTests({ store, settings }: SuiteContext): void {
  const n = settings.concurrency

  it(`applies exactly one of ${n} concurrent updates conditioned on the same revision`, async () => {
    const record = makeSessionRecord({ revision: 10 })
    await store().createSession(record, T0)
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => store().updateSession(refOf(record), { revision: 10 }, { lastSeenAt: T0 + i + 1 }, T0 + 1)),
    )
    const applied = results.filter((result) => result.applied)
    expect(applied).toHaveLength(1)
    expect(applied[0]!.session?.revision).toBe(11)
    const final = await store().getSession(refOf(record), T0 + 1)
    expect(final?.revision).toBe(11)
    expect(final?.lastSeenAt).toBe(applied[0]!.session?.lastSeenAt)
    for (const result of results) expect(result.session).not.toBeNull()
  })

  it(`applies exactly one of ${n} concurrent rotations of the same refresh token`, async () => {
    const record = makeSessionRecord()
    await store().createSession(record, T0)
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const successor: RefreshState = { generation: 1, current: `successor-${i}`, previous: 'hash-0', rotatedAt: T0 + 1 }
        return store().updateSession(refOf(record), { refreshCurrent: 'hash-0' }, { refresh: successor }, T0 + 1)
      }),
    )
    const applied = results.filter((result) => result.applied)
    expect(applied).toHaveLength(1)
    const winner = applied[0]!.session!.refresh!.current
    expect(winner).toMatch(/^successor-\d+$/)
    const final = await store().getSession(refOf(record), T0 + 1)
    expect(final?.refresh?.current).toBe(winner)
    expect(final?.revision).toBe(1)
    // The losers see the winner's record, so core can hand them the same successor (grace window).
    for (const result of results.filter((r) => !r.applied)) expect(result.session?.refresh?.current).toBe(winner)
  })

  it.each([
    ['endSession first', true],
    ['updateSession first', false],
  ])('concurrent endSession and updateSession (%s): the session ends and stays ended', async (_, endFirst) => {
    const record = makeSessionRecord()
    await store().createSession(record, T0)
    const end = () => store().endSession(refOf(record), T0 + 1)
    const update = () => store().updateSession(refOf(record), {}, { lastSeenAt: T0 + 1 }, T0 + 1)
    const [ended, updated] = endFirst
      ? await Promise.all([end(), update()])
      : await Promise.all([update(), end()]).then(([u, e]) => [e, u] as const)
    expect(ended).not.toBeNull()
    if (updated.applied) expect(ended?.revision).toBe(1)
    else expect(updated.session).toBeNull()
    expect(await store().getSession(refOf(record), T0 + 2)).toBeNull()
    expect(await store().listSessions(record.sub, T0 + 2)).toEqual([])
    expect((await store().updateSession(refOf(record), {}, { lastSeenAt: T0 + 3 }, T0 + 3)).applied).toBe(false)
  })

  it(`leaves no session of the old version when ${n} logins race logoutAll`, async () => {
    const before = Array.from({ length: 5 }, (_, i) => `old-${i}`)
    for (const id of before) await store().createSession(makeSessionRecord({ id }), T0)
    const racing = Array.from({ length: n }, (_, i) => `new-${i}`)
    const login = (id: string) => store().createSession(makeSessionRecord({ id, createdAt: T0 + 1, lastSeenAt: T0 + 1 }), T0 + 1)
    // Half the logins are issued before the bump and half after, all in flight together.
    const half = Math.floor(n / 2)
    const early = racing.slice(0, half).map(login)
    const endAll = store().logoutAll('user-1', T0 + 1)
    const late = racing.slice(half).map(login)
    const created = await Promise.all([...early, ...late])
    const { ver, ended } = await endAll

    expect(ver).toBe(1)
    const accepted = racing.filter((_, i) => created[i]!.created)
    // A login that got in before the bump was ended by it; one that came after was refused (its
    // version is stale). Either way no session of version 0 survives.
    expect([...ended].sort()).toEqual([...before, ...accepted].sort())
    const all = [...before, ...racing]
    expect(await expectIndexConsistent(store(), 'user-1', all, T0 + 2)).toEqual([])
    expect(eventsOf((await readAll(store())).entries)).toEqual([{ type: 'user', sub: 'user-1', ver: 1, at: T0 + 1 }])
    // A login that carries the new version gets in.
    await expect(store().createSession(makeSessionRecord({ id: 'retry', ver: 1 }), T0 + 2)).resolves.toMatchObject({ created: true })
    expect(await expectIndexConsistent(store(), 'user-1', [...all, 'retry'], T0 + 2)).toEqual(['retry'])
  })

  it(`keeps the index and the records consistent under ${n} mixed concurrent writes`, async () => {
    const ids = Array.from({ length: n }, (_, i) => `s-${i}`)
    await Promise.all(ids.map((id) => store().createSession(makeSessionRecord({ id }), T0)))
    await Promise.all(
      ids.map((id, i) =>
        i % 3 === 0
          ? store().endSession({ sub: 'user-1', id }, T0 + 1)
          : store().updateSession({ sub: 'user-1', id }, { revision: 0 }, { lastSeenAt: T0 + 1 }, T0 + 1),
      ),
    )
    const alive = await expectIndexConsistent(store(), 'user-1', ids, T0 + 1)
    expect(alive).toEqual(ids.filter((_, i) => i % 3 !== 0).sort())
  })
}
