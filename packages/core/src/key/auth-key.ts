/**
 * The key type of the SDK: one key, one `kid`, exactly one algorithm.
 *
 * @module
 */
import type { JWK } from 'jose'

/**
 * The signature algorithms the SDK supports. ES256 is the default: asymmetric, so other services
 * verify with the public JWKS, and understood by every JWT library and gateway.
 */
export type Algorithm = 'ES256' | 'EdDSA' | 'RS256' | 'HS256'

/** The supported algorithms, in order of preference. */
export const ALGORITHMS: readonly Algorithm[] = Object.freeze(['ES256', 'EdDSA', 'RS256', 'HS256'])

/**
 * Whether `value` names a supported {@link Algorithm}.
 *
 * @param value - anything, for example a JWS header's `alg`
 */
export function isAlgorithm(value: unknown): value is Algorithm {
  return value === 'ES256' || value === 'EdDSA' || value === 'RS256' || value === 'HS256'
}

/** A public JWK as it appears in a JWKS: no private or symmetric material. */
export interface PublicJWK {
  /** Key type: `EC`, `OKP` or `RSA`. */
  kty: string
  /** The key id. */
  kid: string
  /** The one algorithm this key is used with. */
  alg: Algorithm
  /** Always `sig`. */
  use: 'sig'
  /** Curve of an `EC` or `OKP` key. */
  crv?: string
  /** Public coordinate of an `EC` key, or the public key of an `OKP` key. */
  x?: string
  /** Public coordinate of an `EC` key. */
  y?: string
  /** RSA modulus. */
  n?: string
  /** RSA public exponent. */
  e?: string
}

/** A JSON Web Key Set holding public keys only. */
export interface PublicJWKS {
  /** The keys. */
  keys: PublicJWK[]
}

/** The public description of an {@link AuthKey}: what `JSON.stringify(key)` shows. */
export interface AuthKeyInfo {
  /** The key id. */
  kid: string
  /** The key's one algorithm. */
  alg: Algorithm
  /** Whether the key holds private or secret material. */
  canSign: boolean
}

/**
 * One signing or verification key. It carries its `kid` and exactly one {@link Algorithm}; a
 * token whose header names another algorithm is rejected, whatever the key could technically do.
 *
 * Create keys with {@link generateKey}, {@link importKey} or {@link importHmacSecret}. Private
 * and secret material lives in private fields: `JSON.stringify`, `console.log` and `jwks()`
 * never show it.
 *
 * Exported from `'@auth/core'`.
 */
export class AuthKey {
  /** The key id, carried in every token header this key signs. */
  readonly kid: string
  /** The one algorithm this key signs and verifies with. */
  readonly alg: Algorithm
  /** Whether the key can sign (it holds private or secret material). */
  readonly canSign: boolean
  /** The signature length in bytes that this key produces. */
  readonly signatureLength: number
  readonly #publicJwk: PublicJWK | undefined
  readonly #privateJwk: JWK | undefined
  readonly #secret: Uint8Array | undefined

  /** @internal Use {@link generateKey}, {@link importKey} or {@link importHmacSecret}. */
  constructor(init: {
    kid: string
    alg: Algorithm
    publicJwk?: PublicJWK
    privateJwk?: JWK
    secret?: Uint8Array
  }) {
    this.kid = init.kid
    this.alg = init.alg
    this.#publicJwk = init.publicJwk
    this.#privateJwk = init.privateJwk
    this.#secret = init.secret
    this.canSign = init.privateJwk !== undefined || init.secret !== undefined
    this.signatureLength = signatureLengthOf(init.alg, init.publicJwk, init.secret)
    Object.freeze(this)
  }

  /** Whether the key is symmetric (HS256); such keys never appear in a JWKS. */
  get symmetric(): boolean {
    return this.alg === 'HS256'
  }

  /** The public JWK, or `undefined` for a symmetric key. */
  publicJwk(): PublicJWK | undefined {
    return this.#publicJwk === undefined ? undefined : { ...this.#publicJwk }
  }

  /** @internal The private JWK; only key export and signing read it. */
  privateJwk(): JWK | undefined {
    return this.#privateJwk === undefined ? undefined : { ...this.#privateJwk }
  }

  /** @internal The HMAC secret; only key export, signing and verification read it. */
  secret(): Uint8Array | undefined {
    return this.#secret === undefined ? undefined : this.#secret.slice()
  }

  /** What `JSON.stringify` shows: `kid`, `alg` and whether it can sign; never key material. */
  toJSON(): AuthKeyInfo {
    return { kid: this.kid, alg: this.alg, canSign: this.canSign }
  }
}

function signatureLengthOf(alg: Algorithm, jwk: PublicJWK | undefined, secret: Uint8Array | undefined): number {
  switch (alg) {
    case 'ES256':
    case 'EdDSA':
      return 64
    case 'HS256':
      return secret === undefined ? 0 : 32
    case 'RS256':
      // The modulus length in bytes (import refuses a modulus with a leading zero byte).
      return Math.floor(((jwk?.n ?? '').length * 3) / 4)
  }
}
