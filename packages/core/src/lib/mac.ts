/**
 * Hashing and MACs for opaque tokens (refresh and session tokens): WebCrypto by default, or the
 * synchronous primitives of a signature backend (`node:crypto` on Node).
 *
 * @internal
 * @module
 */
import type { SignatureBackend } from '../crypto/backend.js'
import { encodeBase64url } from './base64url.js'

/** @internal A key for HMAC-SHA256: answers the MAC of its input. */
export interface MacKey {
  sign(input: Uint8Array): Uint8Array | Promise<Uint8Array>
}

/** @internal The primitives behind opaque tokens, from a backend's fast paths or WebCrypto. */
export interface TokenPrimitives {
  /** A MAC key for `secret`. */
  importMacKey(secret: Uint8Array): Promise<MacKey>
  /** SHA-256 of `bytes`, base64url: what a store keeps instead of a token secret. */
  hashSecret(bytes: Uint8Array): Promise<string>
}

/** @internal WebCrypto's HMAC and SHA-256 (every runtime). */
export const webTokenPrimitives: TokenPrimitives = {
  async importMacKey(secret) {
    const key = await crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    return { sign: async (input) => new Uint8Array(await crypto.subtle.sign('HMAC', key, input as Uint8Array<ArrayBuffer>)) }
  },
  async hashSecret(bytes) {
    return encodeBase64url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)))
  },
}

/**
 * @internal The backend's synchronous HMAC and SHA-256 where it has them (the `node:crypto`
 * backend does), WebCrypto's otherwise.
 */
export function tokenPrimitivesOf(backend: SignatureBackend | undefined): TokenPrimitives {
  const hmac = backend?.hmacSha256?.bind(backend)
  const sha256 = backend?.sha256?.bind(backend)
  return {
    importMacKey: hmac
      ? async (secret) => {
          const copy = secret.slice()
          return { sign: (input) => hmac(copy, input) }
        }
      : webTokenPrimitives.importMacKey,
    hashSecret: sha256 ? async (bytes) => encodeBase64url(sha256(bytes)) : webTokenPrimitives.hashSecret,
  }
}

const utf8 = new TextEncoder()

/**
 * HMAC-SHA256 over a domain label and parts, each length-prefixed so no two part lists collide.
 *
 * @internal
 */
export function mac(key: MacKey, label: string, ...parts: Array<string | Uint8Array>): Promise<Uint8Array> {
  try {
    return Promise.resolve(macNow(key, label, parts))
  } catch (error) {
    return Promise.reject(error)
  }
}

/**
 * @internal {@link mac}, answered synchronously when the key signs synchronously (the
 * `node:crypto` backend). The input is written in one buffer: each part's UTF-8 (`encodeInto`,
 * a string is at most 3 bytes per UTF-16 unit) or bytes, after its length (4 bytes, big-endian).
 */
export function macNow(key: MacKey, label: string, parts: ReadonlyArray<string | Uint8Array>): Uint8Array | Promise<Uint8Array> {
  let room = 4 + label.length * 3
  for (const part of parts) room += 4 + (typeof part === 'string' ? part.length * 3 : part.length)
  const input = new Uint8Array(room)
  let offset = put(input, 0, label)
  for (const part of parts) offset = put(input, offset, part)
  return key.sign(input.subarray(0, offset))
}

/** Writes `part` with its length prefix at `offset`; answers the offset after it. */
function put(input: Uint8Array, offset: number, part: string | Uint8Array): number {
  let length: number
  if (typeof part === 'string') length = utf8.encodeInto(part, input.subarray(offset + 4)).written
  else {
    input.set(part, offset + 4)
    length = part.length
  }
  input[offset] = length >>> 24
  input[offset + 1] = (length >>> 16) & 0xff
  input[offset + 2] = (length >>> 8) & 0xff
  input[offset + 3] = length & 0xff
  return offset + 4 + length
}

/**
 * @internal Constant-time equality of the first `length` bytes of `a` and `b` (both at least that
 * long): no early exit, so the time depends only on `length`, which is public.
 */
export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array, length: number): boolean {
  if (a.length < length || b.length < length) return false
  let diff = 0
  for (let i = 0; i < length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/**
 * @internal Constant-time equality of `a` and `b.slice(start)` (hashes, tags, an encoded MAC at
 * the end of a token), without slicing: every character is compared, with no early exit, so the
 * time depends only on the lengths, which are public.
 */
export function timingSafeEqualString(a: string, b: string, start = 0): boolean {
  if (b.length - start !== a.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(start + i)
  return diff === 0
}
