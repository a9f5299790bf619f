/**
 * Canonical base64url (RFC 4648 §5, no padding) for every runtime, without `Buffer`.
 *
 * A JWS segment has many spellings that lenient decoders map to the same bytes: padding,
 * whitespace, `+`/`/`, and set "unused" bits in the last character. We accept exactly one
 * spelling per byte string, so a token's string form is a faithful key for caches and logs.
 *
 * @internal
 * @module
 */

// 255 = not in the alphabet.
const DECODE = new Uint8Array(128).fill(255)
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i

/**
 * For `s[start, end)` made of base64url characters: whether its length is possible (not 1 mod 4)
 * and the unused low bits of its last character are zero, so no other spelling decodes alike.
 *
 * @internal
 */
export function hasCanonicalTail(s: string, start: number, end: number): boolean {
  const last = DECODE[s.charCodeAt(end - 1)] ?? 255
  switch ((end - start) % 4) {
    case 1:
      return false
    case 2: // 1 byte in the last group: 4 unused bits
      return last !== 255 && (last & 0x0f) === 0
    case 3: // 2 bytes in the last group: 2 unused bits
      return last !== 255 && (last & 0x03) === 0
    default:
      return true
  }
}

const SEGMENT = /[A-Za-z0-9_-]+/y

/**
 * Whether `s[start, end)` is non-empty canonical unpadded base64url: a sticky regular expression
 * scans the characters in place (no slice), then {@link hasCanonicalTail} checks the end.
 *
 * @internal
 */
export function isCanonicalSegment(s: string, start: number, end: number): boolean {
  if (end <= start) return false
  SEGMENT.lastIndex = start
  return SEGMENT.test(s) && SEGMENT.lastIndex === end && hasCanonicalTail(s, start, end)
}

/**
 * Whether `s[start, end)` is canonical unpadded base64url: only alphabet characters, a length
 * that is not 1 mod 4, and zero bits in the unused low bits of the last character.
 *
 * @internal
 */
export function isCanonicalBase64url(s: string, start: number, end: number): boolean {
  const length = end - start
  if (length <= 0 || length % 4 === 1) return false
  let last = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c > 127) return false
    last = DECODE[c]!
    if (last === 255) return false
  }
  switch (length % 4) {
    case 2: // 1 byte in the last group: 4 unused bits
      return (last & 0x0f) === 0
    case 3: // 2 bytes in the last group: 2 unused bits
      return (last & 0x03) === 0
    default:
      return true
  }
}

/**
 * Decodes `s[start, end)`, which the caller has checked with {@link isCanonicalBase64url}.
 *
 * @internal
 */
export function decodeBase64url(s: string, start = 0, end = s.length): Uint8Array {
  const length = end - start
  const out = new Uint8Array((length * 3) >> 2)
  let o = 0
  let i = start
  for (; i + 4 <= end; i += 4) {
    const n =
      (DECODE[s.charCodeAt(i)]! << 18) |
      (DECODE[s.charCodeAt(i + 1)]! << 12) |
      (DECODE[s.charCodeAt(i + 2)]! << 6) |
      DECODE[s.charCodeAt(i + 3)]!
    out[o++] = n >> 16
    out[o++] = (n >> 8) & 0xff
    out[o++] = n & 0xff
  }
  const rest = end - i
  if (rest === 2) {
    out[o++] = (DECODE[s.charCodeAt(i)]! << 2) | (DECODE[s.charCodeAt(i + 1)]! >> 4)
  } else if (rest === 3) {
    const n = (DECODE[s.charCodeAt(i)]! << 12) | (DECODE[s.charCodeAt(i + 1)]! << 6) | DECODE[s.charCodeAt(i + 2)]!
    out[o++] = n >> 10
    out[o++] = (n >> 2) & 0xff
  }
  return out
}

const CODES = new Uint8Array(64)
for (let i = 0; i < 64; i++) CODES[i] = ALPHABET.charCodeAt(i)

/** Arguments per `String.fromCharCode` call, well below every engine's argument limit. */
const CHUNK = 8192

/**
 * Encodes bytes as unpadded base64url.
 *
 * @internal
 */
export function encodeBase64url(bytes: Uint8Array): string {
  // Character codes first, then one string: a flat string, where `+=` of pieces would build a
  // rope that its first reader (a constant-time comparison, on every session request) flattens.
  const codes = new Uint8Array(Math.ceil((bytes.length * 4) / 3))
  let o = 0
  let i = 0
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    codes[o++] = CODES[n >> 18]!
    codes[o++] = CODES[(n >> 12) & 63]!
    codes[o++] = CODES[(n >> 6) & 63]!
    codes[o++] = CODES[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    codes[o++] = CODES[n >> 18]!
    codes[o++] = CODES[(n >> 12) & 63]!
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    codes[o++] = CODES[n >> 18]!
    codes[o++] = CODES[(n >> 12) & 63]!
    codes[o++] = CODES[(n >> 6) & 63]!
  }
  if (codes.length <= CHUNK) return String.fromCharCode.apply(null, codes as unknown as number[])
  let out = ''
  for (let start = 0; start < codes.length; start += CHUNK) out += String.fromCharCode.apply(null, codes.subarray(start, start + CHUNK) as unknown as number[])
  return out
}

const utf8Decoder = new TextDecoder()
const utf8Encoder = new TextEncoder()

/** @internal */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes)
}

/** @internal */
export function encodeUtf8(text: string): Uint8Array<ArrayBuffer> {
  return utf8Encoder.encode(text)
}
