/**
 * The client's state machine. Every trigger goes through one refresh path: a request whose token
 * expires within the margin, the proactive timer, a wake-up, a 401.
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
import { createAuthFetch } from './auth-fetch.js'
import { backoffDelay, createBreaker } from './backoff.js'
import { createCrossTab, type SharedRecord, type Tokens } from './cross-tab.js'
import { AuthClientError } from './errors.js'
import { createEmitter, type ChangeSource } from './events.js'
import type { AuthClient, AuthClientState, CreateAuthClientOptions } from './options.js'
import { isServer, resolvePlatform } from './platform.js'
import { isTokenResponse, requestRefresh, type TokenResponse } from './token-response.js'
import { createMemoryTokenStorage, type StoredSession } from './token-storage.js'

/** setTimeout's largest delay; a longer one fires at once. */
const MAX_DELAY = 2 ** 31 - 1
const noop = () => {}

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
  if (transport !== 'cookie' && transport !== 'bearer') throw new TypeError('createAuthClient: transport must be "cookie" or "bearer"')
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '')
  const refreshUrl = `${baseUrl}${options.prefix ?? '/auth'}/refresh`
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const clock = options.clock ?? Date.now
  const random = options.random ?? Math.random
  const platform = resolvePlatform(options)
  const proactive = options.proactive ?? !isServer()
  const tokenStorage = options.tokenStorage ?? createMemoryTokenStorage()
  const handoffMs = options.handoffTimeoutMs ?? 150
  const breaker = createBreaker(options.breaker ?? {})
  const emitter = createEmitter(options.onListenerError ?? ((error) => platform.timers.setTimeout(() => { throw error }, 0)))
  const name = options.name ?? `auth-client:${baseUrl}${options.prefix ?? '/auth'}`
  const apiOrigin = /^https?:\/\//i.test(baseUrl) ? new URL(baseUrl).origin : null

  let status: AuthClientState['status'] = transport === 'cookie' ? 'unknown' : 'signedOut'
  let record: SharedRecord = { generation: 0, expiresAt: null, lifetimeMs: null, sessionId: null, user: null, ended: null }
  let tokens: Tokens | null = null
  let inflight: Promise<void> | null = null
  let proactiveTimer: unknown = null
  let retry: { timer: unknown; force: boolean } | null = null
  let attempt = 0
  let loopReported = false
  let destroyed = false
  const waiters = new Set<() => void>()

  // Bearer tokens cross tabs only over the channel: without one, each tab keeps to itself.
  const shared = transport === 'bearer' && !platform.channel ? { ...platform, storage: null, locks: null } : platform
  const crossTab = createCrossTab({ name, platform: shared, now: clock, leaseMs: options.leaseMs ?? 10_000, onRecord: (next, nextTokens) => adopt(next, nextTokens, 'remote'), onAsk })

  const margin = () => options.refreshMarginMs ?? Math.min(30_000, (record.lifetimeMs ?? 0) / 5)
  const needsRefresh = (leadMs: number) => status === 'active' && record.expiresAt !== null && record.expiresAt - clock() <= leadMs
  const nextGeneration = () => Math.max(record.generation, crossTab.read()?.generation ?? 0) + 1
  const wake = () => waiters.forEach((waiter) => waiter())

  function onAsk(): void {
    if (status === 'active' && tokens) crossTab.publish(record, tokens)
  }

  /** Takes a record (ours or another tab's) as the current state, with its events. */
  function adopt(next: SharedRecord, nextTokens: Tokens | undefined, source: ChangeSource): void {
    if (destroyed) return
    const newer = next.generation > record.generation || (status !== 'active' && next.generation === record.generation && !next.ended)
    if (!newer) return
    if (next.ended !== null) {
      const wasActive = status === 'active'
      record = next
      signOut()
      if (wasActive) {
        if (next.ended === 'session_expired') emitter.emit('sessionExpired', { source })
        else emitter.emit('loggedOut', { reason: next.ended, source })
      }
      return
    }
    if (transport === 'bearer') {
      if (!nextTokens) return // the channel brings the tokens with the same generation
      tokens = nextTokens
      persist(toStored(next, nextTokens))
    }
    const previousUser = record.user
    record = next
    status = 'active'
    scheduleProactive()
    wake()
    if (next.user !== previousUser) emitter.emit('userChanged', { previous: previousUser, user: next.user, source })
    emitter.emit('refreshed', { generation: next.generation, expiresAt: next.expiresAt, source })
  }

  function signOut(): void {
    status = 'signedOut'
    tokens = null
    clearTimers()
    persist(null)
    wake()
  }

  /** A failing token storage must not break the session in memory. */
  function persist(session: StoredSession | null): void {
    try {
      void Promise.resolve(tokenStorage.save(session)).catch(noop)
    } catch {
      // see above
    }
  }

  function commit(body: TokenResponse, user: string | null): void {
    const lifetimeMs = body.expiresIn * 1000
    const next: SharedRecord = { generation: nextGeneration(), expiresAt: clock() + lifetimeMs, lifetimeMs, sessionId: body.sessionId ?? null, user, ended: null }
    const nextTokens = transport === 'bearer' ? { accessToken: body.accessToken!, refreshToken: body.refreshToken! } : undefined
    crossTab.publish(next, nextTokens)
    adopt(next, nextTokens, 'local')
  }

  function end(reason: string): void {
    const next: SharedRecord = { ...record, generation: nextGeneration(), expiresAt: null, lifetimeMs: null, ended: reason }
    crossTab.publish(next)
    adopt(next, undefined, 'local')
  }

  function clearTimers(): void {
    if (proactiveTimer !== null) platform.timers.clearTimeout(proactiveTimer)
    if (retry) platform.timers.clearTimeout(retry.timer)
    proactiveTimer = retry = null
  }

  function scheduleProactive(): void {
    if (proactiveTimer !== null) platform.timers.clearTimeout(proactiveTimer)
    proactiveTimer = null
    if (!proactive || destroyed || status !== 'active' || record.expiresAt === null) return
    // A random lead spreads the tabs' timers; the lock and the generation keep it to one call.
    const lead = margin() * (1 + random() / 2)
    const delay = Math.min(MAX_DELAY, Math.max(0, record.expiresAt - lead - clock()))
    proactiveTimer = platform.timers.setTimeout(() => {
      proactiveTimer = null
      if (needsRefresh(lead)) refreshIf(lead).catch(noop)
      else scheduleProactive() // woke early (a delay over the timer's maximum)
    }, delay)
  }

  function scheduleRetry(force: boolean, delay: number): void {
    if (retry) platform.timers.clearTimeout(retry.timer)
    retry = { force, timer: platform.timers.setTimeout(() => runRetry(), delay) }
  }

  function runRetry(): void {
    if (!retry) return
    const { force } = retry
    platform.timers.clearTimeout(retry.timer)
    retry = null
    if (status === 'active') (force ? run(true, record.generation) : refreshIf(margin())).catch(noop)
  }

  /** Refreshes when the token expires within `leadMs`, or joins the refresh in flight. */
  function refreshIf(leadMs: number): Promise<void> {
    if (inflight) return inflight
    return needsRefresh(leadMs) ? run(false, record.generation, leadMs) : Promise.resolve()
  }

  /** The single flight: `force` refreshes whatever the expiry, else only within `leadMs` of it (checked again inside the lock). */
  function run(force: boolean, seen: number, leadMs = 0): Promise<void> {
    inflight ??= crossTab.exclusive(() => refreshLocked(force, seen, leadMs)).finally(() => (inflight = null))
    return inflight
  }

  async function refreshLocked(force: boolean, seen: number, leadMs: number): Promise<void> {
    const latest = crossTab.read()
    if (latest && latest.generation > record.generation) await catchUp(latest)
    if (record.generation > seen) {
      if (status !== 'active') throw new AuthClientError('signed_out')
      return // another tab did it meanwhile
    }
    if (!force && !needsRefresh(leadMs)) return
    if (transport === 'bearer' && !tokens) throw new AuthClientError('signed_out')
    if (breaker.isOpen(clock())) {
      if (!loopReported) emitter.emit('refreshLoop', { count: breaker.count(clock()), windowMs: breaker.windowMs })
      loopReported = true
      throw new AuthClientError('refresh_loop')
    }
    loopReported = false
    const outcome = await requestRefresh({ fetch: fetchImpl, url: refreshUrl, transport, refreshToken: tokens?.refreshToken ?? null, now: clock })
    if (outcome.kind === 'ok') {
      breaker.record(clock())
      attempt = 0
      if (retry) platform.timers.clearTimeout(retry.timer), (retry = null)
      commit(outcome.body, record.ended === null ? record.user : null)
      return
    }
    if (outcome.kind === 'refused') {
      if (status === 'active') end(outcome.code)
      else status = 'signedOut'
      throw new AuthClientError('signed_out', { status: 401, serverCode: outcome.code })
    }
    const delay = backoffDelay(attempt++, options.backoff ?? {}, random, outcome.retryAfterMs)
    if (status === 'active') scheduleRetry(force, delay)
    throw new AuthClientError('refresh_failed', { status: outcome.status, retryInMs: delay, cause: outcome.cause })
  }

  /** Another tab is ahead: take its result (cookie: the record; bearer: wait for the channel's tokens). */
  async function catchUp(latest: SharedRecord): Promise<void> {
    if (transport === 'cookie' || latest.ended !== null) return adopt(latest, undefined, 'remote')
    if (await waitFor(() => record.generation >= latest.generation, handoffMs)) return
    // Using our now-rotated refresh token would look like a replay to the server: wait instead.
    throw new AuthClientError('refresh_failed', { status: 0 })
  }

  function waitFor(done: () => boolean, ms: number): Promise<boolean> {
    if (done()) return Promise.resolve(true)
    return new Promise((resolve) => {
      const finish = (value: boolean) => (waiters.delete(check), platform.timers.clearTimeout(timer), resolve(value))
      const check = () => done() && finish(true)
      const timer = platform.timers.setTimeout(() => finish(done()), ms)
      waiters.add(check)
    })
  }

  function appliesTo(input: RequestInfo | URL): boolean {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    if (!/^([a-z][a-z\d+.-]*:|\/\/)/i.test(url)) return true // relative: the page's own origin
    const origin = new URL(url).origin
    return origin === apiOrigin || origin === (globalThis as { location?: { origin?: string } }).location?.origin
  }

  const authFetch = createAuthFetch({
    fetch: fetchImpl,
    transport,
    appliesTo,
    accessToken: () => tokens?.accessToken ?? null,
    generation: () => record.generation,
    async beforeRequest() {
      await ready
      if (status !== 'active') return
      // A network failure here is not the request's: send it, the server decides.
      await refreshIf(margin()).catch((error: unknown) => {
        if (error instanceof AuthClientError && error.code === 'signed_out') throw error
      })
    },
    async afterUnauthorized(sentGeneration) {
      // Bearer has nothing to refresh with when signed out; a cookie may still be there.
      if (transport === 'bearer' && status !== 'active') return false
      try {
        await run(true, sentGeneration)
      } catch (error) {
        if (error instanceof AuthClientError && error.code !== 'refresh_failed') return false
        throw error
      }
      return status === 'active'
    },
  })

  const start = async (): Promise<void> => {
    const latest = crossTab.read()
    // Cookies are shared by the tabs, so is the record's expiry; bearer tokens come from a tab or the storage.
    if (latest && transport === 'cookie') (record = latest), (status = latest.ended === null ? 'active' : 'unknown')
    else if (latest) record = { ...record, generation: latest.generation }
    if (transport === 'cookie') return scheduleProactive()
    const saved = await Promise.resolve(tokenStorage.load()).catch(() => null)
    if (saved && status !== 'active') {
      record = { generation: Math.max(record.generation, 0), expiresAt: saved.expiresAt, lifetimeMs: saved.lifetimeMs, sessionId: saved.sessionId, user: saved.user, ended: null }
      tokens = { accessToken: saved.accessToken, refreshToken: saved.refreshToken }
      status = 'active'
      return scheduleProactive()
    }
    if (!platform.channel || status === 'active') return
    crossTab.ask()
    await waitFor(() => status === 'active', handoffMs)
  }
  const ready = start()

  const unsubscribe = [
    platform.visibility?.subscribe(() => void refreshIf(margin()).catch(noop)),
    platform.online?.subscribe(() => (retry ? runRetry() : void refreshIf(margin()).catch(noop))),
  ]

  return {
    fetch: authFetch,
    ready,
    ensureFresh: () => ready.then(() => refreshIf(margin())),
    refresh: () => ready.then(() => run(true, record.generation)),
    setSession(response, sessionOptions = {}) {
      if (!isTokenResponse(response, transport)) throw new TypeError(`setSession: not a token response of the ${transport} transport`)
      commit(response, sessionOptions.user ?? null)
    },
    async logout(logoutOptions = {}) {
      const path = logoutOptions.everywhere ? '/logout-all' : '/logout'
      try {
        if (status !== 'signedOut' || transport === 'cookie') await authFetch(`${baseUrl}${options.prefix ?? '/auth'}${path}`, { method: 'POST' })
      } finally {
        end('logout')
      }
    },
    on: (event, listener) => emitter.on(event, listener),
    getState: () => ({ status, generation: record.generation, expiresAt: record.expiresAt, sessionId: record.sessionId, user: record.user }),
    destroy() {
      destroyed = true
      clearTimers()
      unsubscribe.forEach((off) => off?.())
      crossTab.close()
      emitter.clear()
    },
  }
}

function toStored(record: SharedRecord, tokens: Tokens): StoredSession {
  return { ...tokens, expiresAt: record.expiresAt ?? 0, lifetimeMs: record.lifetimeMs ?? 0, sessionId: record.sessionId, user: record.user }
}
