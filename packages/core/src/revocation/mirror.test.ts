/**
 * The revocation mirror on its own: a scripted feed (every read answers exactly what the test
 * says, when it says) and an injected clock, so freshness, epochs, expiry and the replay rules
 * are checked to the millisecond, with no real waiting but the mirror's own backoff.
 */
import type { AuthStore, ReadFeedOptions, ReadFeedResult, RevocationEvent } from '@auth/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RevocationMirror, type RevocationMirrorOptions } from './mirror.js'

const T0 = 1_800_000_000_000
const WINDOW = 905_000 // 900 s TTL + 5 s tolerance
const TOLERANCE = 5_000
const STALENESS = 5_000
const BLOCK = 1_000

type Answer = Partial<ReadFeedResult> & { events?: RevocationEvent[] }

interface PendingRead {
  readonly options: ReadFeedOptions
  resolve(result: ReadFeedResult): void
  reject(error: unknown): void
}

/** A store whose feed reads wait until the test answers them. */
function scriptedFeed() {
  const reads: ReadFeedOptions[] = []
  let pending: PendingRead | undefined
  let waiting: (() => void) | undefined
  const store = {
    name: 'scripted',
    readFeed(options: ReadFeedOptions): Promise<ReadFeedResult> {
      reads.push(options)
      return new Promise<ReadFeedResult>((resolve, reject) => {
        pending = { options, resolve, reject }
        options.signal?.addEventListener('abort', () => resolve({ entries: [], cursor: options.after, gap: false }))
        waiting?.()
      })
    },
  } as unknown as AuthStore
  /** Resolves once the mirror has issued its next read (so it has finished with the previous answer). */
  const nextRead = (count: number) =>
    new Promise<void>((resolve) => {
      waiting = () => {
        if (reads.length >= count) {
          waiting = undefined
          resolve()
        }
      }
      waiting()
    })
  return {
    store,
    reads,
    /** Answers the read in flight (and does not wait). */
    respond(result: Answer): void {
      const read = pending!
      pending = undefined
      const entries =
        result.entries ?? (result.events ?? []).map((event, i) => ({ cursor: `c${reads.length}-${i}`, event }))
      read.resolve({ entries, cursor: result.cursor ?? entries.at(-1)?.cursor ?? read.options.after ?? 'c0', gap: result.gap ?? false })
    },
    /** Answers the read in flight and waits for the mirror's next one. */
    async answer(result: Answer): Promise<void> {
      const after = reads.length
      this.respond(result)
      await nextRead(after + 1)
    },
    /** Fails the read in flight (the mirror backs off, then reads again). */
    fail(error: unknown): void {
      const read = pending!
      pending = undefined
      read.reject(error)
    },
    nextRead,
  }
}

const mirrors: RevocationMirror[] = []
afterEach(async () => {
  const stopping = Promise.all(mirrors.splice(0).map((mirror) => mirror.stop()))
  if (vi.isFakeTimers()) await vi.runOnlyPendingTimersAsync() // a mirror waiting out its backoff
  await stopping
  vi.restoreAllMocks() // first: a spy on setTimeout would otherwise restore the fake one
  vi.useRealTimers()
})

function setup(options: Partial<RevocationMirrorOptions> = {}) {
  const feed = scriptedFeed()
  let now = T0
  const clock = Object.assign(() => now, { set: (ms: number) => void (now = ms) })
  const mirror = new RevocationMirror({
    store: feed.store,
    windowMs: WINDOW,
    toleranceMs: TOLERANCE,
    stalenessMs: STALENESS,
    blockMs: BLOCK,
    clock,
    ...options,
  })
  mirrors.push(mirror)
  return { feed, clock, mirror }
}

/** Lets the mirror's pending promise callbacks run (no timers involved). */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

/** A started mirror whose replay (at T0) answered `events`. */
async function synced(events: RevocationEvent[] = [], options: Partial<RevocationMirrorOptions> = {}) {
  const h = setup(options)
  h.mirror.start()
  await h.feed.nextRead(1)
  await h.feed.answer({ events })
  await h.mirror.ready()
  return h
}

describe('revocation mirror: freshness', () => {
  it('is stale before its first sync: every verdict defers to the store and the epoch is NaN', () => {
    const { mirror } = setup()
    expect(mirror.isFresh(T0)).toBe(false)
    expect(mirror.epoch(T0)).toBeNaN()
    expect(mirror.check('alice', 'sid-1', 'jti-1', 0, T0)).toBe('stale')
  })

  it.each([
    ['at the sync', 0, true],
    ['exactly at the staleness bound', STALENESS, true],
    ['1 ms past the staleness bound', STALENESS + 1, false],
  ])('after a sync, is fresh %s: %s', async (_name, elapsed, fresh) => {
    const { mirror } = await synced()
    const now = T0 + elapsed
    expect(mirror.isFresh(now)).toBe(fresh)
    expect(Number.isNaN(mirror.epoch(now))).toBe(!fresh)
    expect(mirror.check('alice', 'sid-1', 'jti-1', 0, now)).toBe(fresh ? 'ok' : 'stale')
  })

  it('counts freshness from the start of the read that synced, not from its answer', async () => {
    const h = setup()
    h.mirror.start()
    await h.feed.nextRead(1)
    h.clock.set(T0 + 3000) // the answer arrives 3 s after the read started
    await h.feed.answer({})
    expect(h.mirror.isFresh(T0 + STALENESS)).toBe(true)
    expect(h.mirror.isFresh(T0 + STALENESS + 1)).toBe(false)
  })

  it('moves its epoch with every applied revocation, and only then', async () => {
    const { mirror } = await synced()
    const first = mirror.epoch(T0)
    expect(mirror.epoch(T0 + 1)).toBe(first)
    mirror.apply({ type: 'session', sub: 'alice', sid: 'sid-1', at: T0 })
    const second = mirror.epoch(T0)
    expect(second).not.toBe(first)
    mirror.apply({ type: 'token', sub: 'alice', jti: 'jti-1', expiresAt: T0 + 60_000, at: T0 })
    expect(mirror.epoch(T0)).not.toBe(second)
  })

  it('a feed outage makes it stale once the bound passes, and a later successful read makes it fresh again', async () => {
    const h = await synced()
    h.feed.fail(new Error('feed down'))
    h.clock.set(T0 + STALENESS + 1)
    expect(h.mirror.epoch(h.clock())).toBeNaN()
    expect(h.mirror.check('alice', 'sid-1', 'jti-1', 0, h.clock())).toBe('stale')
    await h.feed.nextRead(3) // after its backoff the mirror reads again
    await h.feed.answer({})
    expect(h.mirror.isFresh(h.clock())).toBe(true)
  })
})

describe('revocation mirror: verdicts', () => {
  it('denies a revoked jti until its exp plus the clock tolerance, and not a millisecond longer', async () => {
    const exp = T0 + 60_000
    const { mirror } = await synced([{ type: 'token', sub: 'alice', jti: 'jti-1', expiresAt: exp, at: T0 }])
    // keep the mirror fresh at those times: what is checked here is the denial, not the staleness
    const at = (now: number) => mirror.check('alice', 'sid-1', 'jti-1', 0, now)
    vi.spyOn(mirror, 'isFresh').mockReturnValue(true)
    expect(at(exp)).toBe('token_revoked')
    expect(at(exp + TOLERANCE - 1)).toBe('token_revoked')
    expect(at(exp + TOLERANCE)).toBe('ok')
    expect(mirror.check('alice', 'sid-1', 'jti-2', 0, T0)).toBe('ok')
  })

  it('revokes tokens below the user version, not those at it', async () => {
    const { mirror } = await synced([{ type: 'user', sub: 'alice', ver: 3, at: T0 }])
    expect(mirror.check('alice', 'sid-1', 'jti-1', 2, T0)).toBe('token_revoked')
    expect(mirror.check('alice', 'sid-1', 'jti-1', 3, T0)).toBe('ok')
    expect(mirror.check('bob', 'sid-2', 'jti-2', 0, T0)).toBe('ok')
  })

  it('never lowers a user version when an older bump arrives after a newer one', async () => {
    const { mirror } = await synced([
      { type: 'user', sub: 'alice', ver: 5, at: T0 },
      { type: 'user', sub: 'alice', ver: 4, at: T0 },
    ])
    expect(mirror.check('alice', 'sid-1', 'jti-1', 4, T0)).toBe('token_revoked')
    expect(mirror.check('alice', 'sid-1', 'jti-1', 5, T0)).toBe('ok')
  })

  it('revokes the tokens of an ended session, and only that session', async () => {
    const { mirror } = await synced([{ type: 'session', sub: 'alice', sid: 'sid-1', at: T0 }])
    expect(mirror.check('alice', 'sid-1', 'jti-1', 0, T0)).toBe('session_revoked')
    expect(mirror.check('alice', 'sid-2', 'jti-2', 0, T0)).toBe('ok')
  })

  it('answers token_revoked before session_revoked when both apply', async () => {
    const { mirror } = await synced([
      { type: 'session', sub: 'alice', sid: 'sid-1', at: T0 },
      { type: 'token', sub: 'alice', jti: 'jti-1', expiresAt: T0 + 60_000, at: T0 },
    ])
    expect(mirror.check('alice', 'sid-1', 'jti-1', 0, T0)).toBe('token_revoked')
  })

  it('counts what it holds, one entry per session, user and token', async () => {
    const { mirror } = await synced([
      { type: 'session', sub: 'alice', sid: 'sid-1', at: T0 },
      { type: 'session', sub: 'alice', sid: 'sid-1', at: T0 },
      { type: 'user', sub: 'alice', ver: 1, at: T0 },
      { type: 'token', sub: 'alice', jti: 'jti-1', expiresAt: T0 + 60_000, at: T0 },
    ])
    expect(mirror.size).toBe(3)
  })
})

describe('revocation mirror: expiry', () => {
  it('forgets each revocation once it is older than the window (denials at their exp plus tolerance), in order', async () => {
    const h = await synced([
      { type: 'session', sub: 'alice', sid: 'sid-old', at: T0 - WINDOW + 1000 },
      { type: 'session', sub: 'alice', sid: 'sid-new', at: T0 },
      { type: 'user', sub: 'bob', ver: 1, at: T0 - WINDOW + 1000 },
      { type: 'user', sub: 'carol', ver: 1, at: T0 },
      { type: 'token', sub: 'alice', jti: 'jti-soon', expiresAt: T0 + 1000 - TOLERANCE, at: T0 - 10 },
      { type: 'token', sub: 'alice', jti: 'jti-late', expiresAt: T0 + 60_000, at: T0 },
    ])
    expect(h.mirror.size).toBe(6)
    h.clock.set(T0 + 1000) // sid-old's, bob's and jti-soon's drop times are due (at or before now)
    await h.feed.answer({})
    expect(h.mirror.size).toBe(3)
    expect(h.mirror.check('alice', 'sid-old', 'x', 0, T0 + 1000)).toBe('ok')
    expect(h.mirror.check('bob', 's', 'x', 0, T0 + 1000)).toBe('ok')
    expect(h.mirror.check('alice', 'sid-new', 'x', 0, T0 + 1000)).toBe('session_revoked')
    expect(h.mirror.check('carol', 's', 'x', 0, T0 + 1000)).toBe('token_revoked')
    expect(h.mirror.check('alice', 's', 'jti-late', 0, T0 + 1000)).toBe('token_revoked')
    h.clock.set(T0 + 1001)
    await h.feed.answer({})
    expect(h.mirror.size).toBe(3)
  })

  it.each([
    ['session', (sub: string, at: number): RevocationEvent => ({ type: 'session', sub, sid: 'id-1', at }), 'session_revoked'],
    ['token', (sub: string, at: number): RevocationEvent => ({ type: 'token', sub, jti: 'id-1', expiresAt: at + WINDOW - TOLERANCE, at }), 'token_revoked'],
  ])('holds a %s id named under two users until the later of their drop times', async (_kind, event, verdict) => {
    // mallory's entry for the id drops at T0 + 10, alice's (the head of the chain) a window later.
    const h = await synced([event('mallory', T0 - WINDOW + 10), event('alice', T0)])
    h.clock.set(T0 + 10)
    await h.feed.answer({})
    expect(h.mirror.size).toBe(1)
    expect(h.mirror.check('alice', 'id-1', 'id-1', 0, T0 + 10)).toBe(verdict)
    h.clock.set(T0 + WINDOW)
    await h.feed.answer({})
    expect(h.mirror.size).toBe(0)
  })

  it.each([
    ['session', (at: number, n: number): RevocationEvent => ({ type: 'session', sub: 'alice', sid: `sid-${n}`, at })],
    ['user', (at: number, n: number): RevocationEvent => ({ type: 'user', sub: `user-${n}`, ver: 1, at })],
    ['token', (at: number, n: number): RevocationEvent => ({ type: 'token', sub: 'alice', jti: `jti-${n}`, expiresAt: at + WINDOW - TOLERANCE, at })],
  ])('moves a re-applied %s revocation to its new place in the expiry order', async (_kind, event) => {
    // 1 drops at T0 + 10, 2 at T0 + 20; then 1 is applied again, to drop a window later.
    const h = await synced([event(T0 - WINDOW + 10, 1), event(T0 - WINDOW + 20, 2)])
    h.mirror.apply(event(T0, 1))
    h.clock.set(T0 + 20)
    await h.feed.answer({})
    expect(h.mirror.size).toBe(1) // 2 went at its time although 1, now later, was first in
  })
})

describe('revocation mirror: tailing the feed', () => {
  it('replays one window without blocking, then follows with blocking reads after the last cursor', async () => {
    const h = setup()
    h.mirror.start()
    h.mirror.start() // idempotent
    await h.feed.nextRead(1)
    expect(h.feed.reads[0]).toMatchObject({ after: null, since: T0 - WINDOW, blockMs: 0, limit: 1000 })
    await h.feed.answer({ events: [{ type: 'session', sub: 'alice', sid: 'sid-1', at: T0 }], cursor: 'c-7' })
    const follow = h.feed.reads[1]!
    expect(follow).toMatchObject({ after: 'c-7', blockMs: BLOCK, limit: 1000 })
    expect(follow).not.toHaveProperty('since')
    expect(follow.signal).toBeInstanceOf(AbortSignal)
  })

  it('is ready only once the replay is done: a full page means more to replay, still without blocking', async () => {
    const h = setup()
    let ready = false
    void h.mirror.ready().then(() => (ready = true))
    h.mirror.start()
    await h.feed.nextRead(1)
    const page = Array.from({ length: 1000 }, (_, i) => ({
      cursor: `c${i}`,
      event: { type: 'token', sub: 'alice', jti: `jti-${i}`, expiresAt: T0 + 60_000, at: T0 } as RevocationEvent,
    }))
    await h.feed.answer({ entries: page })
    expect(ready).toBe(false)
    expect(h.mirror.isFresh(T0)).toBe(false)
    expect(h.feed.reads[1]).toMatchObject({ after: 'c999', blockMs: 0 })
    await h.feed.answer({})
    await h.mirror.ready()
    expect(h.mirror.isFresh(T0)).toBe(true)
    expect(h.feed.reads[2]).toMatchObject({ blockMs: BLOCK })
  })

  it('after a gap, distrusts itself for one window (from the read that saw it) and replays the window', async () => {
    const h = await synced()
    const syncAt = async (ms: number) => {
      h.clock.set(ms)
      await h.feed.answer({}) // the read in flight started earlier
      await h.feed.answer({}) // this one started at `ms`
    }
    h.clock.set(T0 + 100)
    await h.feed.answer({}) // the next read starts at T0 + 100
    await h.feed.answer({ gap: true, cursor: 'c-9' })
    expect(h.feed.reads.at(-1)).toMatchObject({ after: null, since: T0 + 100 - WINDOW, blockMs: 0 })
    await h.feed.answer({ cursor: 'c-10' })
    const distrustUntil = T0 + 100 + WINDOW
    await syncAt(distrustUntil - 1) // recently synced, yet distrusted
    expect(h.mirror.isFresh(distrustUntil - 1)).toBe(false)
    expect(h.mirror.epoch(distrustUntil - 1)).toBeNaN()
    expect(h.mirror.check('a', 's', 'j', 0, distrustUntil - 1)).toBe('stale')
    expect(h.mirror.isFresh(distrustUntil)).toBe(true)
    expect(h.mirror.epoch(distrustUntil)).not.toBeNaN()
  })

  it('accepts a gap reported on the replay itself (no second replay), and still distrusts itself for a window', async () => {
    const h = setup()
    h.mirror.start()
    await h.feed.nextRead(1)
    await h.feed.answer({ gap: true, cursor: 'c-3' })
    await h.mirror.ready()
    expect(h.feed.reads[1]).toMatchObject({ after: 'c-3', blockMs: BLOCK })
    expect(h.mirror.isFresh(T0)).toBe(false)
    expect(h.feed.reads.filter((read) => read.after === null)).toHaveLength(1)
  })

  it('backs off exponentially after failures (50 ms doubling, at most 2 s, with jitter), telling onError each time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] })
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999)
    const errors: unknown[] = []
    const h = setup({ onError: (error) => errors.push(error) })
    const timeouts = vi.spyOn(globalThis, 'setTimeout')
    h.mirror.start()
    await h.feed.nextRead(1)
    const delays: number[] = []
    for (let failure = 1; failure <= 8; failure++) {
      h.feed.fail(new Error(`down ${failure}`))
      await flush()
      expect(timeouts).toHaveBeenCalledTimes(failure)
      delays.push(Math.round(timeouts.mock.calls[failure - 1]![1]!))
      await vi.advanceTimersByTimeAsync(2000)
      await h.feed.nextRead(failure + 1)
    }
    expect(delays).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000])
    expect(errors.map(String)).toEqual(Array.from({ length: 8 }, (_, i) => `Error: down ${i + 1}`))
    // a success resets the count: the next failure waits the first step again
    await h.feed.answer({})
    h.feed.fail(new Error('down again'))
    await flush()
    expect(timeouts).toHaveBeenCalledTimes(9)
    expect(Math.round(timeouts.mock.calls[8]![1]!)).toBe(100)
  })

  it('halves the backoff at most, by jitter', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] })
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const h = setup()
    const timeouts = vi.spyOn(globalThis, 'setTimeout')
    h.mirror.start()
    await h.feed.nextRead(1)
    h.feed.fail(new Error('down'))
    await flush()
    expect(timeouts).toHaveBeenCalledTimes(1)
    expect(timeouts.mock.calls[0]![1]).toBe(50)
  })

  it('stops: aborts the read in flight and reads no more', async () => {
    const h = await synced()
    await h.mirror.stop()
    expect(h.feed.reads.at(-1)!.signal!.aborted).toBe(true)
    const reads = h.feed.reads.length
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(h.feed.reads.length).toBe(reads)
  })

  it('applies nothing a read answers after stop()', async () => {
    const h = await synced()
    const epoch = h.mirror.epoch(T0)
    h.feed.respond({ events: [{ type: 'session', sub: 'alice', sid: 'sid-1', at: T0 }] })
    await h.mirror.stop()
    expect(h.mirror.size).toBe(0)
    expect(h.mirror.epoch(T0)).toBe(epoch)
  })

  it('neither reports nor retries a read that fails once stopped', async () => {
    const errors: unknown[] = []
    const h = await synced([], { onError: (error) => errors.push(error) })
    const timeouts = vi.spyOn(globalThis, 'setTimeout')
    h.feed.fail(new Error('late failure'))
    await h.mirror.stop()
    expect(errors).toEqual([])
    expect(timeouts).not.toHaveBeenCalled()
  })
})

describe('revocation mirror: staleness transitions (onStale, onFresh)', () => {
  function recorder() {
    const told: Array<[string, ...unknown[]]> = []
    return {
      told,
      options: {
        onStale: (reason: string, lastSyncAt: number, now: number) => void told.push(['stale', reason, lastSyncAt, now]),
        onFresh: (staleSince: number, now: number) => void told.push(['fresh', staleSince, now]),
      },
    }
  }

  it('a verification past the bound tells onStale once, however many follow; the next sync tells onFresh once', async () => {
    const r = recorder()
    const h = await synced([], r.options)
    const late = T0 + STALENESS + 1
    expect(h.mirror.check('a', 's', 'j', 0, T0 + STALENESS)).toBe('ok')
    expect(r.told).toEqual([])
    for (let i = 0; i < 3; i++) expect(h.mirror.check('a', 's', 'j', 0, late + i)).toBe('stale')
    expect(r.told).toEqual([['stale', 'feed_silent', T0, late]])
    h.clock.set(late + 10)
    await h.feed.answer({}) // started at T0: still stale
    expect(r.told).toHaveLength(1)
    await h.feed.answer({}) // started at late + 10: fresh
    expect(r.told).toEqual([['stale', 'feed_silent', T0, late], ['fresh', late, late + 10]])
    await h.feed.answer({})
    expect(r.told).toHaveLength(2)
  })

  it('says nothing before the first sync: there was nothing to trust yet', () => {
    const r = recorder()
    const { mirror } = setup(r.options)
    expect(mirror.check('a', 's', 'j', 0, T0 + 10 * STALENESS)).toBe('stale')
    expect(r.told).toEqual([])
  })

  it('the feed loop notices the bound passing after a failed read, with no verification', async () => {
    const r = recorder()
    const h = await synced([], r.options)
    h.feed.fail(new Error('feed down')) // at T0: within the bound
    await flush()
    expect(r.told).toEqual([])
    await h.feed.nextRead(3)
    h.clock.set(T0 + STALENESS + 1)
    h.feed.fail(new Error('feed still down'))
    await flush()
    expect(r.told).toEqual([['stale', 'feed_silent', T0, T0 + STALENESS + 1]])
  })

  it('a gap tells onStale("feed_gap") at once, and onFresh only when the distrust ends', async () => {
    const r = recorder()
    const h = await synced([], r.options)
    h.clock.set(T0 + 100)
    await h.feed.answer({}) // synced at T0; the next read starts at T0 + 100
    await h.feed.answer({ gap: true, cursor: 'c-9' })
    expect(r.told).toEqual([['stale', 'feed_gap', T0, T0 + 100]])
    await h.feed.answer({ cursor: 'c-10' }) // the replay: synced, yet distrusted
    expect(r.told).toHaveLength(1)
    const distrustUntil = T0 + 100 + WINDOW
    h.clock.set(distrustUntil)
    await h.feed.answer({})
    await h.feed.answer({})
    expect(r.told).toEqual([['stale', 'feed_gap', T0, T0 + 100], ['fresh', T0 + 100, distrustUntil]])
  })
})
