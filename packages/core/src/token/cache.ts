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
  #seenYoung: Uint32Array
  #seenOld: Uint32Array
  #seenCount = 0
  /** A bit for every cached entry (young and old), so most misses cost one bit test. */
  readonly #present: Uint32Array
  readonly #mask: number

  constructor(maxEntries: number) {
    this.#generationSize = Math.max(1, Math.floor(maxEntries / 2))
    // Bit sets with about 32 bits per entry, so a first sighting collides with an earlier one
    // (and is cached early, which is harmless) about 3% of the time: 64 KiB each at 10 000 entries.
    const bits = 2 ** Math.min(28, Math.max(10, Math.ceil(Math.log2(maxEntries * 32))))
    this.#seenYoung = new Uint32Array(bits >>> 5)
    this.#seenOld = new Uint32Array(bits >>> 5)
    this.#present = new Uint32Array(bits >>> 5)
    this.#mask = bits - 1
  }

  /** A table index from the last six characters of a token (random for an authentic one). */
  #indexOf(token: string): number {
    const end = token.length
    let index = 0
    for (let i = Math.max(0, end - 6); i < end; i++) index = (index * 64 + token.charCodeAt(i)) | 0
    return (index ^ (index >>> 15)) & this.#mask
  }

  /** Records a sighting of an authentic token and tells whether it was seen before. */
  #seenBefore(index: number): boolean {
    const word = index >>> 5
    const bit = 1 << (index & 31)
    if ((this.#seenYoung[word]! & bit) !== 0 || (this.#seenOld[word]! & bit) !== 0) return true
    this.#seenYoung[word]! |= bit
    if (++this.#seenCount >= this.#generationSize * 2) {
      const cleared = this.#seenOld.fill(0)
      this.#seenOld = this.#seenYoung
      this.#seenYoung = cleared
      this.#seenCount = 0
    }
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
    return this.#seenBefore(this.#indexOf(token))
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
  }

  /** The number of entries held (expired ones included until they are read or dropped). */
  get size(): number {
    return this.#young.size + this.#old.size
  }
}

/** The map key of a token: its last 32 characters (the tail of its signature). */
function keyOf(token: string): string {
  return token.length > 32 ? token.slice(-32) : token
}
