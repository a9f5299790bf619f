/**
 * Hashing and MACs for opaque tokens (refresh and session tokens), on WebCrypto.
 *
 * @internal
 * @module
 */
import { encodeBase64url, encodeUtf8 } from './base64url.js'

/** @internal SHA-256 of `bytes`, base64url: what a store keeps instead of a token. */
export async function hashSecret(bytes: Uint8Array): Promise<string> {
  return encodeBase64url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)))
}

/** @internal Imports the server secret for HMAC-SHA256. */
export function importMacKey(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
}

/**
 * HMAC-SHA256 over a domain label and parts, each length-prefixed so no two part lists collide.
 *
 * @internal
 */
export async function mac(key: CryptoKey, label: string, ...parts: Array<string | Uint8Array>): Promise<Uint8Array> {
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
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, input))
}

/** @internal Constant-time equality of two strings of public length (hashes, tags). */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
