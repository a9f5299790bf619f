/**
 * The in-page side of `client-chromium.test.ts`: tabs of one browser context, each on the demo's
 * empty test page (`GET /test/page`) with `@auth/client` loaded from `/client.js`, and the
 * server's test routes seen from Node.
 *
 * The page code is a string, not a function: vitest rewrites `import()` and adds helpers to the
 * functions of a test file, which would not exist in the page.
 */
import type { BrowserContext, Page } from 'playwright-core'

/** `window.h` in each tab: one client, the requests it sent, the events it emitted. */
const HARNESS = String.raw`(async () => {
  const { createAuthClient } = await import('/client.js')
  const h = (window.h = { skew: 0, requests: [], events: [], auth: null })
  const fetchLogged = async (input, init = {}) => {
    const path = new URL(typeof input === 'string' ? input : input.url, location.href).pathname
    const entry = { path, method: init.method ?? 'GET', status: 0, at: Date.now() }
    h.requests.push(entry)
    try {
      const response = await fetch(input, init)
      entry.status = response.status
      return response
    } catch (error) {
      entry.status = -1
      throw error
    }
  }
  h.create = async (transport, options = {}) => {
    h.auth = createAuthClient({ transport, name: 'auth-test:' + transport, fetch: fetchLogged, clock: () => Date.now() + h.skew, ...options })
    for (const name of ['refreshed', 'loggedOut', 'sessionExpired', 'refreshLoop', 'userChanged']) {
      h.auth.on(name, (payload) => h.events.push({ name, ...payload, at: Date.now() }))
    }
    await h.auth.ready
  }
  h.login = async (transport, email = 'demo@example.com') => {
    const response = await fetch('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'demo-password', transport }) })
    if (!response.ok) throw new Error('login: ' + response.status)
    const body = await response.json()
    h.auth.setSession(body, { user: email })
    return body.sessionId
  }
  h.fire = async (count, path = '/api/me') => {
    const settled = await Promise.allSettled(Array.from({ length: count }, () => h.auth.fetch(path)))
    return settled.map((one) => (one.status === 'fulfilled' ? one.value.status : 'rejected:' + (one.reason && (one.reason.code || one.reason.name))))
  }
  h.state = () => h.auth.getState()
  h.count = (name) => h.events.filter((event) => event.name === name).length
})()`

/** The environment a tab's page gets before any of its scripts run. */
export const REMOVE_LOCKS_AND_CHANNEL = 'delete Navigator.prototype.locks; delete window.BroadcastChannel'

/** localStorage blocked, as in some privacy modes: reading it throws. */
export const BLOCK_LOCAL_STORAGE = "Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('blocked', 'SecurityError') } })"

/** Opens `count` tabs of `context` on the test page, each with a client of `transport`. */
export async function openTabs(context: BrowserContext, base: string, count: number, transport: 'cookie' | 'bearer', options: Record<string, unknown> = {}): Promise<Page[]> {
  const tabs = await Promise.all(Array.from({ length: count }, () => context.newPage()))
  await Promise.all(tabs.map((tab) => tab.goto(`${base}/test/page`)))
  for (const tab of tabs) {
    await tab.evaluate(HARNESS)
    await tab.evaluate(`h.create(${JSON.stringify(transport)}, ${JSON.stringify(options)})`)
  }
  return tabs
}

/** Evaluates `expression` in the tab (`h` is the harness). */
export function inTab<T>(tab: Page, expression: string): Promise<T> {
  return tab.evaluate(expression) as Promise<T>
}

/** What `GET /test/stats` answers. */
export interface ServerStats {
  refreshCalls: number
  refreshed: number
  refused: Record<string, number>
  reuseDetections: number
  clockOffsetMs: number
}

/** The demo's test routes, from Node. */
export function testRoutes(base: string) {
  const call = async (method: string, path: string) => {
    const response = await fetch(base + path, { method })
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`)
    return response.json() as Promise<unknown>
  }
  return {
    stats: () => call('GET', '/test/stats') as Promise<ServerStats>,
    reset: () => call('POST', '/test/reset'),
    advanceClock: (ms: number) => call('POST', `/test/clock?advanceMs=${ms}`),
  }
}
