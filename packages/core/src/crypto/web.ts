/**
 * The WebCrypto signature backend: runs on Node, Bun, Deno, browsers and edge runtimes.
 *
 * @module
 */
import { importJWK } from 'jose'
import { decodeBase64url, decodeUtf8, encodeUtf8, isCanonicalSegment } from '../lib/base64url.js'
import type { Algorithm, AuthKey } from '../key/auth-key.js'
import type { SignatureBackend } from './backend.js'

const PARAMS: Record<Algorithm, AlgorithmIdentifier | EcdsaParams | RsaPssParams> = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
  EdDSA: { name: 'Ed25519' },
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  HS256: { name: 'HMAC' },
}

/**
 * The WebCrypto backend, the default of `'@auth/core'`. It imports no `node:` module.
 *
 * Exported from `'@auth/core'`.
 */
export const webCryptoBackend: SignatureBackend = Object.freeze({
  name: 'webcrypto',
  prepare(key: AuthKey): Promise<CryptoKey> {
    const secret = key.secret()
    if (secret) {
      return crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    }
    return importJWK({ ...key.publicJwk()!, use: undefined }, key.alg) as Promise<CryptoKey>
  },
  async verify(handle: unknown, alg: Algorithm, token: string, signingInputEnd: number, signatureStart: number) {
    if (!isCanonicalSegment(token, signatureStart, token.length)) return false
    const signature = decodeBase64url(token, signatureStart, token.length)
    const data = encodeUtf8(token.slice(0, signingInputEnd))
    try {
      return await crypto.subtle.verify(PARAMS[alg], handle as CryptoKey, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>)
    } catch {
      return false
    }
  },
  decodeText(token: string, start: number, end: number) {
    if (!isCanonicalSegment(token, start, end)) return undefined
    return decodeUtf8(decodeBase64url(token, start, end))
  },
})
