/**
 * The client: what one tab knows about the session, the one refresh path behind every trigger,
 * and the cross-tab plumbing and the drop-in fetch, wired together.
 *
 * The session (a record shared with the other tabs, plus the bearer tokens in memory) changes
 * only in `adopt`:
 *
 * | change | from | effect |
 * |---|---|---|
 * | a record with a higher generation, alive | this tab (login, refresh) or another | active; `userChanged` when the user differs, then `refreshed` |
 * | a record with a higher generation, ended | this tab (logout, refused refresh) or another | signedOut; `sessionExpired` or `loggedOut` if it was active |
 * | the same generation, alive, while not active | a bearer handover | active |
 * | anything older | a late message | ignored |
 *
 * One number orders everything: every change bumps the generation past both this tab's and the
 * shared one, so a late message can never undo a newer state.
 *
 * The refresh path (`run` → `refreshLocked`):
 *
 * | step | outcome |
 * |---|---|
 * | a refresh is in flight in this tab | join it (single-flight) |
 * | inside the cross-tab lock: the shared generation moved past the one seen | adopt the other tab's result, no call |
 * | not forced, and the token no longer expires within the lead | nothing |
 * | the breaker is open (a 4th successful refresh within 60 s) | `refreshLoop` once, reject `refresh_loop`, no call |
 * | 200 with a token response | commit: generation + 1, every tab told; backoff and breaker bookkeeping |
 * | 401 (`refresh_reused`, `refresh_invalid`, `session_revoked`, `session_expired`…) | the session ends everywhere; reject `signed_out` |
 * | network error, timeout, 408, 429, 5xx, any other status, an unreadable 200 | keep the session; retry after full-jitter backoff (≥ `Retry-After`) or on `online`; reject `refresh_failed` |
 * | unknown (cookie, nothing shared yet) and a 401 | try one refresh: the cookie decides |
 *
 * Only a 401 ends a session: a 403 (`csrf_rejected`) or 400 is a misconfiguration that a
 * logout would not fix, and logging users out over it would hide it. A refresh call that hangs
 * would hold the cross-tab lock for ever: it is aborted after `refreshTimeoutMs`, as a network
 * error. The proactive timer fires a random 1–1.5 margins before expiry, so the tabs' timers
 * spread; whichever wins the lock refreshes, the others find the generation moved.
 *
 * Expiry is `expiresIn` counted from the answer's arrival on the local clock, so a server clock
 * that is off by minutes changes nothing.
 *
 * Why one closure rather than a session module and a refresher module passing objects: the state
 * (`status`, `record`, `tokens`, the timers) is then local variables, which a minifier renames,
 * where properties of internal objects keep their full names in the shipped bundle (the size
 * budget of the package, see scripts/size.mjs).
 *
 * @module
 */
import { createAuthFetch, REQUEST_AUTH, type RequestAuth } from './auth-fetch.js'
import { backoffDelay, parseRetryAfter } from './backoff.js'
import { CHANNEL_SETTLE_MS, LEASE_SETTLE_MS, leaseOwner, parseRecord, type SharedRecord, type TabMessage, type Tokens } from './cross-tab.js'
import { AuthClientError } from './errors.js'
import { type ChangeSource, createEmitter, noop } from './events.js'
import type { AuthClient, AuthClientState, CreateAuthClientOptions } from './options.js'
import { type AuthSharedStorage, isServer, resolvePlatform } from './platform.js'
import { isTokenResponse, readErrorCode, type TokenResponse } from './token-response.js'
import { createMemoryTokenStorage, type StoredSession } from './token-storage.js'

/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_DELAY = 2 ** 31 - 1

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
  const {
    transport,
    clock = Date.now,
    random = Math.random,
    refreshTimeoutMs = 10_000,
    handoffTimeoutMs = 150,
    proactive = !isServer(),
    tokenStorage = createMemoryTokenStorage(),
    breaker: { maxRefreshes = 3, windowMs = 60_000 } = {},
  } = options
  if (transport !== 'cookie' && transport !== 'bearer') throw new TypeError('transport must be cookie or bearer')
  const bearer = transport === 'bearer'
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '')
  const routes = `${baseUrl}${options.prefix ?? '/auth'}`
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const platform = resolvePlatform(options)
  const { timers } = platform
  const emitter = createEmitter(options.onListenerError ?? ((error) => timers.setTimeout(() => { throw error }, 0)))

  // The session.
  let status: AuthClientState['status'] = bearer ? 'signedOut' : 'unknown'
  let record: SharedRecord = { generation: 0, expiresAt: null, lifetimeMs: null, sessionId: null, user: null, ended: null }
  let tokens: Tokens | null = null
  let destroyed = false
  const waiters = new Set<() => void>()
  // The refresher.
  let inflight: Promise<void> | null = null
  let proactiveTimer: unknown = null
  /** The pending retry after a failed refresh, and whether that refresh was forced. */
  let retryTimer: unknown = null
  let retryForce = false
  let attempt = 0
  let loopReported = false
  /** The times of the successful refreshes within the breaker's window. */
  let refreshes: number[] = []

  // Cross-tab (see cross-tab.ts). Bearer tokens cross tabs only over the channel: without one,
  // each tab keeps to itself.
  const name = options.name ?? `auth-client:${routes}`
  const leaseKey = `${name}:lease`
  const owner = `${clock()}-${Math.random().toString(36).slice(2)}`
  const shares = !bearer || platform.channel
  const storage = shares ? platform.storage : null
  const locks = shares ? platform.locks : null
  const channel = platform.channel?.(name) ?? null
  let memory: SharedRecord | null = null
  let published = 0
  let leaseChanged: (() => void) | null = null

  /** The shared record: localStorage's, else this tab's copy kept current by the channel. */
  function read(): SharedRecord | null {
    try {
      return storage ? parseRecord(storage.getItem(name)) : memory
    } catch {
      return memory
    }
  }

  function remember(next: SharedRecord): void {
    if (!memory || next.generation > memory.generation) memory = next
  }

  function publish(next: SharedRecord, nextTokens?: Tokens): void {
    published++
    remember(next)
    try {
      storage?.setItem(name, JSON.stringify(next))
    } catch {
      // A full or blocked storage: the channel still carries the news.
    }
    channel?.postMessage({ type: 'state', record: next, tokens: nextTokens })
  }

  /** Runs `callback` holding the cross-tab lock: Web Locks, else the storage lease, else none. */
  function exclusive(callback: () => Promise<void>): Promise<void> {
    if (locks) {
      // The next holder learns of a refresh made here from the record and the channel, both of
      // which may land after the lock is granted (see cross-tab.ts): after a publish, keep the
      // lock while they land, without making this tab's caller wait for it.
      return new Promise<void>((resolve, reject) => {
        locks.request(name, async () => {
          const before = published
          await callback().then(resolve, reject)
          if (published !== before) await sleep(CHANNEL_SETTLE_MS)
        }).catch(reject)
      })
    }
    return storage ? withLease(storage, callback) : callback()
  }

  /** Waits `ms`; with `wake`, a change of the lease ends the wait early. */
  function sleep(ms: number, wake?: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const handle = timers.setTimeout(done, ms)
      function done() {
        timers.clearTimeout(handle)
        leaseChanged = null
        resolve()
      }
      if (wake) leaseChanged = done
    })
  }

  async function withLease(store: AuthSharedStorage, callback: () => Promise<void>): Promise<void> {
    const holder = () => leaseOwner(store.getItem(leaseKey), clock())
    for (;;) {
      const current = holder()
      if (current === null || current === owner) {
        store.setItem(leaseKey, JSON.stringify({ owner, until: clock() + (options.leaseMs ?? 15_000) }))
        // The whole moment, even when another tab's write arrives meanwhile: woken by an older
        // write, a tab whose own write is still in flight reads its own value back, and in real
        // Chromium four of five tabs took the lease within 3 ms that way (40 % of trials).
        await sleep(LEASE_SETTLE_MS)
        if (holder() === owner) break
      } else await sleep(LEASE_SETTLE_MS, true)
    }
    try {
      return await callback()
    } finally {
      if (holder() === owner) store.removeItem(leaseKey)
    }
  }

  const nextGeneration = () => Math.max(record.generation, read()?.generation ?? 0) + 1

  /** After every change: reschedule (or stop) the timers, wake the waiters. */
  function changed(): void {
    reschedule()
    waiters.forEach((waiter) => waiter())
  }

  /** A failing token storage must not break the session in memory. */
  function persist(session: StoredSession | null): void {
    try {
      void Promise.resolve(tokenStorage.save(session)).catch(noop)
    } catch {
      // see above
    }
  }

  function adopt(next: SharedRecord, nextTokens: Tokens | undefined, source: ChangeSource): void {
    if (destroyed) return
    const newer = next.generation > record.generation || (status !== 'active' && next.generation === record.generation && !next.ended)
    if (!newer) return
    if (next.ended !== null) {
      const wasActive = status === 'active'
      record = next
      status = 'signedOut'
      tokens = null
      persist(null)
      changed()
      if (!wasActive) return
      if (next.ended === 'session_expired') emitter.emit('sessionExpired', { source })
      else emitter.emit('loggedOut', { reason: next.ended, source })
      return
    }
    if (bearer) {
      if (!nextTokens) return // a `storage` event: the channel brings the tokens of this generation
      tokens = nextTokens
      persist({ ...nextTokens, expiresAt: next.expiresAt ?? 0, lifetimeMs: next.lifetimeMs ?? 0, sessionId: next.sessionId, user: next.user })
    }
    const previous = record.user
    record = next
    status = 'active'
    changed()
    if (next.user !== previous) emitter.emit('userChanged', { previous, user: next.user, source })
    emitter.emit('refreshed', { generation: next.generation, expiresAt: next.expiresAt, source })
  }

  /** Adopts a token response of this tab (login or refresh) and tells the other tabs. */
  function commit(body: TokenResponse, user: string | null): void {
    const lifetimeMs = body.expiresIn * 1000
    const next: SharedRecord = { generation: nextGeneration(), expiresAt: clock() + lifetimeMs, lifetimeMs, sessionId: body.sessionId ?? null, user, ended: null }
    const nextTokens = bearer ? { accessToken: body.accessToken!, refreshToken: body.refreshToken! } : undefined
    publish(next, nextTokens)
    adopt(next, nextTokens, 'local')
  }

  /** Ends the session here and in every tab. */
  function end(reason: string): void {
    const next: SharedRecord = { ...record, generation: nextGeneration(), expiresAt: null, lifetimeMs: null, ended: reason }
    publish(next)
    adopt(next, undefined, 'local')
  }

  /** Resolves `true` once `done()` holds after a change, `false` after `ms`. */
  function waitFor(done: () => boolean, ms: number): Promise<boolean> {
    if (done()) return Promise.resolve(true)
    return new Promise((resolve) => {
      const finish = (value: boolean) => (waiters.delete(check), timers.clearTimeout(timer), resolve(value))
      const check = () => done() && finish(true)
      const timer = timers.setTimeout(() => finish(done()), ms)
      waiters.add(check)
    })
  }

  const margin = () => options.refreshMarginMs ?? Math.min(30_000, (record.lifetimeMs ?? 0) / 5)
  const needsRefresh = (leadMs: number) => status === 'active' && record.expiresAt !== null && record.expiresAt - clock() <= leadMs
  const clearRetry = () => (retryTimer !== null && timers.clearTimeout(retryTimer), (retryTimer = null))

  /** Refreshes when the token expires within `leadMs` (default: the margin), or joins the refresh in flight. */
  function refreshIf(leadMs = margin()): Promise<void> {
    if (inflight) return inflight
    return needsRefresh(leadMs) ? run(false, record.generation, leadMs) : Promise.resolve()
  }

  /** Refreshes (forced, or when still needed) unless the generation moved past `seen`. */
  function run(force: boolean, seen: number, leadMs = 0): Promise<void> {
    return (inflight ??= exclusive(() => refreshLocked(force, seen, leadMs)).finally(() => (inflight = null)))
  }

  async function refreshLocked(force: boolean, seen: number, leadMs: number): Promise<void> {
    const latest = read()
    if (latest && latest.generation > record.generation) {
      // Another tab is ahead: take its result (cookie: the record; bearer: wait for the channel's tokens).
      if (!bearer || latest.ended !== null) adopt(latest, undefined, 'remote')
      // Our refresh token was rotated by that tab: presenting it would look like a replay. Wait instead.
      else if (!(await waitFor(() => record.generation >= latest.generation, handoffTimeoutMs))) throw new AuthClientError('refresh_failed', { status: 0 })
    }
    if (record.generation > seen) {
      if (status !== 'active') throw new AuthClientError('signed_out')
      return // another tab did it meanwhile
    }
    if (!force && !needsRefresh(leadMs)) return
    if (bearer && !tokens) throw new AuthClientError('signed_out')
    const now = clock()
    refreshes = refreshes.filter((t) => now - t < windowMs)
    if (refreshes.length >= maxRefreshes) {
      if (!loopReported) emitter.emit('refreshLoop', { count: refreshes.length, windowMs })
      loopReported = true
      throw new AuthClientError('refresh_loop')
    }
    loopReported = false
    const abort = new AbortController()
    const timer = timers.setTimeout(() => abort.abort(), refreshTimeoutMs)
    let response: Response | undefined
    let cause: unknown
    try {
      response = await fetchImpl(`${routes}/refresh`, {
        method: 'POST',
        signal: abort.signal,
        // Bearer: the token in the body and no cookie; cookie: the refresh cookie only.
        ...(bearer
          ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: tokens!.refreshToken }), credentials: 'omit' }
          : { credentials: 'include' }),
      })
    } catch (error) {
      cause = error // a network error: status 0
    } finally {
      timers.clearTimeout(timer)
    }
    const code = response?.status ?? 0
    if (code === 401) {
      const serverCode = (await readErrorCode(response!)) ?? 'refresh_invalid'
      if (status === 'active') end(serverCode)
      else (status = 'signedOut'), changed() // a cookie tab learned there is no session, without one having ended
      throw new AuthClientError('signed_out', { status: code, serverCode })
    }
    const body: unknown = code === 200 ? await response!.json().catch(noop) : null
    if (isTokenResponse(body, transport)) {
      refreshes.push(clock())
      attempt = 0
      clearRetry()
      commit(body, record.ended === null ? record.user : null)
      return
    }
    const delay = backoffDelay(attempt++, options.backoff ?? {}, random, parseRetryAfter(response?.headers.get('retry-after') ?? null, clock()))
    if (status === 'active') {
      clearRetry()
      retryForce = force
      retryTimer = timers.setTimeout(retryNow, delay)
    }
    throw new AuthClientError('refresh_failed', { status: code, retryInMs: delay, cause })
  }

  /** Runs a pending retry now (the network is back), else checks expiry. */
  function retryNow(): void {
    if (retryTimer === null) return void refreshIf().catch(noop)
    clearRetry()
    if (status === 'active') (retryForce ? run(true, record.generation) : refreshIf()).catch(noop)
  }

  function reschedule(): void {
    if (proactiveTimer !== null) timers.clearTimeout(proactiveTimer)
    proactiveTimer = null
    if (status !== 'active') clearRetry()
    if (!proactive || destroyed || status !== 'active' || record.expiresAt === null) return
    const lead = margin() * (1 + random() / 2)
    const delay = Math.min(MAX_DELAY, Math.max(0, record.expiresAt - lead - clock()))
    proactiveTimer = timers.setTimeout(() => {
      proactiveTimer = null
      if (needsRefresh(lead)) refreshIf(lead).catch(noop)
      else reschedule() // woke early: the delay was over the timer's maximum
    }, delay)
  }

  const requestAuth: RequestAuth = {
    transport,
    appliesTo: createTargetCheck(baseUrl),
    async prepare() {
      await ready
      // A network failure here is not the request's: send it, the server decides.
      if (status === 'active') {
        await refreshIf().catch((error: unknown) => {
          if (error instanceof AuthClientError && error.code === 'signed_out') throw error
        })
      }
      return [record.generation, tokens?.accessToken ?? null]
    },
    async shouldRetry(sentGeneration, code) {
      // A refused login is not an expired token.
      if (code === 'invalid_credentials') return false
      // Moved on while the request was out: a refresh replaced the token (retry), or a logout ended it.
      if (record.generation !== sentGeneration) return status !== 'signedOut'
      // Bearer has nothing to refresh with when signed out; a cookie may still be there.
      if (bearer && status !== 'active') return false
      try {
        await run(true, sentGeneration)
      } catch (error) {
        if (error instanceof AuthClientError && error.code !== 'refresh_failed') return false
        throw error
      }
      return status === 'active'
    },
  }
  const authFetch = createAuthFetch(fetchImpl, requestAuth)

  /** Starts from what the other tabs or the token storage know. */
  const start = async (): Promise<void> => {
    const saved = bearer ? await Promise.resolve(tokenStorage.load()).catch(noop) : null
    const latest = read()
    // Cookies are shared by the tabs, so is the record's expiry; bearer tokens come from a tab or the storage.
    if (latest && !bearer) (record = latest), (status = latest.ended === null ? 'active' : 'unknown')
    else if (latest) record = { ...record, generation: latest.generation }
    if (saved && bearer && status !== 'active') {
      const { accessToken, refreshToken, ...rest } = saved
      record = { ...rest, generation: record.generation, ended: null }
      tokens = { accessToken, refreshToken }
      status = 'active'
    }
    changed()
    if (!bearer || status === 'active' || !platform.channel) return
    channel?.postMessage({ type: 'ask' }) // a new tab: an open one hands over its tokens
    await waitFor(() => status === 'active', handoffTimeoutMs)
  }
  const unsubscribe = [
    channel?.subscribe((data) => {
      const message = data as TabMessage | null
      if (message?.type === 'ask') status === 'active' && tokens && publish(record, tokens)
      else if (message?.type === 'state' && typeof message.record?.generation === 'number') remember(message.record), adopt(message.record, message.tokens, 'remote')
    }),
    storage?.subscribe((key) => {
      if (key === leaseKey || key === null) leaseChanged?.()
      // Without a channel, the record's own `storage` events carry the news (never tokens).
      const latest = (key === name || key === null) && !channel && read()
      if (latest) adopt(latest, undefined, 'remote')
    }),
    platform.visibility?.subscribe(() => void refreshIf().catch(noop)),
    platform.online?.subscribe(retryNow),
  ]
  const ready = start()


  return {
    [REQUEST_AUTH]: requestAuth,
    fetch: authFetch,
    ready,
    ensureFresh: () => ready.then(() => refreshIf()),
    refresh: () => ready.then(() => run(true, record.generation)),
    setSession(response, sessionOptions = {}) {
      if (!isTokenResponse(response, transport)) throw new TypeError(`setSession: not a ${transport} token response`)
      commit(response, sessionOptions.user ?? null)
    },
    async logout(logoutOptions = {}) {
      try {
        if (status !== 'signedOut' || !bearer) await authFetch(`${routes}${logoutOptions.everywhere ? '/logout-all' : '/logout'}`, { method: 'POST' })
      } finally {
        end('logout')
      }
    },
    on: emitter.on,
    getState: () => {
      const { generation, expiresAt, sessionId, user } = record
      return { status, generation, expiresAt, sessionId, user }
    },
    destroy() {
      destroyed = true
      if (proactiveTimer !== null) timers.clearTimeout(proactiveTimer)
      clearRetry()
      waiters.clear()
      unsubscribe.forEach((off) => off?.())
      channel?.close()
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
