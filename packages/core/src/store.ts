/**
 * The store contract: the few atomic primitives core's policy needs. Core owns every rule
 * (rotation, reuse, grace, expiry, revocation); a store owns none. It stores records, applies
 * conditional writes atomically, expires entries at the times core gives it, and keeps an
 * append-only revocation feed.
 *
 * Every time is milliseconds since the epoch, passed in by core (`now`), so stores and tests
 * agree on one clock. A store treats a record whose `expiresAt <= now` as absent for every
 * operation, and may drop it any time after.
 *
 * Every method rejects with `AuthError('store_unavailable')` when the backend cannot answer
 * (core also wraps any other error it gets from a store into `store_unavailable`). A store never
 * answers "not found" for "could not reach the backend".
 *
 * The contract's types are exported from `'@auth/core'` and `'@auth/core/store'`; the helpers for
 * store implementations ({@link assertDeniedToken}) from `'@auth/core/store'` only.
 *
 * @module @auth/core/store
 */

/** Points at one session. The `sub` lets a store keep a user's sessions together (one Redis hash slot). */
export interface SessionRef {
  /** The user id. */
  readonly sub: string
  /** The session id. */
  readonly id: string
}

/**
 * The refresh state of a session (see [refresh rotation](../../../docs/concepts.md#refresh-rotation)).
 * Only hashes are stored, never tokens.
 */
export interface RefreshState {
  /** Generation of the current refresh token: 0 at login, +1 per rotation. */
  readonly generation: number
  /** Hash of the current refresh token. */
  readonly current: string
  /** Hash of the previous refresh token, or `null` before the first rotation. */
  readonly previous: string | null
  /** When the last rotation happened (ms), or the login time. */
  readonly rotatedAt: number
}

/** Optional, application-supplied description of a session (shown in "your devices"). */
export interface SessionMetadata {
  /** The `User-Agent` at login. */
  readonly userAgent?: string
  /** The client IP at login. */
  readonly ip?: string
  /** A label the application chose (for example "Work laptop"). */
  readonly label?: string
}

/** A session as a store keeps it. */
export interface SessionRecord {
  /** Session id: at least 128 bits from a CSPRNG, base64url. */
  readonly id: string
  /** The user id. */
  readonly sub: string
  /** Creation time (ms). */
  readonly createdAt: number
  /** Last time the session was used (ms). */
  readonly lastSeenAt: number
  /** Absolute expiry (ms): the session ends then whatever its activity. */
  readonly absoluteExpiresAt: number
  /** Idle timeout (ms): the session ends this long after `lastSeenAt`. */
  readonly idleTimeoutMs: number
  /** When the record expires: `min(absoluteExpiresAt, lastSeenAt + idleTimeoutMs)`. */
  readonly expiresAt: number
  /** The transport the session was created for. */
  readonly transport: 'tokens' | 'session'
  /** Hash of the opaque session token (session-cookie transport), else `null`. */
  readonly tokenHash: string | null
  /** Refresh state (token transport), else `null`. */
  readonly refresh: RefreshState | null
  /** The user's token version at login. */
  readonly ver: number
  /** Application metadata. */
  readonly metadata: SessionMetadata
  /** Session data (session-cookie transport): a small JSON object, or `null`. */
  readonly data: Record<string, unknown> | null
  /** Incremented by the store on every applied write; the compare-and-set handle. */
  readonly revision: number
}

/**
 * The fields of a session that an update may set. `expiresAt` is derived, never patched: when a
 * patch sets `lastSeenAt`, the store sets `expiresAt` to
 * `min(absoluteExpiresAt, lastSeenAt + idleTimeoutMs)` (the field's definition) in the same write.
 * A store applies only these four fields and ignores any other key.
 */
export type SessionPatch = Partial<Pick<SessionRecord, 'lastSeenAt' | 'refresh' | 'data' | 'metadata'>>

/** The conditions of a conditional update; every given one must hold. */
export interface UpdateCondition {
  /** The record's `revision` must equal this. */
  readonly revision?: number
  /** The record's `refresh.current` must equal this hash. */
  readonly refreshCurrent?: string
}

/** What {@link AuthStore.updateSession} answers. */
export interface UpdateSessionResult {
  /** Whether the patch was applied. */
  readonly applied: boolean
  /** The record after the write if applied, else the record as it is (`null` if absent or expired). */
  readonly session: SessionRecord | null
}

/** Options of {@link AuthStore.createSession}. */
export interface CreateSessionOptions {
  /** The most live sessions a user may have; the least recently seen ones end to make room. No cap if absent. */
  readonly maxPerUser?: number
}

/** What {@link AuthStore.createSession} answers. */
export interface CreateSessionResult {
  /** Whether the session was inserted (`false`: the user's token version moved on). */
  readonly created: boolean
  /** The ids of the user's sessions that were ended to stay within `maxPerUser`, oldest seen first. */
  readonly ended: readonly string[]
}

/** What {@link AuthStore.logoutAll} answers. */
export interface LogoutAllResult {
  /** The user's new token version. */
  readonly ver: number
  /** The ids of the sessions that were ended. */
  readonly ended: string[]
}

/** One entry of the revocation feed. */
export type RevocationEvent =
  | {
      /** A session ended (logout, reuse detected, revoked by the user). */
      readonly type: 'session'
      /** Its user. */
      readonly sub: string
      /** The session. */
      readonly sid: string
      /** When (ms). */
      readonly at: number
    }
  | {
      /** A user's token version moved to `ver`: tokens with a lower `ver` are revoked. */
      readonly type: 'user'
      /** The user. */
      readonly sub: string
      /** The new version. */
      readonly ver: number
      /** When (ms). */
      readonly at: number
    }
  | {
      /** One access token was denied until its `exp`. */
      readonly type: 'token'
      /** The token's subject: a denial applies to the tokens of this user with this `jti` only. */
      readonly sub: string
      /** The token's `jti`. */
      readonly jti: string
      /** The token's `exp` (ms): the denial is pointless after it. */
      readonly expiresAt: number
      /** When (ms). */
      readonly at: number
    }

/** A feed entry with its position. */
export interface FeedEntry {
  /** Opaque position in the feed (for example a Redis stream id), ordered as the store defines. */
  readonly cursor: string
  /** The event. */
  readonly event: RevocationEvent
}

/** Options of {@link AuthStore.readFeed}. */
export interface ReadFeedOptions {
  /**
   * Read entries after this cursor. `null`: start at the first entry with `at >= since`.
   */
  readonly after: string | null
  /** With `after: null`: the oldest event time (ms) to replay. */
  readonly since?: number
  /** Wait up to this many ms for an entry when there is none yet (0 = answer at once). */
  readonly blockMs?: number
  /** At most this many entries. */
  readonly limit?: number
  /** Abort a blocking read (the store answers with what it has, possibly nothing). */
  readonly signal?: AbortSignal
}

/** What {@link AuthStore.readFeed} answers. */
export interface ReadFeedResult {
  /** Entries in feed order. */
  readonly entries: readonly FeedEntry[]
  /**
   * Where to continue: the last entry's cursor; with no entries, the given cursor, or (for
   * `after: null`) the position the read reached, the end of the feed as it was. A store answers
   * `null` only when it has no position to give; a position lets the next read tell that the
   * feed was lost meanwhile (`gap`), even for a reader that has not seen an entry yet.
   */
  readonly cursor: string | null
  /**
   * `true` when entries after `after` may be missing (the feed was trimmed past it, or lost, for
   * example a Redis restart without persistence). A mirror then replays its window and distrusts
   * the feed for one window.
   */
  readonly gap: boolean
}

/** An access token to deny: {@link AuthStore.denyToken}. */
export interface DeniedToken {
  /** The token's subject (`sub`): the user. */
  readonly sub: string
  /** The token's id (`jti`). */
  readonly jti: string
  /** The token's `exp`, in milliseconds: the denial is pointless after it. */
  readonly expiresAt: number
}

/**
 * Checks the argument of {@link AuthStore.denyToken}: a non-empty `sub` and `jti` and a finite
 * `expiresAt`, or a `TypeError` (what the store contract suite expects of every store). For store
 * implementations, so they all refuse the same inputs the same way.
 *
 * Exported from `'@auth/core/store'`.
 *
 * @param token - what `denyToken` was given
 */
export function assertDeniedToken(token: unknown): asserts token is DeniedToken {
  const { sub, jti, expiresAt } = (token ?? {}) as Partial<DeniedToken>
  if (typeof sub !== 'string' || sub.length === 0) throw new TypeError('denyToken: sub must be a non-empty string')
  if (typeof jti !== 'string' || jti.length === 0) throw new TypeError('denyToken: jti must be a non-empty string')
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) throw new TypeError('denyToken: expiresAt must be a finite number')
}

/** What {@link AuthStore.getRevocationState} answers: everything `strict` needs, in one round trip. */
export interface RevocationState {
  /** Whether the `jti` is on the denylist. */
  readonly tokenDenied: boolean
  /** The user's current token version (0 if never bumped). */
  readonly userVersion: number
  /** Whether the session exists and has not expired. */
  readonly sessionAlive: boolean
  /**
   * Whether the session was ended (see {@link AuthStore.wasSessionEnded}); always `false` while
   * it is alive. With `sessionAlive` and `sessionEnded` both `false`, the session expired.
   */
  readonly sessionEnded: boolean
}

/**
 * The storage contract every store implements. Each method is one atomic step: a check and the
 * write that depends on it happen together (a Lua script in Redis, synchronous code in memory),
 * so concurrent callers never see a half-applied change.
 *
 * Run `describeAuthStore` from `'@auth/core/testing'` against an implementation to check it.
 */
export interface AuthStore {
  /** A name for logs. */
  readonly name: string

  /**
   * Inserts a new session and adds it to its user's index, atomically, **if** the user's token
   * version still equals `record.ver`; otherwise writes nothing and answers `{ created: false }`
   * (a `logoutAll` ran meanwhile, and core retries with the new version). The record expires at
   * `record.expiresAt`. Rejects with a `TypeError` if a session with that id exists.
   *
   * With `options.maxPerUser`, in the same atomic step: if the user already has that many live
   * sessions or more, the least recently seen ones (lowest `lastSeenAt`, then lowest id) are ended
   * as {@link AuthStore.endSession} ends them (record, index entry, a `session` event each) so the
   * new session makes exactly `maxPerUser`; their ids are answered in `ended`. So one user cannot
   * fill a store that everybody shares.
   */
  createSession(record: SessionRecord, now: number, options?: CreateSessionOptions): Promise<CreateSessionResult>

  /** The session, or `null` if absent or expired at `now`. */
  getSession(ref: SessionRef, now: number): Promise<SessionRecord | null>

  /**
   * Conditional update, atomically: if the session exists, has not expired at `now`, and every
   * condition holds, merge `patch` into it (shallow: a patched field is replaced whole), increment
   * `revision`, re-derive `expiresAt` if `lastSeenAt` was patched (see {@link SessionPatch}) and
   * expire the record then, and answer `{ applied: true, session }`. Otherwise change nothing and answer
   * `{ applied: false, session }` with the record as it is (or `null`). An update never creates a
   * session: an ended session stays ended.
   *
   * **Never late.** An update whose call rejected (or will reject) with `store_unavailable` must
   * not be applied afterwards: a refresh the client was told failed, then applied when a stalled
   * backend resumes, would make the client's retry look like theft. A store whose backend may run
   * a command late (a paused server, a command re-sent after a reconnect) gives the command a
   * deadline that the backend checks on its own clock. Where a store cannot rule out that a patch
   * applied noticeably later than `now`, it moves `refresh.rotatedAt` forward by that delay, so the
   * grace window counts from when the rotation was applied.
   */
  updateSession(ref: SessionRef, condition: UpdateCondition, patch: SessionPatch, now: number): Promise<UpdateSessionResult>

  /**
   * Whether the session was **ended** — by {@link AuthStore.endSession},
   * {@link AuthStore.logoutAll} or the `maxPerUser` cap of {@link AuthStore.createSession} — and
   * would not have expired yet. Those three leave a mark, in the same atomic step, kept until the
   * ended record's own `expiresAt` (after it the session would have expired anyway). Core asks on
   * the failure paths only, to tell a client "your session expired" (`session_expired`) from "you
   * were signed out".
   */
  wasSessionEnded(ref: SessionRef, now: number): Promise<boolean>

  /**
   * Ends a session, atomically: deletes the record `ref` names (the session `ref.id` **of the
   * user** `ref.sub`), removes it from its user's index, and appends a `session` event to the feed.
   * Answers the record that was ended if it was live at `now`, else `null`. A live record
   * leaves an ended mark (see {@link AuthStore.wasSessionEnded}).
   *
   * The event is appended only when a record was removed. A reference naming another user's
   * session (`{ sub: 'mallory', id: victimSid }`) finds nothing, so it changes nothing anywhere:
   * no record, no feed entry, so no mirror rejects the victim's tokens.
   */
  endSession(ref: SessionRef, now: number): Promise<SessionRecord | null>

  /**
   * Ends every session of a user and bumps the user's token version, atomically: increments the
   * version, deletes every session in the user's index and the index itself, and appends a
   * `user` event with the new version. Answers the new version and the ended session ids. Each
   * live session it ends leaves an ended mark (see {@link AuthStore.wasSessionEnded}).
   */
  logoutAll(sub: string, now: number): Promise<LogoutAllResult>

  /** The user's live sessions at `now` (expired ones are left out, and may be pruned from the index). */
  listSessions(sub: string, now: number): Promise<SessionRecord[]>

  /** The user's token version (0 if never bumped). */
  getUserVersion(sub: string): Promise<number>

  /**
   * Denies one access token until `token.expiresAt` (its `exp`, ms) and appends a `token` event
   * (with the `sub`), atomically. The denylist entry expires at `expiresAt`, never earlier.
   *
   * A denial is keyed on `(sub, jti)`, never on the `jti` alone: it applies to that user's token
   * only ({@link AuthStore.getRevocationState} asks with the token's own `sub`), so a denial
   * naming another user's `jti` under one's own `sub` revokes nothing of theirs. The event is
   * appended only when the denylist changed (a new denial, or a later expiry than the one kept);
   * denying again with the same or an earlier expiry appends nothing.
   */
  denyToken(token: DeniedToken, now: number): Promise<void>

  /** Denylist, user version and session liveness in one round trip (the `strict` strategy). */
  getRevocationState(query: { sub: string; sid: string; jti: string }, now: number): Promise<RevocationState>

  /**
   * Reads the revocation feed in order. Entries may have been trimmed (see
   * {@link AuthStore.trimFeed}); a read that may have missed some says so with `gap`. With
   * `after: null` and nothing to answer, `cursor` is the end of the feed (see
   * {@link ReadFeedResult.cursor}), so a reader that has seen no entry yet still notices a lost feed.
   */
  readFeed(options: ReadFeedOptions): Promise<ReadFeedResult>

  /**
   * Drops feed entries with `at < before` (ms). Core calls it with `now - window`; a store need
   * not trim on its own, and must never drop an entry newer than `before`.
   */
  trimFeed(before: number): Promise<void>

  /** Releases connections and timers. The store is unusable afterwards. */
  close(): Promise<void>
}
