/**
 * The signature-check backend interface: WebCrypto everywhere, `node:crypto` on Node.
 *
 * @module
 */
import type { Algorithm, AuthKey } from '../key/auth-key.js'

/**
 * How a verifier checks signatures and decodes segments. Core ships two: the WebCrypto backend
 * (every runtime; the default of `'@auth/core'`) and the `node:crypto` backend (the default of
 * `'@auth/core/node'`, 40–70 µs faster per cold token on Node). Both must give the same verdict
 * on every input; a differential test holds them to it.
 *
 * Token segments are passed as one string plus offsets, already checked to be canonical
 * base64url, so a backend decodes without copying more than it needs.
 */
export interface SignatureBackend {
  /** A name for logs and benchmarks. */
  readonly name: string
  /** Turns a key into whatever `verify` needs; may be async (WebCrypto imports are). */
  prepare(key: AuthKey): unknown
  /**
   * Checks the signature in `token.slice(signatureStart)` over `token.slice(0, signingInputEnd)`.
   * Never throws for a wrong signature: answers `false`.
   */
  verify(handle: unknown, alg: Algorithm, token: string, signingInputEnd: number, signatureStart: number): boolean | Promise<boolean>
  /** Decodes `token.slice(start, end)` (canonical base64url) to a UTF-8 string. */
  decodeText(token: string, start: number, end: number): string
}
