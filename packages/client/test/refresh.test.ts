import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBrowser, createFakeServer, errorResponse, recordEvents, settle } from './fakes.js'

beforeEach(() => void vi.useFakeTimers({ now: 1_700_000_000_000 }))
afterEach(() => void vi.useRealTimers())

/** One bearer tab with a fresh 60 s token and the proactive timer off, unless asked. */
function signedIn(options: { proactive?: boolean; transport?: 'cookie' | 'bearer' } = {}) {
  const transport = options.transport ?? 'bearer'
  const server = createFakeServer({ transport, ttlSeconds: 60 })
  const browser = createBrowser()
  const client = browser.tab({ transport, fetch: server.fetch, proactive: options.proactive ?? false })
  const events = recordEvents(client)
  client.setSession(server.issue(), { user: 'u1' })
  return { server, browser, client, events }
}

describe('when it refreshes', () => {
  it('refreshes before a request whose token expires within the margin (a fifth of the lifetime, ≤ 30 s)', async () => {
    const { server, client } = signedIn()
    vi.advanceTimersByTime(47_000) // 13 s left: more than the 12 s margin
    await client.fetch('/api/me')
    expect(server.refreshCalls).toBe(0)
    vi.advanceTimersByTime(2_000) // 11 s left
    await client.fetch('/api/me')
    expect(server.refreshCalls).toBe(1)
  })

  it('takes expiry from expiresIn and the local clock, whatever the server clock says', async () => {
    const server = createFakeServer({ transport: 'cookie' })
    server.skewSeconds = -3600 // the server's own expiry time is an hour in the past
    const client = createBrowser().tab({ transport: 'cookie', fetch: server.fetch, proactive: false })
    client.setSession(server.issue())
    expect(client.getState().expiresAt).toBe(Date.now() + 60_000)
    await client.fetch('/api/me')
    expect(server.refreshCalls).toBe(0)
  })

  it('makes one refresh for 100 concurrent requests with an expired token, and all succeed', async () => {
    const { server, client } = signedIn()
    vi.advanceTimersByTime(61_000)
    const statuses = await Promise.all(Array.from({ length: 100 }, () => client.fetch('/api/me').then((r) => r.status)))
    expect(statuses.every((status) => status === 200)).toBe(true)
    expect(server.refreshCalls).toBe(1)
  })

  it('refreshes on a jittered timer before expiry, once per lifetime', async () => {
    const { server, events } = signedIn({ proactive: true })
    // random() = 0.5: a lead of 1.25 margins = 15 s before the 60 s expiry
    await vi.advanceTimersByTimeAsync(44_999)
    expect(server.refreshCalls).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    await settle()
    expect(server.refreshCalls).toBe(1)
    for (let i = 0; i < 9; i++) await vi.advanceTimersByTimeAsync(45_000), await settle()
    expect(server.refreshCalls).toBe(10)
    expect(events.filter((e) => e === 'refreshed:local')).toHaveLength(11)
  })

  it('on wake-up refreshes only when needed', async () => {
    const { server, browser } = signedIn()
    browser.visibility.fire()
    await vi.advanceTimersByTimeAsync(0)
    expect(server.refreshCalls).toBe(0)
    vi.setSystemTime(Date.now() + 3_600_000) // slept past expiry: no timer ran
    browser.visibility.fire()
    await vi.advanceTimersByTimeAsync(0)
    expect(server.refreshCalls).toBe(1)
  })

  it('after sleeping past expiry, the first request refreshes first and succeeds', async () => {
    const { server, client } = signedIn({ proactive: true })
    vi.setSystemTime(Date.now() + 3_600_000) // the timer has not fired yet
    expect((await client.fetch('/api/me')).status).toBe(200)
    expect(server.refreshCalls).toBe(1)
    expect(server.apiCalls).toBe(1)
  })
})

describe('failures', () => {
  it.each([
    ['session_revoked', 'loggedOut:session_revoked:local'],
    ['refresh_reused', 'loggedOut:refresh_reused:local'],
    ['session_expired', 'sessionExpired:local'],
  ])('a refused refresh (%s) ends the session: %s, state cleared, queued requests rejected', async (code, event) => {
    const { server, client, events, browser } = signedIn()
    vi.advanceTimersByTime(61_000)
    server.script.push(() => errorResponse(401, code))
    const results = await Promise.allSettled([client.fetch('/api/me'), client.fetch('/api/a'), client.fetch('/api/b')])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'signed_out', serverCode: code })
    expect(events.at(-1)).toBe(event)
    expect(client.getState()).toMatchObject({ status: 'signedOut', expiresAt: null })
    expect(JSON.parse(browser.storage.data.get('auth-client:/auth')!)).toMatchObject({ ended: code })
    expect(server.refreshCalls).toBe(1)
  })

  it.each([
    ['a network error', () => Promise.reject(new TypeError('Failed to fetch'))],
    ['a 500', () => errorResponse(500, 'internal')],
    ['a 503', () => errorResponse(503, 'store_unavailable')],
    ['a 429', () => errorResponse(429, 'too_many')],
    ['a 403', () => errorResponse(403, 'csrf_rejected')],
    ['an unreadable 200', () => new Response('<html>', { status: 200 })],
  ])('%s never logs out: the session stays and a retry follows', async (_name, answer) => {
    const { server, client, events } = signedIn()
    vi.advanceTimersByTime(61_000)
    server.script.push(answer)
    await expect(client.refresh()).rejects.toMatchObject({ code: 'refresh_failed' })
    expect(client.getState().status).toBe('active')
    expect(events.some((e) => e.startsWith('loggedOut'))).toBe(false)
    await vi.advanceTimersByTimeAsync(1_000) // attempt 0: within [0, 1 s]
    expect(server.refreshCalls).toBe(2)
    expect(client.getState().status).toBe('active')
  })

  it('backs off exponentially with full jitter: random × min(cap, 1 s × 2ⁿ)', async () => {
    const { server, client } = signedIn()
    vi.advanceTimersByTime(61_000)
    for (let i = 0; i < 4; i++) server.script.push(() => errorResponse(500, 'internal'))
    await expect(client.refresh()).rejects.toMatchObject({ retryInMs: 500 })
    // random() = 0.5: waits of 0.5, 1, 2 and 4 s
    for (const [wait, calls] of [[500, 2], [1_000, 3], [2_000, 4], [4_000, 5]] as const) {
      await vi.advanceTimersByTimeAsync(wait - 1)
      expect(server.refreshCalls).toBe(calls - 1)
      await vi.advanceTimersByTimeAsync(1)
      await settle()
      expect(server.refreshCalls).toBe(calls)
    }
    expect(client.getState()).toMatchObject({ status: 'active', expiresAt: Date.now() + 60_000 })
  })

  it('honours Retry-After', async () => {
    const { server, client } = signedIn()
    vi.advanceTimersByTime(61_000)
    server.script.push(() => errorResponse(503, 'store_unavailable', { 'retry-after': '7' }))
    await expect(client.refresh()).rejects.toMatchObject({ code: 'refresh_failed', status: 503, retryInMs: 7_000 })
    await vi.advanceTimersByTimeAsync(6_999)
    expect(server.refreshCalls).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(server.refreshCalls).toBe(2)
    expect(client.getState().status).toBe('active')
  })

  it('retries at once when the network comes back', async () => {
    const { server, client, browser } = signedIn()
    vi.advanceTimersByTime(61_000)
    server.script.push(() => errorResponse(503, 'store_unavailable', { 'retry-after': '60' }))
    await expect(client.refresh()).rejects.toMatchObject({ code: 'refresh_failed' })
    browser.online.fire()
    await vi.advanceTimersByTimeAsync(0)
    expect(server.refreshCalls).toBe(2)
    expect(client.getState().expiresAt).toBe(Date.now() + 60_000)
  })

  it('counts the breaker window to the millisecond: a 4th refresh 59 999 ms after the 1st is refused, at 60 000 ms it goes', async () => {
    const { server, client, events } = signedIn({ transport: 'cookie' })
    const start = Date.now()
    for (const at of [0, 10_000, 20_000]) {
      vi.setSystemTime(start + at)
      const done = client.refresh()
      await vi.advanceTimersByTimeAsync(50) // after a refresh, the lock is kept while its news lands
      await done
    }
    vi.setSystemTime(start + 59_999)
    await expect(client.refresh()).rejects.toMatchObject({ code: 'refresh_loop' })
    expect(events.filter((e) => e.startsWith('refreshLoop'))).toEqual(['refreshLoop:3'])
    vi.setSystemTime(start + 60_000)
    await client.refresh()
    expect(server.refreshCalls).toBe(4)
  })

  it('trips the breaker on more than 3 refreshes in 60 s, and closes after the window', async () => {
    const { server, client, events } = signedIn({ transport: 'cookie' })
    server.alwaysUnauthorized = true
    for (let i = 0; i < 5; i++) {
      const response = client.fetch('/api/me')
      await vi.advanceTimersByTimeAsync(50) // after a refresh, the lock is kept while its news lands
      expect((await response).status).toBe(401)
    }
    expect(server.refreshCalls).toBe(3)
    expect(events.filter((e) => e.startsWith('refreshLoop'))).toEqual(['refreshLoop:3'])
    await expect(client.refresh()).rejects.toMatchObject({ code: 'refresh_loop' })
    vi.advanceTimersByTime(60_000)
    server.alwaysUnauthorized = false
    await client.refresh()
    expect(server.refreshCalls).toBe(4)
    expect(client.getState().status).toBe('active')
  })
})

describe('logout', () => {
  it('posts /auth/logout (or /auth/logout-all), clears the state and emits loggedOut', async () => {
    const { server, client, events } = signedIn()
    await client.logout({ everywhere: true })
    expect(server.fetch.mock.calls.at(-1)![0]).toBe('/auth/logout-all')
    expect(client.getState().status).toBe('signedOut')
    expect(events.at(-1)).toBe('loggedOut:logout:local')
    await client.fetch('/api/me')
    expect(new Headers(server.fetch.mock.calls.at(-1)![1]!.headers).has('authorization')).toBe(false)
  })

  it('clears the local state even when the logout call fails', async () => {
    const { server, client } = signedIn()
    server.fetch.mockImplementationOnce(() => Promise.reject(new TypeError('Failed to fetch')))
    await expect(client.logout()).rejects.toThrow('Failed to fetch')
    expect(client.getState().status).toBe('signedOut')
  })
})

describe('a hung refresh', () => {
  it('is aborted after refreshTimeoutMs and counts as a network error, so the lock is released', async () => {
    const server = createFakeServer({ transport: 'cookie' })
    const client = createBrowser().tab({ transport: 'cookie', fetch: server.fetch, proactive: false, refreshTimeoutMs: 5_000 })
    client.setSession(server.issue())
    server.script.push(() => new Promise<Response>(() => {})) // never answers
    const original = server.fetch.getMockImplementation()!
    server.fetch.mockImplementationOnce(async (input, init) => {
      void original(input, init)
      return new Promise<Response>((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)))
    })
    const refreshed = client.refresh().catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(await refreshed).toMatchObject({ code: 'refresh_failed', status: 0 })
    expect(client.getState().status).toBe('active')
    await vi.advanceTimersByTimeAsync(1_000)
    await settle()
    expect(server.refreshCalls).toBe(2)
  })
})
