/**
 * The guard around every command the store sends on the application's client: a time budget,
 * no queueing while the client is disconnected, and one error vocabulary.
 *
 * - A call waits for the client to be ready, then for its answer, both within
 *   `commandTimeoutMs`; past it the call rejects with `AuthError('store_unavailable')`.
 * - While the client has been disconnected for longer than that budget (Redis down, a network
 *   partition), calls reject at once, without waiting and without entering ioredis' offline
 *   queue, so nothing piles up and nothing runs late when Redis comes back.
 * - Any Redis or connection error becomes `store_unavailable` (fail closed: never "not found").
 * - `error` events are listened to (and logged, at most one line per 10 s), so a dropped
 *   connection never surfaces as an unhandled `error` event.
 *
 * @module
 * @internal
 */
import type { Cluster, Redis } from 'ioredis'
import { AuthError, isAuthError } from '@auth/core/errors'
import type { RedisStoreLogger } from './options.js'


/** @internal A store error: `store_unavailable`, with why (for logs). */
export function unavailable(reason: string, cause?: unknown): AuthError {
  return new AuthError('store_unavailable', { reason, retryAfter: 1, ...(cause === undefined ? {} : { cause }) })
}

const LOG_INTERVAL_MS = 10_000

/** @internal Logs a message per key at most once per 10 s. */
export class ThrottledLogger {
  readonly #last = new Map<string, number>()
  constructor(readonly logger: RedisStoreLogger) {}

  warn(key: string, message: string): void {
    const now = Date.now()
    if (now - (this.#last.get(key) ?? Number.NEGATIVE_INFINITY) < LOG_INTERVAL_MS) return
    this.#last.set(key, now)
    this.logger.warn(message)
  }
}

/** @internal The guard of one client. */
export class Connection {
  readonly #client: Redis | Cluster
  readonly #timeoutMs: number
  readonly #waiters = new Set<() => void>()
  readonly #listeners: Array<[string, (...args: unknown[]) => void]>
  /** Since when (performance.now()) the client, once ready, has not been ready. */
  #downSince: number | undefined
  #closed = false

  constructor(client: Redis | Cluster, timeoutMs: number, log: ThrottledLogger) {
    this.#client = client
    this.#timeoutMs = timeoutMs
    if (client.status === 'reconnecting' || client.status === 'close') this.#downSince = performance.now()
    const down = () => {
      this.#downSince ??= performance.now()
    }
    const logError = (error: unknown) => {
      log.warn('error', `@auth/store-redis: Redis connection error (the store answers store_unavailable meanwhile): ${describe(error)}`)
    }
    this.#listeners = [
      [
        'ready',
        () => {
          this.#downSince = undefined
          for (const wake of [...this.#waiters]) wake()
        },
      ],
      ['close', down],
      ['reconnecting', down],
      ['end', down],
      ['error', logError],
      ['node error', logError],
    ]
    for (const [event, listener] of this.#listeners) client.on(event, listener)
  }

  /** Whether the client is a Redis Cluster client. */
  get isCluster(): boolean {
    return (this.#client as { isCluster?: boolean }).isCluster === true
  }

  /**
   * Runs `operation` (which sends commands on the client) within the time budget. Any failure
   * other than an `AuthError` becomes `store_unavailable`.
   */
  async run<T>(operation: () => Promise<T>, timeoutMs = this.#timeoutMs): Promise<T> {
    if (this.#closed) throw unavailable('closed')
    const deadline = performance.now() + timeoutMs
    try {
      if (this.#client.status !== 'ready') await this.#ready(deadline)
      return await withDeadline(operation(), deadline)
    } catch (error) {
      if (isAuthError(error)) throw error
      throw unavailable('redis error', error)
    }
  }

  /** Removes the listeners (the client is the application's: it stays open). */
  close(): void {
    this.#closed = true
    for (const [event, listener] of this.#listeners) this.#client.off(event, listener)
    for (const wake of [...this.#waiters]) wake()
  }

  async #ready(deadline: number): Promise<void> {
    const status = this.#client.status
    if (status === 'end') throw unavailable('the Redis client was closed, or gave up reconnecting')
    // A lazyConnect client connects on its first use.
    if (status === 'wait') this.#client.connect().catch(() => {})
    // Down for longer than one budget already: an outage, not a blip. Answer at once.
    if (this.#downSince !== undefined && performance.now() - this.#downSince >= this.#timeoutMs) {
      throw unavailable('not connected')
    }
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer)
        this.#waiters.delete(done)
        if (this.#client.status === 'ready') resolve()
        else reject(unavailable(this.#closed ? 'closed' : 'not connected'))
      }
      const timer = setTimeout(done, Math.max(0, deadline - performance.now()))
      this.#waiters.add(done)
    })
  }
}

function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    // When the timer fires after the event loop was blocked, the reply may already sit in the
    // socket: let one I/O phase run (setImmediate) before giving up, so an answer that arrived in
    // time is not turned into store_unavailable.
    timer = setTimeout(() => setImmediate(() => reject(unavailable('timeout'))), Math.max(0, deadline - performance.now()))
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** A short, secret-free description of an error for a log line. */
export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300)
  return String(error).slice(0, 300)
}
