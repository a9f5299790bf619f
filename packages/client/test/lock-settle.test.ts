// The storage lease is held only after a whole settle moment, and the Web Lock is kept a moment after a refresh: in real Chromium a tab's localStorage is a copy
// that another tab's write reaches asynchronously, and the lock could be granted to the next tab
// before the new record (and the channel message) reached it. That tab would then present the
// rotated refresh token: a reuse, and a logout everywhere (measured in examples/demo/
// client-chromium.test.ts). These tests pin the timing; the race itself needs real Chromium.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBrowser, createFakeServer, settle } from './fakes.js'

beforeEach(() => void vi.useFakeTimers({ now: 1_700_000_000_000 }))
afterEach(() => void vi.useRealTimers())

describe('the lock after a refresh', () => {
  it('is kept 50 ms after the refresh published its result, while the caller goes on at once', async () => {
    const server = createFakeServer({ transport: 'bearer', ttlSeconds: 60 })
    const browser = createBrowser()
    const tab = browser.tab({ transport: 'bearer', fetch: server.fetch, proactive: false })
    await vi.advanceTimersByTimeAsync(200)
    tab.setSession(server.issue())
    vi.advanceTimersByTime(61_000)
    await tab.refresh() // resolves without advancing the clock: the caller does not wait
    expect(server.refreshCalls).toBe(1)

    let granted = false
    const next = browser.locks.request('auth-client:/auth', async () => void (granted = true))
    await vi.advanceTimersByTimeAsync(49)
    expect(granted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await next
    expect(granted).toBe(true)
  })

  it('is released at once when the refresh published nothing (a failed call)', async () => {
    const server = createFakeServer({ transport: 'cookie', ttlSeconds: 60 })
    const browser = createBrowser()
    const tab = browser.tab({ transport: 'cookie', fetch: server.fetch, proactive: false })
    tab.setSession(server.issue())
    vi.advanceTimersByTime(61_000)
    server.fetch.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    await expect(tab.refresh()).rejects.toMatchObject({ code: 'refresh_failed' })
    let granted = false
    const next = browser.locks.request('auth-client:/auth', async () => void (granted = true))
    await settle()
    await next
    expect(granted).toBe(true)
  })
})

describe('the storage lease (no Web Locks)', () => {
  it('waits the whole 100 ms before reading its write back, even when a lease write of another tab arrives meanwhile', async () => {
    const server = createFakeServer({ transport: 'cookie', ttlSeconds: 60 })
    const browser = createBrowser({ locks: false, channel: false })
    const tab = browser.tab({ transport: 'cookie', fetch: server.fetch, proactive: false })
    tab.setSession(server.issue())
    vi.advanceTimersByTime(61_000)
    const refreshed = tab.refresh()
    await vi.advanceTimersByTimeAsync(10)
    const leaseKey = 'auth-client:/auth:lease'
    // Another tab's write arrives (here: the same value again, as a late echo of an older write).
    browser.storage.view().setItem(leaseKey, browser.storage.data.get(leaseKey)!)
    await vi.advanceTimersByTimeAsync(89)
    expect(server.refreshCalls).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    await refreshed
    expect(server.refreshCalls).toBe(1)
  })
})
