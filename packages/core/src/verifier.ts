/**
 * The verifier for resource servers: verify access tokens with a key set, a JWKS object or a
 * remote JWKS URL. No store, no signing keys, no `node:` imports: it runs on edge runtimes.
 *
 * @module
 */
import { createRemoteJWKSet, customFetch, type FetchImplementation } from 'jose'
import type { SignatureBackend } from './crypto/backend.js'
import { webCryptoBackend } from './crypto/web.js'
import { AuthError } from './errors.js'
import type { AuthKey, PublicJWKS } from './key/auth-key.js'
import { checkJwksEntries, describeRefusedJwk, importJwksEntries } from './key/jwks-entries.js'
import type { KeySet } from './key/key-set.js'
import { DEFAULT_ACCESS_TOKEN_TTL } from './token/sign.js'
import {
  createTokenVerifier,
  DEFAULT_CACHE_SIZE,
  DEFAULT_CLOCK_TOLERANCE,
  DEFAULT_MAX_TOKEN_LENGTH,
  type KeyResolver,
  type PreparedKey,
  prepareKey,
  type RevocationCheck,
  type VerifyAccessTokenResult,
} from './token/verify.js'

/** Options of the remote JWKS fetch, passed to jose's `createRemoteJWKSet`. */
export interface RemoteJwksOptions {
  /** Milliseconds before a JWKS request is abandoned. Default 5 000. */
  timeoutDuration?: number
  /** Milliseconds after a fetch during which an unknown `kid` does not trigger another. Default 30 000. */
  cooldownDuration?: number
  /** Milliseconds a fetched set is used before it is refetched. Default 600 000. */
  cacheMaxAge?: number
  /** A `fetch` to use instead of the global one (tests, proxies). */
  fetch?: FetchImplementation
}

/** Options of {@link createVerifier}. */
export interface CreateVerifierOptions {
  /** The expected `iss`. */
  issuer: string
  /** The audience this service accepts; `aud` must equal it or contain it. */
  audience: string
  /**
   * The verification keys: a {@link KeySet}, a JWKS object, or the https URL of a JWKS
   * (fetched with caching and a cooldown; tokens never choose where keys come from).
   *
   * Every JWKS entry must be a public signature key the SDK supports (P-256 for ES256, Ed25519
   * for EdDSA, RSA of at least 2048 bits with exponent 65537 for RS256; an `alg`, if present,
   * matching it) with a `kid` that no other entry has. A JWKS object with any other entry is
   * refused with a `TypeError` that names it (`jwks.keys[i]`): it is configuration, so a mistake
   * shows at startup instead of as failing tokens. A remote JWKS skips such entries with a
   * `console.warn` (its issuer may publish keys for other consumers); two entries sharing a `kid`
   * are both skipped. The remaining keys work either way.
   */
  jwks: KeySet | PublicJWKS | URL | string
  /** Seconds of clock skew tolerated for `exp`, `nbf` and `iat`. Default 5. */
  clockTolerance?: number
  /** The oldest token accepted, in seconds since its `iat`. Default 900 (the default access-token TTL). */
  maxTokenAge?: number
  /** The longest token accepted, in characters; longer ones are rejected before any parsing. Default 8192. */
  maxTokenLength?: number
  /** Entries in the cache of verified tokens; `0` disables it. Default 10 000. */
  cacheSize?: number
  /** Milliseconds since the epoch. Default `Date.now`. */
  clock?: () => number
  /** The signature backend. Default: WebCrypto (`'@auth/core'`) or `node:crypto` (`'@auth/core/node'`). */
  backend?: SignatureBackend
  /** Options of the remote JWKS fetch, when `jwks` is a URL. */
  remote?: RemoteJwksOptions
  /** @internal The revocation hook that `createAuth` plugs in. */
  revocation?: RevocationCheck
}

/** A verifier created by {@link createVerifier}. */
export interface Verifier {
  /**
   * Verifies an access token (DESIGN §5) and returns its claims, or rejects with an
   * {@link AuthError}: `token_missing`, `token_invalid`, `token_expired` (and, with a revocation
   * strategy, `token_revoked` / `session_revoked`), or `jwks_unavailable`.
   */
  verify<TClaims extends Record<string, unknown> = Record<string, unknown>>(
    token: string,
  ): Promise<VerifyAccessTokenResult<TClaims>>
}

/**
 * Creates a verifier for a resource server that only verifies access tokens.
 *
 * Checks run in this order, cheapest first: a length gate (8 KiB) before any parsing; the
 * compact-JWS shape with canonical base64url only; the header (`typ: at+jwt`, `alg` equal to the
 * one algorithm of the key `kid` names, no `jku`/`x5u`/`jwk`/`x5c`/`crit`); the signature; then
 * `iss`, `aud`, `exp`, `nbf`, `iat`, the maximum age and the types of `sub`, `sid`, `jti`, `ver`.
 * Verified tokens are cached until `exp`, so a warm token costs a table lookup plus the time checks.
 *
 * Exported from `'@auth/core'` (WebCrypto, every runtime) and `'@auth/core/node'` (same API,
 * `node:crypto` backend).
 *
 * @example
 * ```ts
 * import { createVerifier } from '@auth/core'
 *
 * const verifier = createVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   jwks: 'https://auth.example.com/.well-known/jwks.json',
 * })
 * const { claims } = await verifier.verify(token)
 * ```
 *
 * @param options - issuer, audience, keys and limits
 */
export function createVerifier(options: CreateVerifierOptions): Verifier {
  if (typeof options !== 'object' || options === null) throw new TypeError('createVerifier: options are required')
  const { issuer, audience } = options
  if (typeof issuer !== 'string' || issuer.length === 0) throw new TypeError('createVerifier: issuer is required')
  if (typeof audience !== 'string' || audience.length === 0) throw new TypeError('createVerifier: audience is required')
  const clockTolerance = checkNumber('clockTolerance', options.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE, 0, 300)
  const maxTokenAge = checkNumber('maxTokenAge', options.maxTokenAge ?? DEFAULT_ACCESS_TOKEN_TTL, 1, 366 * 86_400)
  const maxTokenLength = checkNumber('maxTokenLength', options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH, 256, 1 << 20)
  const cacheSize = checkNumber('cacheSize', options.cacheSize ?? DEFAULT_CACHE_SIZE, 0, 10_000_000)
  const backend = options.backend ?? webCryptoBackend
  const verify = createTokenVerifier({
    backend,
    keys: createKeyResolver(options.jwks, backend, options.remote ?? {}),
    rules: { issuer, audience, clockTolerance, maxTokenAge },
    maxTokenLength,
    cacheSize,
    clock: options.clock ?? Date.now,
    revocation: options.revocation,
  })
  return Object.freeze({ verify }) as Verifier
}

function checkNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`createVerifier: ${name} must be a number from ${min} to ${max}`)
  }
  return value
}

function createKeyResolver(
  jwks: CreateVerifierOptions['jwks'],
  backend: SignatureBackend,
  remote: RemoteJwksOptions,
): KeyResolver {
  if (typeof jwks === 'string' || jwks instanceof URL) return createRemoteResolver(jwks, backend, remote)
  if (typeof jwks !== 'object' || jwks === null) throw new TypeError('createVerifier: jwks is required')
  if ('jwks' in jwks && typeof jwks.get === 'function') return staticResolver(jwks.keys, backend)
  if (!Array.isArray((jwks as PublicJWKS).keys)) throw new TypeError('createVerifier: jwks must have a "keys" array')
  // A JWKS written into the configuration: an entry the verifier cannot use is a mistake, refused
  // at setup rather than found later as failing tokens (see key/jwks-entries.ts).
  const { usable, refused } = checkJwksEntries((jwks as PublicJWKS).keys)
  if (refused.length > 0) throw new TypeError(`createVerifier: ${describeRefusedJwk(refused[0]!)}`)
  let resolver: KeyResolver | undefined
  const loading = importJwksEntries(usable).then(({ keys, failed }) => {
    for (const entry of failed) console.warn(`@auth/core: createVerifier ignores ${describeRefusedJwk(entry)}`)
    resolver = staticResolver(keys, backend)
  })
  return {
    generation: 0,
    get: (kid) => resolver?.get(kid),
    refresh: async (kid) => {
      await loading
      return resolver!.get(kid)
    },
  }
}

function staticResolver(keys: readonly AuthKey[], backend: SignatureBackend): KeyResolver {
  const byKid = new Map<string, PreparedKey>()
  for (const key of keys) byKid.set(key.kid, prepareKey(backend, key))
  return { generation: 0, get: (kid) => byKid.get(kid) }
}

/** Imports a fetched set: entries the verifier cannot use are skipped, with one warning per set. */
async function importRemoteJwks(entries: unknown[], href: string): Promise<AuthKey[]> {
  const { usable, refused } = checkJwksEntries(entries)
  const { keys, failed } = await importJwksEntries(usable)
  const skipped = [...refused, ...failed]
  if (skipped.length > 0) {
    console.warn(`@auth/core: the JWKS at ${href} has entries the verifier skips: ${skipped.map(describeRefusedJwk).join('; ')}`)
  }
  return keys
}

function createRemoteResolver(url: string | URL, backend: SignatureBackend, options: RemoteJwksOptions): KeyResolver {
  const href = new URL(url)
  if (href.protocol !== 'https:') throw new TypeError('createVerifier: a remote JWKS must be an https URL')
  const remote = createRemoteJWKSet(href, {
    ...(options.timeoutDuration === undefined ? {} : { timeoutDuration: options.timeoutDuration }),
    ...(options.cooldownDuration === undefined ? {} : { cooldownDuration: options.cooldownDuration }),
    ...(options.cacheMaxAge === undefined ? {} : { cacheMaxAge: options.cacheMaxAge }),
    ...(options.fetch ? { [customFetch]: options.fetch } : {}),
  })
  let byKid = new Map<string, PreparedKey>()
  let seen = ''
  let generation = 0
  let loaded = false

  async function reload(): Promise<void> {
    await remote.reload()
    loaded = true
    const set = remote.jwks()
    const text = JSON.stringify(set ?? null)
    if (text === seen) return
    const keys = await importRemoteJwks(Array.isArray(set?.keys) ? set.keys : [], href.href)
    if (text !== JSON.stringify(remote.jwks() ?? null)) return // a newer reload won; it syncs itself
    seen = text
    const next = new Map<string, PreparedKey>()
    for (const key of keys) next.set(key.kid, byKid.get(key.kid) ?? prepareKey(backend, key))
    byKid = next
    generation++
  }

  return {
    get generation() {
      return generation
    },
    get(kid) {
      // Past its max age the set is refetched in the background; verification keeps using it meanwhile.
      if (loaded && !remote.fresh && !remote.reloading) reload().catch(() => {})
      return byKid.get(kid)
    },
    async refresh(kid) {
      if (loaded && remote.coolingDown) return undefined
      try {
        await reload()
      } catch (cause) {
        if (!loaded) throw new AuthError('jwks_unavailable', { cause, retryAfter: 30 })
        return undefined
      }
      return byKid.get(kid)
    },
  }
}
