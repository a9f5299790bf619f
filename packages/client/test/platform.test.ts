import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { backoffDelay } from '../src/backoff.js'
import { createAuthClient, createMemoryTokenStorage, isServer, type StoredSession, type TokenResponse, type TokenStorage } from '../src/index.js'
import { createFakeServer, fakeTimers } from './fakes.js'

beforeEach(() => void vi.useFakeTimers({ now: 1_700_000_000_000 }))
afterEach(() => void vi.useRealTimers())

describe('server rendering', () => {
  it('touches no window at import', async () => {
    vi.resetModules()
    Object.defineProperty(globalThis, 'window', { configurable: true, get: () => { throw new Error('window read at import') } })
    try {
      await expect(import('../src/index.js')).resolves.toHaveProperty('createAuthClient')
    } finally {
      delete (globalThis as { window?: unknown }).window
    }
  })

  it('without a window, creating and using a client schedules nothing and listens to nothing', async () => {
    expect(isServer()).toBe(true)
    const server = createFakeServer({ transport: 'cookie' })
    const client = createAuthClient({ transport: 'cookie', fetch: server.fetch })
    client.setSession(server.issue())
    expect(vi.getTimerCount()).toBe(0)
    expect((await client.fetch('/api/me')).status).toBe(200)
    expect(vi.getTimerCount()).toBe(0)
    client.destroy()
  })

  it('refuses an unknown transport at creation', () => {
    expect(() => createAuthClient({ transport: 'session' as 'cookie' })).toThrow(TypeError)
  })
})

describe('token storage (non-browser JavaScript)', () => {
  it('loads the saved session, saves every rotation, forgets it on logout', async () => {
    const server = createFakeServer({ transport: 'bearer', ttlSeconds: 60 })
    const issued = server.issue() as Required<TokenResponse>
    const saved: (StoredSession | null)[] = []
    const storage: TokenStorage = {
      load: async () => ({ accessToken: issued.accessToken, refreshToken: issued.refreshToken, expiresAt: Date.now() + 60_000, lifetimeMs: 60_000, sessionId: 'sid-1', user: 'u1' }),
      save: (session) => void saved.push(session),
    }
    const client = createAuthClient({ transport: 'bearer', fetch: server.fetch, tokenStorage: storage, timers: fakeTimers })
    await client.ready
    expect(client.getState()).toMatchObject({ status: 'active', user: 'u1' })
    expect((await client.fetch('/api/me')).status).toBe(200)
    await client.refresh()
    expect(saved.at(-1)).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2', user: 'u1', lifetimeMs: 60_000 })
    await client.logout()
    expect(saved.at(-1)).toBeNull()
  })

  it('the memory storage keeps what it was given', async () => {
    const storage = createMemoryTokenStorage()
    expect(await storage.load()).toBeNull()
    const session = { accessToken: 'a', refreshToken: 'r', expiresAt: 1, lifetimeMs: 1, sessionId: null, user: null }
    await storage.save(session)
    expect(await storage.load()).toEqual(session)
  })

  it('rejects a token response without tokens in the bearer transport', () => {
    const client = createAuthClient({ transport: 'bearer', fetch: createFakeServer({ transport: 'bearer' }).fetch })
    expect(() => client.setSession({ transport: 'cookie', expiresIn: 60 })).toThrow(TypeError)
  })
})

describe('backoff', () => {
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Tue, 14 Nov 2023 22:13:40 GMT', 20_000], // now is 22:13:20
    ['Tue, 14 Nov 2023 22:00:00 GMT', 0],
    ['soon', 0],
    ['', 0],
    [null, 0],
  ])('waits at least Retry-After %j: %j ms', (value, expected) => {
    expect(backoffDelay(0, {}, () => 0, value, Date.parse('2023-11-14T22:13:20Z'))).toBe(expected)
  })

  it('caps the window and never waits less than Retry-After', () => {
    expect(backoffDelay(0, {}, () => 0.999, null, 0)).toBe(999)
    expect(backoffDelay(20, {}, () => 1, null, 0)).toBe(60_000)
    expect(backoffDelay(3, { baseMs: 100, capMs: 500 }, () => 1, null, 0)).toBe(500)
    expect(backoffDelay(0, {}, () => 0, '5', 0)).toBe(5_000)
    expect(backoffDelay(0, {}, () => 0.999, '0', 0)).toBe(999)
  })
})
