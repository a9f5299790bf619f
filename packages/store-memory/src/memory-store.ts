/**
 * The in-process store: plain Maps, expiry by the `now` core passes in, a bounded number of
 * sessions, and a blocking revocation feed.
 *
 * Exported from `'@auth/store-memory'`.
 *
 * @module
 */
import type { AuthStore, Clock, RevocationState, SessionPatch, SessionRecord, SessionRef, UpdateSessionResult } from '@auth/core'
import { assertDeniedToken } from '@auth/core/store'
import { AuthError } from '@auth/core/errors'
import { MemoryFeed } from './memory-feed.js'

/** Default {@link MemoryStoreOptions.maxSessions}. */
export const DEFAULT_MAX_SESSIONS = 100_000

/** Default {@link MemoryStoreOptions.sweepIntervalMs}: one minute. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The most sessions the store holds. When it is full (after dropping expired sessions),
   * `createSession` rejects with `AuthError('store_unavailable')`: the store never evicts a live
   * session, a denylist entry or a feed entry to make room. Default: {@link DEFAULT_MAX_SESSIONS}.
   */
  maxSessions?: number
  /**
   * How often (ms) a timer drops expired sessions and denylist entries. The timer is `unref()`ed,
   * so it never keeps the process alive. Expired entries are also dropped when read. The feed is
   * never swept: only `trimFeed` trims it. Default: {@link DEFAULT_SWEEP_INTERVAL_MS}.
   */
  sweepIntervalMs?: number
  /**
   * The clock of the periodic sweep (ms since the epoch). Default: `Date.now`. Give it the same
   * clock as `createAuth`, so the sweep never drops what core still considers live.
   */
  clock?: Clock
  /**
   * Warn once (`console.warn`) when created with `NODE_ENV=production`, where a per-process store
   * is almost always a mistake. Default: `true`.
   */
  warnInProduction?: boolean
}

const PATCHABLE = ['lastSeenAt', 'refresh', 'data', 'metadata'] as const satisfies readonly (keyof SessionPatch)[]
const MAX_TIMER_DELAY = 2_147_483_647

/** Whether the production warning was printed in this process. */
let warned = false

/**
 * Creates an `AuthStore` (from `@auth/core`) that keeps its state in this process. Every
 * method does its check and its write in one synchronous step, so each is atomic.
 *
 * Exported from `'@auth/store-memory'`.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from '@auth/store-memory'
 *
 * const store = createMemoryStore({ maxSessions: 10_000 })
 * // pass it to createAuth({ store })
 * ```
 *
 * > [!NOTE]
 * > State lives in one process: sessions end with the process, and a revocation does not reach
 * > other processes. Use it for development, tests and single-process deployments; use
 * > `@auth/store-redis` for anything with more than one process.
 *
 * @param options - size bound, sweep interval and clock, production warning
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): AuthStore {
  const {
    maxSessions = DEFAULT_MAX_SESSIONS,
    sweepIntervalMs = DEFAULT_SWEEP_INTERVAL_MS,
    clock = Date.now,
    warnInProduction = true,
  } = options
  if (!Number.isInteger(maxSessions) || maxSessions < 1) throw new TypeError('createMemoryStore: maxSessions must be a positive integer')
  if (!(sweepIntervalMs >= 1 && sweepIntervalMs <= MAX_TIMER_DELAY)) {
    throw new TypeError(`createMemoryStore: sweepIntervalMs must be between 1 and ${MAX_TIMER_DELAY}`)
  }
  if (typeof clock !== 'function') throw new TypeError('createMemoryStore: clock must be a function')
  if (warnInProduction && !warned && readNodeEnv() === 'production') {
    warned = true
    console.warn(
      '@auth/store-memory keeps state in this process: revocations do not reach other processes; use @auth/store-redis in production',
    )
  }

  /** sub → (session id → record): the user index and the records in one structure. */
  const sessions = new Map<string, Map<string, SessionRecord>>()
  let sessionCount = 0
  /** A lower bound of every stored `expiresAt`: no sweep is needed before it. */
  let earliestExpiry = Number.POSITIVE_INFINITY
  const versions = new Map<string, number>()
  /** sub → (jti → expiresAt): a denial is per user, like every other revocation. */
  const denylist = new Map<string, Map<string, number>>()
  /**
   * Ended sessions (see `wasSessionEnded`): scoped key → the ended record's expiresAt, in the order
   * they ended. At most `maxSessions` are kept, the oldest dropped first: a dropped mark only turns
   * a later `session_revoked` into `session_expired`, never lets anything in.
   */
  const endedMarks = new Map<string, number>()
  const feed = new MemoryFeed()
  let closed = false

  const timer = setInterval(() => sweep(clock()), sweepIntervalMs)
  // Never keep the process alive for the sweep (Node, Bun and Deno timers have unref()).
  ;(timer as unknown as { unref?: () => unknown }).unref?.()

  function assertOpen(): void {
    if (closed) throw new AuthError('store_unavailable', { reason: 'closed' })
  }

  /** The live record, dropping it when it has expired at `now`. */
  function live(sub: string, id: string, now: number): SessionRecord | undefined {
    const record = sessions.get(sub)?.get(id)
    if (record === undefined || record.expiresAt > now) return record
    remove(sub, id)
    return undefined
  }

  function put(record: SessionRecord): void {
    let index = sessions.get(record.sub)
    if (index === undefined) sessions.set(record.sub, (index = new Map()))
    if (!index.has(record.id)) sessionCount++
    index.set(record.id, record)
    earliestExpiry = Math.min(earliestExpiry, record.expiresAt)
  }

  function remove(sub: string, id: string): SessionRecord | undefined {
    const index = sessions.get(sub)
    const record = index?.get(id)
    if (record === undefined) return undefined
    index!.delete(id)
    sessionCount--
    if (index!.size === 0) sessions.delete(sub)
    return record
  }

  /** Ends the user's least recently seen live sessions until at most `keep` are left; answers their ids. */
  function endLeastRecentlySeen(sub: string, keep: number, now: number): string[] {
    const index = sessions.get(sub)
    if (index === undefined || index.size <= keep) return []
    const alive = [...index.keys()].map((id) => live(sub, id, now)).filter((record) => record !== undefined)
    if (alive.length <= keep) return []
    alive.sort((a, b) => a.lastSeenAt - b.lastSeenAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const ended = alive.slice(0, alive.length - keep).map((record) => record.id)
    for (const record of alive.slice(0, ended.length)) {
      remove(sub, record.id)
      markEnded(sub, record.id, record.expiresAt, now)
      feed.append({ type: 'session', sub, sid: record.id, at: now })
    }
    return ended
  }

  /** Marks a session as ended until `until` (its expiry: after it, it would have expired anyway). */
  function markEnded(sub: string, id: string, until: number, now: number): void {
    if (until <= now) return
    const key = scoped(sub, id)
    endedMarks.delete(key)
    endedMarks.set(key, until)
    if (endedMarks.size > maxSessions) endedMarks.delete(endedMarks.keys().next().value!)
  }

  function sweepSessions(now: number): void {
    if (now < earliestExpiry) return
    let earliest = Number.POSITIVE_INFINITY
    for (const [sub, index] of sessions) {
      for (const [id, record] of index) {
        if (record.expiresAt <= now) remove(sub, id)
        else earliest = Math.min(earliest, record.expiresAt)
      }
    }
    earliestExpiry = earliest
  }

  function isEnded(sub: string, id: string, now: number): boolean {
    const until = endedMarks.get(scoped(sub, id))
    return until !== undefined && until > now
  }

  function sweep(now: number): void {
    sweepSessions(now)
    for (const [key, until] of endedMarks) if (until <= now) endedMarks.delete(key)
    for (const [sub, denied] of denylist) {
      for (const [jti, expiresAt] of denied) if (expiresAt <= now) denied.delete(jti)
      if (denied.size === 0) denylist.delete(sub)
    }
  }

  return {
    name: 'memory',

    async createSession(record, now, createOptions) {
      assertOpen()
      const maxPerUser = checkMaxPerUser(createOptions?.maxPerUser)
      // A logoutAll ran since core read the version: refuse, core retries with the new one.
      if ((versions.get(record.sub) ?? 0) !== record.ver) return { created: false, ended: [] }
      if (live(record.sub, record.id, now) !== undefined) throw new TypeError('createSession: a session with this id exists')
      const ended = endLeastRecentlySeen(record.sub, maxPerUser - 1, now)
      if (sessionCount >= maxSessions) sweepSessions(now)
      if (sessionCount >= maxSessions) throw new AuthError('store_unavailable', { reason: 'memory store full (maxSessions)' })
      put(structuredClone(record))
      return { created: true, ended }
    },

    async getSession(ref, now) {
      assertOpen()
      const record = live(ref.sub, ref.id, now)
      return record === undefined ? null : copyRecord(record)
    },

    async updateSession(ref, condition, patch, now): Promise<UpdateSessionResult> {
      assertOpen()
      const record = live(ref.sub, ref.id, now)
      if (record === undefined) return { applied: false, session: null }
      if (
        (condition.revision !== undefined && record.revision !== condition.revision) ||
        (condition.refreshCurrent !== undefined && record.refresh?.current !== condition.refreshCurrent)
      ) {
        return { applied: false, session: structuredClone(record) }
      }
      const next: { -readonly [K in keyof SessionRecord]: SessionRecord[K] } = { ...record, revision: record.revision + 1 }
      for (const key of PATCHABLE) {
        const value = patch[key]
        // Only the patchable fields, and only those given: `{ data: undefined }` changes nothing.
        if (value !== undefined) (next as Record<string, unknown>)[key] = structuredClone(value)
      }
      // expiresAt is derived, never patched: it slides with lastSeenAt up to the absolute expiry.
      if (patch.lastSeenAt !== undefined) next.expiresAt = Math.min(next.absoluteExpiresAt, next.lastSeenAt + next.idleTimeoutMs)
      put(next)
      return { applied: true, session: structuredClone(next) }
    },

    async endSession(ref: SessionRef, now) {
      assertOpen()
      const record = remove(ref.sub, ref.id)
      // Only what was removed is announced: a reference naming another user's session finds nothing.
      if (record !== undefined) {
        markEnded(ref.sub, ref.id, record.expiresAt, now)
        feed.append({ type: 'session', sub: ref.sub, sid: ref.id, at: now })
      }
      // The record leaves the store here, so it can be answered without a copy.
      return record !== undefined && record.expiresAt > now ? record : null
    },

    async logoutAll(sub, now) {
      assertOpen()
      const ver = (versions.get(sub) ?? 0) + 1
      versions.set(sub, ver)
      const ended: string[] = []
      const index = sessions.get(sub)
      if (index !== undefined) {
        for (const [id, record] of index) {
          if (record.expiresAt <= now) continue
          ended.push(id)
          markEnded(sub, id, record.expiresAt, now)
        }
        sessionCount -= index.size
        sessions.delete(sub)
      }
      feed.append({ type: 'user', sub, ver, at: now })
      return { ver, ended }
    },

    async listSessions(sub, now) {
      assertOpen()
      const index = sessions.get(sub)
      if (index === undefined) return []
      const result: SessionRecord[] = []
      for (const id of [...index.keys()]) {
        const record = live(sub, id, now)
        if (record !== undefined) result.push(structuredClone(record))
      }
      return result
    },

    async getUserVersion(sub) {
      assertOpen()
      return versions.get(sub) ?? 0
    },

    async denyToken(token, now) {
      assertOpen()
      assertDeniedToken(token)
      const { sub, jti, expiresAt } = token
      // Never shorten a denial: a revoked token must stay revoked until its `exp`. Announce only a change.
      const denied = denylist.get(sub)
      const previous = denied?.get(jti)
      if (expiresAt <= now || (previous !== undefined && previous >= expiresAt)) return
      if (denied === undefined) denylist.set(sub, new Map([[jti, expiresAt]]))
      else denied.set(jti, expiresAt)
      feed.append({ type: 'token', sub, jti, expiresAt, at: now })
    },

    async getRevocationState({ sub, sid, jti }, now): Promise<RevocationState> {
      assertOpen()
      const denied = denylist.get(sub)
      const deniedUntil = denied?.get(jti)
      if (deniedUntil !== undefined && deniedUntil <= now) denied!.delete(jti)
      const alive = live(sub, sid, now) !== undefined
      return {
        tokenDenied: deniedUntil !== undefined && deniedUntil > now,
        userVersion: versions.get(sub) ?? 0,
        sessionAlive: alive,
        // Asked only when the session is gone: `strict` on a live session pays nothing for it.
        sessionEnded: !alive && isEnded(sub, sid, now),
      }
    },

    async wasSessionEnded(ref, now) {
      assertOpen()
      return isEnded(ref.sub, ref.id, now)
    },

    async readFeed(readOptions) {
      assertOpen()
      return feed.read(readOptions)
    },

    async trimFeed(before) {
      assertOpen()
      feed.trim(before)
    },

    async close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      feed.close()
    },
  }
}

/** One key per (user, session) pair: the length prefix keeps them apart whatever they contain. */
function scoped(sub: string, id: string): string {
  return `${sub.length}:${sub}${id}`
}

/** `maxPerUser` of `createSession`: a positive integer, or no cap. */
function checkMaxPerUser(value: number | undefined): number {
  if (value === undefined) return Number.POSITIVE_INFINITY
  if (!Number.isInteger(value) || value < 1) throw new TypeError('createSession: maxPerUser must be a positive integer')
  return value
}

function readNodeEnv(): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NODE_ENV
}

/**
 * A copy of a stored record that shares nothing mutable with it, as `structuredClone` gives, for
 * a fraction of its cost: `getSession` runs on every session-cookie request. Every field is a
 * primitive but three small objects: metadata and refresh state (primitives inside) are spread;
 * session data (any JSON-shaped value core accepted) is cloned, only when there is some.
 */
function copyRecord(record: SessionRecord): SessionRecord {
  return {
    ...record,
    metadata: record.metadata ? { ...record.metadata } : record.metadata,
    refresh: record.refresh ? { ...record.refresh } : record.refresh,
    data: record.data ? structuredClone(record.data) : record.data,
  }
}
