/**
 * A bounded cache of successfully verified tokens.
 *
 * @module
 */

/** The flag bit of a slot: its token is in the cache. */
const CACHED = 1

/**
 * A bounded map from exact token string to the result of its successful verification. Only
 * successes go in: a failure is never cached. Entries leave at their expiry (checked on read).
 *
 * Keyed by the last 32 characters of the token (192 bits of its signature, random for any
 * authentic token), and a hit compares the whole token string. Hashing a string V8 has not seen
 * costs about 1.3 ns per character, so keying on the whole ~400-character token made every cold
 * verification pay ~0.5 µs for the lookup alone; a forged token that shares the key is a miss
 * and is verified in full.
 *
 * One table of 32-bit slots, four to a bucket (one bucket per token, chosen by its last six
 * characters), holds a fingerprint of every recently seen authentic token and a flag telling
 * whether it is cached, so a cold token costs one memory access for both questions below.
 *
 * - Lookup: a token whose slot is not flagged is a miss without touching the maps (nearly every
 *   cold token). A cached token's slot is never evicted, so a cached token is always found (but
 *   for two tokens of one bucket and fingerprint, about 2^-30, which heals on the next check).
 * - Admission: a token is cached from its second successful verification on, when its fingerprint
 *   is already in its bucket. A first sighting is mistaken for a second only when its fingerprint
 *   matches (about 2^-30); a second sighting is missed (then caught on a later one) only when four
 *   other tokens took its bucket in between. A stream of one-off tokens therefore builds no
 *   entries, so it allocates nothing that outlives the request (an earlier bit set admitted ~4%
 *   of them, and the entries they built cost more than all the lookups).
 *
 * Bounded with two generations of at most `maxEntries / 2` each: when the young one fills up it
 * becomes the old one and the previous old one is dropped whole (its flags cleared). That keeps
 * insertion O(1); deleting the oldest key of one large `Map` instead makes V8 scan the tombstones
 * at its front, which measured 7 µs per insertion at 10 000 entries. A hit in the old generation
 * moves the entry to the young one, so tokens in use stay cached.
 *
 * @internal
 */
export class VerifiedTokenCache<TEntry extends { readonly expiresAt: number; readonly token: string }> {
  #young = new Map<string, TEntry>()
  #old = new Map<string, TEntry>()
  readonly #generationSize: number
  /** Four slots per bucket: a fingerprint (bit 1 always set, so never 0) | CACHED; 0 = empty. */
  readonly #slots: Uint32Array
  /** Buckets − 1. */
  readonly #bucketMask: number
  /** Where a full bucket's round-robin replacement starts. */
  #victim = 0

  constructor(maxEntries: number) {
    this.#generationSize = Math.max(1, Math.floor(maxEntries / 2))
    // One or two buckets per entry (16 bytes each): 256 KiB at 10 000 entries.
    const buckets = 2 ** Math.min(22, Math.max(4, Math.ceil(Math.log2(maxEntries))))
    this.#slots = new Uint32Array(buckets * 4)
    this.#bucketMask = buckets - 1
  }

  /** The first slot of `token`'s bucket. */
  #bucketOf(token: string): number {
    return (hashTail(token, 0) & this.#bucketMask) << 2
  }

  /** The slot holding `fingerprint` in the bucket at `base`, or -1. */
  #find(base: number, fingerprint: number): number {
    const slots = this.#slots
    for (let slot = base; slot < base + 4; slot++) if ((slots[slot]! & ~CACHED) === fingerprint) return slot
    return -1
  }

  /**
   * Writes `fingerprint` into the bucket at `base`: an empty slot first, then round-robin over the
   * slots of tokens not cached, so tokens that share a bucket do not evict each other in lockstep.
   * Returns the slot, or -1 when four cached tokens hold the bucket.
   */
  #record(base: number, fingerprint: number): number {
    const slots = this.#slots
    for (let slot = base; slot < base + 4; slot++) {
      if (slots[slot] === 0) {
        slots[slot] = fingerprint
        return slot
      }
    }
    const start = this.#victim++
    for (let i = 0; i < 4; i++) {
      const slot = base + ((start + i) & 3)
      if ((slots[slot]! & CACHED) === 0) {
        slots[slot] = fingerprint
        return slot
      }
    }
    return -1
  }

  /** Clears the cached flag of `token` (its fingerprint stays, as a sighting). */
  #unflag(token: string): void {
    const slot = this.#find(this.#bucketOf(token), fingerprintOf(token))
    if (slot >= 0) this.#slots[slot]! &= ~CACHED
  }

  /** The entry for `token` if it is still before its `expiresAt` at `now` (seconds). */
  get(token: string, now: number): TEntry | undefined {
    const slots = this.#slots
    const base = this.#bucketOf(token)
    // Most cold tokens: nothing cached in the bucket at all.
    if (((slots[base]! | slots[base + 1]! | slots[base + 2]! | slots[base + 3]!) & CACHED) === 0) return undefined
    const slot = this.#find(base, fingerprintOf(token))
    if (slot < 0 || (slots[slot]! & CACHED) === 0) return undefined
    const key = keyOf(token)
    let entry = this.#young.get(key)
    if (entry === undefined) {
      entry = this.#old.get(key)
      if (entry === undefined || entry.token !== token) return undefined
      this.#old.delete(key)
      if (entry.expiresAt <= now) {
        slots[slot]! &= ~CACHED
        return undefined
      }
      this.#insert(key, slot, entry)
    } else if (entry.token !== token) {
      return undefined
    }
    if (entry.expiresAt <= now) {
      this.#young.delete(key)
      slots[slot]! &= ~CACHED
      return undefined
    }
    return entry
  }

  /**
   * Records a successful verification of `token` and tells whether to cache it now: `true` from
   * its second sighting on. The caller then builds the entry and calls {@link set}, so a token
   * seen once costs no entry at all.
   */
  admit(token: string): boolean {
    const base = this.#bucketOf(token)
    const fingerprint = fingerprintOf(token)
    if (this.#find(base, fingerprint) >= 0) return true
    this.#record(base, fingerprint)
    return false
  }

  /**
   * Caches `entry` for `token` (valid until `entry.expiresAt`, seconds). Rarely, when four
   * cached tokens already hold its bucket, the token is not cached.
   */
  set(token: string, entry: TEntry): void {
    const base = this.#bucketOf(token)
    const fingerprint = fingerprintOf(token)
    let slot = this.#find(base, fingerprint)
    if (slot < 0) slot = this.#record(base, fingerprint)
    if (slot < 0) return
    const key = keyOf(token)
    this.#old.delete(key)
    this.#insert(key, slot, entry)
  }

  #insert(key: string, slot: number, entry: TEntry): void {
    if (this.#young.size >= this.#generationSize) {
      const dropped = this.#old
      this.#old = this.#young
      this.#young = new Map()
      // Amortized O(1) per insertion: each entry is unflagged once, when its generation goes.
      for (const gone of dropped.values()) this.#unflag(gone.token)
    }
    this.#young.set(key, entry)
    this.#slots[slot]! |= CACHED
  }

  /** Drops every entry and every sighting. */
  clear(): void {
    this.#young.clear()
    this.#old.clear()
    this.#slots.fill(0)
  }

  /** The number of entries held (expired ones included until they are read or dropped). */
  get size(): number {
    return this.#young.size + this.#old.size
  }
}

/** A token's fingerprint: a hash of the six characters before its last six, with bit 1 set (never 0), bit 0 clear. */
function fingerprintOf(token: string): number {
  return (hashTail(token, 6) | 2) & ~CACHED
}

/**
 * A hash of six characters of a token, ending `back` characters before its end. The tail of an
 * authentic token is its signature, random to whoever does not hold the key.
 *
 * @internal Exported for tests.
 */
export function hashTail(token: string, back: number): number {
  const end = token.length - back
  // FNV-1a over the characters, then a final avalanche (from MurmurHash3's finalizer), so every
  // output bit depends on all six: the base64url alphabet's character codes share many low bits.
  let hash = 0x811c9dc5
  for (let i = Math.max(0, end - 6); i < end; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193)
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b)
  return hash ^ (hash >>> 13)
}

/** The map key of a token: its last 32 characters (the tail of its signature). */
function keyOf(token: string): string {
  return token.length > 32 ? token.slice(-32) : token
}
