/**
 * The memory store: the conformance suite, plus what only this store promises (the sweep timer,
 * the size bound, the production warning, closing).
 */
import { randomBytes } from 'node:crypto'
import type { AuthStore, SessionRecord } from '@auth/core'
import { createAuth, generateKeySet } from '@auth/core'
import { createAuth as createNodeAuth, nodeCryptoBackend } from '@auth/core/node'
import { describeAuthFlows, describeAuthStore, makeSessionRecord } from '@auth/core/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStore, type MemoryStoreOptions } from './memory-store.js'

describeAuthStore('memory', () => createMemoryStore())
describeAuthFlows('memory: createAuth flows', () => createMemoryStore())
describeAuthFlows('memory: createAuth flows on node:crypto', () => createMemoryStore(), { backend: nodeCryptoBackend })

const T0 = 1_800_000_000_000
const HOUR = 3_600_000

const session = (overrides: Partial<SessionRecord> = {}): SessionRecord => makeSessionRecord({ metadata: {}, ...overrides })

const stores: AuthStore[] = []
function open(options?: MemoryStoreOptions): AuthStore {
  const store = createMemoryStore(options)
  stores.push(store)
  return store
}

afterEach(async () => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
  await Promise.all(stores.splice(0).map((store) => store.close()))
})

describe('memory store', () => {
  it('answers getSession with a copy whose metadata and refresh state are its own too', async () => {
    const store = open()
    const record = makeSessionRecord()
    await store.createSession(record, T0)
    const read = (await store.getSession({ sub: record.sub, id: record.id }, T0)) as unknown as { metadata: Record<string, unknown>; refresh: Record<string, unknown> }
    read.metadata.ip = '198.51.100.1'
    read.refresh.current = 'forged'
    expect(await store.getSession({ sub: record.sub, id: record.id }, T0)).toStrictEqual(record)
  })

  describe('sweep', () => {
    it('runs on an unref()ed interval timer, so it never keeps the process alive', () => {
      const spy = vi.spyOn(globalThis, 'setInterval')
      open({ sweepIntervalMs: 5000 })
      expect(spy).toHaveBeenCalledTimes(1)
      expect(spy.mock.calls[0]![1]).toBe(5000)
      const timer = spy.mock.results[0]!.value as NodeJS.Timeout
      expect(timer.hasRef()).toBe(false)
    })

    it('clears its timer on close()', async () => {
      const spy = vi.spyOn(globalThis, 'clearInterval')
      const setSpy = vi.spyOn(globalThis, 'setInterval')
      const store = open()
      await store.close()
      expect(spy).toHaveBeenCalledWith(setSpy.mock.results[0]!.value)
    })

    it('drops expired sessions by its clock, and keeps live ones', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
      let now = T0
      const store = open({ sweepIntervalMs: 1000, clock: () => now })
      await store.createSession(session({ id: 'short', expiresAt: T0 + 1500 }), T0)
      await store.createSession(session({ id: 'long', expiresAt: T0 + HOUR }), T0)

      now = T0 + 1000
      vi.advanceTimersByTime(1000)
      // Read "in the past" to see what is physically there: nothing swept yet.
      expect(await store.getSession({ sub: 'user-1', id: 'short' }, T0)).not.toBeNull()

      now = T0 + 2000
      vi.advanceTimersByTime(1000)
      expect(await store.getSession({ sub: 'user-1', id: 'short' }, T0)).toBeNull()
      expect(await store.getSession({ sub: 'user-1', id: 'long' }, T0)).not.toBeNull()
      expect((await store.listSessions('user-1', T0)).map((record) => record.id)).toEqual(['long'])
    })

    it('keeps a denylist entry until its expiresAt, then drops it', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
      let now = T0
      const store = open({ sweepIntervalMs: 1000, clock: () => now })
      const exp = T0 + 15 * 60_000
      await store.denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: exp }, T0)
      const query = { sub: 'user-1', sid: 'sid-1', jti: 'jti-1' }

      now = exp - 1
      vi.advanceTimersByTime(1000)
      expect((await store.getRevocationState(query, T0)).tokenDenied).toBe(true)

      now = exp
      vi.advanceTimersByTime(1000)
      expect((await store.getRevocationState(query, T0)).tokenDenied).toBe(false)
    })

    it('never trims the feed (only trimFeed does)', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
      let now = T0
      const store = open({ sweepIntervalMs: 1000, clock: () => now })
      await store.createSession(makeSessionRecord({ sub: 'user-1', id: 'sid-1' }), T0)
      await store.denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: T0 + 1000 }, T0)
      await store.endSession({ sub: 'user-1', id: 'sid-1' }, T0)
      await store.logoutAll('user-1', T0)
      now = T0 + 365 * 24 * HOUR
      vi.advanceTimersByTime(5000)
      const { entries, gap } = await store.readFeed({ after: null })
      expect(entries.map((entry) => entry.event.type)).toEqual(['token', 'session', 'user'])
      expect(gap).toBe(false)
    })

    it('uses Date.now when no clock is given', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: T0 })
      const store = open({ sweepIntervalMs: 1000 })
      await store.createSession(session({ expiresAt: T0 + 1500 }), T0)
      vi.advanceTimersByTime(1000)
      expect(await store.getSession({ sub: 'user-1', id: 'sid-1' }, T0)).not.toBeNull()
      vi.advanceTimersByTime(1000)
      expect(await store.getSession({ sub: 'user-1', id: 'sid-1' }, T0)).toBeNull()
    })
  })

  describe('lazy expiry', () => {
    it('drops an expired session when it is read', async () => {
      const store = open()
      await store.createSession(session({ expiresAt: T0 + 1000 }), T0)
      expect(await store.getSession({ sub: 'user-1', id: 'sid-1' }, T0 + 1000)).toBeNull()
      // Gone for good: even a read "in the past" no longer finds it.
      expect(await store.getSession({ sub: 'user-1', id: 'sid-1' }, T0)).toBeNull()
    })
  })

  describe('maxSessions', () => {
    it('refuses a session beyond the bound with store_unavailable, evicting nothing', async () => {
      const store = open({ maxSessions: 2 })
      await store.createSession(session({ id: 'a' }), T0)
      await store.createSession(session({ id: 'b', sub: 'user-2' }), T0)
      await expect(store.createSession(session({ id: 'c' }), T0)).rejects.toMatchObject({ name: 'AuthError', code: 'store_unavailable', status: 503 })
      expect(await store.getSession({ sub: 'user-1', id: 'a' }, T0)).not.toBeNull()
      expect(await store.getSession({ sub: 'user-2', id: 'b' }, T0)).not.toBeNull()
      expect(await store.getSession({ sub: 'user-1', id: 'c' }, T0)).toBeNull()
    })

    it('makes room when a session ends or expires', async () => {
      const store = open({ maxSessions: 2 })
      await store.createSession(session({ id: 'a' }), T0)
      await store.createSession(session({ id: 'b', expiresAt: T0 + 1000 }), T0)
      await store.endSession({ sub: 'user-1', id: 'a' }, T0)
      await store.createSession(session({ id: 'c' }), T0)
      await expect(store.createSession(session({ id: 'd' }), T0 + 999)).rejects.toMatchObject({ code: 'store_unavailable' })
      // At T0 + 1000 'b' has expired: it no longer counts.
      await store.createSession(session({ id: 'd' }), T0 + 1000)
      expect((await store.listSessions('user-1', T0 + 1000)).map((record) => record.id).sort()).toEqual(['c', 'd'])
      await store.logoutAll('user-1', T0 + 1000)
      await expect(store.createSession(session({ id: 'e', ver: 1 }), T0 + 1000)).resolves.toMatchObject({ created: true })
      await expect(store.createSession(session({ id: 'f', ver: 1 }), T0 + 1000)).resolves.toMatchObject({ created: true })
    })

    it('one user logging in again and again cannot fill the store: the per-user cap ends their oldest session', async () => {
      const store = open({ maxSessions: 10 })
      const auth = createAuth({
        store,
        keys: await generateKeySet(),
        secret: randomBytes(32),
        issuer: 'https://auth.example.test',
        audience: 'https://api.example.test',
        session: { maxPerUser: 3 },
      })
      for (let i = 0; i < 50; i++) await auth.login({ sub: 'mallory' })
      expect(await auth.listSessions('mallory')).toHaveLength(3)
      for (let i = 0; i < 7; i++) await auth.login({ sub: `user-${i}` })
      await expect(auth.login({ sub: 'late' })).rejects.toMatchObject({ code: 'store_unavailable' }) // the store's own bound still holds
      await auth.close()
    })

    it('does not count the denylist or the feed', async () => {
      const store = open({ maxSessions: 1 })
      for (let i = 0; i < 100; i++) await store.denyToken({ sub: 'user-1', jti: `jti-${i}`, expiresAt: T0 + HOUR }, T0)
      await store.createSession(session(), T0)
      for (let i = 0; i < 100; i++) expect((await store.getRevocationState({ sub: 'user-1', sid: 'sid-1', jti: `jti-${i}` }, T0)).tokenDenied).toBe(true)
    })
  })

  describe('production warning', () => {
    it('warns once per process with NODE_ENV=production', async () => {
      vi.resetModules()
      vi.stubEnv('NODE_ENV', 'production')
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      const { createMemoryStore: create } = await import('./memory-store.js')
      stores.push(create(), create())
      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn.mock.calls[0]![0]).toBe(
        '@auth/store-memory keeps state in this process: revocations do not reach other processes; use @auth/store-redis in production',
      )
    })

    it('does not warn outside production', async () => {
      vi.resetModules()
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      for (const env of ['development', 'test', '']) {
        vi.stubEnv('NODE_ENV', env)
        const { createMemoryStore: create } = await import('./memory-store.js')
        stores.push(create())
      }
      expect(warn).not.toHaveBeenCalled()
    })

    it('does not warn with warnInProduction: false', async () => {
      vi.resetModules()
      vi.stubEnv('NODE_ENV', 'production')
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      const { createMemoryStore: create } = await import('./memory-store.js')
      stores.push(create({ warnInProduction: false }))
      expect(warn).not.toHaveBeenCalled()
      stores.push(create())
      expect(warn).toHaveBeenCalledTimes(1)
    })
  })

  describe('close', () => {
    it('ends a pending blocking read at once, with what there is', async () => {
      const store = open()
      const start = performance.now()
      const read = store.readFeed({ after: null, blockMs: 10_000 })
      await store.close()
      expect(await read).toMatchObject({ entries: [], cursor: expect.any(String), gap: false })
      expect(performance.now() - start).toBeLessThan(1000)
    })

    it('is idempotent, and the store refuses calls afterwards with store_unavailable', async () => {
      const store = open()
      await store.close()
      await expect(store.close()).resolves.toBeUndefined()
      await expect(store.getSession({ sub: 'user-1', id: 'sid-1' }, T0)).rejects.toMatchObject({ code: 'store_unavailable' })
      await expect(store.createSession(session(), T0)).rejects.toMatchObject({ code: 'store_unavailable' })
      await expect(store.readFeed({ after: null })).rejects.toMatchObject({ code: 'store_unavailable' })
    })
  })

  describe('options and arguments', () => {
    it.each<[string, MemoryStoreOptions]>([
      ['maxSessions 0', { maxSessions: 0 }],
      ['maxSessions 1.5', { maxSessions: 1.5 }],
      ['maxSessions Infinity', { maxSessions: Number.POSITIVE_INFINITY }],
      ['sweepIntervalMs 0', { sweepIntervalMs: 0 }],
      ['sweepIntervalMs NaN', { sweepIntervalMs: Number.NaN }],
      ['sweepIntervalMs beyond the timer range', { sweepIntervalMs: 2 ** 31 }],
      ['clock not a function', { clock: 42 as unknown as () => number }],
    ])('rejects %s with a TypeError', (_, options) => {
      expect(() => createMemoryStore(options)).toThrow(TypeError)
    })

    it('rejects a cursor it did not issue and bad read options with a TypeError', async () => {
      const store = open()
      await expect(store.readFeed({ after: '1-0' })).rejects.toBeInstanceOf(TypeError)
      await expect(store.readFeed({ after: null, limit: 0 })).rejects.toBeInstanceOf(TypeError)
      await expect(store.readFeed({ after: null, blockMs: -1 })).rejects.toBeInstanceOf(TypeError)
    })

    it('reports a gap for a cursor beyond its last entry (a feed that was lost)', async () => {
      const first = open()
      await first.denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: T0 + HOUR }, T0)
      const { cursor } = await first.readFeed({ after: null })
      const second = open()
      expect(await second.readFeed({ after: cursor })).toStrictEqual({ entries: [], cursor, gap: true })
    })

    it('applies only the patchable fields of a patch', async () => {
      const store = open()
      await store.createSession(session(), T0)
      const sneaky = { data: { a: 1 }, sub: 'user-2', id: 'other', revision: 100, ver: 9, expiresAt: T0 + 99 * HOUR } as never
      const { session: updated } = await store.updateSession({ sub: 'user-1', id: 'sid-1' }, {}, sneaky, T0 + 1)
      expect(updated).toStrictEqual(session({ data: { a: 1 }, revision: 1 }))
    })
  })
})

describe('session-cookie expiry with fake timers (Date.now clock, the sweep timer running)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('keeps a used session alive past the idle timeout, ends it at the absolute expiry, and sweeps it', async () => {
    vi.useFakeTimers({ now: T0 })
    const store = createMemoryStore({ sweepIntervalMs: 60_000 })
    const auth = createAuth({
      store,
      keys: await generateKeySet(),
      issuer: 'https://auth.example.test',
      audience: 'https://api.example.test',
      session: { idleTimeoutMs: 1_800_000, absoluteTtlMs: 2 * 3_600_000, touchIntervalMs: 60_000 },
    })
    const login = await auth.login({ sub: 'alice', transport: 'session' })
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(25 * 60_000)
      await expect(auth.verifySessionToken(login.sessionToken)).resolves.toMatchObject({ id: login.sessionId })
    }
    // 1 h 40 min in, used 0 min ago; the absolute expiry (2 h) ends it
    await vi.advanceTimersByTimeAsync(21 * 60_000)
    await expect(auth.verifySessionToken(login.sessionToken)).rejects.toMatchObject({ code: 'session_expired' })
    expect(await auth.listSessions('alice')).toEqual([])
    await auth.close()
    await store.close()
  })

  it('ends an unused session at the idle timeout', async () => {
    vi.useFakeTimers({ now: T0 })
    const store = createMemoryStore()
    const auth = createAuth({
      store,
      keys: await generateKeySet(),
      issuer: 'https://auth.example.test',
      audience: 'https://api.example.test',
      session: { idleTimeoutMs: 1_800_000 },
    })
    const login = await auth.login({ sub: 'alice', transport: 'session' })
    await vi.advanceTimersByTimeAsync(1800_000 - 1000)
    await expect(auth.verifySessionToken(login.sessionToken)).resolves.toBeDefined()
    await vi.advanceTimersByTimeAsync(1800_000)
    await expect(auth.verifySessionToken(login.sessionToken)).rejects.toMatchObject({ code: 'session_expired' })
    await auth.close()
    await store.close()
  })
})

describe('createAuth on node:crypto and on WebCrypto, side by side', () => {
  it('accept each other’s refresh tokens, session tokens and access tokens (one store, one secret)', async () => {
    const store = createMemoryStore()
    const options = {
      store,
      keys: await generateKeySet(),
      issuer: 'https://auth.example.test',
      audience: 'https://api.example.test',
      secret: randomBytes(32),
    }
    const web = createAuth(options)
    const node = createNodeAuth(options)
    try {
      // A rolling deploy: each refresh lands on the other kind of process.
      let tokens: { refreshToken: string; sessionId: string } = await node.login({ sub: 'alice' })
      for (const [i, auth] of [web, node, web, node].entries()) {
        const next = await auth.refresh(tokens.refreshToken)
        expect(next.sessionId).toBe(tokens.sessionId)
        expect(Number(next.refreshToken.split('.')[2])).toBe(i + 1)
        // A retry within the grace window gets the same successor on either kind.
        expect((await (auth === web ? node : web).refresh(tokens.refreshToken)).refreshToken).toBe(next.refreshToken)
        for (const verifier of [web, node]) await expect(verifier.verifyAccessToken(next.accessToken)).resolves.toBeDefined()
        tokens = next
      }
      const cookie = await web.login({ sub: 'bob', transport: 'session' })
      await expect(node.verifySessionToken(cookie.sessionToken)).resolves.toMatchObject({ id: cookie.sessionId })
      const other = await node.login({ sub: 'carol', transport: 'session' })
      await expect(web.verifySessionToken(other.sessionToken)).resolves.toMatchObject({ id: other.sessionId })
    } finally {
      await Promise.all([web.close(), node.close()])
      await store.close()
    }
  })
})
