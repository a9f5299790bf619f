/**
 * The client: the session state (`session.ts`), the one refresh path behind every trigger
 * (`refresher.ts`), the cross-tab plumbing and the drop-in fetch, wired together. The
 * state machine, in short (each part's module header has its own table):
 *
 * | state | event | next |
 * |---|---|---|
 * | any | a refresh is in flight in this tab | wait for it (single-flight) |
 * | active | lock acquired, shared generation moved on | adopt the other tab's result, no call |
 * | active | refresh answered 200 | active, generation + 1, told to every tab |
 * | active | refresh answered 401 | signedOut everywhere: `sessionExpired` or `loggedOut`, queued requests rejected |
 * | active | network error, 5xx, 429 | active; retry after full-jitter backoff (≥ `Retry-After`), or at once on `online` |
 * | active | a 4th successful refresh within 60 s | breaker open: `refreshLoop`, no call |
 * | any | another tab refreshed, logged in or out | adopt its record |
 * | unknown (cookie, nothing shared yet) | a 401 | try one refresh: the cookie decides |
 *
 * Expiry is `expiresIn` counted from the answer's arrival on the local clock, so a server clock
 * that is off by minutes changes nothing.
 *
 * @module
 */
import { createAuthFetch, REQUEST_AUTH, type RequestAuth } from './auth-fetch.js'
import { createCrossTab } from './cross-tab.js'
import { AuthClientError } from './errors.js'
import { createEmitter, noop } from './events.js'
import type { AuthClient, CreateAuthClientOptions } from './options.js'
import { resolvePlatform } from './platform.js'
import { createRefresher } from './refresher.js'
import { createSession } from './session.js'
import { isTokenResponse } from './token-response.js'
import { createMemoryTokenStorage } from './token-storage.js'


/**
 * Creates the client: a drop-in `fetch` that keeps the access token fresh across requests and
 * tabs. Creating it touches nothing global beyond subscribing to the platform hooks; on a server
 * the hooks are all off.
 *
 * Exported from `'@auth/client'`.
 *
 * @example
 * ```ts
 * import { createAuthClient } from '@auth/client'
 *
 * const auth = createAuthClient({ transport: 'cookie' })
 * auth.on('loggedOut', () => location.assign('/login'))
 * const me = await (await auth.fetch('/api/me')).json()
 * ```
 *
 * @param options - the transport, where the server is, and the platform hooks
 * @throws TypeError for an unknown transport
 */
export function createAuthClient(options: CreateAuthClientOptions): AuthClient {
  const { transport } = options
  if (transport !== 'cookie' && transport !== 'bearer') throw new TypeError('createAuthClient: transport is cookie or bearer')
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '')
  const routes = `${baseUrl}${options.prefix ?? '/auth'}`
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const clock = options.clock ?? Date.now
  const platform = resolvePlatform(options)
  const { timers } = platform
  const tokenStorage = options.tokenStorage ?? createMemoryTokenStorage()
  const handoffMs = options.handoffTimeoutMs ?? 150
  const emitter = createEmitter(options.onListenerError ?? ((error) => timers.setTimeout(() => { throw error }, 0)))
  const appliesTo = createTargetCheck(baseUrl)

  const session = createSession({ transport, clock, timers, emitter, tokenStorage, onChange: () => refresher.reschedule() })
  // Bearer tokens cross tabs only over the channel: without one, each tab keeps to itself.
  const shared = transport === 'bearer' && !platform.channel ? { ...platform, storage: null, locks: null } : platform
  const crossTab = createCrossTab({
    name: options.name ?? `auth-client:${routes}`,
    platform: shared,
    now: clock,
    leaseMs: options.leaseMs ?? 15_000,
    onRecord: (next, tokens) => session.adopt(next, tokens, 'remote'),
    onAsk: () => session.status === 'active' && session.tokens && crossTab.publish(session.record, session.tokens),
  })
  session.connect(crossTab)
  const refresher = createRefresher(options, { session, crossTab, emitter, clock, timers, handoffMs, fetch: fetchImpl, url: `${routes}/refresh` })

  const requestAuth: RequestAuth = {
    transport,
    appliesTo,
    async prepare() {
      await ready
      // A network failure here is not the request's: send it, the server decides.
      if (session.status === 'active') {
        await refresher.refreshIf().catch((error: unknown) => {
          if (error instanceof AuthClientError && error.code === 'signed_out') throw error
        })
      }
      return [session.record.generation, session.tokens?.accessToken ?? null]
    },
    async shouldRetry(sentGeneration, code) {
      // A refused login is not an expired token.
      if (code === 'invalid_credentials') return false
      // Moved on while the request was out: a refresh replaced the token (retry), or a logout ended it.
      if (session.record.generation !== sentGeneration) return session.status !== 'signedOut'
      // Bearer has nothing to refresh with when signed out; a cookie may still be there.
      if (transport === 'bearer' && session.status !== 'active') return false
      try {
        await refresher.force(sentGeneration)
      } catch (error) {
        if (error instanceof AuthClientError && error.code !== 'refresh_failed') return false
        throw error
      }
      return session.status === 'active'
    },
  }
  const authFetch = createAuthFetch(fetchImpl, requestAuth)

  const start = async (): Promise<void> => {
    const saved = transport === 'bearer' ? await Promise.resolve(tokenStorage.load()).catch(() => null) : null
    session.restore(crossTab.read(), saved)
    if (transport === 'cookie' || session.status === 'active' || !platform.channel) return
    crossTab.ask() // a new tab: an open one hands over its tokens
    await session.waitFor(() => session.status === 'active', handoffMs)
  }
  const ready = start()

  const unsubscribe = [
    platform.visibility?.subscribe(() => void refresher.refreshIf().catch(noop)),
    platform.online?.subscribe(() => refresher.retryNow()),
  ]

  return {
    [REQUEST_AUTH]: requestAuth,
    fetch: authFetch,
    ready,
    ensureFresh: () => ready.then(() => refresher.refreshIf()),
    refresh: () => ready.then(() => refresher.force(session.record.generation)),
    setSession(response, sessionOptions = {}) {
      if (!isTokenResponse(response, transport)) throw new TypeError(`setSession: not a ${transport} token response`)
      session.commit(response, sessionOptions.user ?? null)
    },
    async logout(logoutOptions = {}) {
      try {
        if (session.status !== 'signedOut' || transport === 'cookie') await authFetch(`${routes}${logoutOptions.everywhere ? '/logout-all' : '/logout'}`, { method: 'POST' })
      } finally {
        session.end('logout')
      }
    },
    on: emitter.on,
    getState: () => {
      const { generation, expiresAt, sessionId, user } = session.record
      return { status: session.status, generation, expiresAt, sessionId, user }
    },
    destroy() {
      refresher.stop()
      session.destroy()
      unsubscribe.forEach((off) => off?.())
      crossTab.close()
      emitter.clear()
    },
  } as AuthClient
}

/** Whether a request goes to the API or the page's own origin: only those get a credential. */
function createTargetCheck(baseUrl: string): (input: RequestInfo | URL) => boolean {
  const apiOrigin = originOf(baseUrl)
  return (input) => {
    // Relative and protocol-relative URLs resolve against the page; without a page, against a
    // stand-in base, so that a relative URL is still "the page's own origin".
    const base = (globalThis as { location?: { href?: string } }).location?.href ?? 'https://page.invalid'
    const origin = originOf((input as Request).url ?? String(input), base)
    // A URL that does not parse is not one fetch could send: leave it to fetch to refuse.
    return origin !== null && (origin === apiOrigin || origin === originOf(base))
  }
}

function originOf(url: string, base?: string): string | null {
  try {
    return new URL(url, base).origin
  } catch {
    return null
  }
}
