/**
 * The doorbell that wakes blocking feed reads. Every feed append also `PUBLISH`es the shard's
 * number on one channel; a subscriber on a separate connection (`client.duplicate()`) counts the
 * rings and wakes the waiting reads, which then read the shards' streams again.
 *
 * Why not `XREAD BLOCK`: on a Cluster the shards' streams live in different slots, and a
 * multi-key `XREAD` across slots is refused (`CROSSSLOT`), so a blocking read would need one
 * blocked connection per shard. A Pub/Sub message reaches every node of a Cluster (and every
 * replica), so one connection per process serves every shard, on standalone, Sentinel and
 * Cluster alike.
 *
 * The doorbell only says "read again": entries are always read from the streams, from the
 * reader's cursor. A ring lost while the subscriber reconnects costs latency, never an entry:
 * while it is not subscribed, waits are cut to a short poll.
 *
 * @module
 * @internal
 */
import type { Cluster, Redis } from 'ioredis'
import { describe, type ThrottledLogger } from './connection.js'

/** While the subscriber is not subscribed, a blocking read polls this often (ms). */
export const POLL_MS = 50

/** @internal The doorbell of one store. */
export class Doorbell {
  readonly #client: Redis | Cluster
  readonly #channel: string
  readonly #log: ThrottledLogger
  readonly #waiters = new Set<() => void>()
  #subscriber: Redis | Cluster | undefined
  #subscribed: Promise<void> | undefined
  #listening = false
  #rings = 0
  #closed = false

  constructor(client: Redis | Cluster, channel: string, log: ThrottledLogger) {
    this.#client = client
    this.#channel = channel
    this.#log = log
  }

  /** How many rings were heard so far. */
  get rings(): number {
    return this.#rings
  }

  /** Whether a ring would be heard now. */
  get live(): boolean {
    return this.#listening && this.#subscriber?.status === 'ready'
  }

  /**
   * Subscribes, once, in the background. Every wait is woken when the subscription is in place
   * (a ring before it was not heard, so waiting reads look again).
   */
  start(): void {
    if (this.#closed) return
    this.#subscribed ??= this.#subscribe()
  }

  /** Resolves on the next ring, after `ms`, on abort or on close. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed || signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#waiters.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#waiters.add(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  /** Disconnects the subscriber and wakes every wait. */
  close(): void {
    this.#closed = true
    this.#listening = false
    this.#subscriber?.disconnect()
    this.#wakeAll()
  }

  #wakeAll(): void {
    for (const wake of [...this.#waiters]) wake()
  }

  async #subscribe(): Promise<void> {
    // The subscriber is ours: it queues its SUBSCRIBE until connected and re-subscribes after
    // every reconnect, whatever the application's client does.
    const subscriber = (this.#client as { isCluster?: boolean }).isCluster
      ? (this.#client as Cluster).duplicate(undefined, { enableOfflineQueue: true, lazyConnect: false })
      : (this.#client as Redis).duplicate({ enableOfflineQueue: true, autoResubscribe: true, lazyConnect: false, maxRetriesPerRequest: null })
    this.#subscriber = subscriber
    const logError = (error: unknown) => this.#log.warn('feed', `@auth/store-redis: feed subscriber connection error: ${describe(error)}`)
    subscriber.on('error', logError)
    subscriber.on('node error', logError)
    subscriber.on('message', (channel: string) => {
      if (channel !== this.#channel) return
      this.#rings++
      this.#wakeAll()
    })
    // After a reconnect, rings may have been missed meanwhile: every waiting read looks again.
    subscriber.on('ready', () => this.#wakeAll())
    try {
      await subscriber.subscribe(this.#channel)
      if (!this.#closed) this.#listening = true
      this.#wakeAll()
    } catch (error) {
      if (!this.#closed) logError(error)
    }
  }
}
