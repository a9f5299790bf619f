import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBrowser, createFakeServer, settle } from './fakes.js'

beforeEach(() => void vi.useFakeTimers({ now: 1_700_000_000_000 }))
afterEach(() => void vi.useRealTimers())

describe('lifecycle', () => {
  it('a reloaded cookie tab knows the expiry from the shared record, and refreshes on time', async () => {
    const server = createFakeServer({ transport: 'cookie', ttlSeconds: 60 })
    const browser = createBrowser()
    const before = browser.tab({ transport: 'cookie', fetch: server.fetch })
    before.setSession(server.issue(), { user: 'u1' })
    before.destroy()
    const after = browser.tab({ transport: 'cookie', fetch: server.fetch })
    expect(after.getState()).toMatchObject({ status: 'active', user: 'u1', expiresAt: Date.now() + 60_000 })
    await vi.advanceTimersByTimeAsync(45_000)
    await settle()
    expect(server.refreshCalls).toBe(1)
  })

  it('destroy() stops the timers and the listeners', async () => {
    const server = createFakeServer({ transport: 'cookie', ttlSeconds: 60 })
    const browser = createBrowser()
    const client = browser.tab({ transport: 'cookie', fetch: server.fetch })
    client.setSession(server.issue())
    client.destroy()
    expect(vi.getTimerCount()).toBe(0)
    vi.setSystemTime(Date.now() + 3_600_000)
    browser.visibility.fire()
    browser.online.fire()
    await settle()
    expect(server.refreshCalls).toBe(0)
  })

  it('a throwing listener does not stop the other listeners, and is reported', async () => {
    const server = createFakeServer({ transport: 'cookie' })
    const reported: unknown[] = []
    const client = createBrowser().tab({ transport: 'cookie', fetch: server.fetch, onListenerError: (error) => reported.push(error) })
    const seen: number[] = []
    client.on('refreshed', () => {
      throw new Error('listener bug')
    })
    const off = client.on('refreshed', (event) => seen.push(event.generation))
    client.setSession(server.issue())
    off()
    client.setSession(server.issue())
    expect(seen).toEqual([1])
    expect(reported).toHaveLength(2)
  })

  it('the storage lease of a tab that died is taken over once it expires', async () => {
    const server = createFakeServer({ transport: 'cookie', ttlSeconds: 60 })
    const browser = createBrowser({ locks: false, channel: false })
    const client = browser.tab({ transport: 'cookie', fetch: server.fetch, proactive: false, leaseMs: 5_000 })
    client.setSession(server.issue())
    browser.storage.data.set('auth-client:/auth:lease', JSON.stringify({ owner: 'dead-tab', until: Date.now() + 5_000 }))
    const refreshed = client.refresh()
    await vi.advanceTimersByTimeAsync(4_900)
    expect(server.refreshCalls).toBe(0)
    await vi.advanceTimersByTimeAsync(300)
    await refreshed
    expect(server.refreshCalls).toBe(1)
    expect(browser.storage.data.has('auth-client:/auth:lease')).toBe(false)
  })
})
