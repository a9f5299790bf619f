/**
 * The messages between the redis benchmark (process A) and its mirror process (process B,
 * `bench/redis-mirror-process.ts`), over the `child_process.fork` IPC channel. Types only.
 *
 * Times are `process.hrtime.bigint()` values as decimal strings: on Linux that is
 * `CLOCK_MONOTONIC`, one clock for every process of the machine, so A and B compare them directly
 * (the bench checks this with pings before it measures).
 */

/** Where B's Redis is. */
export type RedisSpec =
  | { readonly kind: 'standalone'; readonly host: string; readonly port: number }
  | { readonly kind: 'cluster'; readonly nodes: ReadonlyArray<{ host: string; port: number }> }

/** A → B. */
export type ToMirror =
  | {
      readonly type: 'init'
      readonly redis: RedisSpec
      readonly prefix: string
      /** The signing key in `exportKey` form (B's Auth needs a key set that can sign). */
      readonly key: string
      /** The shared `secret`, base64url. */
      readonly secret: string
      readonly issuer: string
      readonly audience: string
    }
  /** Answer a `pong` with B's clock. */
  | { readonly type: 'ping'; readonly id: number }
  /** Verify `token` (it must be accepted), then watch it until it is refused; answer `armed`. */
  | { readonly type: 'arm'; readonly i: number; readonly token: string }
  /** Answer `stats`. */
  | { readonly type: 'stats' }
  /** Close the Auth, the store and the client, answer `closed`, exit. */
  | { readonly type: 'close' }

/** B → A. */
export type FromMirror =
  | { readonly type: 'ready'; readonly replayMs: number }
  | { readonly type: 'pong'; readonly id: number; readonly t: string }
  | { readonly type: 'armed'; readonly i: number }
  | {
      readonly type: 'rejected'
      readonly i: number
      /** When B's verification of the watched token first rejected (hrtime, ns). */
      readonly t: string
      /** The AuthError code it rejected with. */
      readonly code: string
      /** What triggered the check that saw it: a feed read delivering, or the 1 ms timer. */
      readonly via: 'feed' | 'timer' | 'arm'
    }
  | {
      readonly type: 'stats'
      /** `getRevocationState` calls: the mirror was stale and fell back to `strict`. */
      readonly fallbacks: number
      /** Feed reads that resolved (blocking reads included). */
      readonly feedReads: number
      /** Checks of the watched token (every trigger). */
      readonly checks: number
    }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string }
