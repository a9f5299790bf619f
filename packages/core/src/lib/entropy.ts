/**
 * A conservative estimate of how guessable an HMAC secret is.
 *
 * @internal
 * @module
 */

/** The minimum secret length in bytes for HS256 (RFC 7518 §3.2: at least the hash size). */
export const MIN_HMAC_SECRET_BYTES = 32

/** The minimum estimated entropy, in bits, of an HMAC secret. */
export const MIN_HMAC_SECRET_BITS = 128

/**
 * Estimates the entropy of a byte string: the empirical Shannon entropy per byte of its shortest
 * repeating block, times that block's length. A string that repeats a block (`"password"` six
 * times, `"ab"` 64 times) counts only one block; any other string counts whole.
 *
 * It is a heuristic that refuses the obvious: short, low-variety and repeated secrets. 32 random
 * bytes score about 155 bits and a 64-digit random hex string about 250, while `"password"`
 * repeated to 48 bytes scores 22. It cannot recognise a sentence or a keyboard walk as guessable,
 * so secrets should come from a CSPRNG (`generateKey({ alg: 'HS256' })`).
 *
 * @internal
 */
export function estimateEntropyBits(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0
  const period = shortestPeriod(bytes)
  // Only a block that occurs at least twice counts as repetition (a random string often ends
  // with a few bytes it began with, which is no weakness).
  const block = period * 2 <= bytes.length ? bytes.subarray(0, period) : bytes
  const counts = new Map<number, number>()
  for (const b of block) counts.set(b, (counts.get(b) ?? 0) + 1)
  let perSymbol = 0
  for (const count of counts.values()) {
    const p = count / block.length
    perSymbol -= p * Math.log2(p)
  }
  return perSymbol * block.length
}

/** The shortest `p` such that `bytes[i] === bytes[i - p]` for every `i >= p` (KMP failure function). */
function shortestPeriod(bytes: Uint8Array): number {
  const n = bytes.length
  const failure = new Uint32Array(n)
  for (let i = 1, k = 0; i < n; i++) {
    while (k > 0 && bytes[i] !== bytes[k]) k = failure[k - 1]!
    if (bytes[i] === bytes[k]) k++
    failure[i] = k
  }
  return n - failure[n - 1]!
}
