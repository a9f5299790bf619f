/**
 * Random identifiers (session ids, `jti`s).
 *
 * @internal
 * @module
 */
import { encodeBase64url } from './base64url.js'

/** @internal `bytes` random bytes from the CSPRNG (default 16: 128 bits), base64url. */
export function randomId(bytes = 16): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(bytes)))
}
