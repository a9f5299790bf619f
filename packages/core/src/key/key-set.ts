/**
 * Key sets: one signing key, any number of verification keys.
 *
 * @module
 */
import type { AuthKey, PublicJWKS } from './auth-key.js'

/** Options of {@link createKeySet}. */
export interface CreateKeySetOptions {
  /** The `kid` of the key that signs. Default: the first key, when it can sign. */
  signingKid?: string
}

/**
 * A set of keys: at most one signs, all verify. Keys rotate by adding the new key, making it the
 * signer, and keeping the old one until the last token it signed has expired.
 */
export interface KeySet {
  /** The key that signs new tokens, if this set can sign. */
  readonly signingKey: AuthKey | undefined
  /** Every key, the signing key included. */
  readonly keys: readonly AuthKey[]
  /**
   * The key with this `kid`, looked up with own-property semantics (`__proto__` or
   * `constructor` never resolve to anything).
   */
  get(kid: string): AuthKey | undefined
  /**
   * The public JWKS to serve at `/.well-known/jwks.json`. Symmetric (HS256) keys are left out;
   * no private or secret material ever appears.
   */
  jwks(): PublicJWKS
}

/**
 * Creates a key set. The first key signs (or the one `signingKid` names); every key verifies.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { createKeySet, generateKey } from '@auth/core'
 *
 * const next = await generateKey()
 * const keys = createKeySet([next, previous]) // `next` signs, tokens of `previous` still verify
 * ```
 *
 * @param keys - the keys; `kid`s must be unique
 * @param options - which key signs
 */
export function createKeySet(keys: readonly AuthKey[], options: CreateKeySetOptions = {}): KeySet {
  if (!Array.isArray(keys) || keys.length === 0) throw new TypeError('createKeySet: at least one key is required')
  const byKid = new Map<string, AuthKey>()
  for (const key of keys) {
    if (byKid.has(key.kid)) throw new TypeError(`createKeySet: duplicate kid "${key.kid}"`)
    byKid.set(key.kid, key)
  }
  let signingKey: AuthKey | undefined
  if (options.signingKid !== undefined) {
    signingKey = byKid.get(options.signingKid)
    if (!signingKey) throw new TypeError(`createKeySet: no key has kid "${options.signingKid}"`)
    if (!signingKey.canSign) throw new TypeError(`createKeySet: key "${options.signingKid}" has no private material`)
  } else if (keys[0]!.canSign) {
    signingKey = keys[0]
  }
  const frozen = Object.freeze([...keys])
  return Object.freeze({
    signingKey,
    keys: frozen,
    get: (kid: string) => byKid.get(kid),
    jwks: () => ({
      keys: frozen.flatMap((key) => {
        const jwk = key.publicJwk()
        return jwk ? [jwk] : []
      }),
    }),
  })
}
