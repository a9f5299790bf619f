/**
 * Exporting keys in the env-friendly string form.
 *
 * @module
 */
import { encodeBase64url, encodeUtf8 } from '../lib/base64url.js'
import type { AuthKey } from './auth-key.js'

/**
 * Exports a key as one env-friendly string: base64url of its JWK JSON, with `kid` and `alg`.
 * A key that can sign is exported **with** its private or secret material, so treat the string
 * as a secret. {@link importKey} reads it back.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { exportKey, generateKey, importKey } from '@auth/core'
 *
 * const text = exportKey(await generateKey())
 * const same = await importKey(text)
 * ```
 *
 * @param key - the key to export
 */
export function exportKey(key: AuthKey): string {
  const secret = key.secret()
  const jwk = secret
    ? { kty: 'oct', k: encodeBase64url(secret), kid: key.kid, alg: key.alg, use: 'sig' }
    : (key.privateJwk() ?? key.publicJwk())
  return encodeBase64url(encodeUtf8(JSON.stringify(jwk)))
}
