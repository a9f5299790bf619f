/**
 * Health events: what an operator monitors. The store failing and coming back, and the `mirror`
 * revocation strategy falling back to the store and catching up again. Security events
 * (`refresh_reused`, …) are a separate stream: see {@link SecurityEvent}.
 *
 * The events, and why there are both per-failure events and transitions: {@link HealthEvent}.
 *
 * @module
 */
import { isAuthError } from './errors.js'
import { EventListeners, type SecurityEvent } from './events.js'

/**
 * The `Auth` operation a store call was made for: an `Auth` method's name, `mirrorFeed` for the
 * `mirror` strategy's feed reads, or `trimFeed` for the background trim of the revocation feed.
 * (`verifyAccessToken` is the `strict` check, or `mirror` falling back to it.)
 */
export type StoreOperation =
  | 'login'
  | 'refresh'
  | 'verifyAccessToken'
  | 'verifySessionToken'
  | 'logout'
  | 'logoutAll'
  | 'revokeToken'
  | 'listSessions'
  | 'getSession'
  | 'touchSession'
  | 'updateSessionData'
  | 'setSessionData'
  | 'mirrorFeed'
  | 'trimFeed'

/**
 * An operational event, for monitoring: subscribe with `createAuth({ onHealthEvent })` or
 * `auth.onHealthEvent(listener)`, and, for the `jwks_*` events of a remote JWKS,
 * `createVerifier({ onHealthEvent })` (exported, as a type, from `'@auth/core'`).
 *
 * | event | when | how often |
 * |---|---|---|
 * | `store_error` | a store call failed; its caller got `store_unavailable` (503) | once per failed call |
 * | `store_down` | the first failure after the store last answered | once per outage |
 * | `store_recovered` | the first success after `store_down` | once per outage |
 * | `mirror_stale` | the mirror passed its staleness bound (or distrusts a lost feed): verification asks the store | once per episode |
 * | `mirror_recovered` | the mirror is fresh again: verification needs no store call | once per episode |
 * | `jwks_error` | `createVerifier` with a remote JWKS: a fetch of the set failed | once per attempt (attempts back off) |
 * | `jwks_recovered` | `createVerifier` with a remote JWKS: a fetch succeeded after `jwks_error` | once per run of failures |
 *
 * Why both a per-failure event and transitions: a counter wants every failure (the rate of 503s is
 * what clients feel, and one failed call in a thousand is worth a graph but not a page), while a
 * log line or an alert wants one message per outage. `store_error` is emitted only when somebody
 * listens, and the success path of a store call costs one boolean read; a listener should count,
 * not log, since a `strict` deployment under load emits one `store_error` per request for as long
 * as the outage lasts.
 *
 * Refused credentials (`token_invalid`, `token_expired`…) have no event: their rate is set by
 * whoever sends them (an attacker can make it anything), and the HTTP answers already carry the
 * code (`{ "error": { "code" } }`), which is where a response metric counts them.
 *
 * @example
 * ```ts
 * auth.onHealthEvent((event) => {
 *   if (event.type === 'store_error') storeErrors.inc({ operation: event.operation }) // your metrics client
 *   else logger.warn({ event }, `auth: ${event.type}`)
 * })
 * ```
 */
export type HealthEvent =
  | {
      /**
       * A store call failed, and the operation's caller got `AuthError('store_unavailable')` (a
       * 503 with `Retry-After`), or, for `mirrorFeed` and `trimFeed`, the work is retried later.
       * One per failed call: count it.
       */
      readonly type: 'store_error'
      /** What the store was called for. */
      readonly operation: StoreOperation
      /** The `AuthStore` method that failed, e.g. `getRevocationState`. */
      readonly method: string
      /** One line for logs: the underlying error's name and message (a store is given ids and hashes, never a token). */
      readonly message: string
      /** What the store threw or rejected with, as it was (an `AuthError('store_unavailable')` from `@auth/store-redis`, a driver's error…). */
      readonly error: unknown
      /** When (ms). */
      readonly at: number
    }
  | {
      /** The store failed after it last answered: an outage (or a blip) starts. Log or alert on it. */
      readonly type: 'store_down'
      /** What the failed call was for. */
      readonly operation: StoreOperation
      /** The `AuthStore` method that failed. */
      readonly method: string
      /** As in `store_error`. */
      readonly message: string
      /** As in `store_error`. */
      readonly error: unknown
      /** When (ms). */
      readonly at: number
    }
  | {
      /**
       * A store call made after `store_down` succeeded: the store answers again. A call that was
       * already under way when the store went down does not count.
       */
      readonly type: 'store_recovered'
      /** The `at` of the `store_down` this ends (ms). */
      readonly downSince: number
      /** Failed calls in between, the first included. */
      readonly failures: number
      /** When (ms). */
      readonly at: number
    }
  | {
      /**
       * The `mirror` strategy can no longer trust its mirror, and verification asks the store
       * (like `strict`) until it catches up: if the store is down too, verification answers 503.
       * `feed_silent`: the feed was not heard from within `mirror.stalenessMs`; `feed_gap`: the
       * feed lost entries (trimmed past the mirror's position, or Redis restarted without
       * persistence) and the mirror distrusts itself for one revocation window.
       */
      readonly type: 'mirror_stale'
      /** Why. */
      readonly reason: 'feed_silent' | 'feed_gap'
      /** When the mirror last caught up with the feed (ms). */
      readonly lastSyncAt: number
      /** When (ms). */
      readonly at: number
    }
  | {
      /** The mirror is fresh again: verification needs no store call. */
      readonly type: 'mirror_recovered'
      /** The `at` of the `mirror_stale` this ends (ms). */
      readonly staleSince: number
      /** When (ms). */
      readonly at: number
    }
  | {
      /**
       * A fetch of a remote JWKS (`createVerifier` with a URL) failed. The keys already held keep
       * verifying; a token naming a key not held gets `503 jwks_unavailable` until a fetch
       * succeeds. Attempts back off (`remote.maxBackoffMs`), so these come at most once per attempt.
       */
      readonly type: 'jwks_error'
      /** Why: the `reason` of the `jwks_unavailable` errors that follow. */
      readonly reason: 'jwks_status' | 'jwks_timeout' | 'jwks_too_large' | 'jwks_malformed' | 'jwks_network'
      /** Failed attempts in a row, this one included (1: the first of a run, an outage starting). */
      readonly failures: number
      /** One line for logs. */
      readonly message: string
      /** The error, with the network's or the parser's as its `cause`. */
      readonly error: unknown
      /** When the next attempt may start (ms). */
      readonly retryAt: number
      /** When (ms). */
      readonly at: number
    }
  | {
      /** A fetch of a remote JWKS succeeded after `jwks_error`: the set held is the issuer's current one again. */
      readonly type: 'jwks_recovered'
      /** Failed attempts before it. */
      readonly failures: number
      /** The `at` of the first of those failures (ms). */
      readonly since: number
      /** When (ms). */
      readonly at: number
    }

/**
 * A subscriber to {@link HealthEvent}s. It runs synchronously inside the operation: keep it
 * cheap (count, or queue). Errors it throws, and rejections of an async one, are ignored: they
 * never change an answer.
 */
export type HealthEventListener = (event: HealthEvent) => void

/**
 * @internal One `createAuth`'s view of its store's health: the down/up state, and the listeners.
 * The store guard and the `strict` check report to it.
 */
export class StoreHealth extends EventListeners<HealthEvent> {
  /** Whether the last store call that finished failed: a call begun now that succeeds is a recovery. */
  down = false
  #downSince = 0
  #failures = 0
  #closed = false
  readonly #clock: () => number

  constructor(clock: () => number) {
    super()
    this.#clock = clock
  }

  /** Reports a failed store call (`error` as the store threw it). */
  failed(operation: StoreOperation, method: string, error: unknown): void {
    if (this.#closed) return // a feed read aborted by `close()` is no outage
    const at = this.#clock()
    this.#failures = this.down ? this.#failures + 1 : 1
    const wasDown = this.down
    this.down = true
    if (!wasDown) this.#downSince = at
    if (!this.active) return
    const message = describeError(error)
    this.emit({ type: 'store_error', operation, method, message, error, at })
    if (!wasDown) this.emit({ type: 'store_down', operation, method, message, error, at })
  }

  /** Reports the success of a store call begun while `down`. */
  recovered(): void {
    if (!this.down || this.#closed) return
    this.down = false
    if (this.active) this.emit({ type: 'store_recovered', downSince: this.#downSince, failures: this.#failures, at: this.#clock() })
  }

  /** No more events: the `Auth` is closing. */
  close(): void {
    this.#closed = true
  }
}

/** @internal Whether a store's rejection is a store failure (an `AuthError` of another code is an answer). */
export function isStoreFailure(error: unknown): boolean {
  return !isAuthError(error) || error.code === 'store_unavailable'
}

/**
 * @internal One line: the name and message of what failed, looking through an `AuthError` (or an
 * error with a `cause`) to its cause, three levels at most (a cause may be cyclic). Never throws:
 * it runs on the failure path, where a throw would replace the caller's `store_unavailable`.
 */
export function describeError(error: unknown, depth = 0): string {
  try {
    const cause = (error as { cause?: unknown } | null)?.cause
    const inner = (separator: string, close = '') =>
      cause === undefined || depth >= 2 ? '' : `${separator}${describeError(cause, depth + 1)}${close}`
    if (isAuthError(error)) return `${error.code}${error.reason === undefined ? '' : ` (${String(error.reason)})`}${inner(': ')}`
    if (error instanceof Error) return `${error.name}: ${error.message}${inner(' (', ')')}`
    return typeof error === 'string' ? error : String(error)
  } catch {
    return typeof error // an object without `toString` (`Object.create(null)`), a throwing getter
  }
}
