import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AuthClientError, createAuthClient } from '../src/index.js'
import { createBrowser, createFakeServer, errorResponse, recordEvents } from './fakes.js'

beforeEach(() => void vi.useFakeTimers({ now: 1_700_000_000_000 }))
afterEach(() => void vi.useRealTimers())

describe('client.fetch', () => {
  it('adds Authorization from memory in the bearer transport, and nothing goes to storage', async () => {
    const server = createFakeServer({ transport: 'bearer' })
    const browser = createBrowser()
    const client = browser.tab({ transport: 'bearer', fetch: server.fetch })
    client.setSession(server.issue())
    const response = await client.fetch('/api/me', { headers: { accept: 'application/json' } })
    expect(response.status).toBe(200)
    const headers = new Headers(server.fetch.mock.calls.at(-1)![1]!.headers)
    expect(headers.get('authorization')).toBe('Bearer access-1')
    expect(headers.get('accept')).toBe('application/json')
    expect([...browser.storage.data.values()].join()).not.toMatch(/access-|refresh-/)
  })

  it('sends credentials in the cookie transport, and keeps an explicit choice', async () => {
    const server = createFakeServer({ transport: 'cookie' })
    const client = createBrowser().tab({ transport: 'cookie', fetch: server.fetch })
    await client.fetch('/api/me')
    expect(server.fetch.mock.calls.at(-1)![1]!.credentials).toBe('include')
    await vi.advanceTimersByTimeAsync(50) // the lock is kept a moment after the refresh the 401 caused
    await client.fetch('/api/me', { credentials: 'same-origin' })
    expect(server.fetch.mock.calls.at(-1)![1]!.credentials).toBe('same-origin')
  })

  it('sends a request with auth: false untouched, and never refreshes for it', async () => {
    const server = createFakeServer({ transport: 'bearer' })
    const client = createBrowser().tab({ transport: 'bearer', fetch: server.fetch, proactive: false })
    client.setSession(server.issue())
    vi.advanceTimersByTime(60_000)
    const response = await client.fetch('/api/me', { auth: false, method: 'GET' })
    expect(response.status).toBe(401)
    expect(server.fetch.mock.calls.at(-1)![1]).toEqual({ method: 'GET' })
    expect(server.refreshCalls).toBe(0)
  })

  it('never sends the bearer token to another origin', async () => {
    const server = createFakeServer({ transport: 'bearer' })
    const client = createBrowser().tab({ transport: 'bearer', baseUrl: 'https://api.example.com', fetch: server.fetch })
    client.setSession(server.issue())
    await client.fetch('https://tracker.example.net/pixel')
    expect(new Headers(server.fetch.mock.calls.at(-1)![1]!.headers).has('authorization')).toBe(false)
    await client.fetch('//tracker.example.net/pixel')
    expect(new Headers(server.fetch.mock.calls.at(-1)![1]!.headers).has('authorization')).toBe(false)
    await client.fetch('https://api.example.com/api/me')
    expect(new Headers(server.fetch.mock.calls.at(-1)![1]!.headers).get('authorization')).toBe('Bearer access-1')
  })

  it('never patches the global fetch', () => {
    const before = globalThis.fetch
    createAuthClient({ transport: 'cookie' })
    expect(globalThis.fetch).toBe(before)
  })

  it('retries a Request input with its body after a refresh', async () => {
    const server = createFakeServer({ transport: 'bearer' })
    const client = createBrowser().tab({ transport: 'bearer', baseUrl: 'https://app.test', fetch: server.fetch })
    client.setSession(server.issue())
    server.invalidateAccess()
    const response = await client.fetch(new Request('https://app.test/api/items', { method: 'POST', body: '{"a":1}' }))
    expect(response.status).toBe(200)
    const retried = server.fetch.mock.calls.at(-1)![0] as Request
    expect(await retried.text()).toBe('{"a":1}')
  })
})

describe('401 handling', () => {
  it('refreshes once and retries once after a 401 under the current generation', async () => {
    const server = createFakeServer({ transport: 'bearer' })
    const client = createBrowser().tab({ transport: 'bearer', fetch: server.fetch })
    client.setSession(server.issue())
    server.invalidateAccess()
    expect((await client.fetch('/api/me')).status).toBe(200)
    expect(server.refreshCalls).toBe(1)
    expect(server.apiCalls).toBe(2)
  })

  it('only retries when the generation moved on while the request was out', async () => {
    const server = createFakeServer({ transport: 'bearer' })
    const client = createBrowser().tab({ transport: 'bearer', fetch: server.fetch })
    client.setSession(server.issue())
    const original = server.fetch.getMockImplementation()!
    let first = true
    server.fetch.mockImplementation(async (input, init) => {
      if (first && String(input) === '/api/me') {
        first = false
        await client.refresh() // the token is replaced while this request is out
        return errorResponse(401, 'token_expired')
      }
      return original(input, init)
    })
    expect((await client.fetch('/api/me')).status).toBe(200)
    expect(server.refreshCalls).toBe(1)
  })

  it('retries each request at most once: an endpoint that always says 401 costs one refresh per request', async () => {
    const server = createFakeServer({ transport: 'cookie' })
    const client = createBrowser().tab({ transport: 'cookie', fetch: server.fetch })
    client.setSession(server.issue())
    server.alwaysUnauthorized = true
    expect((await client.fetch('/api/me')).status).toBe(401)
    expect(server.refreshCalls).toBe(1)
    expect(server.apiCalls).toBe(2)
  })

  it('does not refresh after a refused login', async () => {
    const server = createFakeServer({ transport: 'cookie' })
    server.fetch.mockImplementationOnce(async () => errorResponse(401, 'invalid_credentials'))
    const client = createBrowser().tab({ transport: 'cookie', fetch: server.fetch })
    expect((await client.fetch('/auth/login', { method: 'POST' })).status).toBe(401)
    expect(server.refreshCalls).toBe(0)
  })

  it('answers the original 401 when the refresh is refused, and the session ends', async () => {
    const server = createFakeServer({ transport: 'cookie' })
    const client = createBrowser().tab({ transport: 'cookie', fetch: server.fetch })
    const events = recordEvents(client)
    client.setSession(server.issue())
    server.end()
    server.invalidateAccess()
    expect((await client.fetch('/api/me')).status).toBe(401)
    expect(client.getState().status).toBe('signedOut')
    expect(events).toContain('loggedOut:session_revoked:local')
  })

  it('rejects with refresh_failed, not a 401, when the refresh cannot reach the server', async () => {
    const server = createFakeServer({ transport: 'cookie' })
    const client = createBrowser().tab({ transport: 'cookie', fetch: server.fetch })
    client.setSession(server.issue())
    server.invalidateAccess()
    server.script.push(() => Promise.reject(new TypeError('Failed to fetch')))
    const failure = await client.fetch('/api/me').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(AuthClientError)
    expect((failure as AuthClientError).code).toBe('refresh_failed')
    expect(client.getState().status).toBe('active')
  })

  it('in the cookie transport, a first 401 with an unknown session tries one refresh', async () => {
    const server = createFakeServer({ transport: 'cookie' })
    server.issue() // the cookies are there from an earlier page
    server.invalidateAccess()
    const client = createBrowser().tab({ transport: 'cookie', fetch: server.fetch })
    expect(client.getState().status).toBe('unknown')
    expect((await client.fetch('/api/me')).status).toBe(200)
    expect(client.getState()).toMatchObject({ status: 'active', expiresAt: Date.now() + 60_000 })
  })
})

describe('which requests get the credential', () => {
  afterEach(() => void vi.unstubAllGlobals())

  it('the page origin and the API origin do; any other origin, or a URL that does not parse, does not', async () => {
    vi.stubGlobal('location', { href: 'https://app.example.com/inbox', origin: 'https://app.example.com' })
    const server = createFakeServer({ transport: 'bearer' })
    const client = createBrowser().tab({ transport: 'bearer', baseUrl: 'https://api.example.com/', fetch: server.fetch })
    client.setSession(server.issue())
    const sent = async (url: string) => {
      await client.fetch(url).catch(() => undefined)
      return new Headers(server.fetch.mock.calls.at(-1)![1]!.headers).get('authorization')
    }
    expect(await sent('/api/me')).toBe('Bearer access-1')
    expect(await sent('https://app.example.com/api/me')).toBe('Bearer access-1')
    expect(await sent('//api.example.com/api/me')).toBe('Bearer access-1')
    expect(await sent('https://API.example.com:443/api/me')).toBe('Bearer access-1')
    expect(await sent('http://api.example.com/api/me')).toBeNull() // another scheme is another origin
    expect(await sent('https://app.example.com.evil.test/api/me')).toBeNull()
    expect(await sent('//evil.test/api/me')).toBeNull()
    expect(await sent('http://[::1')).toBeNull()
  })
})
