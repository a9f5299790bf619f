/**
 * What the tabs of one origin share: one lock around the refresh call, one **shared record**
 * (generation, expiry, user, and whether the session ended; never a token), and messages.
 *
 * | platform has | lock | record read inside the lock | news to the other tabs |
 * |---|---|---|---|
 * | Web Locks + BroadcastChannel + localStorage | `navigator.locks` | localStorage | channel (bearer tokens too) |
 * | no Web Locks | a localStorage lease | localStorage | channel, or `storage` events |
 * | no localStorage | Web Locks, if any | this tab's copy, kept current by the channel | channel |
 * | none of them | none: one tab | this tab's copy | none |
 *
 * The check-after-lock is the reason for the record: a tab that waited for the lock reads the
 * generation first, and skips its own call when another tab already rotated the token. The record
 * lives in localStorage, written before the lock is released, because a channel message may
 * arrive after the next tab got the lock.
 *
 * A lock holder keeps the lock a moment after its refresh so that its record and its message land
 * before the next tab reads: in Chromium each tab's localStorage is a copy that another tab's
 * write reaches asynchronously, and the lock can be granted first (measured in real Chromium: with
 * 10 bearer tabs, about one trial in 30 refreshed twice with the old token, a reuse). Without
 * localStorage the record is this tab's copy, kept current by the channel alone. That narrows the
 * race, it cannot close it.
 *
 * The lease: write `{ owner, until }` when the lease is free or expired, wait a moment, read it
 * back; whoever's write stayed holds it. Two tabs writing within that moment is the rare race
 * it cannot exclude; the shared generation then still stops the second call in most cases.
 *
 * The lock, the record and the messages live in the client's closure (`create-auth-client.ts`,
 * for size: see its header); this module holds their types and the parsing of what the tabs write.
 *
 * @internal
 * @module
 */
/** @internal Everything the tabs share about the session; no tokens. */
export interface SharedRecord {
  /** Bumped by every change: a refresh, a login, a logout. */
  generation: number
  expiresAt: number | null
  lifetimeMs: number | null
  sessionId: string | null
  user: string | null
  /** Why the session ended (`logout`, `session_expired`…), or `null` while it lives. */
  ended: string | null
}

/** @internal Bearer tokens, only ever sent over the channel. */
export interface Tokens {
  accessToken: string
  refreshToken: string
}

/** @internal A message between tabs. */
export type TabMessage = { type: 'state'; record: SharedRecord; tokens?: Tokens } | { type: 'ask' }

/**
 * @internal How long a lease write is left to reach the other tabs before it is read back. In
 * real Chromium (5 tabs, 100 concurrent requests, a loaded 2-core machine) 30 ms let two tabs
 * take the lease in 1 of 140 trials; 100 ms in none of 100. Only browsers without Web Locks pay
 * it. It is also the poll interval of a tab waiting for a lease held by another.
 */
export const LEASE_SETTLE_MS = 100
/** @internal How long a lock holder keeps the Web Lock after a refresh that published. */
export const CHANNEL_SETTLE_MS = 50
