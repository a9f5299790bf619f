import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createAuthClient } from '../src/index.js'
import { createFakeServer, settle } from './fakes.js'

/** A minimal stand-in for a browser window: enough for the client's default hooks. */
function installWindow() {
  const target = () => {
    const listeners = new Map<string, Set<(event?: unknown) => void>>()
    return {
      addEventListener: (type: string, listener: (event?: unknown) => void) => void (listeners.get(type) ?? listeners.set(type, new Set()).get(type)!).add(listener),
      removeEventListener: (type: string, listener: (event?: unknown) => void) => void listeners.get(type)?.delete(listener),
      dispatch: (type: string, event?: unknown) => listeners.get(type)?.forEach((listener) => listener(event)),
      count: (type: string) => listeners.get(type)?.size ?? 0,
    }
  }
  const data = new Map<string, string>()
  const localStorage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) }
  const lockRequests: string[] = []
  const locks = { request: <T>(name: string, callback: () => Promise<T>) => (lockRequests.push(name), callback()) }
  const document = Object.assign(target(), { visibilityState: 'hidden' })
  const win = Object.assign(target(), { document, localStorage, navigator: { locks } })
  vi.stubGlobal('window', win)
  return { win, document, data, lockRequests }
}

beforeEach(() => void vi.useFakeTimers({ now: 1_700_000_000_000 }))
afterEach(() => (vi.unstubAllGlobals(), vi.useRealTimers()))

describe('browser defaults', () => {
  it('uses navigator.locks, localStorage, and refreshes on visibilitychange (to visible), pageshow and online', async () => {
    const { win, document, data, lockRequests } = installWindow()
    const server = createFakeServer({ transport: 'cookie', ttlSeconds: 60 })
    const client = createAuthClient({ transport: 'cookie', fetch: server.fetch })
    client.setSession(server.issue())
    expect(JSON.parse(data.get('auth-client:/auth')!)).toMatchObject({ generation: 1, ended: null })
    for (const [fire, expected] of [
      [() => document.dispatch('visibilitychange'), 0], // still hidden: nothing
      [() => ((document.visibilityState = 'visible'), document.dispatch('visibilitychange')), 1],
      [() => win.dispatch('pageshow'), 2],
      [() => win.dispatch('online'), 3],
    ] as const) {
      vi.setSystemTime(Date.now() + 3_600_000) // asleep past expiry each time
      fire()
      await settle()
      expect(server.refreshCalls).toBe(expected)
    }
    expect(lockRequests).toEqual(['auth-client:/auth', 'auth-client:/auth', 'auth-client:/auth'])
    client.destroy()
    expect([win.count('pageshow'), win.count('online'), win.count('storage'), document.count('visibilitychange')]).toEqual([0, 0, 0, 0])
  })

  it('schedules the proactive refresh by default in a browser', async () => {
    installWindow()
    const server = createFakeServer({ transport: 'cookie', ttlSeconds: 60 })
    const client = createAuthClient({ transport: 'cookie', fetch: server.fetch, random: () => 0 })
    client.setSession(server.issue())
    await vi.advanceTimersByTimeAsync(48_000) // a lead of one margin: 12 s
    await settle()
    expect(server.refreshCalls).toBe(1)
    client.destroy()
  })

  it('works where reading localStorage throws (storage blocked)', async () => {
    const { win } = installWindow()
    Object.defineProperty(win, 'localStorage', { get: () => { throw new DOMException('blocked', 'SecurityError') } })
    const server = createFakeServer({ transport: 'cookie' })
    const client = createAuthClient({ transport: 'cookie', fetch: server.fetch })
    client.setSession(server.issue())
    expect((await client.fetch('/api/me')).status).toBe(200)
    client.destroy()
  })
})
