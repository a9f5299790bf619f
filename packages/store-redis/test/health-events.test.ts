/**
 * `createAuth({ onHealthEvent })` on a real redis-server that the tests kill and pause: an outage
 * is one `store_down` and one `store_recovered`, each failed call one `store_error` naming what it
 * was for, and a `mirror` deployment reports falling back to the store and catching up.
 */
import { type Auth, type AuthStore, createAuth, type CreateAuthOptions, generateKeySet, type HealthEvent, isAuthError, type KeySet } from '@auth/core'
import { startRedisServer, type RedisServer } from '@auth/test-utils'
import { Redis } from 'ioredis'
import { randomBytes } from 'node:crypto'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createRedisStore } from '../src/index.js'
import { freshPrefix, outcome, recordingLogger, sleep } from './helpers.js'

let keys: KeySet
const cleanup: Array<() => unknown> = []
const secret = randomBytes(32).toString('base64url')

beforeAll(async () => {
  keys = await generateKeySet()
})

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function server(options: Parameters<typeof startRedisServer>[0] = {}): Promise<RedisServer> {
  const started = await startRedisServer(options)
  cleanup.push(() => started.stop())
  return started
}

function store(port: number): AuthStore {
  const redis = new Redis(port, '127.0.0.1')
  cleanup.push(() => redis.disconnect())
  const created = createRedisStore({ client: redis, prefix: freshPrefix(), logger: recordingLogger(), commandTimeoutMs: 200 })
  cleanup.push(() => created.close())
  return created
}

function monitoredAuth(s: AuthStore, options: Partial<CreateAuthOptions> = {}): { auth: Auth; health: HealthEvent[]; types(): string[] } {
  const health: HealthEvent[] = []
  const auth = createAuth({
    store: s,
    keys,
    secret,
    issuer: 'https://auth.example.test',
    audience: 'https://api.example.test',
    onHealthEvent: (event) => health.push(event),
    ...options,
  })
  cleanup.push(() => auth.close())
  return { auth, health, types: () => health.map((event) => event.type) }
}

const count = (types: string[], type: string) => types.filter((t) => t === type).length

describe('health events on real Redis', () => {
  it('strict, Redis killed then restarted: store_error per failed call, one store_down, one store_recovered', async () => {
    const redis = await server({ persistence: true })
    const { auth, health, types } = monitoredAuth(store(redis.port), { revocation: 'strict' })
    const tokens = await auth.login({ sub: 'alice' })
    expect(await outcome(auth.verifyAccessToken(tokens.accessToken))).toBe('ok')
    expect(health).toEqual([])

    await redis.kill()
    const startedAt = Date.now()
    for (let i = 0; i < 3; i++) expect(await outcome(auth.verifyAccessToken(tokens.accessToken))).toBe('store_unavailable')
    expect(await outcome(auth.login({ sub: 'bob' }))).toBe('store_unavailable')
    expect(count(types(), 'store_error')).toBe(4)
    expect(count(types(), 'store_down')).toBe(1)
    expect(health[0]).toMatchObject({ type: 'store_error', operation: 'verifyAccessToken', method: 'getRevocationState' })
    expect(health[1]).toMatchObject({ type: 'store_down', operation: 'verifyAccessToken', method: 'getRevocationState' })
    const down = health[1] as Extract<HealthEvent, { type: 'store_down' }>
    expect(down.at).toBeGreaterThanOrEqual(startedAt)
    expect(down.message).toMatch(/^store_unavailable/)
    expect(isAuthError(down.error, 'store_unavailable')).toBe(true)
    expect(health.at(-1)).toMatchObject({ type: 'store_error', operation: 'login' })

    await redis.start()
    await vi.waitFor(async () => expect(await outcome(auth.verifyAccessToken(tokens.accessToken))).toBe('ok'), { timeout: 10_000, interval: 50 })
    const recovered = health.filter((event) => event.type === 'store_recovered')
    expect(recovered).toHaveLength(1)
    expect(recovered[0]).toMatchObject({ downSince: down.at, failures: count(types(), 'store_error') })
    expect(types().at(-1)).toBe('store_recovered')
    expect(await outcome(auth.login({ sub: 'bob' }))).toBe('ok')
    expect(types().at(-1)).toBe('store_recovered') // no more events once healthy
  })

  it('mirror, Redis paused then resumed: store_down from the feed reader and mirror_stale with no traffic, 503 meanwhile; then mirror_recovered and store_recovered', async () => {
    const redis = await server()
    const { auth, health, types } = monitoredAuth(store(redis.port), { revocation: 'mirror', mirror: { stalenessMs: 400, blockMs: 50 } })
    await auth.ready()
    const tokens = await auth.login({ sub: 'alice' })
    expect(await outcome(auth.verifyAccessToken(tokens.accessToken))).toBe('ok')

    redis.pause()
    try {
      await vi.waitFor(() => expect(types()).toContain('mirror_stale'), { timeout: 10_000, interval: 25 })
      expect(health.find((event) => event.type === 'store_down')).toMatchObject({ operation: 'mirrorFeed', method: 'readFeed' })
      expect(health.find((event) => event.type === 'mirror_stale')).toMatchObject({ reason: 'feed_silent' })
      // the mirror cannot be trusted and the store does not answer: fail closed
      expect(await outcome(auth.verifyAccessToken(tokens.accessToken))).toBe('store_unavailable')
      expect(health.at(-1)).toMatchObject({ type: 'store_error', operation: 'verifyAccessToken', method: 'getRevocationState' })
    } finally {
      redis.resume()
    }

    await vi.waitFor(() => expect(types()).toContain('mirror_recovered'), { timeout: 10_000, interval: 25 })
    await vi.waitFor(() => expect(types()).toContain('store_recovered'), { timeout: 10_000, interval: 25 })
    expect(await outcome(auth.verifyAccessToken(tokens.accessToken))).toBe('ok')
    await sleep(200) // the feed keeps being read: no flapping once healthy
    const after = types()
    expect(count(after, 'store_down')).toBe(1)
    expect(count(after, 'store_recovered')).toBe(1)
    expect(count(after, 'mirror_stale')).toBe(1)
    expect(count(after, 'mirror_recovered')).toBe(1)
    const stale = health.find((event) => event.type === 'mirror_stale')!
    expect(health.find((event) => event.type === 'mirror_recovered')).toMatchObject({ staleSince: stale.at })
  })
})
