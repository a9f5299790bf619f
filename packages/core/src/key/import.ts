/**
 * Importing keys from JWK, PEM and an env-friendly string, and HMAC secrets.
 *
 * @module
 */
import { calculateJwkThumbprint, exportJWK, importJWK, importPKCS8, importSPKI, type JWK } from 'jose'
import { decodeUtf8, encodeBase64url, encodeUtf8, isCanonicalBase64url } from '../lib/base64url.js'
import { findSecretProblem } from '../lib/entropy.js'
import { type Algorithm, AuthKey, isAlgorithm, type PublicJWK } from './auth-key.js'

/** Options of {@link importKey}. */
export interface ImportKeyOptions {
  /** The key id. Defaults to the JWK's `kid`, else the RFC 7638 thumbprint of the public key. */
  kid?: string
  /**
   * The key's one algorithm. Defaults to the JWK's `alg`, else the only algorithm the SDK supports
   * for the key type (P-256 → ES256, Ed25519 → EdDSA, RSA → RS256, oct → HS256).
   */
  alg?: Algorithm
}

/** Options of {@link importHmacSecret}. */
export interface ImportHmacSecretOptions {
  /** The key id. Defaults to a value derived from the secret with HMAC, which reveals nothing of it. */
  kid?: string
}

/** The smallest RSA modulus accepted, in bits. */
const MIN_RSA_BITS = 2048

/** The one RSA public exponent accepted, 65537, as JWK `e` (minimal big-endian octets, base64url). */
const RSA_EXPONENT = 'AQAB'

const KTY_BY_ALG: Record<Algorithm, string> = { ES256: 'EC', EdDSA: 'OKP', RS256: 'RSA', HS256: 'oct' }

/**
 * Imports a key from a JWK object, a PEM string (PKCS#8 private key or SPKI public key), a JWK
 * JSON string, or the env-friendly form that {@link exportKey} writes (base64url of the JWK JSON).
 *
 * The key gets exactly one algorithm. A JWK whose `use` is not `sig`, or whose `key_ops` does not
 * include `verify`, is refused; so are an RSA modulus under 2048 bits, an RSA public exponent
 * other than 65537 (`e` = `AQAB`), and an `oct` key whose `k` is not at least 32 random-looking
 * bytes (the rule of {@link importHmacSecret}; text smuggled in as `k` is judged as text).
 * Every refusal is a `TypeError` with a message that names the problem and never the key.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { createKeySet, importKey } from '@auth/core'
 *
 * const current = await importKey(process.env.AUTH_SIGNING_KEY!)
 * const previous = await importKey(process.env.AUTH_PREVIOUS_KEY!)
 * const keys = createKeySet([current, previous]) // current signs, both verify
 * ```
 *
 * @param input - a JWK, a PEM string, a JWK JSON string or the env-friendly string form
 * @param options - the key id and algorithm, when the input does not carry them
 */
export async function importKey(input: JWK | string, options: ImportKeyOptions = {}): Promise<AuthKey> {
  if (typeof input === 'string') {
    const text = input.trim()
    if (text.startsWith('-----BEGIN')) return importPem(text, options)
    return importJwk(parseJwkString(text), options)
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError('importKey: expected a JWK object, a PEM string or an exported key string')
  }
  return importJwk(input, options)
}

/**
 * Imports a raw HS256 secret: at least 32 random bytes, or a string that is their base64,
 * base64url or hex encoding (for example the output of `openssl rand -base64 32`). A string keys
 * the MAC with its UTF-8 bytes (as jose and jsonwebtoken do with a string secret), so a secret
 * shared with another library keeps working; its encoding is only checked, never decoded.
 *
 * Plain text is refused whatever its length: passwords, phrases (`"The quick brown fox…"`),
 * words joined by dashes, and text passed as bytes. So are values shorter than 32 bytes, values
 * with whitespace or line breaks, and bytes that are visibly not random (all zero, a repeated
 * pattern). Each refusal is a `TypeError` that says how to make a secret.
 *
 * > [!NOTE]
 * > These checks refuse what is visibly not random; they cannot prove that a value is. A phrase
 * > typed in mixed-case letters without spaces looks like base64 and passes: take secrets from a
 * > CSPRNG, or use `generateKey({ alg: 'HS256' })`.
 *
 * HS256 suits a single service that both signs and verifies. Anything that must verify without
 * being able to sign needs an asymmetric key (the default ES256).
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { importHmacSecret } from '@auth/core'
 *
 * // Once: `openssl rand -base64 32`, stored in your secret manager.
 * const key = await importHmacSecret(process.env.AUTH_HS256_SECRET!)
 * // Or random bytes:
 * const other = await importHmacSecret(crypto.getRandomValues(new Uint8Array(32)))
 * ```
 *
 * @param secret - random bytes, or their base64, base64url or hex encoding
 * @param options - the key id
 */
export async function importHmacSecret(
  secret: string | Uint8Array,
  options: ImportHmacSecretOptions = {},
): Promise<AuthKey> {
  assertStrongSecret(secret)
  // A string keys the MAC with its UTF-8 bytes, as jose and jsonwebtoken use a string secret:
  // its encoding is checked above, never decoded into other key bytes.
  const bytes = typeof secret === 'string' ? encodeUtf8(secret) : new Uint8Array(secret)
  const kid = options.kid ?? (await deriveSecretKid(bytes))
  assertKid(kid)
  return new AuthKey({ kid, alg: 'HS256', secret: bytes })
}

/**
 * Refuses an HMAC secret that is not random bytes (≥ 32) or the base64, base64url or hex text of
 * them (see `findSecretProblem` for the exact rule). The message names the problem and how to
 * make a secret, never the secret.
 *
 * @internal Shared by `importHmacSecret`, the JWK `oct` path and `createAuth`'s `secret`.
 * @param secret - the secret as given
 * @param label - what the message calls it: `'HS256 secret'` or `'createAuth: secret'`
 */
export function assertStrongSecret(secret: unknown, label = 'HS256 secret'): asserts secret is string | Uint8Array {
  const how =
    label === 'HS256 secret'
      ? "Generate one with `openssl rand -base64 32`, or an HS256 key with generateKey({ alg: 'HS256' })."
      : 'Generate one with `openssl rand -base64 32`.'
  // Not `instanceof`: a Uint8Array of another realm (an edge sandbox) is bytes too.
  const bytes = Object.prototype.toString.call(secret) === '[object Uint8Array]'
  if (typeof secret !== 'string' && !bytes) {
    throw new TypeError(`${label} refused: expected random bytes (a Uint8Array) or a string that encodes them. ${how}`)
  }
  const problem = findSecretProblem(secret as string | Uint8Array)
  if (problem !== undefined) throw new TypeError(`${label} refused: ${problem}. ${how}`)
}

async function deriveSecretKid(secret: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encodeUtf8('@auth/core key id')))
  return encodeBase64url(mac.subarray(0, 16))
}

function parseJwkString(text: string): JWK {
  let json = text
  if (!text.startsWith('{')) {
    // The env-friendly form: base64url (or base64) of the JWK JSON.
    try {
      json = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
      json = decodeUtf8(Uint8Array.from(json, (c) => c.charCodeAt(0)))
    } catch {
      throw new TypeError('importKey: the string is neither PEM, JWK JSON nor an exported key string')
    }
  }
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    throw new TypeError('importKey: the string is neither PEM, JWK JSON nor an exported key string')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('importKey: the decoded value is not a JWK object')
  }
  return value as JWK
}

async function importPem(pem: string, options: ImportKeyOptions): Promise<AuthKey> {
  const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1]
  let read: (alg: Algorithm) => Promise<CryptoKey>
  if (label === 'PRIVATE KEY') {
    read = (alg) => importPKCS8(pem, alg, { extractable: true })
  } else if (label === 'PUBLIC KEY') {
    read = (alg) => importSPKI(pem, alg, { extractable: true })
  } else {
    throw new TypeError(
      `importKey: PEM "${label ?? 'unknown'}" is not supported; use PKCS#8 ("PRIVATE KEY") or SPKI ("PUBLIC KEY"), ` +
        'for example `openssl pkcs8 -topk8 -nocrypt` or `openssl pkey -pubout`',
    )
  }
  const candidates: Algorithm[] = options.alg ? [options.alg] : ['ES256', 'EdDSA', 'RS256']
  for (const alg of candidates) {
    if (alg === 'HS256') break
    let key: CryptoKey
    try {
      key = await read(alg)
    } catch {
      continue
    }
    const jwk = await exportJWK(key)
    return importJwk(jwk, { ...options, alg })
  }
  throw new TypeError('importKey: the PEM key is not a P-256, Ed25519 or RSA key of the expected algorithm')
}

/**
 * The checks of a JWK import that need no crypto: `use`, `key_ops`, the one algorithm and its key
 * type, the `kid`, the curve, the RSA modulus size and public exponent, the HMAC secret. Returns
 * the algorithm (and, for HS256, the decoded secret). Throws a `TypeError` naming the problem;
 * only proving the key material itself (a point on the curve) is left to the WebCrypto import.
 *
 * @internal Also run at construction on every entry of a JWKS passed to `createVerifier`.
 */
export function checkJwk(jwk: JWK, options: ImportKeyOptions = {}): { alg: Algorithm; secret?: Uint8Array } {
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    throw new TypeError(`importKey: the JWK has use "${String(jwk.use)}"; only signature keys ("sig") are accepted`)
  }
  if (jwk.key_ops !== undefined && (!Array.isArray(jwk.key_ops) || !jwk.key_ops.includes('verify'))) {
    throw new TypeError('importKey: the JWK key_ops does not allow "verify"')
  }
  const alg = resolveAlg(jwk, options.alg)
  if (jwk.kty !== KTY_BY_ALG[alg]) {
    throw new TypeError(`importKey: a ${String(jwk.kty)} key cannot be used with ${alg}`)
  }
  if (jwk.kid !== undefined && options.kid !== undefined && jwk.kid !== options.kid) {
    throw new TypeError('importKey: options.kid differs from the JWK kid')
  }
  const kid = options.kid ?? jwk.kid
  if (kid !== undefined) assertKid(kid)

  if (alg === 'HS256') {
    if (typeof jwk.k !== 'string') throw new TypeError('importKey: the oct JWK has no "k"')
    const secret = decodeStrictBase64url(jwk.k)
    assertStrongSecret(secret)
    return { alg, secret }
  }
  if (alg === 'ES256' && jwk.crv !== 'P-256') throw new TypeError('importKey: ES256 needs a P-256 key')
  if (alg === 'EdDSA' && jwk.crv !== 'Ed25519') throw new TypeError('importKey: EdDSA needs an Ed25519 key')
  if (alg === 'RS256') {
    const modulus = typeof jwk.n === 'string' ? decodeStrictBase64url(jwk.n) : new Uint8Array(0)
    // RFC 7518 §6.3.1.1: the minimum number of octets, so no leading zero byte.
    if (modulus[0] === 0) throw new TypeError('importKey: the RSA modulus "n" has a leading zero byte')
    if (rsaModulusBits(modulus) < MIN_RSA_BITS) {
      throw new TypeError(`importKey: RSA keys need a modulus of at least ${MIN_RSA_BITS} bits`)
    }
    // e = 1 makes a "signature" equal to the padded digest, which anyone can write; e = 3 and
    // other small exponents have a history of forgeries against lax verifiers. Every current
    // generator uses 65537, so nothing else is accepted (RFC 7518: "e" in its minimal form, AQAB).
    if (jwk.e !== RSA_EXPONENT) {
      throw new TypeError(`importKey: the RSA public exponent is ${describeExponent(jwk.e)}; only 65537 ("e": "AQAB") is accepted`)
    }
  }
  return { alg }
}

async function importJwk(jwk: JWK, options: ImportKeyOptions): Promise<AuthKey> {
  const { alg, secret } = checkJwk(jwk, options)
  if (secret !== undefined) {
    const kid = options.kid ?? jwk.kid
    return importHmacSecret(secret, kid === undefined ? {} : { kid })
  }

  const publicJwk = toPublicJwk(jwk, alg, '')
  // Import once to prove the key material is valid for the algorithm (for example, a point on the curve).
  try {
    await importJWK({ ...publicJwk, kid: undefined } as JWK, alg)
    if (jwk.d !== undefined) await importJWK({ ...jwk, alg, use: undefined, key_ops: undefined }, alg)
  } catch (cause) {
    throw new TypeError(`importKey: the JWK is not a valid ${alg} key`, { cause })
  }
  const kid = options.kid ?? jwk.kid ?? (await calculateJwkThumbprint(publicJwk as JWK))
  assertKid(kid)
  publicJwk.kid = kid
  const privateJwk: JWK | undefined =
    jwk.d === undefined ? undefined : { ...jwk, kid, alg, use: 'sig', key_ops: undefined }
  if (privateJwk) delete privateJwk.key_ops
  return new AuthKey({ kid, alg, publicJwk, ...(privateJwk ? { privateJwk } : {}) })
}

function resolveAlg(jwk: JWK, requested: Algorithm | undefined): Algorithm {
  if (jwk.alg !== undefined && !isAlgorithm(jwk.alg)) {
    throw new TypeError(`importKey: algorithm "${String(jwk.alg)}" is not supported (ES256, EdDSA, RS256, HS256)`)
  }
  if (requested !== undefined && !isAlgorithm(requested)) {
    throw new TypeError(`importKey: algorithm "${String(requested)}" is not supported (ES256, EdDSA, RS256, HS256)`)
  }
  if (jwk.alg !== undefined && requested !== undefined && jwk.alg !== requested) {
    throw new TypeError(`importKey: the JWK is for ${jwk.alg}, not ${requested}; a key has exactly one algorithm`)
  }
  const alg = (requested ?? jwk.alg) as Algorithm | undefined
  if (alg) return alg
  switch (jwk.kty) {
    case 'EC':
      return 'ES256'
    case 'OKP':
      return 'EdDSA'
    case 'RSA':
      return 'RS256'
    case 'oct':
      return 'HS256'
    default:
      throw new TypeError(`importKey: key type "${String(jwk.kty)}" is not supported`)
  }
}

/** @internal The public part of an asymmetric JWK, with `kid`, `alg` and `use`. */
export function toPublicJwk(jwk: JWK, alg: Algorithm, kid: string): PublicJWK {
  const base = { kid, alg, use: 'sig' as const }
  switch (jwk.kty) {
    case 'EC':
      return { kty: 'EC', crv: String(jwk.crv), x: String(jwk.x), y: String(jwk.y), ...base }
    case 'OKP':
      return { kty: 'OKP', crv: String(jwk.crv), x: String(jwk.x), ...base }
    case 'RSA':
      return { kty: 'RSA', n: String(jwk.n), e: String(jwk.e), ...base }
    default:
      throw new TypeError(`importKey: key type "${String(jwk.kty)}" has no public form`)
  }
}

function assertKid(kid: unknown): asserts kid is string {
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256) {
    throw new TypeError('importKey: kid must be a non-empty string of at most 256 characters')
  }
}

/** @internal The bit length of a big-endian unsigned integer without leading zero bytes. */
export function rsaModulusBits(modulus: Uint8Array): number {
  if (modulus.length === 0) return 0
  return (modulus.length - 1) * 8 + (32 - Math.clz32(modulus[0]!))
}

/** A public exponent for an error message: its value when it is a small number, else its shape. */
function describeExponent(e: unknown): string {
  if (typeof e !== 'string') return 'missing'
  if (e.length > 0 && e.length <= 8 && isCanonicalBase64url(e, 0, e.length)) {
    const bytes = decodeStrictBase64url(e)
    if (bytes[0] === 0) return 'not in its minimal form (a leading zero byte)'
    return String(bytes.reduce((value, byte) => value * 256 + byte, 0))
  }
  return 'not 65537'
}

function decodeStrictBase64url(value: string): Uint8Array {
  if (value.length > 0 && !isCanonicalBase64url(value, 0, value.length)) {
    throw new TypeError('importKey: a JWK member is not canonical base64url')
  }
  const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((value.length + 3) % 4))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}
