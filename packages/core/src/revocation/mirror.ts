/**
 * The `mirror` revocation strategy: a local, in-memory mirror of recent revocations, fed by the
 * store's revocation feed, so verification does no network I/O (DESIGN §1).
 *
 * Only recent revocations matter: one older than the revocation window (the longest access-token
 * lifetime plus the clock tolerance) only concerns tokens that have expired anyway. So the mirror
 * holds at most one window of events, its memory grows with the revocations in that window (not
 * with users or tokens), and a process that was disconnected rebuilds it by replaying the window.
 *
 * @module
 */
import type { AuthStore, RevocationEvent } from '../store.js'

/** Options of a {@link RevocationMirror}. */
export interface RevocationMirrorOptions {
  /** The store whose feed to tail. */
  store: AuthStore
  /** The revocation window in ms: the longest access-token lifetime plus the clock tolerance. */
  windowMs: number
  /** The verifier's clock tolerance in ms: a denied token matters until its `exp` plus this. */
  toleranceMs: number
  /** The mirror is trusted only if it heard from the feed within this many ms. */
  stalenessMs: number
  /** How long one blocking feed read waits, in ms; must be well under `stalenessMs`. */
  blockMs: number
  /** Milliseconds since the epoch. */
  clock: () => number
  /** Told about feed read failures (the mirror keeps retrying with backoff). */
  onError?: ((error: unknown) => void) | undefined
}

/** What the mirror says about a token. */
export type MirrorVerdict = 'ok' | 'token_revoked' | 'session_revoked' | 'stale'

/**
 * A local mirror of the revocation feed.
 *
 * @internal Created by `createAuth` with `revocation: 'mirror'`.
 */
export class RevocationMirror {
  // Each map is in insertion order, which is event-time order, so expiry pops from the front.
  // Sessions and denials are keyed on the user too (see `scoped`): an event naming another user's
  // `sid` or `jti` must never revoke that user's tokens.
  readonly #endedSessions = new Map<string, number>() // scoped(sub, sid) → drop at
  readonly #userVersions = new Map<string, { ver: number; dropAt: number }>() // sub → minimum ver
  readonly #deniedTokens = new Map<string, number>() // scoped(sub, jti) → drop at
  readonly #options: RevocationMirrorOptions
  #cursor: string | null = null
  #epoch = 0
  #lastSyncAt = Number.NEGATIVE_INFINITY
  #distrustUntil = 0
  #running = false
  #abort = new AbortController()
  #loop: Promise<void> | undefined
  #caughtUp: Promise<void>
  #resolveCaughtUp!: () => void

  constructor(options: RevocationMirrorOptions) {
    this.#options = options
    this.#caughtUp = new Promise((resolve) => {
      this.#resolveCaughtUp = resolve
    })
  }

  /** Starts tailing the feed: replays the window, then follows with blocking reads. */
  start(): void {
    if (this.#running) return
    this.#running = true
    this.#loop = this.#run()
  }

  /** Resolves once the initial replay is done (or immediately if it already is). */
  ready(): Promise<void> {
    return this.#caughtUp
  }

  /** Stops tailing. */
  async stop(): Promise<void> {
    this.#running = false
    this.#abort.abort()
    await this.#loop
  }

  /** Whether the mirror may be trusted at `now`: recently synced and not distrusting a lost feed. */
  isFresh(now: number): boolean {
    return now - this.#lastSyncAt <= this.#options.stalenessMs && now >= this.#distrustUntil
  }

  /**
   * A number that changes whenever a revocation is applied, or `NaN` while the mirror is stale:
   * a warm token checked OK in the current epoch is still OK.
   */
  epoch(now: number): number {
    return now - this.#lastSyncAt <= this.#options.stalenessMs && now >= this.#distrustUntil ? this.#epoch : Number.NaN
  }

  /** The verdict on a token's revocation claims, with no I/O. */
  check(sub: string, sid: string, jti: string, ver: number, now: number): MirrorVerdict {
    if (!this.isFresh(now)) return 'stale'
    // (The size checks spare building a key while a map is empty, the common case.)
    const deniedUntil = this.#deniedTokens.size === 0 ? undefined : this.#deniedTokens.get(scoped(sub, jti))
    if (deniedUntil !== undefined && deniedUntil > now) return 'token_revoked'
    const user = this.#userVersions.get(sub)
    if (user !== undefined && ver < user.ver) return 'token_revoked'
    if (this.#endedSessions.size !== 0 && this.#endedSessions.has(scoped(sub, sid))) return 'session_revoked'
    return 'ok'
  }

  /** Entries held, for diagnostics and the memory benchmark. */
  get size(): number {
    return this.#endedSessions.size + this.#userVersions.size + this.#deniedTokens.size
  }

  /** Applies one event (also used to apply this process's own revocations without waiting for the feed). */
  apply(event: RevocationEvent): void {
    const window = this.#options.windowMs
    this.#epoch++
    switch (event.type) {
      case 'session': {
        const key = scoped(event.sub, event.sid)
        this.#endedSessions.delete(key)
        this.#endedSessions.set(key, event.at + window)
        break
      }
      case 'user': {
        const known = this.#userVersions.get(event.sub)
        this.#userVersions.delete(event.sub)
        this.#userVersions.set(event.sub, { ver: Math.max(event.ver, known?.ver ?? 0), dropAt: event.at + window })
        break
      }
      case 'token': {
        // After exp (plus the tolerance) the verifier rejects the token anyway.
        const key = scoped(event.sub, event.jti)
        this.#deniedTokens.delete(key)
        this.#deniedTokens.set(key, event.expiresAt + this.#options.toleranceMs)
        break
      }
    }
  }

  #expire(now: number): void {
    for (const [key, dropAt] of this.#endedSessions) {
      if (dropAt > now) break
      this.#endedSessions.delete(key)
    }
    for (const [sub, entry] of this.#userVersions) {
      if (entry.dropAt > now) break
      this.#userVersions.delete(sub)
    }
    for (const [key, dropAt] of this.#deniedTokens) {
      if (dropAt > now) break
      this.#deniedTokens.delete(key)
    }
  }

  async #run(): Promise<void> {
    const { store, windowMs, blockMs, clock } = this.#options
    let failures = 0
    let replaying = true
    while (this.#running) {
      const startedAt = clock()
      try {
        const result = await store.readFeed({
          after: this.#cursor,
          ...(this.#cursor === null ? { since: startedAt - windowMs } : {}),
          blockMs: replaying ? 0 : blockMs,
          limit: 1000,
          signal: this.#abort.signal,
        })
        if (!this.#running) break
        for (const entry of result.entries) this.apply(entry.event)
        if (result.gap) {
          // Entries may be missing (trimmed past our cursor, or the feed was lost): fall back to
          // `strict` for one window rather than trust what we have, and replay the window (once:
          // a gap reported on the replay itself is accepted, so a feed trimmed by another
          // process's clock cannot make this loop spin).
          this.#distrustUntil = startedAt + windowMs
          if (this.#cursor !== null) {
            this.#cursor = null
            replaying = true
            continue
          }
        }
        this.#cursor = result.cursor
        failures = 0
        if (result.entries.length < 1000) {
          // Everything appended before this read started is now applied.
          this.#lastSyncAt = startedAt
          if (replaying) {
            replaying = false
            this.#resolveCaughtUp()
          }
        }
        this.#expire(clock())
      } catch (error) {
        if (!this.#running) break
        this.#options.onError?.(error)
        failures++
        const backoff = Math.min(2000, 50 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2)
        await new Promise((resolve) => setTimeout(resolve, backoff))
      }
    }
  }
}

/** One key per (user, id) pair: the length prefix makes it unambiguous whatever the strings hold. */
function scoped(sub: string, id: string): string {
  return `${sub.length}:${sub}${id}`
}
