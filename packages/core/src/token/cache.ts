/**
 * A bounded cache of successfully verified tokens.
 *
 * @module
 */

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
 * Admission: a token is cached from its second successful verification on. A table of 32-bit
 * fingerprints in buckets of four remembers recently seen authentic tokens; a first sighting is
 * mistaken for a second only when its fingerprint matches one in its bucket (about 2^-29), and a
 * second sighting is missed (then caught on a later one) only when four other tokens took its
 * bucket in between. A stream of one-off tokens therefore builds no entries at all, so it
 * allocates nothing that outlives the request (an earlier bit set admitted ~4% of them, and the
 * entries they built cost more than every lookup together).
 *
 * Bounded with two generations of at most `maxEntries / 2` each: when the young one fills up it
 * becomes the old one and the previous old one is dropped whole. That keeps insertion O(1);
 * deleting the oldest key of one large `Map` instead makes V8 scan the tombstones at its front,
 * which measured 7 µs per insertion at 10 000 entries. A hit in the old generation moves the
 * entry to the young one, so tokens in use stay cached.
 *
 * @internal
 */
export class VerifiedTokenCache<TEntry extends { readonly expiresAt: number; readonly token: string }> {
  #young = new Map<string, TEntry>()
  #old = new Map<string, TEntry>()
  readonly #generationSize: number
  /** Fingerprints of recently seen authentic tokens, four per bucket; 0 = empty. */
  readonly #seen: Uint32Array
  /** Buckets − 1. */
  readonly #bucketMask: number
  /** Picks the way a new fingerprint replaces in a full bucket. */
  #victim = 0
  /** A bit for every cached entry (young and old), so most misses cost one bit test. */
  readonly #present: Uint32Array
  readonly #mask: number

  constructor(maxEntries: number) {
    this.#generationSize = Math.max(1, Math.floor(maxEntries / 2))
    // About 32 bits per entry, so a miss is one bit test ~97% of the time: 64 KiB at 10 000
    // entries. The fingerprint table has 4 to 8 slots per entry: 256 KiB at 10 000 entries.
    const bits = 2 ** Math.min(28, Math.max(10, Math.ceil(Math.log2(maxEntries * 32))))
    this.#present = new Uint32Array(bits >>> 5)
    this.#mask = bits - 1
    const buckets = 2 ** Math.min(22, Math.max(6, Math.ceil(Math.log2(maxEntries))))
    this.#seen = new Uint32Array(buckets * 4)
    this.#bucketMask = buckets - 1
  }

  /** A table index from the last six characters of a token. */
  #indexOf(token: string): number {
    return hashTail(token, 0) & this.#mask
  }

  /** Records a sighting of an authentic token and tells whether it was seen before. */
  #seenBefore(token: string): boolean {
    const seen = this.#seen
    const base = (hashTail(token, 0) & this.#bucketMask) << 2
    // The six characters before: independent of the bucket. Never 0, which marks an empty slot.
    const fingerprint = (hashTail(token, 6) | 1) >>> 0
    if (seen[base] === fingerprint || seen[base + 1] === fingerprint) return true
    if (seen[base + 2] === fingerprint || seen[base + 3] === fingerprint) return true
    // An empty slot first; in a full bucket, round-robin, so tokens that share a bucket do not
    // evict each other in lockstep.
    let slot = base
    while (slot < base + 4 && seen[slot] !== 0) slot++
    seen[slot < base + 4 ? slot : base + (this.#victim++ & 3)] = fingerprint
    return false
  }

  /** The entry for `token` if it is still before its `expiresAt` at `now` (seconds). */
  get(token: string, now: number): TEntry | undefined {
    const index = this.#indexOf(token)
    if ((this.#present[index >>> 5]! & (1 << (index & 31))) === 0) return undefined
    const key = keyOf(token)
    let entry = this.#young.get(key)
    if (entry === undefined) {
      entry = this.#old.get(key)
      if (entry === undefined || entry.token !== token) return undefined
      this.#old.delete(key)
      if (entry.expiresAt > now) this.#insert(key, index, entry)
    } else if (entry.token !== token) {
      return undefined
    }
    if (entry.expiresAt <= now) {
      this.#young.delete(key)
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
    return this.#seenBefore(token)
  }

  /** Caches `entry` for `token` (valid until `entry.expiresAt`, seconds). */
  set(token: string, entry: TEntry): void {
    this.#insert(keyOf(token), this.#indexOf(token), entry)
  }

  #insert(key: string, index: number, entry: TEntry): void {
    if (this.#young.size >= this.#generationSize) {
      this.#old = this.#young
      this.#young = new Map()
      // The dropped generation's bits go: rebuild from the survivors (amortized O(1) per insert).
      this.#present.fill(0)
      for (const survivor of this.#old.values()) this.#mark(this.#indexOf(survivor.token))
    }
    this.#young.set(key, entry)
    this.#mark(index)
  }

  #mark(index: number): void {
    this.#present[index >>> 5]! |= 1 << (index & 31)
  }

  /** Drops every entry. */
  clear(): void {
    this.#young.clear()
    this.#old.clear()
    this.#present.fill(0)
    this.#seen.fill(0)
  }

  /** The number of entries held (expired ones included until they are read or dropped). */
  get size(): number {
    return this.#young.size + this.#old.size
  }
}

/**
 * A hash of six characters of a token, ending `back` characters before its end. The tail of an
 * authentic token is its signature, random to whoever does not hold the key.
 */
function hashTail(token: string, back: number): number {
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
