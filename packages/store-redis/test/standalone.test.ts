/**
 * The conformance suite and the createAuth flows on a real standalone redis-server.
 */
import { nodeCryptoBackend } from '@auth/core/node'
import { describeAuthFlows, describeAuthStore } from '@auth/core/testing'
import { startRedisServer, type RedisServer } from '@auth/test-utils'
import { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { storeOn } from './helpers.js'

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
