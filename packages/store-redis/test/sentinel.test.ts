/**
 * The store through a Sentinel-configured client: ioredis asks the Sentinel for the master, and
 * the feed's own connection (a duplicate of that client) does the same.
 */
import { randomBytes } from 'node:crypto'
import { type AuthStore, createAuth, generateKeySet } from '@auth/core'
import { startRedisSentinel, startRedisServer, type RedisServer } from '@auth/test-utils'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { storeOn } from './helpers.js'

let master: RedisServer
let sentinel: RedisServer
let client: Redis

beforeAll(async () => {
  master = await startRedisServer()
  sentinel = await startRedisSentinel(master)
  client = new Redis({ sentinels: [{ host: sentinel.host, port: sentinel.port }], name: 'mymaster' })
})

afterAll(async () => {
  client?.disconnect()
  await sentinel?.stop()
  await master?.stop()
})

it('logs in, rotates, and revokes to a mirror through a Sentinel-configured client', async () => {
  const keys = await generateKeySet()
  const secret = randomBytes(32).toString('base64url')
  const prefix = 'sentinel:'
  const stores: AuthStore[] = []
  const make = (revocation: 'strict' | 'mirror') => {
    const store = storeOn(client, { prefix })
    stores.push(store)
    return createAuth({ store, keys, secret, issuer: 'https://a.test', audience: 'https://b.test', revocation })
  }
  const a = make('strict')
  const b = make('mirror')
  try {
    await b.ready()
    const login = await a.login({ sub: 'alice' })
    const next = await a.refresh(login.refreshToken)
    expect((await b.verifyAccessToken(next.accessToken)).claims.sub).toBe('alice')
    await a.logout({ sub: 'alice', id: login.sessionId })
    await vi.waitFor(() => expect(b.verifyAccessToken(next.accessToken)).rejects.toMatchObject({ code: 'session_revoked' }))
    expect(await master.cli('--scan', '--pattern', 'sentinel:*')).toContain('sentinel:config')
  } finally {
    await Promise.all([a.close(), b.close()])
    await Promise.all(stores.map((store) => store.close()))
  }
})
