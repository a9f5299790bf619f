/**
 * Failure behaviour against real redis-server processes that the tests pause, kill, restart and
 * cut off: fail closed and fast, never crash on connection errors, never half-apply a rotation,
 * never report a false reuse, resume without restarting the application, replay what a mirror
 * missed and report a feed that was lost.
 */
import { type Auth, type AuthStore, createAuth, type CreateAuthOptions, generateKeySet, isAuthError, type KeySet, type SecurityEvent, type TokenResult } from '@auth/core'
import { startRedisServer, startTcpProxy, type RedisServer, type TcpProxy } from '@auth/test-utils'
import { Redis, type RedisOptions } from 'ioredis'
import { randomBytes } from 'node:crypto'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createRedisStore } from '../src/index.js'
import { freshPrefix, outcome, recordingLogger, sleep } from './helpers.js'

const T0 = 1_800_000_000_000
const HOUR = 3_600_000
const record = (id: string, sub = 'alice') => ({
  id,
  sub,
  createdAt: T0,
  lastSeenAt: T0,
  absoluteExpiresAt: T0 + 24 * HOUR,
  idleTimeoutMs: HOUR,
  expiresAt: T0 + HOUR,
  transport: 'tokens' as const,
  tokenHash: null,
  refresh: { generation: 0, current: 'h0', previous: null, rotatedAt: T0 },
  ver: 0,
  metadata: {},
  data: null,
  revision: 0,
})

/** Every store method once, each as a thunk. */
let created = 0
function everyOperation(store: AuthStore): Array<[string, () => Promise<unknown>]> {
  const ref = { sub: 'alice', id: 's1' }
  return [
    // A timed-out call may still run when Redis answers again: each try uses a new id.
    ['createSession', () => store.createSession(record(`s-new-${++created}`), T0)],
    ['getSession', () => store.getSession(ref, T0)],
    ['updateSession', () => store.updateSession(ref, { refreshCurrent: 'h0' }, { lastSeenAt: T0 + 1 }, T0 + 1)],
    ['endSession', () => store.endSession({ sub: 'bob', id: 'x' }, T0)],
    ['logoutAll', () => store.logoutAll('carol', T0)],
    ['listSessions', () => store.listSessions('alice', T0)],
    ['getUserVersion', () => store.getUserVersion('alice')],
    ['denyToken', () => store.denyToken({ sub: 'user-jti-1', jti: 'jti-1', expiresAt: T0 + HOUR }, T0)],
    ['getRevocationState', () => store.getRevocationState({ sub: 'alice', sid: 's1', jti: 'jti-1' }, T0)],
    ['readFeed', () => store.readFeed({ after: null })],
    ['readFeed (blocking)', () => store.readFeed({ after: null, since: T0 + 10 * HOUR, blockMs: 100 })],
    ['trimFeed', () => store.trimFeed(T0 - HOUR)],
  ]
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now()
  const value = await run()
  return [value, performance.now() - start]
}

/** Retries `run` until it resolves, for up to `ms`. */
async function eventually<T>(run: () => Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      return await run()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await sleep(25)
    }
  }
}

let keys: KeySet
const cleanup: Array<() => unknown> = []

beforeAll(async () => {
  keys = await generateKeySet()
})

afterEach(async () => {
  vi.restoreAllMocks()
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function server(options: Parameters<typeof startRedisServer>[0] = {}): Promise<RedisServer> {
  const started = await startRedisServer(options)
  cleanup.push(() => started.stop())
  return started
}

function client(port: number, options: RedisOptions = {}): Redis {
  const redis = new Redis(port, '127.0.0.1', options)
  cleanup.push(() => redis.disconnect())
  return redis
}

function store(redis: Redis, options: Partial<Parameters<typeof createRedisStore>[0]> = {}): AuthStore {
  const created = createRedisStore({ client: redis, prefix: freshPrefix(), logger: recordingLogger(), ...options })
  cleanup.push(() => created.close())
  return created
}

const secret = randomBytes(32).toString('base64url')

function auth(
  s: AuthStore,
  clock: () => number,
  events: SecurityEvent[] = [],
  revocation: 'strict' | 'mirror' = 'strict',
  mirror = { stalenessMs: 2000, blockMs: 50 },
  extra: Partial<CreateAuthOptions> = {},
): Auth {
  const created = createAuth({
    store: s,
    keys,
    secret,
    issuer: 'https://auth.example.test',
    audience: 'https://api.example.test',
    clock,
    revocation,
    mirror,
    onSecurityEvent: (event) => events.push(event),
    ...extra,
  })
  cleanup.push(() => created.close())
  return created
}

describe('Redis paused (SIGSTOP)', () => {
  it('every operation rejects within the time budget with store_unavailable, and works again after SIGCONT', async () => {
    const redis = await server()
    const s = store(client(redis.port), { commandTimeoutMs: 200 })
    // the first call connects, checks the layout and reads Redis' clock: on a loaded machine that
    // may take longer than this short budget
    await eventually(() => s.createSession(record('s1'), T0))
    redis.pause()
    try {
      for (const [name, run] of everyOperation(s)) {
        const [code, ms] = await timed(() => outcome(run()))
        expect(code, name).toBe('store_unavailable')
        expect(ms, name).toBeLessThan(450)
      }
    } finally {
      redis.resume()
    }
    for (const [name, run] of everyOperation(s)) expect(await eventually(() => outcome(run())), name).toBe('ok')
  })
})

describe('Redis unreachable (killed)', () => {
  it('rejects within the budget, then at once while the outage lasts, and resumes when Redis is back', async () => {
    const redis = await server()
    const logger = recordingLogger()
    const errors = vi.spyOn(console, 'error')
    const s = store(client(redis.port), { commandTimeoutMs: 200, logger })
    await s.createSession(record('s1'), T0)
    await redis.kill()

    const [first, firstMs] = await timed(() => outcome(s.getSession({ sub: 'alice', id: 's1' }, T0)))
    expect(first).toBe('store_unavailable')
    expect(firstMs).toBeLessThan(450)
    await sleep(250) // the outage now lasts longer than one budget
    for (const [name, run] of everyOperation(s)) {
      const [code, ms] = await timed(() => outcome(run()))
      expect(code, name).toBe('store_unavailable')
      expect(ms, name).toBeLessThan(50)
    }

    // Connection errors were handled (logged once through the store's logger), never an
    // unhandled 'error' event.
    expect(logger.lines.some((line) => line.includes('Redis connection error'))).toBe(true)
    expect(errors.mock.calls.flat().join(' ')).not.toContain('Unhandled error event')

    await redis.start() // no persistence: the data is gone, the service is back
    expect(await eventually(() => s.getSession({ sub: 'alice', id: 's1' }, T0))).toBeNull()
    for (const [name, run] of everyOperation(s)) expect(await eventually(() => outcome(run())), name).toBe('ok')
  })

  it('a client that never connected answers store_unavailable within the budget', async () => {
    const redis = await server()
    await redis.kill()
    const s = store(client(redis.port), { commandTimeoutMs: 200 })
    const [code, ms] = await timed(() => outcome(s.getUserVersion('alice')))
    expect(code).toBe('store_unavailable')
    expect(ms).toBeLessThan(450)
  })

  it('a closed client (quit) answers store_unavailable at once', async () => {
    const redis = await server()
    const c = client(redis.port)
    const s = store(c)
    await s.getUserVersion('alice')
    await c.quit()
    const [code, ms] = await timed(() => outcome(s.getUserVersion('alice')))
    expect(code).toBe('store_unavailable')
    expect(ms).toBeLessThan(50)
  })
})

describe('connection errors', () => {
  it('survive Redis closing idle connections (CONFIG SET timeout 1): no unhandled error, service continues', async () => {
    const redis = await server()
    const errors = vi.spyOn(console, 'error')
    const c = client(redis.port)
    const s = store(c)
    await s.createSession(record('s1'), T0)
    // open the feed's own connection too
    await s.readFeed({ after: null, since: T0, blockMs: 10 })
    redis.cli('CONFIG', 'SET', 'timeout', '1')
    await sleep(2500) // idle: the server closes the client's connection
    expect(await eventually(() => s.getSession({ sub: 'alice', id: 's1' }, T0))).not.toBeNull()
    expect(await eventually(() => s.readFeed({ after: null, since: T0, blockMs: 10 }))).toMatchObject({ gap: false })
    expect(c.listenerCount('error')).toBeGreaterThan(0)
    expect(errors.mock.calls.flat().join(' ')).not.toContain('Unhandled error event')
  })

  it('removes its listeners from the application client on close', async () => {
    const redis = await server()
    const c = client(redis.port)
    const before = c.listenerCount('error')
    const s = createRedisStore({ client: c, prefix: freshPrefix(), logger: recordingLogger() })
    expect(c.listenerCount('error')).toBe(before + 1)
    await s.close()
    expect(c.listenerCount('error')).toBe(before)
    expect(await outcome(s.getUserVersion('alice'))).toBe('store_unavailable')
  })
})

describe('Redis killed mid-rotation', () => {
  /** Refreshes each token, and answers each outcome: the successor, or the error code. */
  const refreshAll = (a: Auth, tokens: readonly TokenResult[]) =>
    Promise.all(tokens.map((t) => a.refresh(t.refreshToken).then((next) => next.refreshToken, (error: unknown) => (isAuthError(error) ? error.code : 'other'))))

  it.each([0, 1, 3])('SIGKILL %d ms into 40 concurrent rotations: never half-applied, retries within grace all succeed, no reuse', async (delayMs) => {
    const redis = await server({ persistence: true })
    const s = store(client(redis.port), { commandTimeoutMs: 3000 })
    const events: SecurityEvent[] = []
    const clock = () => T0
    const a = auth(s, clock, events)
    const logins = await Promise.all(Array.from({ length: 40 }, (_, i) => a.login({ sub: `user-${i % 5}` })))

    const inFlight = refreshAll(a, logins)
    await sleep(delayMs)
    await redis.kill()
    await redis.start() // AOF (appendfsync always): what was acknowledged survived
    const first = await inFlight

    // The client retries with the token it holds (the old one when it got no answer, and the old
    // one again to test a lost answer): within grace, every retry gets the one successor.
    const retried = await refreshAll(a, logins)
    for (const [i, successor] of retried.entries()) {
      expect(successor, `session ${i}`).toMatch(/\./)
      if (first[i]!.includes('.')) expect(successor).toBe(first[i])
      else expect(first[i]).toBe('store_unavailable')
    }
    // the successor is the one live token: it rotates to generation 2
    const next = await Promise.all(retried.map((token) => a.refresh(token)))
    for (const [i, tokens] of next.entries()) {
      const session = await a.getSession({ sub: `user-${i % 5}`, id: logins[i]!.sessionId })
      expect(session?.refresh?.generation).toBe(2)
      expect(tokens.sessionId).toBe(logins[i]!.sessionId)
    }
    expect(events).toEqual([])
  })

  it('a rotation that ran but whose answer was lost is re-sent by ioredis after the reconnect and answers the same successor', async () => {
    const redis = await server()
    const proxy: TcpProxy = await startTcpProxy(redis.port)
    cleanup.push(() => proxy.close())
    const s = store(client(proxy.port), { commandTimeoutMs: 3000 })
    const events: SecurityEvent[] = []
    const a = auth(s, () => T0, events)
    const login = await a.login({ sub: 'alice' })
    // load the rotation script first (a NOSCRIPT answer swallowed by the proxy would stop it here)
    await a.refresh((await a.login({ sub: 'alice' })).refreshToken)

    proxy.swallowReplies(true)
    const pending = a.refresh(login.refreshToken)
    pending.catch(() => {}) // awaited below; never an unhandled rejection if the test fails first
    // the rotation runs on the server; its answer never arrives
    await vi.waitFor(async () => {
      const direct = new Redis(redis.port, '127.0.0.1')
      try {
        const keys = await direct.keys('*:s:*')
        const generations = await Promise.all(keys.map((key) => direct.hget(key, 'refresh')))
        expect(generations.some((json) => json?.includes('"generation":1'))).toBe(true)
      } finally {
        direct.disconnect()
      }
    })
    proxy.swallowReplies(false)
    proxy.dropConnections() // ioredis reconnects and re-sends the unanswered script
    const resent = await pending
    const retry = await a.refresh(login.refreshToken) // and the client's own retry
    expect(retry.refreshToken).toBe(resent.refreshToken)
    expect((await a.refresh(resent.refreshToken)).sessionId).toBe(login.sessionId)
    expect(events).toEqual([])
  })
})

describe('a rotation the client was told failed (503) is never applied later', () => {
  /** An Auth on the real clock with a grace window (default 1 s), and the store's time budget. */
  async function rotationSetup(budgetMs: number, graceMs = 1000, port?: number) {
    const redis = await server()
    const s = store(client(port ?? redis.port), { commandTimeoutMs: budgetMs })
    const events: SecurityEvent[] = []
    const a = auth(s, () => Date.now(), events, 'strict', undefined, { refreshGraceMs: graceMs })
    // load the scripts first, so a NOSCRIPT round trip does not blur the timings
    await a.refresh((await a.login({ sub: 'warm-up' })).refreshToken)
    return { redis, a, events }
  }

  /** The retry that follows a 503, after more than the grace window: a working successor, no theft. */
  async function expectRetryRotates(a: Auth, events: SecurityEvent[], login: TokenResult): Promise<void> {
    const retry = await a.refresh(login.refreshToken)
    expect(retry.sessionId).toBe(login.sessionId)
    expect(await outcome(a.verifyAccessToken(retry.accessToken))).toBe('ok')
    expect(await outcome(a.refresh(retry.refreshToken))).toBe('ok')
    expect(events).toEqual([])
  }

  it('Redis stalled past the budget (SIGSTOP): 503; after SIGCONT the stale rotation does not run; a retry after grace rotates', async () => {
    const { redis, a, events } = await rotationSetup(300)
    const login = await a.login({ sub: 'alice' })
    redis.pause()
    try {
      const [code, ms] = await timed(() => outcome(a.refresh(login.refreshToken)))
      expect(code).toBe('store_unavailable')
      expect(ms).toBeLessThan(600)
      await sleep(500) // the stall goes on well past the budget
    } finally {
      redis.resume()
    }
    await sleep(1300) // the client retries after more than the 1 s grace window
    await expectRetryRotates(a, events, login)
  })

  it('a request held in the network past the budget, then re-sent by ioredis after a reconnect, is refused by its deadline', async () => {
    const target = await server()
    const proxy: TcpProxy = await startTcpProxy(target.port)
    cleanup.push(() => proxy.close())
    const { a, events } = await rotationSetup(300, 1000, proxy.port)
    const login = await a.login({ sub: 'alice' })
    proxy.holdRequests(true)
    expect(await outcome(a.refresh(login.refreshToken))).toBe('store_unavailable')
    await sleep(400)
    proxy.holdRequests(false) // delivers the held request late…
    proxy.dropConnections() // …and ioredis re-sends what it still has pending on a new connection
    await sleep(1300)
    await expectRetryRotates(a, events, login)
  })

  it('a rotation applied in time whose reply is lost past the budget: 503, and the retry within grace gets the same successor (the window that remains)', async () => {
    const target = await server()
    const proxy: TcpProxy = await startTcpProxy(target.port)
    cleanup.push(() => proxy.close())
    const { a, events } = await rotationSetup(300, 1000, proxy.port)
    const login = await a.login({ sub: 'alice' })
    proxy.swallowReplies(true) // the rotation runs on Redis at once; its answer never comes back
    expect(await outcome(a.refresh(login.refreshToken))).toBe('store_unavailable')
    proxy.swallowReplies(false)
    proxy.dropConnections()
    const ref = { sub: 'alice', id: login.sessionId }
    // it did rotate, although the client was told it did not
    expect((await eventually(() => a.getSession(ref)))?.refresh?.generation).toBe(1)
    // Retry-After is 1 s: a client that retries as told is inside the grace window, counted from the
    // apply, and gets that rotation's successor (no second write)
    const retry = await a.refresh(login.refreshToken)
    expect(retry.refreshToken.split('.')[2]).toBe('1')
    expect((await a.getSession(ref))?.refresh?.generation).toBe(1)
    expect(await outcome(a.verifyAccessToken(retry.accessToken))).toBe('ok')
    expect(await outcome(a.refresh(retry.refreshToken))).toBe('ok')
    expect(events).toEqual([])
  })

  it.each([-600_000, 600_000])('with the application clock %d ms off Redis\' clock: rotations apply, and a stalled one is still refused', async (skewMs) => {
    const realNow = Date.now.bind(Date)
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs)
    const { redis, a, events } = await rotationSetup(300)
    const login = await a.login({ sub: 'alice' })
    const next = await a.refresh(login.refreshToken)
    redis.pause()
    try {
      expect(await outcome(a.refresh(next.refreshToken))).toBe('store_unavailable')
      await sleep(500)
    } finally {
      redis.resume()
    }
    await sleep(1300)
    await expectRetryRotates(a, events, next)
  })

  it('the grace window counts from when Redis applied the rotation, not from the request', async () => {
    const { redis, a, events } = await rotationSetup(3000, 500)
    const login = await a.login({ sub: 'alice' })
    redis.pause()
    const first = a.refresh(login.refreshToken)
    await sleep(1500) // stalled longer than the 500 ms grace, shorter than the 3 s budget
    redis.resume()
    const successor = await first
    // another tab presents the same token right after the rotation was applied: the same successor
    const tab = await a.refresh(login.refreshToken)
    expect(tab.refreshToken).toBe(successor.refreshToken)
    expect(events).toEqual([])
    await sleep(700)
    expect(await outcome(a.refresh(login.refreshToken))).toBe('refresh_reused') // past grace, counted from the apply
  })
})

/** A Redis without persistence, an Auth that issues and revokes, and a `mirror` Auth on the same keys. */
async function issuerAndMirror() {
  const redis = await server()
  const c = client(redis.port)
  const clock = () => Date.now()
  const a = auth(store(c, { commandTimeoutMs: 1000, prefix: 'shared:' }), clock)
  const b = auth(store(c, { commandTimeoutMs: 1000, prefix: 'shared:' }), clock, [], 'mirror')
  return { redis, a, b }
}

describe('Redis restarted', () => {
  it('with persistence: a reader replays what was appended before the crash, with no gap', async () => {
    const redis = await server({ persistence: true })
    const s = store(client(redis.port), { commandTimeoutMs: 2000 })
    await s.createSession(record('s1'), T0)
    await s.denyToken({ sub: 'user-jti-0', jti: 'jti-0', expiresAt: T0 + HOUR }, T0)
    const { cursor } = await s.readFeed({ after: null, since: 0 })
    await s.endSession({ sub: 'alice', id: 's1' }, T0 + 1)
    await s.logoutAll('bob', T0 + 2)
    await redis.restart()
    const replay = await eventually(() => s.readFeed({ after: cursor }))
    expect(replay.gap).toBe(false)
    expect(replay.entries.map((entry) => entry.event.type)).toEqual(['session', 'user'])
  })

  it('without persistence: a reader learns that the feed was lost (gap), and the store works again', async () => {
    const redis = await server()
    const s = store(client(redis.port), { commandTimeoutMs: 2000 })
    await s.denyToken({ sub: 'user-jti-0', jti: 'jti-0', expiresAt: T0 + HOUR }, T0)
    const { cursor } = await s.readFeed({ after: null, since: 0 })
    await redis.restart()
    const after = await eventually(() => s.readFeed({ after: cursor }))
    expect(after).toMatchObject({ entries: [], gap: true })
    await s.denyToken({ sub: 'user-jti-1', jti: 'jti-1', expiresAt: T0 + HOUR }, T0 + 1)
    const next = await s.readFeed({ after: cursor })
    expect(next.gap).toBe(true)
    expect(next.entries.map((entry) => entry.event)).toEqual([{ type: 'token', sub: 'user-jti-1', jti: 'jti-1', expiresAt: T0 + HOUR, at: T0 + 1 }])
    expect((await s.readFeed({ after: next.cursor })).gap).toBe(false)
  })

  it('without persistence: a reader that has seen no entry yet (its cursor came from an empty feed) learns that the feed was lost', async () => {
    const redis = await server()
    const s = store(client(redis.port), { commandTimeoutMs: 2000 })
    const empty = await s.readFeed({ after: null, since: 0 })
    expect(empty).toMatchObject({ entries: [], gap: false, cursor: expect.any(String) })
    expect(await s.readFeed({ after: empty.cursor })).toStrictEqual({ entries: [], cursor: empty.cursor, gap: false })
    await redis.restart()
    expect(await eventually(() => s.readFeed({ after: empty.cursor }))).toMatchObject({ entries: [], gap: true })
  })

  it('a mirror that has never seen a revocation still notices a lost feed: a lost session is refused, not trusted', async () => {
    const { redis, a, b } = await issuerAndMirror()
    await b.ready() // replayed an empty feed
    const kept = await a.login({ sub: 'alice' })
    expect(await outcome(b.verifyAccessToken(kept.accessToken))).toBe('ok')
    await redis.restart() // the session is gone, and so is the feed (with no entry ever in it)
    // A lost record has no ended mark either: the store answers as for an expiry (401 all the same).
    await vi.waitFor(async () => expect(await outcome(b.verifyAccessToken(kept.accessToken))).toBe('session_expired'), { timeout: 5000 })
    await sleep(300)
    expect(await outcome(b.verifyAccessToken(kept.accessToken))).toBe('session_expired')
  })

  it('a mirror that followed a feed that was lost falls back to strict: a lost session is refused, not trusted', async () => {
    const { redis, a, b } = await issuerAndMirror()
    await b.ready()
    const kept = await a.login({ sub: 'alice' })
    const ended = await a.login({ sub: 'bob' })
    await a.logout({ sub: 'bob', id: ended.sessionId })
    await vi.waitFor(async () => expect(await outcome(b.verifyAccessToken(ended.accessToken))).toBe('session_revoked'))
    expect(await outcome(b.verifyAccessToken(kept.accessToken))).toBe('ok')

    await redis.restart() // every session is gone, and so is the feed
    // b's mirror sees the lost feed (gap) and distrusts it: verification goes to the store, where
    // the session no longer exists (nor its ended mark: answered as for an expiry).
    await vi.waitFor(async () => expect(await outcome(b.verifyAccessToken(kept.accessToken))).toBe('session_expired'), { timeout: 5000 })
    // and it keeps distrusting the feed (a mirror trusting the empty new feed would say 'ok')
    await sleep(300)
    expect(await outcome(b.verifyAccessToken(kept.accessToken))).toBe('session_expired')
  })

  it('a mirror cut off from Redis (Redis up) fails closed, then catches up by replaying from its cursor', async () => {
    const redis = await server()
    const proxy = await startTcpProxy(redis.port)
    cleanup.push(() => proxy.close())
    const clock = () => Date.now()
    const a = auth(store(client(redis.port), { prefix: 'shared:' }), clock)
    const counted = countCalls(store(client(proxy.port), { prefix: 'shared:', commandTimeoutMs: 200 }))
    const b = auth(counted.store, clock, [], 'mirror', { stalenessMs: 400, blockMs: 50 })
    await b.ready()
    const first = await a.login({ sub: 'alice' })
    const second = await a.login({ sub: 'bob' })
    await a.logout({ sub: 'alice', id: first.sessionId })
    await vi.waitFor(async () => expect(await outcome(b.verifyAccessToken(first.accessToken))).toBe('session_revoked'))

    proxy.refuse(true)
    proxy.dropConnections() // b is partitioned from Redis; a is not
    await a.logout({ sub: 'bob', id: second.sessionId })
    await sleep(600)
    // past its staleness bound b cannot trust its mirror, nor reach the store: it fails closed
    expect(await outcome(b.verifyAccessToken(second.accessToken))).toBe('store_unavailable')

    proxy.refuse(false)
    // b's mirror replays the logout it missed; then it answers without asking the store
    await vi.waitFor(
      async () => {
        const before = counted.calls('getRevocationState')
        expect(await outcome(b.verifyAccessToken(second.accessToken))).toBe('session_revoked')
        expect(counted.calls('getRevocationState')).toBe(before)
      },
      { timeout: 5000 },
    )
  })
})

/** Wraps a store to count calls per method. */
function countCalls(inner: AuthStore): { store: AuthStore; calls(name: string): number } {
  const counts = new Map<string, number>()
  const wrapped = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        counts.set(String(property), (counts.get(String(property)) ?? 0) + 1)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { store: wrapped, calls: (name) => counts.get(name) ?? 0 }
}

describe('eviction policy', () => {
  it.each(['allkeys-lru', 'volatile-lru', 'allkeys-random', 'volatile-ttl'])('warns loudly, naming noeviction, when the policy is %s', async (policy) => {
    const redis = await server({ args: ['--maxmemory-policy', policy] })
    const logger = recordingLogger()
    const s = store(client(redis.port), { logger })
    await s.getUserVersion('alice')
    await vi.waitFor(() => expect(logger.lines.join('\n')).toContain(`maxmemory-policy ${policy}`))
    expect(logger.lines.join('\n')).toContain('noeviction')
  })

  it('says nothing with noeviction', async () => {
    const redis = await server()
    const logger = recordingLogger()
    const s = store(client(redis.port), { logger })
    await s.getUserVersion('alice')
    await sleep(100)
    expect(logger.lines).toEqual([])
  })

  it('tolerates a Redis without CONFIG (managed services rename it): a hint, and the store works', async () => {
    const redis = await server({ args: ['--rename-command', 'CONFIG', ''] })
    const logger = recordingLogger()
    const s = store(client(redis.port), { logger })
    await s.createSession(record('s1'), T0)
    await vi.waitFor(() => expect(logger.lines.join('\n')).toContain('could not read maxmemory-policy'))
    expect(await s.getSession({ sub: 'alice', id: 's1' }, T0)).not.toBeNull()
  })

  it('can be switched off', async () => {
    const redis = await server({ args: ['--maxmemory-policy', 'allkeys-lru'] })
    const logger = recordingLogger()
    const s = store(client(redis.port), { logger, checkEvictionPolicy: false })
    await s.getUserVersion('alice')
    await sleep(100)
    expect(logger.lines).toEqual([])
  })
})

describe('waitReplicas', () => {
  it('acknowledges a revocation once a replica has it, and refuses when the replica does not answer in time', async () => {
    const primary = await server({ args: ['--repl-diskless-sync-delay', '0'] })
    const replica = await server({ args: ['--replicaof', '127.0.0.1', String(primary.port)] })
    await vi.waitFor(() => expect(replica.cli('INFO', 'replication')).toContain('master_link_status:up'), { timeout: 10_000 })
    // Generous while the replica is up (a loaded CI machine can take a while to acknowledge the
    // first writes after the initial sync); short for the refusal below.
    const s = store(client(primary.port), { waitReplicas: 1, commandTimeoutMs: 3000, waitTimeoutMs: 2000 })
    await s.createSession(record('s1'), T0)
    expect(await s.endSession({ sub: 'alice', id: 's1' }, T0 + 1)).not.toBeNull()
    await s.denyToken({ sub: 'user-jti-1', jti: 'jti-1', expiresAt: T0 + HOUR }, T0)
    expect((await s.logoutAll('alice', T0 + 2)).ver).toBe(1)
    const onReplica = new Redis(replica.port, '127.0.0.1')
    cleanup.push(() => onReplica.disconnect())
    expect(await onReplica.keys('*:d:*:user-jti-1:jti-1')).toHaveLength(1)

    const quick = store(client(primary.port), { waitReplicas: 1, commandTimeoutMs: 1000, waitTimeoutMs: 300 })
    replica.pause()
    try {
      const error = await quick.denyToken({ sub: 'user-jti-2', jti: 'jti-2', expiresAt: T0 + HOUR }, T0).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'store_unavailable' })
      expect((error as { reason?: string }).reason).toMatch(/^WAIT: 0 of 1/)
    } finally {
      replica.resume()
    }
  })
})
