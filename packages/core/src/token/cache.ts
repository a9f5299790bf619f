/**
 * A bounded cache of successfully verified tokens.
 *
 * @module
 */

/**
 * A bounded map from exact token string to the result of its successful verification. Only
 * successes go in: a failure is never cached. Entries leave at their expiry (checked on read).
 *
 * Bounded with two generations of at most `maxEntries / 2` each: when the young one fills up it
 * becomes the old one and the previous old one is dropped whole. That keeps insertion O(1);
 * deleting the oldest key of one large `Map` instead makes V8 scan the tombstones at its front,
 * which measured 7 µs per insertion at 10 000 entries. A hit in the old generation moves the
 * entry to the young one, so tokens in use stay cached.
 *
 * @internal
 */
export class VerifiedTokenCache<TEntry extends { readonly expiresAt: number }> {
  #young = new Map<string, TEntry>()
  #old = new Map<string, TEntry>()
  readonly #generationSize: number
  #seenYoung: Uint32Array
  #seenOld: Uint32Array
  #seenCount = 0
  readonly #seenMask: number

  constructor(maxEntries: number) {
    this.#generationSize = Math.max(1, Math.floor(maxEntries / 2))
    // Bit sets with about 32 bits per entry, so a first sighting collides with an earlier one
    // (and is cached early, which is harmless) about 3% of the time: 40 KiB each at 10 000 entries.
    const bits = 2 ** Math.min(28, Math.max(10, Math.ceil(Math.log2(maxEntries * 32))))
    this.#seenYoung = new Uint32Array(bits >>> 5)
    this.#seenOld = new Uint32Array(bits >>> 5)
    this.#seenMask = bits - 1
  }

  /**
   * Records a sighting of an authentic token and tells whether it was seen before. `at` is an
   * offset into the token's signature, whose characters index the flag table.
   */
  #seenBefore(token: string, at: number): boolean {
    const end = token.length
    let index = 0
    for (let i = Math.max(at, end - 6); i < end; i++) index = (index * 64 + token.charCodeAt(i)) | 0
    index = (index ^ (index >>> 15)) & this.#seenMask
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
    let entry = this.#young.get(token)
    if (entry === undefined) {
      entry = this.#old.get(token)
      if (entry === undefined) return undefined
      this.#old.delete(token)
      if (entry.expiresAt > now) this.#insert(token, entry)
    }
    if (entry.expiresAt <= now) {
      this.#young.delete(token)
      return undefined
    }
    return entry
  }

  /**
   * Offers `entry` for `token` (valid until `entry.expiresAt`, seconds); it is cached if the token
   * was seen before, after `onAdmit` ran on it. `signatureStart` is where the token's signature
   * segment begins.
   */
  offer(token: string, signatureStart: number, entry: TEntry, onAdmit?: (entry: TEntry) => void): void {
    if (this.#seenBefore(token, signatureStart)) {
      onAdmit?.(entry)
      this.#insert(token, entry)
    }
  }

  #insert(token: string, entry: TEntry): void {
    if (this.#young.size >= this.#generationSize) {
      this.#old = this.#young
      this.#young = new Map()
    }
    this.#young.set(token, entry)
  }

  /** Drops every entry. */
  clear(): void {
    this.#young.clear()
    this.#old.clear()
  }

  /** The number of entries held (expired ones included until they are read or dropped). */
  get size(): number {
    return this.#young.size + this.#old.size
  }
}
