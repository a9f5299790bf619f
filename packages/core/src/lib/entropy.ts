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
 * Estimates the entropy of a byte string as its length times the empirical Shannon entropy per
 * byte. This is an upper bound for structured input (a repeated word, a short alphabet, a
 * sentence), which is what we want to refuse; 32 random bytes score about 155 bits, a 64-digit
 * hex string about 250, `"password"` repeated to 32 bytes about 88.
 *
 * @internal
 */
export function estimateEntropyBits(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0
  const counts = new Map<number, number>()
  for (const b of bytes) counts.set(b, (counts.get(b) ?? 0) + 1)
  let perSymbol = 0
  for (const count of counts.values()) {
    const p = count / bytes.length
    perSymbol -= p * Math.log2(p)
  }
  return perSymbol * bytes.length
}
