/**
 * What one tab knows about the session, and the only place it changes: a record shared with the
 * other tabs (generation, expiry, user, whether it ended) plus, in the bearer transport, the
 * tokens in memory.
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
 * @internal
 * @module
 */
import type { CrossTab, SharedRecord, Tokens } from './cross-tab.js'
import { type ChangeSource, type Emitter, noop } from './events.js'
import type { AuthClientState } from './options.js'
import type { AuthTimers } from './platform.js'
import type { TokenResponse } from './token-response.js'
import type { StoredSession, TokenStorage } from './token-storage.js'


/** @internal */
export interface SessionOptions {
  transport: 'cookie' | 'bearer'
  clock: () => number
  timers: AuthTimers
  emitter: Emitter
  tokenStorage: TokenStorage
  /** Called after every change (to reschedule, or stop, the timers). */
  onChange(): void
}

/** @internal */
export interface Session {
  readonly status: AuthClientState['status']
  readonly record: SharedRecord
  readonly tokens: Tokens | null
  /** Connects the cross-tab messaging, created after the session. */
  connect(crossTab: CrossTab): void
  adopt(next: SharedRecord, tokens: Tokens | undefined, source: ChangeSource): void
  /** Adopts a token response of this tab (login or refresh) and tells the other tabs. */
  commit(body: TokenResponse, user: string | null): void
  /** Ends the session here and in every tab. */
  end(reason: string): void
  /** A cookie-transport tab learned there is no session, without one having ended. */
  markSignedOut(): void
  /** Starts from what the other tabs or the token storage know. */
  restore(latest: SharedRecord | null, saved: StoredSession | null): void
  /** Resolves `true` once `done()` holds after a change, `false` after `ms`. */
  waitFor(done: () => boolean, ms: number): Promise<boolean>
  destroy(): void
}

/** @internal */
export function createSession(options: SessionOptions): Session {
  const { transport, emitter, clock, timers } = options
  let status: AuthClientState['status'] = transport === 'cookie' ? 'unknown' : 'signedOut'
  let record: SharedRecord = { generation: 0, expiresAt: null, lifetimeMs: null, sessionId: null, user: null, ended: null }
  let tokens: Tokens | null = null
  let crossTab: CrossTab | null = null
  let destroyed = false
  const waiters = new Set<() => void>()

  const nextGeneration = () => Math.max(record.generation, crossTab?.read()?.generation ?? 0) + 1
  const changed = () => (options.onChange(), waiters.forEach((waiter) => waiter()))

  /** A failing token storage must not break the session in memory. */
  function persist(session: StoredSession | null): void {
    try {
      void Promise.resolve(options.tokenStorage.save(session)).catch(noop)
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
    if (transport === 'bearer') {
      if (!nextTokens) return // a `storage` event: the channel brings the tokens of this generation
      tokens = nextTokens
      persist({ ...nextTokens, expiresAt: next.expiresAt ?? 0, lifetimeMs: next.lifetimeMs ?? 0, sessionId: next.sessionId, user: next.user })
    }
    const previousUser = record.user
    record = next
    status = 'active'
    changed()
    if (next.user !== previousUser) emitter.emit('userChanged', { previous: previousUser, user: next.user, source })
    emitter.emit('refreshed', { generation: next.generation, expiresAt: next.expiresAt, source })
  }

  return {
    get status() {
      return status
    },
    get record() {
      return record
    },
    get tokens() {
      return tokens
    },
    connect: (value) => void (crossTab = value),
    adopt,
    commit(body, user) {
      const lifetimeMs = body.expiresIn * 1000
      const next: SharedRecord = { generation: nextGeneration(), expiresAt: clock() + lifetimeMs, lifetimeMs, sessionId: body.sessionId ?? null, user, ended: null }
      const nextTokens = transport === 'bearer' ? { accessToken: body.accessToken!, refreshToken: body.refreshToken! } : undefined
      crossTab?.publish(next, nextTokens)
      adopt(next, nextTokens, 'local')
    },
    end(reason) {
      const next: SharedRecord = { ...record, generation: nextGeneration(), expiresAt: null, lifetimeMs: null, ended: reason }
      crossTab?.publish(next)
      adopt(next, undefined, 'local')
    },
    markSignedOut() {
      status = 'signedOut'
      changed()
    },
    restore(latest, saved) {
      // Cookies are shared by the tabs, so is the record's expiry; bearer tokens come from a tab or the storage.
      if (latest && transport === 'cookie') (record = latest), (status = latest.ended === null ? 'active' : 'unknown')
      else if (latest) record = { ...record, generation: latest.generation }
      if (saved && transport === 'bearer' && status !== 'active') {
        const { accessToken, refreshToken, ...rest } = saved
        record = { ...rest, generation: record.generation, ended: null }
        tokens = { accessToken, refreshToken }
        status = 'active'
      }
      changed()
    },
    waitFor(done, ms) {
      if (done()) return Promise.resolve(true)
      return new Promise((resolve) => {
        const finish = (value: boolean) => (waiters.delete(check), timers.clearTimeout(timer), resolve(value))
        const check = () => done() && finish(true)
        const timer = timers.setTimeout(() => finish(done()), ms)
        waiters.add(check)
      })
    },
    destroy() {
      destroyed = true
      waiters.clear()
    },
  }
}
