/**
 * The `node:crypto` signature backend: the fast path on Node (docs/concepts.md#verification).
 *
 * @module
 */
import * as nodeCrypto from 'node:crypto'
import { createHash, createHmac, createPrivateKey, createPublicKey, createSecretKey, type KeyObject, sign, verify } from 'node:crypto'
import type { SignatureBackend } from '../crypto/backend.js'
import type { Algorithm, AuthKey } from '../key/auth-key.js'
import { timingSafeEqualString } from '../lib/mac.js'

/**
 * The `node:crypto` backend, the default of `'@auth/core/node'`. jose 6 verifies through
 * WebCrypto, which costs Node 40–70 µs more per token than calling `node:crypto` directly; this
 * backend checks the same signatures with `crypto.verify` and `createHmac`, and gives the same
 * verdict as `webCryptoBackend` (from `'@auth/core'`) on every input. It also has the optional
 * fast paths `createAuth` uses (`hmacSha256`, `sha256`, `sign`), which give the same bytes as
 * WebCrypto and jose (the same token, for the deterministic algorithms).
 *
 * Exported from `'@auth/core/node'`.
 */
export const nodeCryptoBackend: SignatureBackend = Object.freeze({
  name: 'node:crypto',
  prepare(key: AuthKey): KeyObject {
    const secret = key.secret()
    if (secret) return createSecretKey(secret)
    return createPublicKey({ key: key.publicJwk() as unknown as import('node:crypto').JsonWebKey, format: 'jwk' })
  },
  verify(handle: unknown, alg: Algorithm, token: string, signingInputEnd: number, signatureStart: number): boolean {
    const key = handle as KeyObject
    if (alg === 'HS256') {
      // The MAC is encoded (canonically) and compared with the token's characters in constant
      // time, so a non-canonical spelling of the right MAC can never match, and the presented
      // signature is never decoded. The signing input is hashed as UTF-8, as it was signed.
      const expected = createHmac('sha256', key).update(token.slice(0, signingInputEnd)).digest('base64url')
      return timingSafeEqualString(expected, token, signatureStart)
    }
    const encoded = token.slice(signatureStart)
    const signature = Buffer.from(encoded, 'base64url')
    if (!isStrictBase64url(encoded, signature)) return false
    try {
      // UTF-8, not latin1: latin1 keeps only the low byte of a non-ASCII character, which would
      // let a look-alike character spell the same signing input.
      const data = Buffer.from(token.slice(0, signingInputEnd), 'utf8')
      switch (alg) {
        case 'ES256':
          return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
        case 'EdDSA':
          return verify(null, data, key, signature)
        case 'RS256':
          return verify('sha256', data, key, signature)
      }
    } catch {
      return false
    }
  },
  decodeText(token: string, start: number, end: number): string | undefined {
    const segment = token.slice(start, end)
    const bytes = Buffer.from(segment, 'base64url')
    return isStrictBase64url(segment, bytes) ? bytes.toString('utf8') : undefined
  },
  hmacSha256(secret: Uint8Array, data: Uint8Array): Uint8Array {
    return createHmac('sha256', secret).update(data).digest()
  },
  sha256(data: Uint8Array): Uint8Array {
    return oneShotHash ? oneShotHash('sha256', data, 'buffer') : createHash('sha256').update(data).digest()
  },
  sign(key: AuthKey, signingInput: string): string {
    const signer = signingKeyOf(key)
    // UTF-8 (the input is ASCII base64url anyway), as jose signs it.
    const data = Buffer.from(signingInput, 'utf8')
    switch (key.alg) {
      case 'HS256':
        return createHmac('sha256', signer).update(data).digest('base64url')
      case 'ES256':
        return sign('sha256', data, { key: signer, dsaEncoding: 'ieee-p1363' }).toString('base64url')
      case 'EdDSA':
        return sign(null, data, signer).toString('base64url')
      case 'RS256':
        return sign('sha256', data, signer).toString('base64url')
    }
  },
})

/** Private (or secret) `KeyObject`s of signing keys, made once per key. */
const signingKeys = new WeakMap<AuthKey, KeyObject>()

function signingKeyOf(key: AuthKey): KeyObject {
  let keyObject = signingKeys.get(key)
  if (keyObject === undefined) {
    if (!key.canSign) throw new TypeError('sign: the key cannot sign')
    const secret = key.secret()
    keyObject = secret
      ? createSecretKey(secret)
      : createPrivateKey({ key: key.privateJwk() as unknown as import('node:crypto').JsonWebKey, format: 'jwk' })
    signingKeys.set(key, keyObject)
  }
  return keyObject
}

/**
 * Whether `encoded`, which Node decoded to `decoded`, was strict base64url. Node's decoder is
 * lenient: it also takes '+' and '/', skips characters outside the alphabet (so fewer bytes come
 * out than the length implies) and reads only the low byte of a non-ASCII character. Native
 * scans rule out all three, cheaper than a regular expression. (The length mod 4 and the unused
 * bits of the last character are the caller's.)
 */
function isStrictBase64url(encoded: string, decoded: Buffer): boolean {
  return (
    decoded.length === (encoded.length * 3) >> 2 &&
    !encoded.includes('+') &&
    !encoded.includes('/') &&
    Buffer.byteLength(encoded, 'utf8') === encoded.length
  )
}

/**
 * Node's one-shot `crypto.hash` (20.12 and 21.7 on), which skips the `Hash` object: 2–3× faster
 * than `createHash().update().digest()` for the short inputs hashed here (a session token's
 * secret on every session-cookie request). Read through the namespace, so older versions load.
 */
const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash
