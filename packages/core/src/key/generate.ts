/**
 * Generating keys and key sets.
 *
 * @module
 */
import { exportJWK, generateKeyPair } from 'jose'
import type { Algorithm, AuthKey } from './auth-key.js'
import { importHmacSecret, importKey } from './import.js'
import { createKeySet, type KeySet } from './key-set.js'

/** Options of {@link generateKey}. */
export interface GenerateKeyOptions {
  /** The algorithm. Default `ES256`. */
  alg?: Algorithm
  /** The key id. Default: the RFC 7638 thumbprint of the public key (HS256: derived from the secret). */
  kid?: string
}

/**
 * Generates a new key: an ES256 (P-256) key pair by default, or EdDSA (Ed25519), RS256 (2048-bit)
 * or a 256-bit random HS256 secret.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { exportKey, generateKey } from '@auth/core'
 *
 * const key = await generateKey() // ES256
 * console.log(exportKey(key)) // store this string in your secret manager, load it with importKey
 * ```
 *
 * @param options - the algorithm and key id
 */
export async function generateKey(options: GenerateKeyOptions = {}): Promise<AuthKey> {
  const alg = options.alg ?? 'ES256'
  const kidOption = options.kid === undefined ? {} : { kid: options.kid }
  if (alg === 'HS256') return importHmacSecret(crypto.getRandomValues(new Uint8Array(32)), kidOption)
  if (alg !== 'ES256' && alg !== 'EdDSA' && alg !== 'RS256') {
    throw new TypeError(`generateKey: algorithm "${String(alg)}" is not supported (ES256, EdDSA, RS256, HS256)`)
  }
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  })
  return importKey(await exportJWK(privateKey), { alg, ...kidOption })
}

/**
 * Generates a key set with one fresh signing key: the quickest start, and what the demo uses.
 * Tokens do not survive a restart with a generated set; production loads keys with
 * {@link importKey}.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { generateKeySet } from '@auth/core'
 *
 * const keys = await generateKeySet() // one ES256 key
 * keys.jwks() // { keys: [{ kty: 'EC', crv: 'P-256', x, y, kid, alg: 'ES256', use: 'sig' }] }
 * ```
 *
 * @param options - the algorithm and key id of the key
 */
export async function generateKeySet(options: GenerateKeyOptions = {}): Promise<KeySet> {
  return createKeySet([await generateKey(options)])
}
