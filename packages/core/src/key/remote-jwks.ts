/**
 * A remote JWKS for the verifier: fetched on demand, kept, refreshed in the background, and
 * never fetched in a storm, whatever tokens arrive and however the issuer fails.
 *
 * | situation | what the verifier does |
 * |---|---|
 * | the first token | one fetch; tokens arriving meanwhile wait for it |
 * | the set is older than `cacheMaxAgeMs` | the next request, warm or cold, starts a background refetch; verification keeps using the held set until it lands |
 * | a token names a `kid` not in the set | a refetch, if one may start now; then the key, or `token_invalid` (401) when the set is current |
 * | a fetch fails (status ≠ 200, network, timeout, body over the cap, not a JWKS) | the held set stays; the next attempt waits an exponential backoff with jitter |
 * | no current set (never fetched, or the last attempt failed) and the key is unknown | `jwks_unavailable` (503, `Retry-After`): the key may well exist, so the token is neither accepted nor called invalid |
 *
 * At most one fetch is in flight, and a new one starts no sooner than `cooldownMs` after
 * the end of a successful attempt, or the backoff after a failed one. So tokens cannot make the
 * verifier hammer a failing issuer: 1 000 tokens with random `kid`s cost one fetch, not 1 000.
 *
 * The body is read as a stream and abandoned once it passes `maxResponseBytes` (the connection is
 * closed): a 300 MiB "JWKS" costs the cap, not gigabytes of memory and seconds of parsing.
 *
 * Times come from the verifier's `clock`, so the schedule follows the same time as the tokens.
 *
 * @module
 */
import type { FetchImplementation } from 'jose'
import type { SignatureBackend } from '../crypto/backend.js'
import { AuthError } from '../errors.js'
import { describeError, type HealthEvent } from '../health.js'
import { readCappedText, type ReadCappedErrors } from '../lib/read-capped.js'
import { type KeyResolver, type PreparedKey, prepareKey } from '../token/verify.js'
import type { AuthKey } from './auth-key.js'
import { checkJwksEntries, describeRefusedJwk, importJwksEntries } from './jwks-entries.js'

/** Default milliseconds before a JWKS request (connection, status and body) is abandoned: 5 000. */
export const DEFAULT_JWKS_TIMEOUT_MS = 5_000
/** Default milliseconds after a successful fetch before another may start (an unknown `kid` fetches nothing meanwhile): 30 000. */
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000
/** Default milliseconds a fetched set is used before it is refetched in the background: 600 000. */
export const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 600_000
/** Default longest wait between attempts while the issuer keeps failing, in milliseconds: 300 000. */
export const DEFAULT_JWKS_MAX_BACKOFF_MS = 300_000
/** Default largest JWKS response body accepted, in bytes: 512 KiB (a set of 100 RSA keys is ~60 KiB). */
export const DEFAULT_JWKS_MAX_RESPONSE_BYTES = 512 * 1024

/** The first wait after a failure, when `cooldownMs` is shorter, in milliseconds. */
const MIN_FAILURE_BACKOFF = 1_000

/** Options of the remote JWKS fetch, when `createVerifier`'s `jwks` is a URL. All durations in milliseconds. */
export interface RemoteJwksOptions {
  /** Milliseconds before a JWKS request (connection, status and body) is abandoned. Default {@link DEFAULT_JWKS_TIMEOUT_MS}. */
  timeoutMs?: number
  /**
   * Milliseconds after a successful fetch before another may start, whatever asks for it (a token
   * with an unknown `kid`, or the set reaching `cacheMaxAgeMs`, which is in effect never shorter).
   * Default {@link DEFAULT_JWKS_COOLDOWN_MS}.
   */
  cooldownMs?: number
  /** Milliseconds a fetched set is used before it is refetched (in the background). Default {@link DEFAULT_JWKS_CACHE_MAX_AGE_MS}. */
  cacheMaxAgeMs?: number
  /**
   * The longest wait between two attempts while the issuer keeps failing. After the n-th failure in
   * a row the next attempt waits `max(cooldownMs, 1 000) × 2^(n−1)`, capped here, then drawn
   * at random between half and all of it (jitter, so a fleet of verifiers does not retry in step).
   * Default {@link DEFAULT_JWKS_MAX_BACKOFF_MS}.
   */
  maxBackoffMs?: number
  /**
   * The largest response body accepted, in bytes. A longer body (or a `Content-Length` saying so)
   * is abandoned while it streams, counts as a failed fetch, and never replaces a held set; with
   * no set held, tokens get `jwks_unavailable` (503). Default {@link DEFAULT_JWKS_MAX_RESPONSE_BYTES}.
   */
  maxResponseBytes?: number
  /** A `fetch` to use instead of the global one (tests, proxies). */
  fetch?: FetchImplementation
}

/** Why an attempt failed: the `reason` of the `jwks_unavailable` error that follows it. */
class JwksFetchError extends Error {
  constructor(
    readonly reason: 'jwks_status' | 'jwks_timeout' | 'jwks_too_large' | 'jwks_malformed' | 'jwks_network',
    options?: { cause?: unknown },
  ) {
    super(`JWKS fetch failed: ${reason}`, options)
  }
}

/** @internal The key resolver of a remote JWKS; see the module comment for its behaviour. */
export function createRemoteKeyResolver(
  url: URL,
  backend: SignatureBackend,
  options: RemoteJwksOptions,
  clock: () => number,
  /** Told of failed fetches and of the success that ends a run of them (`jwks_*` health events). */
  report?: (event: HealthEvent) => void,
): KeyResolver {
  const timeout = duration('timeoutMs', options.timeoutMs, DEFAULT_JWKS_TIMEOUT_MS, 1, 300_000)
  const cooldown = duration('cooldownMs', options.cooldownMs, DEFAULT_JWKS_COOLDOWN_MS, 0, 86_400_000)
  const maxAge = duration('cacheMaxAgeMs', options.cacheMaxAgeMs, DEFAULT_JWKS_CACHE_MAX_AGE_MS, 0, 86_400_000)
  const maxBackoff = duration('maxBackoffMs', options.maxBackoffMs, DEFAULT_JWKS_MAX_BACKOFF_MS, MIN_FAILURE_BACKOFF, 86_400_000)
  const maxBytes = duration('maxResponseBytes', options.maxResponseBytes, DEFAULT_JWKS_MAX_RESPONSE_BYTES, 1024, 64 * 1024 * 1024)
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new TypeError('createVerifier: remote.fetch must be a function')
  // Looked up per call, not captured: tests and polyfills may replace the global.
  const fetchJwks: FetchImplementation = options.fetch ?? ((target, init) => fetch(target, init))
  const href = url.href

  let byKid = new Map<string, PreparedKey>()
  /** The body of the set held, to skip re-importing an unchanged one (a string compare). */
  let heldBody: string | undefined
  /** Whether the last attempt succeeded, so the held set is the issuer's current one. */
  let current = false
  let staleAt = Number.POSITIVE_INFINITY
  let nextAttemptAt = Number.NEGATIVE_INFINITY
  let failures = 0
  let failingSince = 0
  let lastFailure: JwksFetchError | undefined
  let inflight: Promise<void> | undefined

  const resolver = {
    generation: 0,
    // Until a set is held, the cold path's `refresh` does the fetching.
    revalidateAt: Number.POSITIVE_INFINITY,
    get: (kid: string) => byKid.get(kid),
    revalidate(now: number): void {
      if (inflight === undefined && now >= nextAttemptAt) void attempt()
    },
    async refresh(kid: string): Promise<PreparedKey | undefined> {
      if (inflight === undefined && clock() >= nextAttemptAt) void attempt()
      if (inflight !== undefined) await inflight
      const found = byKid.get(kid)
      if (found !== undefined) return found
      // An unknown kid is a bad token only when the set is known to be current.
      if (heldBody === undefined || !current) throw unavailable()
      return undefined
    },
  }

  function unavailable(): AuthError {
    const wait = Math.max(1, Math.ceil((nextAttemptAt - clock()) / 1000))
    return new AuthError('jwks_unavailable', { reason: lastFailure?.reason ?? 'jwks_network', cause: lastFailure, retryAfter: wait })
  }

  /** Starts one fetch; settles (never rejects) when it has been applied or has failed. */
  function attempt(): Promise<void> {
    resolver.revalidateAt = Number.POSITIVE_INFINITY
    const running = load().then(
      () => {
        const end = clock()
        if (failures > 0 && report) report({ type: 'jwks_recovered', failures, since: failingSince, at: end })
        failures = 0
        lastFailure = undefined
        current = true
        staleAt = end + maxAge
        nextAttemptAt = end + cooldown
      },
      (error: unknown) => {
        const end = clock()
        failures++
        lastFailure = error instanceof JwksFetchError ? error : new JwksFetchError('jwks_network', { cause: error })
        current = false
        const delay = Math.min(maxBackoff, Math.max(cooldown, MIN_FAILURE_BACKOFF) * 2 ** Math.min(failures - 1, 30))
        nextAttemptAt = end + delay / 2 + (Math.random() * delay) / 2
        if (failures === 1) failingSince = end
        if (report) {
          const { reason } = lastFailure
          report({ type: 'jwks_error', reason, failures, message: describeError(lastFailure), error: lastFailure, retryAt: nextAttemptAt, at: end })
        }
      },
    )
    inflight = running.then(() => {
      inflight = undefined
      resolver.revalidateAt = heldBody === undefined ? Number.POSITIVE_INFINITY : Math.max(staleAt, nextAttemptAt)
    })
    return inflight
  }

  async function load(): Promise<void> {
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeout)
    try {
      const headers = new Headers({ accept: 'application/json, application/jwk-set+json' })
      const response = await fetchJwks(href, { method: 'GET', headers, redirect: 'manual', signal: controller.signal })
      if (response.status !== 200) throw new JwksFetchError('jwks_status')
      const body = await readCapped(response, maxBytes)
      if (body === heldBody) return
      let set: unknown
      try {
        set = JSON.parse(body)
      } catch (cause) {
        throw new JwksFetchError('jwks_malformed', { cause })
      }
      const entries = (set as { keys?: unknown } | null)?.keys
      if (!Array.isArray(entries)) throw new JwksFetchError('jwks_malformed')
      apply(await importRemoteEntries(entries, href))
      heldBody = body
    } catch (error) {
      // Closes the connection of an abandoned body (over the cap, bad status) or a hung request.
      controller.abort()
      if (timedOut) throw new JwksFetchError('jwks_timeout', { cause: error })
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  /** Swaps in the new keys. Keys kept unchanged keep their prepared form; a removed or changed one invalidates cached tokens. */
  function apply(keys: readonly AuthKey[]): void {
    const next = new Map<string, PreparedKey>()
    for (const key of keys) {
      const held = byKid.get(key.kid)
      next.set(key.kid, held !== undefined && isSameKey(held.key, key) ? held : prepareKey(backend, key))
    }
    let invalidated = false
    for (const [kid, held] of byKid) if (next.get(kid) !== held) invalidated = true
    byKid = next
    if (invalidated) resolver.generation++
  }

  return resolver
}

/** Reads the body as a stream, giving up (and cancelling it) once it passes `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) throw new JwksFetchError('jwks_too_large')
  return readCappedText(response.body, maxBytes, JWKS_BODY_ERRORS)
}

const JWKS_BODY_ERRORS: ReadCappedErrors = {
  tooLarge: () => new JwksFetchError('jwks_too_large'),
  malformed: (cause) => new JwksFetchError('jwks_malformed', { cause }),
}

/** Imports a fetched set: entries the verifier cannot use are skipped, with one warning per new set. */
async function importRemoteEntries(entries: unknown[], href: string): Promise<AuthKey[]> {
  const { usable, refused } = checkJwksEntries(entries)
  const { keys, failed } = await importJwksEntries(usable)
  const skipped = [...refused, ...failed].sort((a, b) => a.index - b.index)
  if (skipped.length > 0) {
    console.warn(`@auth/core: the JWKS at ${href} has entries the verifier skips: ${skipped.map(describeRefusedJwk).join('; ')}`)
  }
  return keys
}

function isSameKey(a: AuthKey, b: AuthKey): boolean {
  if (a.alg !== b.alg) return false
  const x = a.publicJwk()
  const y = b.publicJwk()
  return x !== undefined && y !== undefined && x.kty === y.kty && x.crv === y.crv && x.x === y.x && x.y === y.y && x.n === y.n && x.e === y.e
}

function duration(name: string, value: unknown, fallback: number, min: number, max: number): number {
  const chosen = value ?? fallback
  if (typeof chosen !== 'number' || !Number.isFinite(chosen) || chosen < min || chosen > max) {
    throw new TypeError(`createVerifier: remote.${name} must be a number from ${min} to ${max}`)
  }
  return chosen
}
