import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AuthClient } from '../src/index.js'
import { createBrowser, createFakeServer, recordEvents, settle } from './fakes.js'

beforeEach(() => void vi.useFakeTimers({ now: 1_700_000_000_000 }))
afterEach(() => void vi.useRealTimers())

type Platform = { locks?: boolean; channel?: boolean; storage?: boolean }
const PLATFORMS: [string, 'cookie' | 'bearer', Platform][] = [
  ['cookie, Web Locks + BroadcastChannel', 'cookie', {}],
  ['bearer, Web Locks + BroadcastChannel', 'bearer', {}],
  ['cookie, storage lease + storage events (no locks, no channel)', 'cookie', { locks: false, channel: false }],
  ['bearer, storage lease + BroadcastChannel (no locks)', 'bearer', { locks: false }],
  ['cookie, Web Locks, no storage', 'cookie', { storage: false }],
]

/** `count` tabs of one browser, the first signed in, the others told over the channel or storage. */
async function tabs(transport: 'cookie' | 'bearer', platform: Platform, count: number) {
  const server = createFakeServer({ transport, ttlSeconds: 60 })
  const browser = createBrowser(platform)
  const clients: AuthClient[] = []
  for (let i = 0; i < count; i++) clients.push(browser.tab({ transport, fetch: server.fetch, proactive: false }))
  await vi.advanceTimersByTimeAsync(200) // bearer tabs wait 150 ms for a handover
  clients[0]!.setSession(server.issue(), { user: 'u1' })
  await settle()
  return { server, browser, clients, events: clients.map(recordEvents) }
}

describe.each(PLATFORMS)('across tabs (%s)', (_name, transport, platform) => {
  it('a login in one tab reaches the others', async () => {
    const { clients } = await tabs(transport, platform, 3)
    for (const client of clients) expect(client.getState()).toMatchObject({ status: 'active', generation: 1, user: 'u1' })
  })

  it.each([[1], [5], [10]])('%i tabs × 20 concurrent requests with an expired token make exactly 1 refresh call', async (n) => {
    const { server, clients } = await tabs(transport, platform, n)
    vi.advanceTimersByTime(61_000)
    const requests = clients.flatMap((client) => Array.from({ length: 20 }, () => client.fetch('/api/me').then((r) => r.status)))
    // The lease waits on timers: let them run while the requests settle.
    const done = Promise.all(requests)
    for (let i = 0; i < 40; i++) await vi.advanceTimersByTimeAsync(50)
    expect((await done).every((status) => status === 200)).toBe(true)
    expect(server.refreshCalls).toBe(1)
    expect(server.reuseDetections).toBe(0)
    for (const client of clients) expect(client.getState().generation).toBe(2)
  })

  it('a logout in one tab reaches every other tab', async () => {
    const { clients, events } = await tabs(transport, platform, 3)
    await clients[1]!.logout()
    await settle()
    for (const client of clients) expect(client.getState().status).toBe('signedOut')
    expect(events[1]).toEqual(['loggedOut:logout:local'])
    expect(events[0]).toEqual(['loggedOut:logout:remote'])
    expect(events[2]).toEqual(['loggedOut:logout:remote'])
  })

  it('a login as another user reaches every other tab as userChanged', async () => {
    const { server, clients, events } = await tabs(transport, platform, 2)
    clients[1]!.setSession(server.issue(), { user: 'u2' })
    await settle()
    expect(clients[0]!.getState().user).toBe('u2')
    expect(events[0]).toEqual(['userChanged:u1->u2:remote', 'refreshed:remote'])
    expect(events[1]).toEqual(['userChanged:u1->u2:local', 'refreshed:local'])
  })

  it('a refused refresh in one tab ends the session in every tab', async () => {
    const { server, clients, events } = await tabs(transport, platform, 2)
    server.end()
    vi.advanceTimersByTime(61_000)
    const done = clients[1]!.fetch('/api/me').catch((error: unknown) => error)
    for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(50)
    expect(await done).toMatchObject({ code: 'signed_out' })
    expect(events[0]).toEqual(['loggedOut:session_revoked:remote'])
    expect(clients[0]!.getState().status).toBe('signedOut')
  })
})

describe('a request in flight', () => {
  it('is not retried after a 401 when another tab logged out meanwhile', async () => {
    const { server, clients } = await tabs('bearer', {}, 2)
    const original = server.fetch.getMockImplementation()!
    server.fetch.mockImplementationOnce(async (input, init) => {
      await clients[1]!.logout()
      await settle()
      return original(input, init)
    })
    expect((await clients[0]!.fetch('/api/me')).status).toBe(401)
    expect(server.refreshCalls).toBe(0)
    expect(server.apiCalls).toBe(1)
  })
})

describe('bearer handover', () => {
  it('a new tab asks the open ones for the tokens, which never touch storage', async () => {
    const { server, browser, clients } = await tabs('bearer', {}, 1)
    const late = browser.tab({ transport: 'bearer', fetch: server.fetch, proactive: false })
    await vi.advanceTimersByTimeAsync(0)
    await late.ready
    expect(late.getState()).toMatchObject({ status: 'active', user: 'u1', generation: clients[0]!.getState().generation })
    expect((await late.fetch('/api/me')).status).toBe(200)
    expect([...browser.storage.data.values()].join()).not.toMatch(/access-|refresh-/)
  })

  it('with no other tab open, a new tab is signed out after a short wait', async () => {
    const browser = createBrowser()
    const lonely = browser.tab({ transport: 'bearer', fetch: createFakeServer({ transport: 'bearer' }).fetch })
    await vi.advanceTimersByTimeAsync(150)
    await lonely.ready
    expect(lonely.getState().status).toBe('signedOut')
  })

  it('a tab that waited for the lock takes the other tab\'s tokens instead of replaying its own', async () => {
    const { server, clients } = await tabs('bearer', {}, 2)
    vi.advanceTimersByTime(61_000)
    const both = Promise.all([clients[0]!.refresh(), clients[1]!.refresh()])
    await vi.advanceTimersByTimeAsync(50) // the holder keeps the lock while its news lands
    await both
    expect(server.refreshCalls).toBe(1)
    expect(server.reuseDetections).toBe(0)
    expect(clients[1]!.getState().generation).toBe(2)
  })
})

describe('a slow channel', () => {
  it('without localStorage, a bearer lock holder waits for its news to land before the next tab reads', async () => {
    const server = createFakeServer({ transport: 'bearer', ttlSeconds: 60 })
    const browser = createBrowser({ storage: false, channelDelayMs: 10 })
    const [a, b] = [0, 1].map(() => browser.tab({ transport: 'bearer', fetch: server.fetch, proactive: false }))
    await vi.advanceTimersByTimeAsync(200)
    a!.setSession(server.issue())
    await vi.advanceTimersByTimeAsync(20)
    vi.advanceTimersByTime(61_000)
    const both = Promise.all([a!.fetch('/api/me'), b!.fetch('/api/me')])
    for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(20)
    expect((await both).map((r) => r.status)).toEqual([200, 200])
    expect(server.refreshCalls).toBe(1)
    expect(server.reuseDetections).toBe(0)
  })
})

describe('proactive refresh across tabs', () => {
  it('5 tabs over an hour make about one refresh per token lifetime, not one per tab', async () => {
    const server = createFakeServer({ transport: 'cookie', ttlSeconds: 60 })
    const browser = createBrowser()
    let seed = 1
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    const clients = Array.from({ length: 5 }, () => browser.tab({ transport: 'cookie', fetch: server.fetch, random }))
    clients[0]!.setSession(server.issue())
    await settle()
    for (let t = 0; t < 3_600; t += 1) await vi.advanceTimersByTimeAsync(1_000)
    // a lead of 12–18 s on a 60 s token: one refresh every 42–48 s, so 75–86 in an hour
    expect(server.refreshCalls).toBeGreaterThanOrEqual(70)
    expect(server.refreshCalls).toBeLessThanOrEqual(90)
  })
})
