/**
 * The startup check of Redis' eviction policy. Under memory pressure a Redis with any policy but
 * `noeviction` drops keys: `allkeys-*` any key (user versions, feed streams), `volatile-*` the keys
 * with an expiry (sessions, denylist entries). Either way a revocation can vanish and a revoked
 * token come back, so the store warns, loudly and by name of the fix.
 *
 * @module
 * @internal
 */
import type { Cluster, Redis } from 'ioredis'
import { describe } from './connection.js'
import type { RedisStoreLogger } from './options.js'

/** @internal Reads `maxmemory-policy` on every master and warns unless it is `noeviction`. Never rejects. */
export async function checkEvictionPolicy(client: Redis | Cluster, timeoutMs: number, logger: RedisStoreLogger): Promise<void> {
  const nodes: Redis[] = (client as { isCluster?: boolean }).isCluster ? (client as Cluster).nodes('master') : [client as Redis]
  await Promise.all(
    nodes.map(async (node) => {
      const where = `${String(node.options.host ?? '?')}:${String(node.options.port ?? '?')}`
      let policy: string
      try {
        const reply = (await withTimeout(node.config('GET', 'maxmemory-policy'), timeoutMs)) as unknown as string[]
        policy = String(reply?.[1] ?? '')
        if (policy === '') throw new Error('empty reply')
      } catch (error) {
        // Managed Redis often renames or disables CONFIG: say what to check by hand, then carry on.
        logger.warn(
          `@auth/store-redis: could not read maxmemory-policy on ${where} (${describe(error)}). ` +
            'Make sure it is noeviction: with any other policy Redis may evict sessions, denylist entries or the revocation feed, and a revoked token comes back.',
        )
        return
      }
      if (policy !== 'noeviction') {
        logger.warn(
          `@auth/store-redis: WARNING: Redis on ${where} has maxmemory-policy ${policy}. Under memory pressure it may evict ` +
            'sessions, user versions, denylist entries or the revocation feed, and an evicted revocation lets a revoked token back in. ' +
            'Set maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction, and in redis.conf), and give Redis enough memory.',
        )
      }
    }),
  )
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() =>
    clearTimeout(timer),
  )
}
