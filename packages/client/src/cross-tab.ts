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
 * @internal
 * @module
 */
import type { Platform } from './platform.js'

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

/** @internal */
export interface CrossTabOptions {
  name: string
  platform: Platform
  now: () => number
  /** Longest a lease holder may keep it (ms). */
  leaseMs: number
  onRecord(record: SharedRecord, tokens: Tokens | undefined): void
  onAsk(): void
}

/** @internal */
export interface CrossTab {
  exclusive<T>(callback: () => Promise<T>): Promise<T>
  read(): SharedRecord | null
  publish(record: SharedRecord, tokens?: Tokens): void
  ask(): void
  close(): void
}

/**
 * How long a lease write is left to reach the other tabs before it is read back. In real Chromium
 * (5 tabs, 100 concurrent requests, a loaded 2-core machine) 30 ms let two tabs take the lease in
 * 1 of 140 trials; 100 ms in none of 100. Only browsers without Web Locks pay it.
 */
const LEASE_SETTLE_MS = 100
const LEASE_POLL_MS = 100
const CHANNEL_SETTLE_MS = 50

/** The JSON in `text`, or `null` (`JSON.parse(null)` is `null` too). */
function parseJson(text: string | null): unknown {
  try {
    return JSON.parse(text!)
  } catch {
    return null
  }
}

function parseRecord(text: string | null): SharedRecord | null {
  const record = parseJson(text) as SharedRecord | null
  return typeof record?.generation === 'number' ? record : null
}

/** @internal */
export function createCrossTab(options: CrossTabOptions): CrossTab {
  const { name, platform, now } = options
  const { storage, timers } = platform
  const leaseKey = `${name}:lease`
  const owner = `${now()}-${Math.random().toString(36).slice(2)}`
  let memory: SharedRecord | null = null
  let published = 0
  const channel = platform.channel?.(name) ?? null
  const cleanups: (() => void)[] = []

  const read = (): SharedRecord | null => {
    if (!storage) return memory
    try {
      return parseRecord(storage.getItem(name))
    } catch {
      return memory
    }
  }
  const remember = (record: SharedRecord) => {
    if (!memory || record.generation > memory.generation) memory = record
  }

  if (channel) {
    cleanups.push(
      channel.subscribe((data) => {
        const message = data as TabMessage | null
        if (message?.type === 'ask') options.onAsk()
        else if (message?.type === 'state' && typeof message.record?.generation === 'number') {
          remember(message.record)
          options.onRecord(message.record, message.tokens)
        }
      }),
    )
  }
  // Without a channel, the record's own `storage` events carry the news (never tokens).
  let leaseChanged: (() => void) | null = null
  if (storage) {
    cleanups.push(
      storage.subscribe((key) => {
        if (key === leaseKey || key === null) leaseChanged?.()
        if ((key === name || key === null) && !channel) {
          const record = read()
          if (record) options.onRecord(record, undefined)
        }
      }),
    )
  }

  /** Waits `ms`; with `wake`, a change of the lease ends the wait early. */
  const sleep = (ms: number, wake: boolean) =>
    new Promise<void>((resolve) => {
      const handle = timers.setTimeout(done, ms)
      function done() {
        timers.clearTimeout(handle)
        leaseChanged = null
        resolve()
      }
      if (wake) leaseChanged = done
    })

  async function withLease<T>(store: NonNullable<Platform['storage']>, callback: () => Promise<T>): Promise<T> {
    const holder = () => leaseOwner(store.getItem(leaseKey), now())
    for (;;) {
      const current = holder()
      if (current === null || current === owner) {
        store.setItem(leaseKey, JSON.stringify({ owner, until: now() + options.leaseMs }))
        // The whole moment, even when another tab's write arrives meanwhile: woken by an older
        // write, a tab whose own write is still in flight reads its own value back, and in real
        // Chromium four of five tabs took the lease within 3 ms that way (40 % of trials).
        await sleep(LEASE_SETTLE_MS, false)
        if (holder() === owner) break
      } else await sleep(LEASE_POLL_MS, true)
    }
    try {
      return await callback()
    } finally {
      if (holder() === owner) store.removeItem(leaseKey)
    }
  }

  return {
    read,
    exclusive<T>(callback: () => Promise<T>) {
      const { locks } = platform
      if (locks) {
        // The next holder learns of a refresh made here from the record and the channel, both of
        // which may land after the lock is granted (see the module header): after a publish, keep
        // the lock while they land, without making this tab's caller wait for it.
        return new Promise<T>((resolve, reject) => {
          locks.request(name, async () => {
            const before = published
            await callback().then(resolve, reject)
            if (published !== before) await new Promise<void>((done) => timers.setTimeout(done, CHANNEL_SETTLE_MS))
          }).catch(reject)
        })
      }
      if (storage) return withLease(storage, callback)
      return callback()
    },
    publish(record, tokens) {
      published++
      remember(record)
      try {
        storage?.setItem(name, JSON.stringify(record))
      } catch {
        // A full or blocked storage: the channel still carries the news.
      }
      channel?.postMessage(tokens ? { type: 'state', record, tokens } : { type: 'state', record })
    },
    ask: () => channel?.postMessage({ type: 'ask' }),
    close() {
      for (const cleanup of cleanups.splice(0)) cleanup()
      channel?.close()
    },
  }
}

/** The owner of the lease in `text` while it is valid, else `null`. */
function leaseOwner(text: string | null, now: number): string | null {
  const lease = parseJson(text) as { owner?: unknown; until?: unknown } | null
  return typeof lease?.owner === 'string' && typeof lease.until === 'number' && lease.until > now ? lease.owner : null
}
