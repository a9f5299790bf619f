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
 *
 * > [!NOTE]
 * > A selection point, not an extension point: pass `webCryptoBackend` (from `'@auth/core'`) or
 * > `nodeCryptoBackend` (from `'@auth/core/node'`) as the `backend` option, or simply import
 * > `createAuth` / `createVerifier` from the entry you want. Writing your own backend is not
 * > supported: the interface follows the verifier's internals and may change in any release, and
 * > a backend decides what a valid signature is.
 *
 * Exported (as a type) from `'@auth/core'`.
 */
export interface SignatureBackend {
  /** A name for logs and benchmarks. */
  readonly name: string
  /** Turns a key into whatever `verify` needs; may be async (WebCrypto imports are). */
  prepare(key: AuthKey): unknown
  /**
   * Checks the signature in `token.slice(signatureStart)` over `token.slice(0, signingInputEnd)`.
   * Answers `false` (never throws) for a wrong signature, and for a signature segment that is not
   * canonical unpadded base64url (the caller has checked its length and last character only).
   */
  verify(handle: unknown, alg: Algorithm, token: string, signingInputEnd: number, signatureStart: number): boolean | Promise<boolean>
  /**
   * Decodes `token.slice(start, end)` to a UTF-8 string, or answers `undefined` if the segment is
   * not canonical unpadded base64url (the caller has checked its length and last character only).
   */
  decodeText(token: string, start: number, end: number): string | undefined
  /**
   * Optional, for `createAuth`: HMAC-SHA256 of `data` with `secret`, synchronously. Core MACs its
   * opaque refresh and session tokens with it; without it core uses WebCrypto (awaited on the
   * libuv pool on Node, ~50 µs a call). Must equal WebCrypto's HMAC byte for byte.
   */
  hmacSha256?(secret: Uint8Array, data: Uint8Array): Uint8Array
  /**
   * Optional, for `createAuth`: SHA-256 of `data`, synchronously (what a store keeps instead of a
   * token secret). Without it core uses WebCrypto.
   */
  sha256?(data: Uint8Array): Uint8Array
  /**
   * Optional, for `createAuth`: the base64url JWS signature of `signingInput` (ASCII) with `key`,
   * which can sign, in `key.alg`, synchronously. Without it core signs with jose (WebCrypto).
   * The signature must verify wherever jose's does.
   */
  sign?(key: AuthKey, signingInput: string): string
}
