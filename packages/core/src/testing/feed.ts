/**
 * Conformance: the revocation feed (append, replay, cursors, blocking reads, trimming, gaps).
 *
 * @module
 * @internal
 */
import { expect, it } from 'vitest'
import type { AuthStore, FeedEntry, RevocationEvent } from '../store.js'
import { delay, eventsOf, makeSessionRecord, MINUTE, readAll, T0, type SuiteContext } from './fixtures.js'

/** Appends one `token` event per time in `ats` (each denies its own `jti`) and answers every entry. */
async function appendTokens(store: AuthStore, ats: readonly number[]): Promise<FeedEntry[]> {
  for (const [i, at] of ats.entries()) await store.denyToken({ sub: 'user-1', jti: `jti-${i}`, expiresAt: at + 15 * MINUTE }, at)
  const { entries } = await readAll(store)
  expect(entries).toHaveLength(ats.length)
  return [...entries]
}

function tokenEvent(i: number, at: number): RevocationEvent {
  return { type: 'token', sub: 'user-1', jti: `jti-${i}`, expiresAt: at + 15 * MINUTE, at }
}

/** Wall-clock duration of an async call (ms). */
async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now()
  const value = await run()
  return [value, performance.now() - start]
}

/** Registers the feed tests. */
export function defineFeedTests({ store }: SuiteContext): void {
  it('answers an empty feed with no entries, a cursor at its end and no gap; that cursor reads what comes next', async () => {
    for (const options of [{ after: null }, { after: null, since: T0 }]) {
      const empty = await store().readFeed(options)
      expect(empty.entries).toStrictEqual([])
      expect(empty.gap).toBe(false)
      // A position even before the first entry, so a reader can tell a feed lost meanwhile.
      expect(typeof empty.cursor).toBe('string')
      expect(await store().readFeed({ after: empty.cursor })).toStrictEqual({ entries: [], cursor: empty.cursor, gap: false })
    }
    const { cursor } = await store().readFeed({ after: null })
    await store().denyToken({ sub: 'user-1', jti: 'jti-first', expiresAt: T0 + MINUTE }, T0)
    const next = await store().readFeed({ after: cursor })
    expect(eventsOf(next.entries)).toEqual([{ type: 'token', sub: 'user-1', jti: 'jti-first', expiresAt: T0 + MINUTE, at: T0 }])
    expect(next.gap).toBe(false)
  })

  it('keeps every event type in append order, each with its own cursor', async () => {
    await store().createSession(makeSessionRecord({ id: 'sid-1' }), T0)
    await store().denyToken({ sub: 'user-1', jti: 'jti-a', expiresAt: T0 + MINUTE }, T0)
    await store().endSession({ sub: 'user-1', id: 'sid-1' }, T0 + 1)
    await store().logoutAll('user-2', T0 + 2)
    await store().denyToken({ sub: 'user-1', jti: 'jti-b', expiresAt: T0 + MINUTE }, T0 + 3)
    const { entries, cursor, gap } = await readAll(store())
    expect(eventsOf(entries)).toEqual([
      { type: 'token', sub: 'user-1', jti: 'jti-a', expiresAt: T0 + MINUTE, at: T0 },
      { type: 'session', sub: 'user-1', sid: 'sid-1', at: T0 + 1 },
      { type: 'user', sub: 'user-2', ver: 1, at: T0 + 2 },
      { type: 'token', sub: 'user-1', jti: 'jti-b', expiresAt: T0 + MINUTE, at: T0 + 3 },
    ])
    expect(gap).toBe(false)
    for (const entry of entries) expect(typeof entry.cursor).toBe('string')
    expect(new Set(entries.map((entry) => entry.cursor)).size).toBe(entries.length)
    expect(cursor).toBe(entries.at(-1)!.cursor)
  })

  it('reads after a cursor exactly the entries appended after it (cursors strictly increase)', async () => {
    const entries = await appendTokens(store(), [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4])
    for (const [i, entry] of entries.entries()) {
      const result = await store().readFeed({ after: entry.cursor })
      expect(result.entries).toStrictEqual(entries.slice(i + 1))
      expect(result.cursor).toBe(i + 1 < entries.length ? entries.at(-1)!.cursor : entry.cursor)
      expect(result.gap).toBe(false)
    }
    await store().denyToken({ sub: 'user-1', jti: 'jti-later', expiresAt: T0 + MINUTE }, T0 + 5)
    const later = await store().readFeed({ after: entries.at(-1)!.cursor })
    expect(eventsOf(later.entries)).toEqual([{ type: 'token', sub: 'user-1', jti: 'jti-later', expiresAt: T0 + MINUTE, at: T0 + 5 }])
    expect(entries.map((entry) => entry.cursor)).not.toContain(later.entries[0]!.cursor)
  })

  it('replays from `since` by event time when there is no cursor', async () => {
    await appendTokens(store(), [T0, T0 + 10, T0 + 20, T0 + 30])
    expect(eventsOf((await store().readFeed({ after: null })).entries)).toHaveLength(4)
    expect(eventsOf((await store().readFeed({ after: null, since: T0 + 10 })).entries)).toEqual([
      tokenEvent(1, T0 + 10),
      tokenEvent(2, T0 + 20),
      tokenEvent(3, T0 + 30),
    ])
    expect(eventsOf((await store().readFeed({ after: null, since: T0 + 11 })).entries)).toEqual([tokenEvent(2, T0 + 20), tokenEvent(3, T0 + 30)])
    // Nothing since T0 + 31: the cursor stands at the end, after the four older entries.
    const none = await store().readFeed({ after: null, since: T0 + 31 })
    expect(none).toMatchObject({ entries: [], gap: false })
    expect(typeof none.cursor).toBe('string')
    await store().denyToken({ sub: 'user-1', jti: 'jti-later', expiresAt: T0 + MINUTE }, T0 + 40)
    expect(eventsOf((await store().readFeed({ after: none.cursor })).entries)).toEqual([
      { type: 'token', sub: 'user-1', jti: 'jti-later', expiresAt: T0 + MINUTE, at: T0 + 40 },
    ])
  })

  it('answers at most `limit` entries and continues from the answered cursor', async () => {
    const all = await appendTokens(store(), [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4])
    const first = await store().readFeed({ after: null, since: T0, limit: 2 })
    expect(first.entries).toStrictEqual(all.slice(0, 2))
    expect(first.cursor).toBe(all[1]!.cursor)
    const second = await store().readFeed({ after: first.cursor, limit: 2 })
    expect(second.entries).toStrictEqual(all.slice(2, 4))
    const third = await store().readFeed({ after: second.cursor, limit: 2 })
    expect(third.entries).toStrictEqual(all.slice(4))
    expect(third.cursor).toBe(all[4]!.cursor)
    expect((await store().readFeed({ after: third.cursor, limit: 2 })).entries).toEqual([])
    expect((await store().readFeed({ after: null, since: T0 + 1, limit: 1 })).entries).toStrictEqual([all[1]])
  })

  it('a blocking read answers at once when entries are there', async () => {
    const [entry] = await appendTokens(store(), [T0])
    const [result, ms] = await timed(() => store().readFeed({ after: null, since: T0, blockMs: 5000 }))
    expect(result.entries).toStrictEqual([entry])
    expect(ms).toBeLessThan(1000)
  })

  it('a blocking read wakes up when an entry is appended meanwhile', async () => {
    const [first] = await appendTokens(store(), [T0])
    const [[result], ms] = await timed(() =>
      Promise.all([
        store().readFeed({ after: first!.cursor, blockMs: 5000 }),
        delay(50).then(() => store().denyToken({ sub: 'user-1', jti: 'jti-woken', expiresAt: T0 + MINUTE }, T0 + 1)),
      ]),
    )
    expect(eventsOf(result.entries)).toEqual([{ type: 'token', sub: 'user-1', jti: 'jti-woken', expiresAt: T0 + MINUTE, at: T0 + 1 }])
    expect(result.cursor).toBe(result.entries[0]!.cursor)
    expect(ms).toBeLessThan(2500)
  })

  it('every waiting reader wakes up on one append, also one without a cursor', async () => {
    await store().createSession(makeSessionRecord({ id: 'sid-9' }), T0)
    const [first] = await appendTokens(store(), [T0])
    const [[a, b, c], ms] = await timed(() =>
      Promise.all([
        store().readFeed({ after: first!.cursor, blockMs: 5000 }),
        store().readFeed({ after: first!.cursor, blockMs: 5000 }),
        store().readFeed({ after: null, since: T0 + 1, blockMs: 5000 }),
        delay(50).then(() => store().endSession({ sub: 'user-1', id: 'sid-9' }, T0 + 2)),
      ]),
    )
    const expected = [{ type: 'session', sub: 'user-1', sid: 'sid-9', at: T0 + 2 }]
    expect(eventsOf(a.entries)).toEqual(expected)
    expect(eventsOf(b.entries)).toEqual(expected)
    expect(eventsOf(c.entries)).toEqual(expected)
    expect(ms).toBeLessThan(2500)
  })

  it('a blocking read answers empty, with the given cursor, after blockMs when nothing comes', async () => {
    const [first] = await appendTokens(store(), [T0])
    const [result, ms] = await timed(() => store().readFeed({ after: first!.cursor, blockMs: 100 }))
    expect(result).toStrictEqual({ entries: [], cursor: first!.cursor, gap: false })
    expect(ms).toBeGreaterThanOrEqual(80)
    expect(ms).toBeLessThan(2500)
  })

  it('an abort signal ends a blocking read early with what there is', async () => {
    const [first] = await appendTokens(store(), [T0])
    const controller = new AbortController()
    const [result, ms] = await timed(() =>
      Promise.all([store().readFeed({ after: first!.cursor, blockMs: 10_000, signal: controller.signal }), delay(50).then(() => controller.abort())]),
    )
    expect(result[0]).toStrictEqual({ entries: [], cursor: first!.cursor, gap: false })
    expect(ms).toBeLessThan(2500)

    const [aborted, abortedMs] = await timed(() => store().readFeed({ after: first!.cursor, blockMs: 10_000, signal: AbortSignal.abort() }))
    expect(aborted.entries).toEqual([])
    expect(abortedMs).toBeLessThan(1000)
  })

  it('trimFeed drops the entries with at < before and keeps the rest', async () => {
    const all = await appendTokens(store(), [T0, T0 + 10, T0 + 20, T0 + 30, T0 + 40])
    await store().trimFeed(T0 + 20)
    const { entries } = await store().readFeed({ after: null })
    expect(entries).toStrictEqual(all.slice(2))
    await store().trimFeed(T0 + 41)
    expect((await store().readFeed({ after: null })).entries).toEqual([])
  })

  it('reports a gap exactly when entries after the cursor, or at or after `since`, were trimmed', async () => {
    const all = await appendTokens(store(), [T0, T0 + 10, T0 + 20, T0 + 30, T0 + 40])
    const [c0, c1, c2] = all.map((entry) => entry.cursor)

    await store().trimFeed(T0) // drops nothing
    expect((await store().readFeed({ after: c0! })).gap).toBe(false)
    expect((await store().readFeed({ after: null, since: T0 })).gap).toBe(false)

    await store().trimFeed(T0 + 20) // drops c0 and c1
    // c1 was trimmed after c0: a reader at c0 missed it.
    expect(await store().readFeed({ after: c0! })).toStrictEqual({ entries: all.slice(2), cursor: all[4]!.cursor, gap: true })
    // Nothing after c1 was trimmed: a reader at c1 missed nothing (c1 itself is gone, which is fine).
    expect(await store().readFeed({ after: c1! })).toStrictEqual({ entries: all.slice(2), cursor: all[4]!.cursor, gap: false })
    expect(await store().readFeed({ after: c2! })).toStrictEqual({ entries: all.slice(3), cursor: all[4]!.cursor, gap: false })
    // Without a cursor: a gap when an event at or after `since` was trimmed.
    expect(await store().readFeed({ after: null, since: T0 + 10 })).toStrictEqual({ entries: all.slice(2), cursor: all[4]!.cursor, gap: true })
    expect(await store().readFeed({ after: null, since: T0 + 11 })).toStrictEqual({ entries: all.slice(2), cursor: all[4]!.cursor, gap: false })
    expect(await store().readFeed({ after: null, since: T0 + 20 })).toStrictEqual({ entries: all.slice(2), cursor: all[4]!.cursor, gap: false })

    await store().trimFeed(T0 + 100) // drops everything
    expect(await store().readFeed({ after: all[4]!.cursor })).toStrictEqual({ entries: [], cursor: all[4]!.cursor, gap: false })
    expect(await store().readFeed({ after: all[3]!.cursor })).toStrictEqual({ entries: [], cursor: all[3]!.cursor, gap: true })
  })

  it('keeps appending after a trim, with cursors past every earlier one', async () => {
    const all = await appendTokens(store(), [T0, T0 + 10])
    await store().trimFeed(T0 + 100)
    await store().denyToken({ sub: 'user-1', jti: 'jti-new', expiresAt: T0 + 200 + 15 * MINUTE }, T0 + 200)
    const result = await store().readFeed({ after: all[1]!.cursor })
    expect(eventsOf(result.entries)).toEqual([{ type: 'token', sub: 'user-1', jti: 'jti-new', expiresAt: T0 + 200 + 15 * MINUTE, at: T0 + 200 }])
    expect(result.gap).toBe(false)
    expect(all.map((entry) => entry.cursor)).not.toContain(result.cursor)
  })
}
