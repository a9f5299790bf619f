/**
 * In-process fakes of every platform hook, and a fake auth server speaking the protocol, so two
 * clients in one process behave like two tabs of one browser.
 */
import { vi } from 'vitest'
import { createAuthClient } from '../src/index.js'
import type { AuthChannel, AuthClient, AuthLocks, AuthSharedStorage, AuthSignal, AuthTimers, CreateAuthClientOptions, TokenResponse } from '../src/index.js'

/** Timers that go through the global (faked by `vi.useFakeTimers`) at call time. */
export const fakeTimers: AuthTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** A signal the test fires by hand. */
export function createSignal(): AuthSignal & { fire(): void } {
  const listeners = new Set<() => void>()
  return {
    subscribe: (listener) => (listeners.add(listener), () => void listeners.delete(listener)),
    fire: () => listeners.forEach((listener) => listener()),
  }
}

/** A mutex per name, like `navigator.locks` in one browser profile. */
export function createLocks(): AuthLocks & { requests: number } {
  const tails = new Map<string, Promise<unknown>>()
  const locks = {
    requests: 0,
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      locks.requests++
      const previous = tails.get(name) ?? Promise.resolve()
      const result = previous.then(() => callback())
      tails.set(name, result.catch(() => undefined))
      return result
    },
  }
  return locks
}

/** BroadcastChannel between the "tabs" of one process: delivered asynchronously, never to the sender. */
export function createChannelHub(delayMs?: number): { open(name: string): AuthChannel; messages: unknown[] } {
  const members = new Set<{ name: string; listeners: Set<(message: unknown) => void> }>()
  const hub = {
    messages: [] as unknown[],
    open(name: string): AuthChannel {
      const self = { name, listeners: new Set<(message: unknown) => void>() }
      members.add(self)
      return {
        postMessage(message) {
          const copy = structuredClone(message)
          hub.messages.push(copy)
          for (const member of members) {
            if (member !== self && member.name === name) {
              const deliver = () => member.listeners.forEach((listener) => listener(structuredClone(copy)))
              if (delayMs === undefined) queueMicrotask(deliver)
              else setTimeout(deliver, delayMs)
            }
          }
        },
        subscribe: (listener) => (self.listeners.add(listener), () => void self.listeners.delete(listener)),
        close: () => void members.delete(self),
      }
    },
  }
  return hub
}

/** localStorage of one origin: each `view()` is a tab; `storage` events reach the other tabs. */
export function createSharedStorage(): { view(): AuthSharedStorage; data: Map<string, string> } {
  const data = new Map<string, string>()
  const views = new Set<{ listeners: Set<(key: string | null) => void> }>()
  const notify = (from: unknown, key: string) => {
    for (const view of views) if (view !== from) queueMicrotask(() => view.listeners.forEach((listener) => listener(key)))
  }
  return {
    data,
    view() {
      const self = { listeners: new Set<(key: string | null) => void>() }
      views.add(self)
      return {
        getItem: (key) => data.get(key) ?? null,
        setItem: (key, value) => (data.set(key, value), notify(self, key)),
        removeItem: (key) => (data.delete(key), notify(self, key)),
        subscribe: (listener) => (self.listeners.add(listener), () => void self.listeners.delete(listener)),
      }
    },
  }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
const error = (status: number, code: string, headers: Record<string, string> = {}) => json(status, { error: { code, message: code } }, headers)

/** What a scripted refresh answer does instead of rotating. */
export type RefreshScript = () => Response | Promise<Response>

/**
 * The server side of the protocol, in memory: rotates on `POST /auth/refresh` (a replayed bearer
 * refresh token is `refresh_reused`, grace 0), answers `/api/*` 200 with a valid access token and
 * 401 `token_expired` without one.
 */
export function createFakeServer(options: { transport: 'cookie' | 'bearer'; ttlSeconds?: number }) {
  const ttl = options.ttlSeconds ?? 60
  let n = 0
  let access = { token: '', expiresAt: 0 }
  let refreshToken = ''
  let ended = false
  const server = {
    refreshCalls: 0,
    reuseDetections: 0,
    apiCalls: 0,
    /** Answers to the next refresh calls, before normal rotation resumes. */
    script: [] as RefreshScript[],
    /** `/api/*` answers 401 whatever the token. */
    alwaysUnauthorized: false,
    /** Seconds the server's own clock is ahead (expiresAt fields only). */
    skewSeconds: 0,
    issue(): TokenResponse {
      n++
      access = { token: `access-${n}`, expiresAt: Date.now() + ttl * 1000 }
      refreshToken = `refresh-${n}`
      ended = false
      const times = { accessTokenExpiresAt: access.expiresAt + server.skewSeconds * 1000, refreshTokenExpiresAt: Date.now() + 86_400_000, expiresIn: ttl, sessionId: 'sid-1' }
      return options.transport === 'bearer' ? { transport: 'bearer', accessToken: access.token, refreshToken, ...times } : { transport: 'cookie', ...times }
    },
    /** The access token stops working (revoked, or the server restarted with new keys). */
    invalidateAccess: () => void (access = { token: 'gone', expiresAt: 0 }),
    end: () => void (ended = true),
    fetch: vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
      const path = url.replace(/^https?:\/\/[^/]+/, '')
      await Promise.resolve()
      if (path === '/auth/refresh') {
        server.refreshCalls++
        const scripted = server.script.shift()
        if (scripted) return scripted()
        if (ended) return error(401, 'session_revoked')
        if (options.transport === 'bearer') {
          const presented = (JSON.parse(String(init.body)) as { refreshToken: string }).refreshToken
          if (presented !== refreshToken) return (server.reuseDetections++, (ended = true), error(401, 'refresh_reused'))
        }
        return json(200, server.issue())
      }
      if (path === '/auth/logout' || path === '/auth/logout-all') return (ended = true), server.invalidateAccess(), new Response(null, { status: 204 })
      server.apiCalls++
      const headers = new Headers(init.headers)
      const presented = options.transport === 'bearer' ? headers.get('authorization') === `Bearer ${access.token}` : init.credentials === 'include'
      if (server.alwaysUnauthorized || !presented || Date.now() >= access.expiresAt) return error(401, 'token_expired')
      return json(200, { ok: true, path })
    }),
  }
  return server
}

/** The platform of one browser profile: tabs made with `tab()` share locks, channel and storage. */
export function createBrowser(options: { locks?: boolean; channel?: boolean; storage?: boolean; channelDelayMs?: number } = {}) {
  const locks = createLocks()
  const hub = createChannelHub(options.channelDelayMs)
  const storage = createSharedStorage()
  const online = createSignal()
  const visibility = createSignal()
  return {
    locks,
    hub,
    storage,
    online,
    visibility,
    /** A client as one tab of this browser. */
    tab(clientOptions: Partial<CreateAuthClientOptions> & Pick<CreateAuthClientOptions, 'transport'>): AuthClient {
      return createAuthClient({
        timers: fakeTimers,
        proactive: true,
        random: () => 0.5,
        locks: options.locks === false ? false : locks,
        channel: options.channel === false ? false : (name) => hub.open(name),
        storage: options.storage === false ? false : storage.view(),
        online,
        visibility,
        ...clientOptions,
      })
    },
  }
}

/** Records every event of a client, in order, as `name` or `name:detail`. */
export function recordEvents(client: AuthClient): string[] {
  const seen: string[] = []
  client.on('refreshed', (e) => seen.push(`refreshed:${e.source}`))
  client.on('loggedOut', (e) => seen.push(`loggedOut:${e.reason}:${e.source}`))
  client.on('sessionExpired', (e) => seen.push(`sessionExpired:${e.source}`))
  client.on('userChanged', (e) => seen.push(`userChanged:${e.previous}->${e.user}:${e.source}`))
  client.on('refreshLoop', (e) => seen.push(`refreshLoop:${e.count}`))
  return seen
}

/** Lets every pending promise chain run (a refresh takes a few microtask hops). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve()
}

export { error as errorResponse, json as jsonResponse }
