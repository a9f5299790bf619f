/**
 * The monitoring example on a real redis-server (killed, then restarted with its data), and its
 * excerpt in docs/operations.md kept identical to the file.
 */
import { createAuth, generateKeySet, isAuthError } from '@auth/core'
import { createRedisStore } from '@auth/store-redis'
import { type RedisServer, startRedisServer } from '@auth/test-utils'
import { Redis } from 'ioredis'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { monitorAuth } from './monitor-auth.js'

let redis: RedisServer
let client: Redis

beforeAll(async () => {
  redis = await startRedisServer({ persistence: true })
  client = new Redis(redis.url)
})

afterAll(async () => {
  client.disconnect()
  await redis.stop()
})

it('counts each 503 per operation and logs one line when the store goes down and one when it is back', async () => {
  const auth = createAuth({
    store: createRedisStore({ client, prefix: 'monitoring-example:', commandTimeoutMs: 200, logger: { warn: () => {} } }),
    keys: await generateKeySet(),
    secret: randomBytes(32),
    issuer: 'https://auth.example.test',
    audience: 'https://api.example.test',
    revocation: 'strict',
  })
  const lines: string[] = []
  const monitor = monitorAuth(auth, (line) => lines.push(line))
  const { accessToken } = await auth.login({ sub: 'alice' })
  const code = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: unknown) => (isAuthError(error) ? error.code : 'other'))

  await redis.kill()
  expect(await code(auth.verifyAccessToken(accessToken))).toBe('store_unavailable')
  expect(await code(auth.verifyAccessToken(accessToken))).toBe('store_unavailable')
  expect(await code(auth.login({ sub: 'bob' }))).toBe('store_unavailable')
  expect(Object.fromEntries(monitor.storeErrors)).toEqual({ verifyAccessToken: 2, login: 1 })
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^auth: store down \(verifyAccessToken, getRevocationState\): store_unavailable/)

  await redis.start()
  await vi.waitFor(async () => expect(await code(auth.verifyAccessToken(accessToken))).toBe('ok'), { timeout: 10_000, interval: 50 })
  expect(lines).toHaveLength(2)
  expect(lines[1]).toMatch(/^auth: store back after \d+ ms, \d+ failed calls$/)

  monitor.stop()
  await auth.close()
})

it('is quoted as it is in docs/operations.md', () => {
  const source = readFileSync(new URL('./monitor-auth.ts', import.meta.url), 'utf8')
  const page = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8')
  const excerpt = /examples\/monitoring\/monitor-auth\.ts\)[^]*?```ts\n([^]*?)\n\s*```/.exec(page)?.[1]
  expect(excerpt, 'the excerpt in docs/operations.md').toBeDefined()
  // line for line, indentation aside (the page indents it into a list item)
  const trimmed = (text: string) => text.split('\n').map((line) => line.trim()).join('\n')
  expect(trimmed(source)).toContain(trimmed(excerpt!))
})
