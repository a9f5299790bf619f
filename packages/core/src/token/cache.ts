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
 * One table of 32-bit slots, four to a bucket (one bucket per token, chosen by its last six
 * characters, the tail of its signature: random for any authentic token), holds a fingerprint of
 * every recently seen authentic token and a flag telling whether it is cached; a cached token's
 * entry sits in an array at the same slot. So a lookup hashes twelve characters and reads one
 * bucket, and a hit compares the whole token string: no `Map`, whose lookup would hash the
 * token (hashing a string V8 has not seen costs about 1.3 ns per character).
 *
 * - Lookup: a token whose slot is not flagged is a miss at once (nearly every cold token). A
 *   cached token's slot is never given to another token, so a cached token is always found (but
 *   for two tokens of one bucket and fingerprint, about 2^-30, where the later one replaces the
 *   earlier one's entry).
 * - Admission: a token is cached from its second successful verification on, when its fingerprint
 *   is already in its bucket. A first sighting is mistaken for a second only when its fingerprint
 *   matches (about 2^-30); a second sighting is missed (then caught on a later one) only when four
 *   other tokens took its bucket in between. A stream of one-off tokens therefore builds no
 *   entries, so it allocates nothing that outlives the request (an earlier bit set admitted ~4%
 *   of them, and the entries they built cost more than all the lookups).
 *
 * Bounded with two generations of at most `maxEntries / 2` entries each: when the young one fills
 * up it becomes the old one, and the entries of the previous old one that were not used since are
 * dropped. A hit in the old generation moves the entry to the young one, so tokens in use stay
 * cached. Each insertion does O(1) work, amortized.
 *
 * @internal
 */
export class VerifiedTokenCache<TEntry extends { readonly expiresAt: number; readonly token: string }> {
  readonly #generationSize: number
  /** Four slots per bucket: a fingerprint (bit 1 always set, so never 0) | CACHED; 0 = empty. */
  readonly #slots: Uint32Array
  /** The entry of each slot flagged CACHED. */
  readonly #entries: Array<TEntry | undefined>
  /** The generation (mod 256) each cached entry was last inserted or used in. */
  readonly #generationOf: Uint8Array
  /** Buckets − 1. */
  readonly #bucketMask: number
  /** Where a full bucket's round-robin replacement starts. */
  #victim = 0
  #generation = 0
  /** Slots inserted or moved into the current generation (a slot may repeat). */
  #young: number[] = []
  /** The same for the previous generation. */
  #old: number[] = []
  #size = 0

  constructor(maxEntries: number) {
    this.#generationSize = Math.max(1, Math.floor(maxEntries / 2))
    // One or two buckets per entry: 4 to 8 slots per entry, 9 bytes and a pointer each.
    const buckets = 2 ** Math.min(22, Math.max(4, Math.ceil(Math.log2(maxEntries))))
    this.#slots = new Uint32Array(buckets * 4)
    this.#entries = new Array<TEntry | undefined>(buckets * 4).fill(undefined)
    this.#generationOf = new Uint8Array(buckets * 4)
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

  /** Drops the entry at `slot` (its fingerprint stays, as a sighting). */
  #remove(slot: number): void {
    this.#entries[slot] = undefined
    this.#slots[slot]! &= ~CACHED
    this.#size--
  }

  /** Puts `slot` in the current generation, first moving on a generation if it is full. */
  #touch(slot: number): void {
    // Marked current first, so a move below does not drop this very entry with the old generation.
    this.#generationOf[slot] = this.#generation
    if (this.#young.length >= this.#generationSize) {
      // The old generation goes: its entries not used since (still of that generation) leave.
      const dropped = (this.#generation - 1) & 0xff
      for (const old of this.#old) {
        if ((this.#slots[old]! & CACHED) !== 0 && this.#generationOf[old] === dropped) this.#remove(old)
      }
      this.#old = this.#young
      this.#young = []
      this.#generation = (this.#generation + 1) & 0xff
    }
    this.#generationOf[slot] = this.#generation
    this.#young.push(slot)
  }

  /** The entry for `token` if it is still before its `expiresAt` at `now` (seconds). */
  get(token: string, now: number): TEntry | undefined {
    const slots = this.#slots
    const base = this.#bucketOf(token)
    // Most cold tokens: nothing cached in the bucket at all.
    if (((slots[base]! | slots[base + 1]! | slots[base + 2]! | slots[base + 3]!) & CACHED) === 0) return undefined
    const slot = this.#find(base, fingerprintOf(token))
    if (slot < 0 || (slots[slot]! & CACHED) === 0) return undefined
    const entry = this.#entries[slot]!
    if (entry.token !== token) return undefined
    if (entry.expiresAt <= now) {
      this.#remove(slot)
      return undefined
    }
    if (this.#generationOf[slot] !== this.#generation) this.#touch(slot)
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
    if ((this.#slots[slot]! & CACHED) === 0) {
      this.#slots[slot]! |= CACHED
      this.#size++
      this.#touch(slot)
    } else if (this.#generationOf[slot] !== this.#generation) {
      this.#touch(slot)
    }
    this.#entries[slot] = entry
  }

  /** Drops every entry and every sighting. */
  clear(): void {
    this.#slots.fill(0)
    this.#entries.fill(undefined)
    this.#young = []
    this.#old = []
    this.#size = 0
  }

  /** The number of entries held (expired ones included until they are read or dropped). */
  get size(): number {
    return this.#size
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
