// @auth/client in real Chromium (Debian's /usr/bin/chromium via playwright-core; one browser for
// the file), against the demo server with its test routes on (DEMO_TEST_HOOKS=1): 30 s access
// tokens, refresh grace 0 (so a second use of a rotated refresh token is a reuse and ends the
// session), and the server counting refresh calls and reuse detections.
//
// Tabs are pages of one browser context: they share cookies, localStorage, Web Locks and
// BroadcastChannel as a user's tabs do. Tokens are expired without waiting: the server's clock is
// moved ahead (POST /test/clock) and each client's clock by the same amount (its `clock` option),
// so the old access token is refused by the server and known to be expired by the client.
import { freePort } from '@auth/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './chromium.js'
import { BLOCK_LOCAL_STORAGE, inTab, openTabs, REMOVE_LOCKS_AND_CHANNEL, testRoutes } from './client-harness.js'
import { startDemo } from './demo-process.js'

const TTL_MS = 30_000
/** Past the access token's lifetime and the server's 5 s clock tolerance. */
const EXPIRE_MS = TTL_MS + 10_000

let browser: Browser
let base: string
let routes: ReturnType<typeof testRoutes>

beforeAll(async () => {
  const [demo, launched] = await Promise.all([
    freePort().then((port) => startDemo({ PORT: String(port), DEMO_TEST_HOOKS: '1', ACCESS_TOKEN_TTL: String(TTL_MS / 1000), REFRESH_GRACE: '0' })),
    launchChromium(),
  ])
  base = demo.url
  browser = launched
  routes = testRoutes(base)
}, 60_000)
afterAll(async () => {
  await browser?.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const all = <T>(tabs: Page[], expression: string) => Promise.all(tabs.map((tab) => inTab<T>(tab, expression)))
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)

/** Logs in from the first tab and waits until every tab knows the session. */
async function logIn(tabs: Page[], transport: 'cookie' | 'bearer'): Promise<string> {
  const sid = await inTab<string>(tabs[0]!, `h.login(${JSON.stringify(transport)})`)
  await expect.poll(() => all(tabs, '[h.state().status, h.state().sessionId]'), { timeout: 5000 }).toEqual(tabs.map(() => ['active', sid]))
  return sid
}

/** Expires the access token on the server and in every tab's clock. */
async function expireTokens(tabs: Page[]): Promise<void> {
  await routes.advanceClock(EXPIRE_MS)
  await all(tabs, `h.skew += ${EXPIRE_MS}`)
}

interface Trial {
  statuses: (number | string)[]
  refreshCalls: number
  reuseDetections: number
  /** /api/me answers other than 200 the clients saw (before any retry). */
  refusedRequests: number
  logouts: number
}

/** One trial: a fresh login, tokens expired, then `m` concurrent requests in every tab at once. */
async function runTrial(tabs: Page[], transport: 'cookie' | 'bearer', m: number): Promise<Trial> {
  await logIn(tabs, transport)
  await routes.reset()
  const logoutsBefore = sum(await all<number>(tabs, "h.count('loggedOut')"))
  await expireTokens(tabs)
  await all(tabs, 'h.requests.length = 0')
  const statuses = (await all<(number | string)[]>(tabs, `h.fire(${m})`)).flat()
  const stats = await routes.stats()
  return {
    statuses,
    refreshCalls: stats.refreshCalls,
    reuseDetections: stats.reuseDetections,
    refusedRequests: sum(await all<number>(tabs, "h.requests.filter((r) => r.path === '/api/me' && r.status !== 200).length")),
    logouts: sum(await all<number>(tabs, "h.count('loggedOut')")) - logoutsBefore,
  }
}

async function withContext<T>(run: (context: BrowserContext) => Promise<T>, initScript?: string): Promise<T> {
  const context = await browser.newContext()
  if (initScript) await context.addInitScript(initScript)
  try {
    return await run(context)
  } finally {
    await context.close()
  }
}

describe.each(['cookie', 'bearer'] as const)('%s transport: N tabs × M concurrent requests with an expired access token', (transport) => {
  it.each([1, 5, 10])('%i tab(s): exactly one refresh call for M = 1, 20, 100, every request succeeds, no reuse', async (n) => {
    await withContext(async (context) => {
      const tabs = await openTabs(context, base, n, transport)
      for (const m of [1, 20, 100]) {
        const trial = await runTrial(tabs, transport, m)
        expect({ m, ...trial, statuses: new Set(trial.statuses), count: trial.statuses.length }).toEqual({
          m,
          statuses: new Set([200]),
          count: n * m,
          refreshCalls: 1,
          reuseDetections: 0,
          refusedRequests: 0, // every request went out with the new token: refreshed first, not after a 401
          logouts: 0,
        })
      }
    })
  })
})

describe('without navigator.locks and BroadcastChannel (the localStorage lease and storage events)', () => {
  it('100 trials of 5 tabs × 20 requests: at most one refresh in at least 99 of them, no logout', async () => {
    const histogram: Record<number, number> = {}
    let logouts = 0
    let failed = 0
    await withContext(async (context) => {
      const tabs = await openTabs(context, base, 5, 'cookie')
      expect(await all(tabs, "[typeof navigator.locks, typeof BroadcastChannel]")).toEqual(tabs.map(() => ['undefined', 'undefined']))
      for (let i = 0; i < 100; i++) {
        const trial = await runTrial(tabs, 'cookie', 20)
        histogram[trial.refreshCalls] = (histogram[trial.refreshCalls] ?? 0) + 1
        logouts += trial.logouts
        failed += trial.statuses.filter((status) => status !== 200).length
      }
    }, REMOVE_LOCKS_AND_CHANNEL)
    console.log(`no locks, no channel: refresh calls per trial ${JSON.stringify(histogram)}; logouts ${logouts}; failed requests ${failed}`)
    expect((histogram[0] ?? 0) + (histogram[1] ?? 0)).toBeGreaterThanOrEqual(99)
    expect(logouts).toBe(0)
  }, 180_000)
})

describe('the known gaps of the client README, measured', () => {
  it('bearer, no localStorage, Web Locks and BroadcastChannel only: 20 trials of 5 tabs × 20 requests, one refresh each, no logout', async () => {
    const histogram: Record<number, number> = {}
    let logouts = 0
    await withContext(async (context) => {
      const tabs = await openTabs(context, base, 5, 'bearer')
      expect(await all(tabs, "(() => { try { return typeof localStorage } catch { return 'blocked' } })()")).toEqual(tabs.map(() => 'blocked'))
      for (let i = 0; i < 20; i++) {
        const trial = await runTrial(tabs, 'bearer', 20)
        histogram[trial.refreshCalls] = (histogram[trial.refreshCalls] ?? 0) + 1
        logouts += trial.logouts
      }
    }, BLOCK_LOCAL_STORAGE)
    console.log(`no localStorage (locks + channel): refresh calls per trial ${JSON.stringify(histogram)}; logouts ${logouts}`)
    expect(histogram).toEqual({ 1: 20 })
    expect(logouts).toBe(0)
  }, 120_000)

  it('bearer without BroadcastChannel: no handover, a tab opened after the login stays signed out', async () => {
    await withContext(async (context) => {
      const [first] = await openTabs(context, base, 1, 'bearer')
      await inTab(first!, "h.login('bearer')")
      const [second] = await openTabs(context, base, 1, 'bearer')
      expect(await inTab(second!, 'h.state().status')).toBe('signedOut')
      expect(await inTab(second!, 'h.fire(1)')).toEqual([401]) // sent without a credential, not refreshed
      expect(await inTab(first!, 'h.fire(1)')).toEqual([200])
    }, 'delete window.BroadcastChannel')
  })
})

describe('failures', () => {
  it('an endpoint that always answers 401: at most one refresh per request, then the breaker opens (refreshLoop)', async () => {
    await withContext(async (context) => {
      const [tab] = await openTabs(context, base, 1, 'cookie')
      await logIn([tab!], 'cookie')
      await routes.reset()
      const calls: number[] = []
      for (let i = 1; i <= 6; i++) {
        expect(await inTab(tab!, "h.fire(1, '/test/always-401')")).toEqual([401])
        calls.push((await routes.stats()).refreshCalls)
      }
      // One refresh for each of the first three requests; the fourth would be one too many within 60 s.
      expect(calls).toEqual([1, 2, 3, 3, 3, 3])
      expect(await inTab(tab!, "[h.count('refreshLoop'), h.count('loggedOut'), h.state().status]")).toEqual([1, 0, 'active'])
      expect((await routes.stats()).reuseDetections).toBe(0)
    })
  })

  it('offline for a while, then online: no logout, and a refresh within 1 s of coming back', async () => {
    await withContext(async (context) => {
      const tabs = await openTabs(context, base, 2, 'cookie')
      await logIn(tabs, 'cookie')
      await routes.reset()
      await context.setOffline(true)
      await expireTokens(tabs)
      expect(await inTab(tabs[0]!, 'h.fire(3)')).toEqual(['rejected:TypeError', 'rejected:TypeError', 'rejected:TypeError'])
      await sleep(2000) // backoff retries fail meanwhile
      expect(await all(tabs, "[h.state().status, h.count('loggedOut')]")).toEqual([['active', 0], ['active', 0]])
      expect((await routes.stats()).refreshCalls).toBe(0)

      const back = Date.now()
      await context.setOffline(false)
      await expect.poll(() => routes.stats().then((stats) => stats.refreshed), { interval: 10, timeout: 5000 }).toBe(1)
      const tookMs = Date.now() - back
      console.log(`offline → online: the refresh reached the server after ${tookMs} ms`)
      expect(tookMs).toBeLessThan(1000)
      expect(await inTab(tabs[1]!, 'h.fire(5)')).toEqual([200, 200, 200, 200, 200])
      expect((await routes.stats()).refreshCalls).toBe(1)
      expect(sum(await all<number>(tabs, "h.count('loggedOut')"))).toBe(0)
    })
  })
})

describe.each(['cookie', 'bearer'] as const)('%s transport: every tab', (transport) => {
  it('hears of a logout in one tab within 100 ms', async () => {
    await withContext(async (context) => {
      const tabs = await openTabs(context, base, 5, transport)
      await logIn(tabs, transport)
      await inTab(tabs[2]!, 'h.auth.logout()')
      await expect.poll(() => all(tabs, "h.count('loggedOut')")).toEqual([1, 1, 1, 1, 1])
      const times = await all<number>(tabs, "h.events.find((e) => e.name === 'loggedOut').at")
      const delays = times.map((time) => time - times[2]!)
      console.log(`${transport}: logout reached the other tabs after ${JSON.stringify(delays)} ms`)
      expect(Math.max(...delays)).toBeLessThan(100)
      expect(await all(tabs, 'h.state().status')).toEqual(tabs.map(() => 'signedOut'))
    })
  })
})

describe('time (page.clock)', () => {
  it('a user sleeping past expiry: the first request after waking refreshes first and succeeds', async () => {
    await withContext(async (context) => {
      await context.clock.install()
      const [tab] = await openTabs(context, base, 1, 'cookie')
      await logIn([tab!], 'cookie')
      await routes.reset()
      await inTab(tab!, 'h.requests.length = 0')
      // Ten minutes asleep: the page's clock jumps without running its timers; the server's moves as much.
      const slept = 10 * 60_000
      await context.clock.setSystemTime((await inTab<number>(tab!, 'Date.now()')) + slept)
      await routes.advanceClock(slept)
      expect(await inTab(tab!, 'h.fire(1)')).toEqual([200])
      expect(await inTab(tab!, 'h.requests.map((r) => r.method + " " + r.path + " " + r.status)')).toEqual(['POST /auth/refresh 200', 'GET /api/me 200'])
      expect((await routes.stats()).refreshCalls).toBe(1)
    })
  })

  it('5 tabs over 10 token lifetimes refresh about once per lifetime in total, not once per tab', async () => {
    await withContext(async (context) => {
      await context.clock.install()
      const tabs = await openTabs(context, base, 5, 'cookie')
      await logIn(tabs, 'cookie')
      await routes.reset()
      await context.clock.pauseAt((await inTab<number>(tabs[0]!, 'Date.now()')) + 1000)
      const lifetimes = 10
      for (let elapsed = 0; elapsed < lifetimes * TTL_MS; elapsed += 3000) {
        await context.clock.runFor(3000)
        await sleep(60) // the refresh call and the locks run on real time (a call aborts after 10 s of page time)
      }
      const stats = await routes.stats()
      const generations = await all<number>(tabs, 'h.state().generation')
      console.log(`5 tabs, ${lifetimes} lifetimes of ${TTL_MS / 1000} s: ${stats.refreshCalls} refresh calls`)
      // The proactive timer fires 1–1.5 margins (6–9 s) before expiry: one refresh every 21–24 s.
      expect(stats.refreshCalls).toBeGreaterThanOrEqual(lifetimes)
      expect(stats.refreshCalls).toBeLessThanOrEqual(Math.ceil((lifetimes * TTL_MS) / 21_000))
      expect(stats.reuseDetections).toBe(0)
      expect(new Set(generations).size).toBe(1)
      expect(sum(await all<number>(tabs, "h.count('loggedOut')"))).toBe(0)
    })
  })
})
