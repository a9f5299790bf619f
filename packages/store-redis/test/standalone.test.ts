/**
 * The conformance suite and the createAuth flows on a real standalone redis-server.
 */
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
