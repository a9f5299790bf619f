/**
 * `@auth/test-utils` (private, not published): helpers shared by the packages' tests and the
 * benchmarks. Exports its TypeScript sources; vitest and tsx read them as they are.
 *
 * @module
 */

export { assertRedisInstalled, freePort, startRedisCluster, startRedisSentinel, startRedisServer } from './redis-server.js'
export type { RedisCluster, RedisServer, StartRedisServerOptions } from './redis-server.js'
export { startTcpProxy } from './tcp-proxy.js'
export type { TcpProxy } from './tcp-proxy.js'
