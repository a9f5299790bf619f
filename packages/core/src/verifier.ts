/**
 * The verifier for resource servers: verify access tokens with a key set, a JWKS object or a
 * remote JWKS URL. No store, no signing keys, no `node:` imports: it runs on edge runtimes.
 *
 * @module
 */
import type { SignatureBackend } from './crypto/backend.js'
import { webCryptoBackend } from './crypto/web.js'
import { EventListeners } from './events.js'
import type { HealthEvent, HealthEventListener } from './health.js'
import type { AuthKey, PublicJWKS } from './key/auth-key.js'
import { checkJwksEntries, describeRefusedJwk, importJwksEntries } from './key/jwks-entries.js'
import { createRemoteKeyResolver, type RemoteJwksOptions } from './key/remote-jwks.js'
import type { KeySet } from './key/key-set.js'
import type { Clock } from './clock.js'
import { DEFAULT_ACCESS_TOKEN_TTL_MS } from './token/sign.js'
import {
  createTokenVerifier,
  DEFAULT_CACHE_SIZE,
  DEFAULT_CLOCK_TOLERANCE_MS,
  DEFAULT_MAX_TOKEN_LENGTH,
  type KeyResolver,
  type PreparedKey,
  prepareKey,
  type RevocationCheck,
  type VerifyAccessTokenResult,
  type VerifyNowFn,
} from './token/verify.js'

export type { RemoteJwksOptions } from './key/remote-jwks.js'

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
  /** Milliseconds of clock skew tolerated for `exp`, `nbf` and `iat`. Default {@link DEFAULT_CLOCK_TOLERANCE_MS} (5 s). */
  clockToleranceMs?: number
  /** The oldest token accepted, in milliseconds since its `iat`. Default {@link DEFAULT_ACCESS_TOKEN_TTL_MS} (15 minutes). */
  maxTokenAgeMs?: number
  /** The longest token accepted, in characters; longer ones are rejected before any parsing. Default 8192. */
  maxTokenLength?: number
  /** Entries in the cache of verified tokens; `0` disables it. Default 10 000. */
  cacheSize?: number
  /** The clock. Default `Date.now`. */
  clock?: Clock
  /** The signature backend. Default: WebCrypto (`'@auth/core'`) or `node:crypto` (`'@auth/core/node'`). */
  backend?: SignatureBackend
  /** Options of the remote JWKS fetch, when `jwks` is a URL. */
  remote?: RemoteJwksOptions
  /**
   * Called with the health events of a remote JWKS: `jwks_error` for each failed fetch (attempts
   * back off, so this is no flood) and `jwks_recovered` for the success that ends a run of them
   * (see {@link HealthEvent}). A listener that throws or rejects is ignored.
   */
  onHealthEvent?: HealthEventListener
}

/** A verifier created by {@link createVerifier}. */
export interface Verifier {
  /**
   * Verifies an access token (see [verification](../../../docs/concepts.md#verification)) and returns its claims, or rejects with an
   * {@link AuthError}: `token_missing`, `token_invalid`, `token_expired` (and, with a revocation
   * strategy, `token_revoked` / `session_revoked`), or, with a remote JWKS, `jwks_unavailable`
   * (503, with `retryAfter`) when the token names a key the verifier does not hold and no
   * current set can be fetched (never fetched yet, or the last attempt failed).
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
 * With a remote JWKS (an https URL), at most one fetch is ever in flight; after a success the
 * next waits `cooldownMs`, after a failure an exponential backoff with jitter, so tokens with
 * random `kid`s cannot make the verifier hammer an issuer that is down. The body is capped while
 * it streams (`maxResponseBytes`, default 512 KiB) and the request times out (`timeoutMs`,
 * default 5 s). Once the set is older than `cacheMaxAgeMs` (default 10 minutes) it is refetched in
 * the background on the next request, cached tokens included, so the tokens of a key removed
 * upstream stop verifying within that interval; while the issuer is unreachable the keys already
 * held keep verifying. See {@link RemoteJwksOptions} and the `DEFAULT_JWKS_*` constants.
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
  return createRevocationVerifier(options, undefined)
}

/**
 * `createVerifier` with the revocation check of a strategy, run on every verification, warm
 * tokens included: what `createAuth` builds. Not public: a revocation strategy needs a store and
 * its feed, which only `createAuth` holds.
 *
 * @internal
 */
export function createRevocationVerifier(options: CreateVerifierOptions, revocation: RevocationCheck | undefined): Verifier {
  if (typeof options !== 'object' || options === null) throw new TypeError('createVerifier: options are required')
  const { issuer, audience } = options
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) {
      const renamed = name === 'clockTolerance' || name === 'maxTokenAge' ? ` (durations are milliseconds now: ${name}Ms)` : ''
      throw new TypeError(`createVerifier: unknown option ${name}${renamed}`)
    }
  }
  if (typeof issuer !== 'string' || issuer.length === 0) throw new TypeError('createVerifier: issuer is required')
  if (typeof audience !== 'string' || audience.length === 0) throw new TypeError('createVerifier: audience is required')
  const clockToleranceMs = checkNumber('clockToleranceMs', options.clockToleranceMs ?? DEFAULT_CLOCK_TOLERANCE_MS, 0, 300_000)
  const maxTokenAgeMs = checkNumber('maxTokenAgeMs', options.maxTokenAgeMs ?? DEFAULT_ACCESS_TOKEN_TTL_MS, 1000, 366 * 86_400_000)
  const maxTokenLength = checkNumber('maxTokenLength', options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH, 256, 1 << 20)
  const cacheSize = checkNumber('cacheSize', options.cacheSize ?? DEFAULT_CACHE_SIZE, 0, 10_000_000)
  const backend = options.backend ?? webCryptoBackend
  const clock = options.clock ?? Date.now
  const verify = createTokenVerifier({
    backend,
    keys: createKeyResolver(options.jwks, backend, options.remote ?? {}, clock, reporter(options.onHealthEvent)),
    rules: { issuer, audience, clockToleranceSeconds: clockToleranceMs / 1000, maxTokenAgeSeconds: maxTokenAgeMs / 1000 },
    maxTokenLength,
    cacheSize,
    clock,
    revocation,
  })
  const verifier = Object.freeze({ verify: (token: string) => verify(token) }) as Verifier
  verifyNowByVerifier.set(verifier, verify.now)
  return verifier
}

const verifyNowByVerifier = new WeakMap<Verifier, VerifyNowFn>()

/**
 * The synchronous-where-possible verification of a verifier made here (see `VerifyNowFn`), or
 * `undefined` for any other object. Looked up once at setup, by whoever serves a hot path.
 *
 * @internal
 */
export function verifyNowOf(verifier: Verifier): VerifyNowFn | undefined {
  return verifyNowByVerifier.get(verifier)
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'issuer', 'audience', 'jwks', 'clockToleranceMs', 'maxTokenAgeMs', 'maxTokenLength', 'cacheSize', 'clock', 'backend', 'remote', 'onHealthEvent',
])

/** The listener, shielded: what it throws (or rejects with) never reaches a verification. */
function reporter(listener: HealthEventListener | undefined): ((event: HealthEvent) => void) | undefined {
  if (listener === undefined) return undefined
  if (typeof listener !== 'function') throw new TypeError('createVerifier: onHealthEvent must be a function')
  const listeners = new EventListeners<HealthEvent>()
  listeners.subscribe(listener)
  return (event) => listeners.emit(event)
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
  clock: () => number,
  report: ((event: HealthEvent) => void) | undefined,
): KeyResolver {
  if (typeof jwks === 'string' || jwks instanceof URL) {
    const url = new URL(jwks)
    if (url.protocol !== 'https:') throw new TypeError('createVerifier: a remote JWKS must be an https URL')
    return createRemoteKeyResolver(url, backend, remote, clock, report)
  }
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
    revalidateAt: Number.POSITIVE_INFINITY,
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
  return { generation: 0, revalidateAt: Number.POSITIVE_INFINITY, get: (kid) => byKid.get(kid) }
}
