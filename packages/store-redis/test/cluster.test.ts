/**
 * The conformance suite and the createAuth flows on a real 3-master Redis Cluster, plus the key
 * layout checked against the Cluster itself.
 */
import { describeAuthFlows, describeAuthStore } from '@auth/core/testing'
import { startRedisCluster, type RedisCluster } from '@auth/test-utils'
import { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shardTags, slotOf } from '../src/key-layout.js'
import { storeOn } from './helpers.js'

let cluster: RedisCluster
let client: Cluster

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 })
  client = new Cluster(cluster.startupNodes)
}, 60_000)

afterAll(async () => {
  client?.disconnect()
  await cluster?.stop()
})

describeAuthStore('redis (cluster)', () => storeOn(client), { timeoutMs: 20_000 })
describeAuthFlows('redis (cluster): createAuth flows', () => storeOn(client), { timeoutMs: 30_000 })

describe('redis (cluster): key layout', () => {
  it('computes the same slot for each shard tag as the Cluster does', async () => {
    for (const tag of shardTags(16)) {
      expect(await client.cluster('KEYSLOT', `auth:{${tag}}:f`)).toBe(slotOf(tag))
    }
  })

  it('spreads the 16 shards evenly over the 3 masters', async () => {
    const slots = (await client.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>
    const perNode = new Map<number, number>()
    for (const tag of shardTags(16)) {
      const slot = slotOf(tag)
      const owner = slots.find(([low, high]) => slot >= low && slot <= high)!
      perNode.set(owner[2][1], (perNode.get(owner[2][1]) ?? 0) + 1)
    }
    expect([...perNode.values()].sort()).toEqual([5, 5, 6])
  })
})
