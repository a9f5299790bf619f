/**
 * The one refresh path behind every trigger, and its timers.
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
 *
 * Only a 401 ends a session: a 403 (`csrf_rejected`) or 400 is a misconfiguration that a
 * logout would not fix, and logging users out over it would hide it. A refresh call that hangs
 * would hold the cross-tab lock for ever: it is aborted after `timeoutMs`, as a network error.
 *
 * The proactive timer fires a random 1–1.5 margins before expiry, so the tabs' timers spread;
 * whichever wins the lock refreshes, the others find the generation moved.
 *
 * @internal
 * @module
 */
import { backoffDelay, createBreaker, parseRetryAfter } from './backoff.js'
import type { CrossTab, SharedRecord } from './cross-tab.js'
import { AuthClientError } from './errors.js'
import { type Emitter, noop } from './events.js'
import type { CreateAuthClientOptions } from './options.js'
import { type AuthTimers, isServer } from './platform.js'
import type { Session } from './session.js'
import { isTokenResponse, readErrorCode } from './token-response.js'

/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_DELAY = 2 ** 31 - 1

/** @internal What the refresher needs besides the client's options. */
export interface RefresherParts {
  session: Session
  crossTab: CrossTab
  emitter: Emitter
  fetch: typeof fetch
  url: string
  clock: () => number
  timers: AuthTimers
  handoffMs: number
}

/** @internal */
export interface Refresher {
  /** Refreshes when the token expires within `leadMs` (default: the margin), or joins the refresh in flight. */
  refreshIf(leadMs?: number): Promise<void>
  /** Refreshes unless the generation moved past `seen` (then adopts that result). */
  force(seen: number): Promise<void>
  /** Runs a pending retry now (the network is back), else checks expiry. */
  retryNow(): void
  /** Reschedules the timers after a change of the session. */
  reschedule(): void
  stop(): void
}

/** @internal */
export function createRefresher(options: CreateAuthClientOptions, parts: RefresherParts): Refresher {
  const { session, crossTab, emitter, clock, timers } = parts
  const { transport, random = Math.random, refreshTimeoutMs = 10_000, proactive = !isServer() } = options
  const breaker = createBreaker(options.breaker)
  let inflight: Promise<void> | null = null
  let proactiveTimer: unknown = null
  let retry: { timer: unknown; force: boolean } | null = null
  let attempt = 0
  let loopReported = false
  let stopped = false

  const margin = () => options.refreshMarginMs ?? Math.min(30_000, (session.record.lifetimeMs ?? 0) / 5)
  const needsRefresh = (leadMs: number) => session.status === 'active' && session.record.expiresAt !== null && session.record.expiresAt - clock() <= leadMs
  const clearRetry = () => (retry && timers.clearTimeout(retry.timer), (retry = null))

  function refreshIf(leadMs = margin()): Promise<void> {
    if (inflight) return inflight
    return needsRefresh(leadMs) ? run(false, session.record.generation, leadMs) : Promise.resolve()
  }

  function run(force: boolean, seen: number, leadMs = 0): Promise<void> {
    inflight ??= crossTab.exclusive(() => refreshLocked(force, seen, leadMs)).finally(() => (inflight = null))
    return inflight
  }

  async function refreshLocked(force: boolean, seen: number, leadMs: number): Promise<void> {
    const latest = crossTab.read()
    if (latest && latest.generation > session.record.generation) await catchUp(latest)
    if (session.record.generation > seen) {
      if (session.status !== 'active') throw new AuthClientError('signed_out')
      return // another tab did it meanwhile
    }
    if (!force && !needsRefresh(leadMs)) return
    if (transport === 'bearer' && !session.tokens) throw new AuthClientError('signed_out')
    const recent = breaker.recent(clock())
    if (recent.length >= breaker.max) {
      if (!loopReported) emitter.emit('refreshLoop', { count: recent.length, windowMs: breaker.windowMs })
      loopReported = true
      throw new AuthClientError('refresh_loop')
    }
    loopReported = false
    const abort = new AbortController()
    const timer = timers.setTimeout(() => abort.abort(), refreshTimeoutMs)
    let response: Response | undefined
    let cause: unknown
    try {
      response = await parts.fetch(parts.url, {
        method: 'POST',
        signal: abort.signal,
        // Bearer: the token in the body and no cookie; cookie: the refresh cookie only.
        ...(transport === 'bearer'
          ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: session.tokens!.refreshToken }), credentials: 'omit' }
          : { credentials: 'include' }),
      })
    } catch (error) {
      cause = error // a network error: status 0
    } finally {
      timers.clearTimeout(timer)
    }
    const status = response?.status ?? 0
    if (status === 401) {
      const code = (await readErrorCode(response!)) ?? 'refresh_invalid'
      if (session.status === 'active') session.end(code)
      else session.markSignedOut()
      throw new AuthClientError('signed_out', { status, serverCode: code })
    }
    const body: unknown = status === 200 ? await response!.json().catch(noop) : null
    if (isTokenResponse(body, transport)) {
      breaker.recent(clock()).push(clock())
      attempt = 0
      clearRetry()
      session.commit(body, session.record.ended === null ? session.record.user : null)
      return
    }
    const delay = backoffDelay(attempt++, options.backoff ?? {}, random, parseRetryAfter(response?.headers.get('retry-after') ?? null, clock()))
    if (session.status === 'active') {
      clearRetry()
      retry = { force, timer: timers.setTimeout(retryNow, delay) }
    }
    throw new AuthClientError('refresh_failed', { status, retryInMs: delay, cause })
  }

  /** Another tab is ahead: take its result (cookie: the record; bearer: wait for the channel's tokens). */
  async function catchUp(latest: SharedRecord): Promise<void> {
    if (transport === 'cookie' || latest.ended !== null) return session.adopt(latest, undefined, 'remote')
    if (await session.waitFor(() => session.record.generation >= latest.generation, parts.handoffMs)) return
    // Our refresh token was rotated by that tab: presenting it would look like a replay. Wait instead.
    throw new AuthClientError('refresh_failed', { status: 0 })
  }

  function retryNow(): void {
    if (!retry) return void refreshIf().catch(noop)
    const { force } = retry
    clearRetry()
    if (session.status === 'active') (force ? run(true, session.record.generation) : refreshIf()).catch(noop)
  }

  function reschedule(): void {
    if (proactiveTimer !== null) timers.clearTimeout(proactiveTimer)
    proactiveTimer = null
    if (session.status !== 'active') clearRetry()
    if (!proactive || stopped || session.status !== 'active' || session.record.expiresAt === null) return
    const lead = margin() * (1 + random() / 2)
    const delay = Math.min(MAX_DELAY, Math.max(0, session.record.expiresAt - lead - clock()))
    proactiveTimer = timers.setTimeout(() => {
      proactiveTimer = null
      if (needsRefresh(lead)) refreshIf(lead).catch(noop)
      else reschedule() // woke early: the delay was over the timer's maximum
    }, delay)
  }

  return {
    refreshIf,
    force: (seen) => run(true, seen),
    retryNow,
    reschedule,
    stop() {
      stopped = true
      if (proactiveTimer !== null) timers.clearTimeout(proactiveTimer)
      clearRetry()
    },
  }
}
