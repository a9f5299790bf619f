/**
 * `@auth/store-redis`: an `AuthStore` (from `@auth/core`) on Redis through ioredis, for any
 * number of processes: standalone Redis, Sentinel and Cluster. Every check-then-act primitive is
 * one Lua script on one hash slot; the revocation feed is a set of Redis Streams with a Pub/Sub
 * doorbell; every failure answers `store_unavailable`, never "not found".
 *
 * @module @auth/store-redis
 */

export { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_PREFIX, DEFAULT_SHARDS } from './options.js'
export type { RedisStoreLogger, RedisStoreOptions } from './options.js'
export { createRedisStore } from './redis-store.js'
