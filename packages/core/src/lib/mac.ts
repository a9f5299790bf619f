/**
 * Hashing and MACs for opaque tokens (refresh and session tokens): WebCrypto by default, or the
 * synchronous primitives of a signature backend (`node:crypto` on Node).
 *
 * @internal
 * @module
 */
import type { SignatureBackend } from '../crypto/backend.js'
import { encodeBase64url, encodeUtf8 } from './base64url.js'

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

/**
 * HMAC-SHA256 over a domain label and parts, each length-prefixed so no two part lists collide.
 *
 * @internal
 */
export async function mac(key: MacKey, label: string, ...parts: Array<string | Uint8Array>): Promise<Uint8Array> {
  const chunks = [label, ...parts].map((part) => (typeof part === 'string' ? encodeUtf8(part) : part))
  const total = chunks.reduce((n, chunk) => n + 4 + chunk.length, 0)
  const input = new Uint8Array(total)
  const view = new DataView(input.buffer)
  let offset = 0
  for (const chunk of chunks) {
    view.setUint32(offset, chunk.length)
    input.set(chunk, offset + 4)
    offset += 4 + chunk.length
  }
  return key.sign(input)
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
