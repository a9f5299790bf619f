/**
 * The demo's auth setup, the same for every framework: the store (memory, or Redis with
 * `REDIS_URL`), `createAuth` and the HTTP protocol (`createAuthHttp`).
 *
 * @module
 */
import { type Auth, type AuthHttp, createAuthHttp, generateKeySet } from '@auth/core'
import { createAuth } from '@auth/core/node'
import { createMemoryStore } from '@auth/store-memory'
import { createRedisStore } from '@auth/store-redis'
import { Redis } from 'ioredis'
import type { DemoConfig } from './config.js'
import { createTestHooks, type DemoTestHooks } from './test-hooks.js'

/**
 * Fixed, and public: acceptable only because the demo refuses to start with
 * `NODE_ENV=production`. Fixed rather than random so that with `REDIS_URL` refresh cookies keep
 * working across restarts (access tokens do not: the signing keys are generated at each start,
 * and a restarted demo shows the page refreshing its way back in). A real deployment reads it
 * from its secret store (`openssl rand -base64 32`).
 */
const DEMO_SECRET = 'CuMz7RJ2+Bdgz8oIcMEJ/i5O0IYkCDmeSvcHvP9/5jA='

/** Redis must answer this fast at start, or the demo refuses to start. */
const REDIS_CONNECT_TIMEOUT_MS = 3000

/** What {@link createDemoAuth} sets up. */
export interface DemoAuth {
  readonly auth: Auth
  readonly http: AuthHttp
  /** `memory` or `redis`. */
  readonly storeName: string
  /** The test routes' state, with `DEMO_TEST_HOOKS=1`; otherwise `undefined`. */
  readonly testHooks: DemoTestHooks | undefined
  /** Stops the revocation mirror, closes the store and the Redis connection. */
  close(): Promise<void>
}

/**
 * Creates the store, the auth object and the protocol for the demo's configuration. With
 * `REDIS_URL`, Redis must answer within 3 seconds, or this rejects with an `Error` whose message
 * says so (the demo then exits 1).
 */
export async function createDemoAuth(config: DemoConfig): Promise<DemoAuth> {
  const redis = config.redisUrl === undefined ? undefined : await connectRedis(config.redisUrl)
  const testHooks = config.testHooks ? createTestHooks() : undefined
  const store = redis ? createRedisStore({ client: redis, prefix: 'auth-demo:' }) : createMemoryStore(testHooks && { clock: testHooks.clock })
  const auth = createAuth({
    store,
    keys: await generateKeySet(),
    secret: DEMO_SECRET,
    issuer: config.url,
    audience: 'auth-demo',
    revocation: 'mirror',
    accessTokenTtlMs: config.accessTokenTtlMs,
    refreshGraceMs: config.refreshGraceMs,
    ...(testHooks && { clock: testHooks.clock }),
    onSecurityEvent: (event) => console.log(`security event: ${JSON.stringify(event)}`),
  })
  await auth.ready()
  return {
    auth,
    http: createAuthHttp(testHooks ? testHooks.count(auth) : auth, { allowedOrigins: config.allowedOrigins }),
    storeName: redis ? 'redis' : 'memory',
    testHooks,
    async close() {
      await auth.close()
      await store.close()
      await redis?.quit()
    },
  }
}

async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: REDIS_CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1 })
  // Until the store adds its own listener, a connection error is the rejection below, not a log line.
  const quiet = () => {}
  redis.on('error', quiet)
  try {
    await redis.connect()
  } catch (error) {
    redis.disconnect()
    const where = new URL(url)
    throw new Error(`cannot reach Redis at ${where.protocol}//${where.host} (REDIS_URL): ${(error as Error).message}`)
  } finally {
    redis.off('error', quiet)
  }
  return redis
}
