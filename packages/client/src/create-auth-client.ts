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
 * budget of the package, see scripts/size.mjs). For the same reason the browser defaults of the
 * platform hooks, the emitter, the lease and the drop-in fetch live here too, as locals. The
 * shared record, the lease and the channel messages keep their names and shapes: tabs running
 * another version of the client read them too.
 *
 * @module
 */
import { type AuthRequestInit, REQUEST_AUTH, type RequestAuth } from './auth-fetch.js'
import { backoffDelay } from './backoff.js'
import { CHANNEL_SETTLE_MS, LEASE_SETTLE_MS, type SharedRecord, type TabMessage, type Tokens } from './cross-tab.js'
import { AuthClientError } from './errors.js'
import type { AuthClientEventName, AuthClientEvents, ChangeSource } from './events.js'
import type { AuthClient, AuthClientState, CreateAuthClientOptions } from './options.js'
import type { AuthChannel, AuthSharedStorage, AuthTimers, Browserish, EventTargetish } from './platform.js'
import { errorCodeOf, isTokenResponse, type TokenResponse } from './token-response.js'
import type { StoredSession } from './token-storage.js'

/** Does nothing: the one handler for a promise whose failure is dealt with elsewhere. */
const noop = (): void => {}

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
  // Read when the client is created, never at import; undefined on a server, where every default is off.
  const win = (globalThis as { window?: Browserish }).window
  const {
    transport,
    clock = Date.now,
    random = Math.random,
    refreshTimeoutMs = 10_000,
    handoffTimeoutMs = 150,
    proactive = !!win,
    // The default, memory, would hold nothing at start: none is the same.
    tokenStorage,
    breaker: { maxRefreshes = 3, windowMs = 60_000 } = {},
    // Called as methods of the global object, so looked up at each call (fake timers in tests) and
    // never an "illegal invocation".
    timers = globalThis as unknown as AuthTimers,
    onListenerError = (error: unknown) => timers.setTimeout(() => { throw error }, 0),
    fetch: fetchImpl = (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
  } = options
  const bearer = transport === 'bearer'
  if (!bearer && transport !== 'cookie') throw new TypeError('transport')
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '')
  const routes = baseUrl + (options.prefix ?? '/auth')

  // The session.
  let status: AuthClientState['status'] = bearer ? 'signedOut' : 'unknown'
  let record: SharedRecord = { generation: 0, expiresAt: null, lifetimeMs: null, sessionId: null, user: null, ended: null }
  let tokens: Tokens | null | undefined
  let destroyed: unknown
  /** Re-checked after every change of the session and every `storage` event; see `waitFor`. */
  const waiters = new Set<() => void>()
  /** One entry per subscription; an emit runs over a snapshot. */
  const listeners = new Set<[AuthClientEventName, (event: never) => void]>()
  // The refresher.
  let inflight: Promise<void> | null = null
  let proactiveTimer: unknown
  /** The pending retry after a failed refresh, and whether that refresh was forced (`false` once none is pending). */
  let retryTimer: unknown
  let retryForce = false
  let attempt = 0
  let loopReported: unknown
  /** The times of the successful refreshes within the breaker's window. */
  let refreshes: number[] = []
  /** The unsubscribe functions of the platform hooks. */
  const offs: (() => void)[] = []

  // The platform hooks: the one given, else the browser's when there is a browser, else none;
  // `false` (falsy, and not nullish) turns a hook off.
  const listen = (target: EventTargetish, type: string, listener: (event: never) => void) => {
    target.addEventListener(type, listener)
    offs.push(() => target.removeEventListener(type, listener))
  }
  /** Subscribes to a hook given in the options, else (unless it is `false`) to the browser's events. */
  const subscribe = <T>(given: { subscribe(listener: T): () => void } | false | undefined, listener: T, browser: (win: Browserish) => void) =>
    given ? offs.push(given.subscribe(listener)) : given === false || (win && browser(win))

  // Cross-tab (see cross-tab.ts). Bearer tokens cross tabs only over the channel: without one,
  // each tab keeps to itself.
  const name = options.name ?? 'auth-client:' + routes
  const leaseKey = name + ':lease'
  const owner = Math.random()
  const openChannel = options.channel ?? (win && globalThis.BroadcastChannel && ((name: string) => new BroadcastChannel(name) as unknown as AuthChannel))
  const channel = openChannel ? openChannel(name) : null
  const shares = !bearer || channel
  let storage: AuthSharedStorage | null | undefined
  try {
    // Reading `localStorage` throws where storage is blocked (some privacy modes, sandboxed frames).
    storage = (shares && (options.storage ?? (win?.localStorage as AuthSharedStorage | undefined))) || null
  } catch {
    // no storage then
  }
  const locks = shares && (options.locks ?? win?.navigator?.locks)
  let memory: SharedRecord | null = null

  /** The shared record: localStorage's, else this tab's copy kept current by the channel. */
  function read(): SharedRecord | null {
    let value = memory
    try {
      if (storage) value = JSON.parse(storage.getItem(name)!)
    } catch {
      // blocked or unreadable: this tab's copy
    }
    return typeof value?.generation == 'number' ? value : null
  }

  function publish(next: SharedRecord, nextTokens?: Tokens | null): void {
    try {
      storage?.setItem(name, JSON.stringify(next))
    } catch {
      // A full or blocked storage: the channel still carries the news.
    }
    channel?.postMessage({ type: 'state', record: next, tokens: nextTokens })
  }

  /**
   * Resolves `true` once `done()` holds after a change (or a `storage` event), `false` after `ms`;
   * with the default `done`, a plain wait.
   */
  function waitFor(ms: number, done: () => boolean = () => false): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (timedOut?: true) => (timedOut || done()) && (waiters.delete(check), timers.clearTimeout(timer), resolve(done()))
      const timer = timers.setTimeout(() => check(true), ms)
      waiters.add(check)
      check()
    })
  }

  /** The owner of the lease while it is valid. */
  function holder(): unknown {
    try {
      const lease = JSON.parse(storage!.getItem(leaseKey)!)
      return lease.until > clock() && lease.owner
    } catch {
      // no lease
    }
  }

  /** Runs `callback` holding the cross-tab lock: Web Locks, else the storage lease, else none. */
  async function exclusive(callback: () => Promise<void>): Promise<void> {
    if (locks) {
      // The next holder learns of a refresh made here from the record and the channel, both of
      // which may land after the lock is granted (see cross-tab.ts): after a change (a publish,
      // or news from another tab, which the next holder may lack as well), keep the lock while
      // they land, without making this tab's caller wait for it.
      return new Promise<void>((resolve, reject) => {
        locks.request(name, async () => {
          const before = record
          await callback().then(resolve, reject)
          if (record !== before) await waitFor(CHANNEL_SETTLE_MS)
        }).catch(reject)
      })
    }
    if (!storage) return callback()
    for (;;) {
      const other = holder()
      if (other && other !== owner) {
        // Held by another tab: look again when the lease changes, or after a moment.
        await waitFor(LEASE_SETTLE_MS, () => holder() !== other)
        continue
      }
      storage.setItem(leaseKey, JSON.stringify({ owner, until: clock() + (options.leaseMs ?? 15_000) }))
      // The whole moment, even when another tab's write arrives meanwhile: woken by an older
      // write, a tab whose own write is still in flight reads its own value back, and in real
      // Chromium four of five tabs took the lease within 3 ms that way (40 % of trials).
      await waitFor(LEASE_SETTLE_MS)
      if (holder() === owner) break
    }
    try {
      return await callback()
    } finally {
      if (holder() === owner) storage.removeItem(leaseKey)
    }
  }

  /** Calls every listener of `name`: a throwing listener does not stop the others. */
  function emit<TName extends AuthClientEventName>(name: TName, event: AuthClientEvents[TName]): void {
    for (const [listenerName, listener] of [...listeners]) {
      try {
        if (listenerName === name) listener(event as never)
      } catch (error) {
        onListenerError(error)
      }
    }
  }

  /** After every change: reschedule (or stop) the timers, wake the waiters. */
  function changed(): void {
    reschedule()
    waiters.forEach((waiter) => waiter())
  }

  function adopt(next: SharedRecord, nextTokens?: Tokens | null, source: ChangeSource = 'remote'): void {
    const { generation, expiresAt, lifetimeMs, sessionId, user, ended } = next
    const wasActive = status === 'active'
    // This tab's copy of the shared record (when there is no storage) keeps the latest seen.
    if ((memory?.generation ?? -1) < generation) memory = next
    if (destroyed || !(generation > record.generation || (!wasActive && generation === record.generation && !ended))) return
    // A `storage` event: the channel brings the tokens of this generation.
    if (bearer && !ended && !nextTokens) return
    const previous = record.user
    record = next
    tokens = ended ? null : nextTokens
    status = ended ? 'signedOut' : 'active'
    // A failing token storage must not break the session in memory.
    // (An async function: a throw and a rejection both end in its catch.)
    if (bearer) (async () => tokenStorage?.save(tokens ? { ...tokens, expiresAt: expiresAt!, lifetimeMs: lifetimeMs!, sessionId, user } : null))().catch(noop)
    changed()
    if (ended) {
      if (wasActive) ended === 'session_expired' ? emit('sessionExpired', { source }) : emit('loggedOut', { reason: ended, source })
    } else {
      if (user !== previous) emit('userChanged', { previous, user, source })
      emit('refreshed', { generation, expiresAt, source })
    }
  }

  /** A change made in this tab (login, refresh, logout): the next generation, adopted and told to every tab. */
  function commit(changes: Partial<SharedRecord>, nextTokens?: Tokens): void {
    const next = { ...record, generation: Math.max(record.generation, read()?.generation ?? 0) + 1, ...changes }
    publish(next, nextTokens)
    adopt(next, nextTokens, 'local')
  }

  /** Adopts a token response of this tab (login or refresh) and tells the other tabs. */
  function commitResponse({ expiresIn, sessionId, accessToken, refreshToken }: TokenResponse, user: string | null): void {
    const lifetimeMs = expiresIn * 1000
    commit({ expiresAt: clock() + lifetimeMs, lifetimeMs, sessionId: sessionId ?? null, user, ended: null }, bearer ? { accessToken: accessToken!, refreshToken: refreshToken! } : undefined)
  }

  /** Ends the session here and in every tab. */
  const end = (reason: string) => commit({ expiresAt: null, lifetimeMs: null, ended: reason })

  const margin = () => options.refreshMarginMs ?? Math.min(30_000, (record.lifetimeMs as number) / 5)
  // Active means a known expiry.
  const needsRefresh = (leadMs: number) => status === 'active' && record.expiresAt! - clock() <= leadMs
  const clearRetry = () => (timers.clearTimeout(retryTimer), (retryForce = false))

  /** Refreshes when the token expires within `leadMs` (default: the margin), or joins the refresh in flight. */
  function refreshIf(leadMs = margin()): Promise<void> {
    return inflight || (needsRefresh(leadMs) ? run(false, record.generation, leadMs) : Promise.resolve())
  }

  /** Refreshes (forced, or when still needed) unless the generation moved past `seen`. */
  function run(force: boolean, seen: number, leadMs = 0): Promise<void> {
    return (inflight ??= exclusive(() => refreshLocked(force, seen, leadMs)).finally(() => (inflight = null)))
  }

  async function refreshLocked(force: boolean, seen: number, leadMs: number): Promise<void> {
    const latest = read()
    if (latest && latest.generation > record.generation) {
      // Another tab is ahead: take its result (cookie: the record; bearer: wait for the channel's tokens).
      if (!bearer || latest.ended) adopt(latest)
      // Our refresh token was rotated by that tab: presenting it would look like a replay. Wait instead.
      else if (!(await waitFor(handoffTimeoutMs, () => record.generation >= latest.generation))) throw new AuthClientError('refresh_failed', { status: 0 })
    }
    // Moved past `seen`: another tab did it meanwhile, or the session ended. Bearer without
    // tokens (signed out: no refresh is needed then, only forced) has nothing to present.
    if (record.generation > seen ? status !== 'active' : bearer && !tokens) throw new AuthClientError('signed_out')
    if (record.generation > seen || !(force || needsRefresh(leadMs))) return
    refreshes = refreshes.filter((t) => clock() - t < windowMs)
    if (refreshes.length >= maxRefreshes) {
      if (!loopReported) emit('refreshLoop', { count: refreshes.length, windowMs })
      loopReported = true
      throw new AuthClientError('refresh_loop')
    }
    loopReported = false
    // The body is read under the same timeout: an answer that hangs half-way is a network error too.
    const abort = new AbortController()
    const timer = timers.setTimeout(() => abort.abort(), refreshTimeoutMs)
    let cause: unknown
    const response = await fetchImpl(routes + '/refresh', {
      method: 'POST',
      signal: abort.signal,
      // Bearer: the token in the body and no cookie; cookie: the refresh cookie only.
      credentials: bearer ? 'omit' : 'include',
      ...(bearer && { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: tokens!.refreshToken }) }),
    }).catch((error: unknown) => void (cause = error)) // a network error: status 0
    const body: unknown = await response?.json().catch(noop)
    timers.clearTimeout(timer)
    const code = response?.status ?? 0
    if (code === 401) {
      const serverCode = errorCodeOf(body) ?? 'refresh_invalid'
      if (status === 'active') end(serverCode)
      else (status = 'signedOut'), changed() // a cookie tab learned there is no session, without one having ended
      throw new AuthClientError('signed_out', { status: code, serverCode })
    }
    // The protocol answers 200; whatever the status, only a well-formed token response counts.
    if (isTokenResponse(body, bearer)) {
      refreshes.push(clock())
      attempt = 0
      clearRetry()
      return commitResponse(body, record.ended ? null : record.user)
    }
    const delay = backoffDelay(attempt++, options.backoff, random, response?.headers.get('retry-after'), clock())
    if (status === 'active') {
      clearRetry()
      retryForce = force
      retryTimer = timers.setTimeout(retryNow, delay)
    }
    throw new AuthClientError('refresh_failed', { status: code, retryInMs: delay, cause })
  }

  /** Runs a pending retry now (the network is back), else checks expiry. */
  function retryNow(): void {
    const force = retryForce
    clearRetry()
    ;(force ? run(true, record.generation) : refreshIf()).catch(noop)
  }

  function reschedule(): void {
    timers.clearTimeout(proactiveTimer)
    if (destroyed || status !== 'active') clearRetry()
    else if (proactive) {
      // A random 1–1.5 margins before expiry, so that the tabs' timers spread.
      const lead = margin() * (1 + random() / 2)
      proactiveTimer = timers.setTimeout(
        // Woke early: the delay was over the timer's maximum.
        () => (needsRefresh(lead) ? refreshIf(lead).catch(noop) : reschedule()),
        Math.min(2 ** 31 - 1, record.expiresAt! - lead - clock()),
      )
    }
  }

  /** Whether a request goes to the API or the page's own origin: only those get a credential. */
  function appliesTo(input: RequestInfo | URL): boolean {
    // Relative and protocol-relative URLs resolve against the page; without a page, against a
    // stand-in base, so that a relative URL is still "the page's own origin".
    const base = (globalThis as { location?: { href?: string } }).location?.href ?? 'http://page.invalid'
    const originOf = (url: string) => {
      try {
        return new URL(url, base).origin
      } catch {
        // A URL that does not parse is not one fetch could send: leave it to fetch to refuse.
      }
    }
    return [originOf(baseUrl), originOf(base)].includes(originOf((input as Request).url ?? String(input)))
  }

  async function prepare(): Promise<[number, string | undefined]> {
    await ready
    // A network failure here is not the request's: send it, the server decides.
    if (status === 'active') {
      await refreshIf().catch((error: AuthClientError) => {
        if (error.code === 'signed_out') throw error
      })
    }
    return [record.generation, tokens?.accessToken]
  }

  async function shouldRetry(sentGeneration: number, code: string | undefined): Promise<boolean> {
    // A refused login is not an expired token.
    if (code === 'invalid_credentials') return false
    // Moved on while the request was out: a refresh replaced the token (retry), or a logout ended it.
    if (record.generation !== sentGeneration) return status !== 'signedOut'
    // Bearer has nothing to refresh with when signed out; a cookie may still be there.
    if (bearer && status !== 'active') return false
    return run(true, sentGeneration).then(
      () => status === 'active',
      (error: unknown) => {
        if (error instanceof AuthClientError && error.code !== 'refresh_failed') return false
        throw error
      },
    )
  }

  /** `client.fetch`: see auth-fetch.ts. */
  async function authFetch(input: RequestInfo | URL, init: AuthRequestInit = {}): Promise<Response> {
    const { auth: enabled = true, ...rest } = init
    if (!enabled || !appliesTo(input)) return fetchImpl(input, rest)
    // A Request's body can be read once: keep a copy for the retry before sending the original.
    const spare = (input as Request).clone?.() ?? input
    for (let retry = false; ; retry = true) {
      const [generation, token] = await prepare()
      // A string or URL has no `headers`: only a Request's own are the default.
      const headers = new Headers(rest.headers ?? (input as Request).headers)
      if (token) headers.set('authorization', 'Bearer ' + token)
      // Cookie: send the cookies unless the caller chose otherwise; bearer: the caller's choice, if any.
      const response = await fetchImpl(retry ? spare : input, { ...rest, headers, ...(!bearer && { credentials: rest.credentials ?? 'include' }) })
      // Once only; and a ReadableStream body cannot be sent twice.
      if (retry || response.status !== 401 || (rest.body as ReadableStream | null)?.getReader) return response
      if (!(await shouldRetry(generation, errorCodeOf(await response.clone().json().catch(noop))))) return response
    }
  }

  /** Starts from what the other tabs or the token storage know. */
  async function start(): Promise<void> {
    let saved: StoredSession | null | undefined
    try {
      if (bearer) saved = await tokenStorage?.load()
    } catch {
      // a failing token storage: start signed out
    }
    const latest = read()
    // Cookies are shared by the tabs, so is the record's expiry; bearer tokens come from a tab or the storage.
    if (latest && !bearer) (record = latest), (status = latest.ended ? 'unknown' : 'active')
    else if (latest) record = { ...record, generation: latest.generation }
    if (saved && status !== 'active') {
      const { accessToken, refreshToken, ...rest } = saved
      record = { ...rest, generation: record.generation, ended: null }
      tokens = { accessToken, refreshToken }
      status = 'active'
    }
    changed()
    if (bearer && status !== 'active' && channel) {
      channel.postMessage({ type: 'ask' }) // a new tab: an open one hands over its tokens
      await waitFor(handoffTimeoutMs, () => status === 'active')
    }
  }

  const wake = () => void refreshIf().catch(noop)
  subscribe(options.visibility, wake, (win) => {
    const doc = win.document
    if (doc) {
      listen(doc, 'visibilitychange', () => doc.visibilityState === 'visible' && wake())
      // pageshow also fires when a page comes back from the back/forward cache, frozen meanwhile.
      listen(win, 'pageshow', wake)
    }
  })
  subscribe(options.online, retryNow, (win) => listen(win, 'online', retryNow))
  const onMessage = (message: TabMessage | null) => {
    if (message?.type === 'ask') tokens && publish(record, tokens)
    else if (typeof message?.record?.generation == 'number') adopt(message.record, message.tokens)
  }
  // A BroadcastChannel has no `subscribe`: its `onmessage` then (which its close() ends).
  if ((channel as Partial<AuthChannel> | null)?.subscribe) offs.push(channel!.subscribe(onMessage as (message: unknown) => void))
  else if (channel) (channel as unknown as BroadcastChannel).onmessage = (event) => onMessage(event.data)
  const onStorage = () => {
    waiters.forEach((waiter) => waiter())
    // Without a channel, the record's own `storage` events carry the news (never tokens).
    const latest = !channel && read()
    if (latest) adopt(latest)
  }
  if (storage) subscribe(options.storage, onStorage, (win) => listen(win, 'storage', onStorage))
  const ready = start()

  const requestAuth: RequestAuth = { transport, appliesTo, prepare, shouldRetry }
  return {
    [REQUEST_AUTH]: requestAuth,
    fetch: authFetch,
    ready,
    ensureFresh: () => ready.then(() => refreshIf()),
    refresh: () => ready.then(() => run(true, record.generation)),
    setSession(response, { user = null } = {}) {
      if (!isTokenResponse(response, bearer)) throw new TypeError('not a token response')
      commitResponse(response, user)
    },
    async logout({ everywhere } = {}) {
      try {
        if (status !== 'signedOut' || !bearer) await authFetch(routes + '/logout' + (everywhere ? '-all' : ''), { method: 'POST' })
      } finally {
        end('logout')
      }
    },
    on(name, listener) {
      const entry: [AuthClientEventName, (event: never) => void] = [name, listener]
      listeners.add(entry)
      return () => void listeners.delete(entry)
    },
    getState: () => {
      const { generation, expiresAt, sessionId, user } = record
      return { status, generation, expiresAt, sessionId, user }
    },
    destroy() {
      destroyed = true
      reschedule()
      offs.forEach((off) => off())
      channel?.close()
      listeners.clear()
    },
  } as AuthClient
}
