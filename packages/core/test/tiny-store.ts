/**
 * A small in-memory `AuthStore` for core's own tests (core must not depend on a store package):
 * the contract's semantics, plus what a test needs to set up a state directly (`put`) and to
 * simulate a backend that fails (`failing`). Not a product: no sweeping, no size bound.
 */
import type {
  AuthStore,
  CreateSessionOptions,
  CreateSessionResult,
  DeniedToken,
  LogoutAllResult,
  FeedEntry,
  ReadFeedOptions,
  ReadFeedResult,
  RevocationEvent,
  RevocationState,
  SessionPatch,
  SessionRecord,
  SessionRef,
  UpdateCondition,
  UpdateSessionResult,
} from '@auth/core'

export interface TinyStore extends AuthStore {
  /** Methods that reject (with a plain `Error`, as a driver would) while named here. */
  readonly failing: Set<keyof AuthStore>
  /** Calls per method. */
  readonly calls: Map<string, number>
  /** Writes a record as is (a test's way to set up a state). */
  put(record: SessionRecord): void
  /** The record as stored, expired or not. */
  peek(ref: SessionRef): SessionRecord | undefined
  /** Every feed entry appended so far. */
  readonly feed: readonly FeedEntry[]
}

export function createTinyStore(): TinyStore {
  const sessions = new Map<string, SessionRecord>()
  const versions = new Map<string, number>()
  const denied = new Map<string, number>()
  /** Ended sessions (logout, logoutAll), until they would have expired. */
  const ended = new Map<string, number>()
  const feed: FeedEntry[] = []
  const waiters = new Set<() => void>()
  const failing = new Set<keyof AuthStore>()
  const calls = new Map<string, number>()
  const keyOf = (ref: SessionRef) => `${ref.sub}\u0000${ref.id}`
  const live = (ref: SessionRef, now: number) => {
    const record = sessions.get(keyOf(ref))
    return record !== undefined && record.expiresAt > now ? record : null
  }
  const append = (event: RevocationEvent) => {
    feed.push({ cursor: String(feed.length + 1), event })
    for (const wake of waiters) wake()
  }
  const enter = (name: keyof AuthStore) => {
    calls.set(name, (calls.get(name) ?? 0) + 1)
    if (failing.has(name)) throw new Error(`tiny store: ${name} is down`)
  }

  const store: TinyStore = {
    name: 'tiny',
    failing,
    calls,
    feed,
    put: (record) => void sessions.set(keyOf(record), record),
    peek: (ref) => sessions.get(keyOf(ref)),

    // No per-user cap here (`options.maxPerUser` is ignored): the stores' contract suite tests it.
    async createSession(record: SessionRecord, now: number, _options?: CreateSessionOptions): Promise<CreateSessionResult> {
      enter('createSession')
      if (sessions.has(keyOf(record)) && live(record, now)) throw new TypeError('tiny store: session exists')
      if ((versions.get(record.sub) ?? 0) !== record.ver) return { created: false, ended: [] }
      sessions.set(keyOf(record), record)
      return { created: true, ended: [] }
    },
    async getSession(ref: SessionRef, now: number) {
      enter('getSession')
      return live(ref, now)
    },
    async updateSession(ref: SessionRef, condition: UpdateCondition, patch: SessionPatch, now: number): Promise<UpdateSessionResult> {
      enter('updateSession')
      const record = live(ref, now)
      if (record === null) return { applied: false, session: null }
      if (condition.revision !== undefined && record.revision !== condition.revision) return { applied: false, session: record }
      if (condition.refreshCurrent !== undefined && record.refresh?.current !== condition.refreshCurrent) {
        return { applied: false, session: record }
      }
      const next: SessionRecord = {
        ...record,
        ...('lastSeenAt' in patch ? { lastSeenAt: patch.lastSeenAt! } : {}),
        ...('refresh' in patch ? { refresh: patch.refresh! } : {}),
        ...('data' in patch ? { data: patch.data! } : {}),
        ...('metadata' in patch ? { metadata: patch.metadata! } : {}),
        revision: record.revision + 1,
      }
      const updated =
        patch.lastSeenAt === undefined
          ? next
          : { ...next, expiresAt: Math.min(next.absoluteExpiresAt, next.lastSeenAt + next.idleTimeoutMs) }
      sessions.set(keyOf(ref), updated)
      return { applied: true, session: updated }
    },
    async endSession(ref: SessionRef, now: number) {
      enter('endSession')
      const record = live(ref, now)
      const existed = sessions.delete(keyOf(ref))
      if (record !== null) ended.set(keyOf(ref), record.expiresAt)
      if (existed) append({ type: 'session', sub: ref.sub, sid: ref.id, at: now })
      return record
    },
    async wasSessionEnded(ref: SessionRef, now: number) {
      enter('wasSessionEnded')
      return (ended.get(keyOf(ref)) ?? Number.NEGATIVE_INFINITY) > now
    },
    async logoutAll(sub: string, now: number): Promise<LogoutAllResult> {
      enter('logoutAll')
      const ver = (versions.get(sub) ?? 0) + 1
      versions.set(sub, ver)
      const endedIds: string[] = []
      for (const [key, record] of sessions) {
        if (record.sub !== sub) continue
        sessions.delete(key)
        if (record.expiresAt <= now) continue
        endedIds.push(record.id)
        ended.set(key, record.expiresAt)
      }
      append({ type: 'user', sub, ver, at: now })
      return { ver, ended: endedIds }
    },
    async listSessions(sub: string, now: number) {
      enter('listSessions')
      return [...sessions.values()].filter((record) => record.sub === sub && record.expiresAt > now)
    },
    async getUserVersion(sub: string) {
      enter('getUserVersion')
      return versions.get(sub) ?? 0
    },
    async denyToken(token: DeniedToken, now: number) {
      enter('denyToken')
      const key = keyOf({ sub: token.sub, id: token.jti })
      if (token.expiresAt <= now || (denied.get(key) ?? Number.NEGATIVE_INFINITY) >= token.expiresAt) return
      denied.set(key, token.expiresAt)
      append({ type: 'token', sub: token.sub, jti: token.jti, expiresAt: token.expiresAt, at: now })
    },
    async getRevocationState(query: { sub: string; sid: string; jti: string }, now: number): Promise<RevocationState> {
      enter('getRevocationState')
      return {
        tokenDenied: (denied.get(keyOf({ sub: query.sub, id: query.jti })) ?? Number.NEGATIVE_INFINITY) > now,
        userVersion: versions.get(query.sub) ?? 0,
        sessionAlive: live({ sub: query.sub, id: query.sid }, now) !== null,
        sessionEnded: (ended.get(keyOf({ sub: query.sub, id: query.sid })) ?? Number.NEGATIVE_INFINITY) > now,
      }
    },
    async readFeed(options: ReadFeedOptions): Promise<ReadFeedResult> {
      enter('readFeed')
      const start = options.after === null ? feed.findIndex((entry) => entry.event.at >= (options.since ?? 0)) : Number(options.after)
      const from = start < 0 ? feed.length : start
      if (from >= feed.length && (options.blockMs ?? 0) > 0 && !options.signal?.aborted) {
        // Block until an entry arrives, the time is up, or the reader aborts.
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer)
            waiters.delete(done)
            options.signal?.removeEventListener('abort', done)
            resolve()
          }
          const timer = setTimeout(done, options.blockMs)
          waiters.add(done)
          options.signal?.addEventListener('abort', done)
        })
        // An outage that starts while a read waits loses its answer too.
        if (failing.has('readFeed')) throw new Error('tiny store: readFeed is down')
      }
      const entries = feed.slice(from, from + (options.limit ?? 1000))
      const cursor = entries.length > 0 ? entries.at(-1)!.cursor : options.after ?? String(feed.length)
      return { entries, cursor, gap: false }
    },
    async trimFeed() {
      enter('trimFeed')
    },
    async close() {},
  }
  return store
}
