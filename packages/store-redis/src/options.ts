/**
 * The options of `createRedisStore`, their defaults, and their validation (a `TypeError` at
 * construction for anything wrong).
 *
 * Exported from `'@auth/store-redis'`.
 *
 * @module
 */
import type { Cluster, Redis } from 'ioredis'

/** Default {@link RedisStoreOptions.prefix}. */
export const DEFAULT_PREFIX = 'auth:'

/** Default {@link RedisStoreOptions.commandTimeoutMs}: half a second. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 500

/** Default {@link RedisStoreOptions.shards}. */
export const DEFAULT_SHARDS = 16

/**
 * Where the store writes its warnings: an eviction policy that can drop auth keys, a layout
 * mismatch, connection errors (at most one line per 10 s). `console` fits; so does a pino or
 * winston logger.
 */
export interface RedisStoreLogger {
  /** Writes one warning line. */
  warn(message: string): void
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * The application's ioredis client: a `Redis` (standalone, or configured with `sentinels`) or a
   * `Cluster`. The store sends its commands on it and never closes it; it opens one more
   * connection of its own (`client.duplicate()`) for the revocation feed's doorbell, the first
   * time a feed read blocks.
   */
  client: Redis | Cluster
  /**
   * Prepended to every key and to the feed channel, so several applications (or environments)
   * share one Redis. No `{` or `}` (the store places its own hash tags). Default:
   * {@link DEFAULT_PREFIX}.
   */
  prefix?: string
  /**
   * The time budget of each store call (ms), waiting for a connection included. Past it the call
   * rejects with `AuthError('store_unavailable')`, and while the client has been disconnected for
   * longer than this, calls reject at once. Default: {@link DEFAULT_COMMAND_TIMEOUT_MS}.
   */
  commandTimeoutMs?: number
  /**
   * How many shards (Cluster hash slots) the data is spread over; each has its own feed stream.
   * Every process sharing a prefix must use the same value: the store records it at first use and
   * refuses to run with another one. From 1 to 256. Default: {@link DEFAULT_SHARDS}.
   */
  shards?: number
  /**
   * After each revocation (ending a session, ending a user's sessions, denying a token), wait
   * until this many replicas acknowledged the write (`WAIT`), so a failover does not lose it;
   * the call rejects with `store_unavailable` when fewer did in time. Default: 0 (no wait).
   */
  waitReplicas?: number
  /** How long `WAIT` waits (ms); below `commandTimeoutMs`. Default: half of `commandTimeoutMs`. */
  waitTimeoutMs?: number
  /**
   * Read `maxmemory-policy` (on every master of a Cluster) at first use and warn unless it is
   * `noeviction`. Default: `true`.
   */
  checkEvictionPolicy?: boolean
  /** Where warnings go. Default: `console`. */
  logger?: RedisStoreLogger
}

/** @internal The options with their defaults. */
export interface ResolvedOptions extends Required<Omit<RedisStoreOptions, 'logger'>> {
  logger: RedisStoreLogger
}

/** @internal Validates the options (a `TypeError` for anything wrong) and applies the defaults. */
export function resolveOptions(options: RedisStoreOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('createRedisStore: options are required')
  const { client, prefix = DEFAULT_PREFIX, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS, shards = DEFAULT_SHARDS, waitReplicas = 0 } = options
  const { checkEvictionPolicy: check = true, logger = console } = options
  if (typeof client !== 'object' || client === null || typeof client.evalsha !== 'function' || typeof client.status !== 'string') {
    throw new TypeError('createRedisStore: client must be an ioredis Redis or Cluster client')
  }
  if (typeof prefix !== 'string' || /[{}]/.test(prefix) || prefix.length > 200) {
    throw new TypeError('createRedisStore: prefix must be a string of at most 200 characters without { or }')
  }
  const keyPrefix = (client.options as { keyPrefix?: unknown }).keyPrefix
  if (typeof keyPrefix === 'string' && /[{}]/.test(keyPrefix)) {
    throw new TypeError('createRedisStore: the client keyPrefix must not contain { or } (the store places its own hash tags)')
  }
  if (!(Number.isFinite(commandTimeoutMs) && commandTimeoutMs >= 1 && commandTimeoutMs <= 60_000)) {
    throw new TypeError('createRedisStore: commandTimeoutMs must be a number from 1 to 60000')
  }
  if (!(Number.isInteger(shards) && shards >= 1 && shards <= 256)) throw new TypeError('createRedisStore: shards must be an integer from 1 to 256')
  if (!(Number.isInteger(waitReplicas) && waitReplicas >= 0)) throw new TypeError('createRedisStore: waitReplicas must be an integer >= 0')
  const waitTimeoutMs = options.waitTimeoutMs ?? Math.max(1, Math.floor(commandTimeoutMs / 2))
  if (!(Number.isInteger(waitTimeoutMs) && waitTimeoutMs >= 1 && waitTimeoutMs < commandTimeoutMs)) {
    throw new TypeError('createRedisStore: waitTimeoutMs must be an integer from 1 to below commandTimeoutMs')
  }
  if (typeof check !== 'boolean') throw new TypeError('createRedisStore: checkEvictionPolicy must be a boolean')
  if (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function') {
    throw new TypeError('createRedisStore: logger must have a warn(message) method')
  }
  return { client, prefix, commandTimeoutMs, shards, waitReplicas, waitTimeoutMs, checkEvictionPolicy: check, logger }
}
