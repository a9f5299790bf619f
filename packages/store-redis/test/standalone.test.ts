/**
 * The conformance suite and the createAuth flows on a real standalone redis-server.
 */
import { nodeCryptoBackend } from '@auth/core/node'
import { describeAuthFlows, describeAuthStore, makeSessionRecord } from '@auth/core/testing'
import { startRedisServer, type RedisServer } from '@auth/test-utils'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { freshPrefix, storeOn } from './helpers.js'

const T0 = 1_800_000_000_000

let server: RedisServer
let client: Redis

beforeAll(async () => {
  server = await startRedisServer()
  client = new Redis(server.port, server.host)
})

afterAll(async () => {
  client?.disconnect()
  await server?.stop()
})

describeAuthStore('redis (standalone)', () => storeOn(client))
describeAuthFlows('redis (standalone): createAuth flows', () => storeOn(client))
// As on a Node server with `createAuth` from '@auth/core/node': node:crypto MACs, hashes and signing.
describeAuthFlows('redis (standalone): createAuth flows on node:crypto', () => storeOn(client), { backend: nodeCryptoBackend })

describe('session reads under concurrency', () => {
  it('sends the reads of one loop turn as one command, each caller getting its own record or error', async () => {
    const prefix = freshPrefix()
    const store = storeOn(client, { prefix })
    const records = Array.from({ length: 12 }, (_, i) => makeSessionRecord({ sub: `user-${i}`, id: `sid-${i}` }))
    for (const record of records) await store.createSession(record, T0)
    await store.createSession(makeSessionRecord({ sub: 'bad', id: 'sid-bad' }), T0)
    const [badKey] = (await client.keys(`${prefix}*`)).filter((key) => key.endsWith(':3:bad:sid-bad'))
    await client.set(badKey!, 'not a hash') // HMGET answers WRONGTYPE for this one only
    const evalsha = vi.spyOn(client, 'evalsha')
    const hmget = vi.spyOn(client, 'hmget')
    try {
      const reads = await Promise.allSettled([
        ...records.map((record) => store.getSession({ sub: record.sub, id: record.id }, T0)),
        store.getSession({ sub: 'user-0', id: 'no-such-session' }, T0),
        store.getSession({ sub: 'bad', id: 'sid-bad' }, T0),
      ])
      expect(evalsha).toHaveBeenCalledTimes(1)
      expect(hmget).not.toHaveBeenCalled()
      expect(reads.slice(0, 12).map((read) => (read.status === 'fulfilled' ? read.value : read.reason))).toStrictEqual(records)
      expect(reads[12]).toStrictEqual({ status: 'fulfilled', value: null })
      expect(reads[13]).toMatchObject({ status: 'rejected', reason: { code: 'store_unavailable' } })
    } finally {
      evalsha.mockRestore()
      hmget.mockRestore()
      await store.close()
    }
  })

  it('answers data and metadata exactly as written through the batch read: non-ASCII, astral, controls, quotes, slashes, lone surrogates', async () => {
    const store = storeOn(client, { prefix: freshPrefix() })
    const data = { name: 'ålice 𝔘𝔫𝔦 €', controls: '\u0000\u0001\u001f\u007f\n\t', quoted: 'a/b\\c"d</script>', lone: '\ud800x\udfff', nested: { list: [1, 2.5, 1e21, null, true, ''] } }
    const records = Array.from({ length: 3 }, (_, i) =>
      makeSessionRecord({ sub: `ü-${i}`, id: `sid-${i}`, data, metadata: { userAgent: 'Mözilla/5.0 (𝕏) "q"', ip: '::1', label: 'Büro \\ "laptop" / ☕' } }),
    )
    const evalsha = vi.spyOn(client, 'evalsha')
    try {
      for (const record of records) await store.createSession(record, T0)
      const calls = evalsha.mock.calls.length
      const reads = await Promise.all(records.map((record) => store.getSession({ sub: record.sub, id: record.id }, T0)))
      expect(evalsha.mock.calls.length).toBe(calls + 1)
      expect(reads).toStrictEqual(records)
      expect(await store.getSession({ sub: records[0]!.sub, id: records[0]!.id }, T0)).toStrictEqual(records[0])
    } finally {
      evalsha.mockRestore()
      await store.close()
    }
  })
})
