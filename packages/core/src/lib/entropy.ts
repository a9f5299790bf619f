/**
 * How an HMAC secret is judged: by its form first (random bytes, or the base64, base64url or hex
 * text of random bytes; plain text is refused), then by a conservative entropy estimate of the
 * bytes, which catches repetition and low variety.
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
 * It is a heuristic that refuses the obvious: short, low-variety and repeated byte strings. 32
 * random bytes score about 155 bits, while `"password"` repeated to 48 bytes scores 22. It cannot
 * recognise a sentence or a keyboard walk as guessable (a phrase of 32 distinct characters scores
 * 160 bits), which is why {@link findSecretProblem} judges the form of a secret first and runs
 * this estimate only on the bytes a random-looking encoding decodes to.
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

// A decoder that refuses invalid UTF-8, to tell text given as bytes from random bytes.
const UTF8 = new TextDecoder('utf-8', { fatal: true })
// C0 controls other than tab, line feed and carriage return; DEL; C1 controls.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/

/**
 * Why `secret` is refused as an HMAC key, as the end of a sentence (`"… refused: <problem>"`), or
 * `undefined` when it is accepted. The rule, in order:
 *
 * - bytes: at least 32. Bytes that read as text (valid UTF-8 without control characters: 32
 *   random bytes do so with a probability far below 10^-9) are judged as that text, so
 *   `new TextEncoder().encode('my secret phrase')` is refused like the string;
 * - text: one unbroken base64, base64url or hex string (no whitespace) that decodes to at least
 *   32 bytes. Plain text (phrases, passwords, words joined by dashes) is refused whatever its
 *   length. Random base64 of 32 bytes mixes upper- and lower-case letters and random hex mixes
 *   digits and letters (each fails with probability below 10^-9), so a string in one case only
 *   counts as plain text;
 * - then the bytes (decoded, for text) must score at least {@link MIN_HMAC_SECRET_BITS} with
 *   {@link estimateEntropyBits}: all-zero, repeated or low-variety values are refused.
 *
 * Nothing here can prove that bytes are random: a phrase typed in mixed-case letters without
 * spaces passes. Secrets must come from a CSPRNG (`openssl rand -base64 32`).
 *
 * @internal
 */
export function findSecretProblem(secret: string | Uint8Array): string | undefined {
  if (typeof secret === 'string') return findTextProblem(secret)
  if (secret.length < MIN_HMAC_SECRET_BYTES) {
    return `it has ${secret.length} bytes, at least ${MIN_HMAC_SECRET_BYTES} random bytes are required`
  }
  let text: string | undefined
  try {
    text = UTF8.decode(secret)
  } catch {
    text = undefined
  }
  if (text !== undefined && !CONTROL.test(text)) return findTextProblem(text)
  return findBytesProblem(secret)
}

function findTextProblem(text: string): string | undefined {
  if (/\s/.test(text)) {
    return 'it contains whitespace or a line break; a secret is one unbroken line of base64, base64url or hex'
  }
  const decoded = decodeRandomText(text)
  if (decoded === undefined) return 'it is plain text, not the base64, base64url or hex encoding of random bytes'
  if (decoded.bytes.length < MIN_HMAC_SECRET_BYTES) {
    return (
      `it is the ${decoded.encoding} encoding of ${decoded.bytes.length} bytes, ` +
      `at least ${MIN_HMAC_SECRET_BYTES} random bytes are required`
    )
  }
  return findBytesProblem(decoded.bytes)
}

function findBytesProblem(bytes: Uint8Array): string | undefined {
  const bits = estimateEntropyBits(bytes)
  if (bits >= MIN_HMAC_SECRET_BITS) return undefined
  return `its bytes are not random (estimated ${Math.floor(bits)} bits of entropy, at least ${MIN_HMAC_SECRET_BITS} required)`
}

/** The bytes `text` encodes when it has the shape of random bytes in hex, base64 or base64url. */
function decodeRandomText(text: string): { encoding: string; bytes: Uint8Array } | undefined {
  if (/^(?:[0-9a-f]{2})+$/.test(text) || /^(?:[0-9A-F]{2})+$/.test(text)) {
    if (!/[0-9]/.test(text) || !/[a-fA-F]/.test(text)) return undefined
    const bytes = new Uint8Array(text.length / 2)
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16)
    return { encoding: 'hex', bytes }
  }
  const match = /^([A-Za-z0-9+/_-]+)(={0,2})$/.exec(text)
  if (match === null) return undefined
  const body = match[1]!
  const padded = match[2]!.length > 0
  const standard = /[+/]/.test(body)
  if (standard && /[-_]/.test(body)) return undefined
  if ((padded && text.length % 4 !== 0) || body.length % 4 === 1) return undefined
  if (!/[A-Z]/.test(body) || !/[a-z]/.test(body)) return undefined
  const binary = atob(body.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((body.length + 3) % 4))
  return { encoding: standard || padded ? 'base64' : 'base64url', bytes: Uint8Array.from(binary, (c) => c.charCodeAt(0)) }
}
