/**
 * The `mirror` revocation strategy: a local, in-memory mirror of recent revocations, fed by the
 * store's revocation feed, so verification does no network I/O (docs/concepts.md#the-revocation-feed).
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
  /**
   * Told once when the mirror, having caught up before, can no longer be trusted (verification
   * falls back to the store): noticed by a verification or by the feed loop, whichever comes first.
   */
  onStale?: ((reason: 'feed_silent' | 'feed_gap', lastSyncAt: number, now: number) => void) | undefined
  /** Told once when the mirror is trusted again after `onStale`. */
  onFresh?: ((staleSince: number, now: number) => void) | undefined
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
  // Ended sessions and denied tokens are held per (user, id) — see `Scoped` — so an event naming
  // another user's `sid` or `jti` never revokes that user's tokens.
  readonly #endedSessions = new Map<string, Scoped>() // sid → (sub, drop at)
  readonly #userVersions = new Map<string, { ver: number; dropAt: number }>() // sub → minimum ver
  readonly #deniedTokens = new Map<string, Scoped>() // jti → (sub, drop at)
  readonly #options: RevocationMirrorOptions
  #cursor: string | null = null
  #epoch = 0
  #lastSyncAt = Number.NEGATIVE_INFINITY
  #distrustUntil = 0
  /** When `onStale` was told, until the mirror is fresh again. */
  #staleSince: number | undefined
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
    if (!this.isFresh(now)) {
      if (this.#staleSince === undefined) this.#noteStale(now)
      return 'stale'
    }
    const denied = find(this.#deniedTokens, jti, sub)
    if (denied !== undefined && denied.dropAt > now) return 'token_revoked'
    const user = this.#userVersions.get(sub)
    if (user !== undefined && ver < user.ver) return 'token_revoked'
    if (find(this.#endedSessions, sid, sub) !== undefined) return 'session_revoked'
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
      case 'session':
        put(this.#endedSessions, event.sid, event.sub, event.at + window)
        break
      case 'user': {
        const known = this.#userVersions.get(event.sub)
        this.#userVersions.delete(event.sub)
        this.#userVersions.set(event.sub, { ver: Math.max(event.ver, known?.ver ?? 0), dropAt: event.at + window })
        break
      }
      case 'token':
        // After exp (plus the tolerance) the verifier rejects the token anyway.
        put(this.#deniedTokens, event.jti, event.sub, event.expiresAt + this.#options.toleranceMs)
        break
    }
  }

  /** Tells `onStale`, once per episode; not before the first catch-up (nothing to trust yet). */
  #noteStale(now: number): void {
    if (this.#staleSince !== undefined || this.#lastSyncAt === Number.NEGATIVE_INFINITY) return
    this.#staleSince = now
    this.#options.onStale?.(now < this.#distrustUntil ? 'feed_gap' : 'feed_silent', this.#lastSyncAt, now)
  }

  /** Tells `onFresh` if `onStale` was told and the mirror is fresh at `now`. */
  #noteFresh(now: number): void {
    const since = this.#staleSince
    if (since === undefined || !this.isFresh(now)) return
    this.#staleSince = undefined
    this.#options.onFresh?.(since, now)
  }

  #expire(now: number): void {
    for (const [sid, entry] of this.#endedSessions) {
      if (latestDrop(entry) > now) break
      this.#endedSessions.delete(sid)
    }
    for (const [sub, entry] of this.#userVersions) {
      if (entry.dropAt > now) break
      this.#userVersions.delete(sub)
    }
    for (const [jti, entry] of this.#deniedTokens) {
      if (latestDrop(entry) > now) break
      this.#deniedTokens.delete(jti)
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
          this.#noteStale(startedAt)
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
        const now = clock()
        this.#noteFresh(now)
        this.#expire(now)
      } catch (error) {
        if (!this.#running) break
        this.#options.onError?.(error)
        // Without traffic no verification notices the mirror going stale: the loop does.
        const now = clock()
        if (!this.isFresh(now)) this.#noteStale(now)
        failures++
        const backoff = Math.min(2000, 50 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2)
        await new Promise((resolve) => setTimeout(resolve, backoff))
      }
    }
  }
}

/**
 * What is held of an id (a `sid` or a `jti`): the user it concerns and until when, plus, in the
 * rare case that events name the same id under other users (an attacker replaying a victim's
 * `sid`), those others in a short chain. Keyed on the id alone, a lookup hashes the token's own
 * string, which a composite `(sub, id)` key would rebuild and hash on every cold verification.
 */
interface Scoped {
  readonly sub: string
  dropAt: number
  readonly next: Scoped | undefined
}

/** The entry of `(sub, id)`, if held. */
function find(map: Map<string, Scoped>, id: string, sub: string): Scoped | undefined {
  if (map.size === 0) return undefined
  for (let node = map.get(id); node !== undefined; node = node.next) if (node.sub === sub) return node
  return undefined
}

/** Holds `(sub, id)` until `dropAt` (never shortened), moving the id to the end of the expiry order. */
function put(map: Map<string, Scoped>, id: string, sub: string, dropAt: number): void {
  let head = map.get(id)
  const held = head === undefined ? undefined : find(map, id, sub)
  if (held !== undefined) held.dropAt = Math.max(held.dropAt, dropAt)
  else head = { sub, dropAt, next: head }
  map.delete(id)
  map.set(id, head!)
}

/** When the last user's entry of a chain may go. */
function latestDrop(entry: Scoped): number {
  let latest = entry.dropAt
  for (let node = entry.next; node !== undefined; node = node.next) latest = Math.max(latest, node.dropAt)
  return latest
}
