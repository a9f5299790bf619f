/**
 * The revocation feed: one Redis Stream per shard (appended by the revocation scripts together
 * with their write), read as one feed.
 *
 * - **Order.** Entries are merged by event time, then shard, then position in the shard. Events
 *   about one user (or one token) are in one shard, so their order is exactly the append order.
 * - **Cursors** hold one position per shard (see `feed-cursor.ts`), so a reader never skips an
 *   entry, whatever the clocks of the writers did.
 * - **Gaps.** Each shard numbers its entries 1, 2, 3…; a reader that finds the next number
 *   missing (trimmed, or lost in a failover) reports a gap, and so does one whose feed's epoch
 *   changed (Redis lost the feed, for example a restart without persistence).
 * - **Blocking reads** wait for the doorbell (see `doorbell.ts`).
 *
 * @module
 * @internal
 */
import type { FeedEntry, ReadFeedOptions, ReadFeedResult, RevocationEvent } from '@auth/core'
import type { Cluster, Redis } from 'ioredis'
import type { Connection } from './connection.js'
import { Doorbell, POLL_MS } from './doorbell.js'
import { decodeCursor, encodeCursor, newEpoch, type ShardPosition } from './feed-cursor.js'
import type { KeyLayout, ShardKeys } from './key-layout.js'
import { READ_FEED, TRIM_FEED } from './lua.js'
import { Script } from './script.js'

const read = new Script(READ_FEED)
const trim = new Script(TRIM_FEED)

/** One shard's answer: epoch, base ms, base n, gap, entries ([id, [field, value, …]]). */
type ShardReply = [string, string, string, number, Array<[string, string[]]>]

interface Item {
  readonly shard: number
  readonly ms: number
  readonly n: number
  readonly fields: readonly string[]
}

/** @internal The feed of one store. */
export class RedisFeed {
  readonly #client: Redis | Cluster
  readonly #connection: Connection
  readonly #layout: KeyLayout
  readonly #doorbell: Doorbell
  #closed = false

  constructor(client: Redis | Cluster, connection: Connection, layout: KeyLayout, doorbell: Doorbell) {
    this.#client = client
    this.#connection = connection
    this.#layout = layout
    this.#doorbell = doorbell
  }

  async read(options: ReadFeedOptions): Promise<ReadFeedResult> {
    const { after, since, blockMs = 0, limit, signal } = options
    if (after !== null && typeof after !== 'string') throw new TypeError('readFeed: after must be a cursor or null')
    if (since !== undefined && (typeof since !== 'number' || Number.isNaN(since))) throw new TypeError('readFeed: since must be a number (ms)')
    if (!(blockMs >= 0) || !Number.isFinite(blockMs)) throw new TypeError('readFeed: blockMs must be a finite number >= 0')
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new TypeError('readFeed: limit must be a positive integer')
    const positions = after === null ? null : decodeCursor(after, this.#layout.shards.length)

    const deadline = performance.now() + blockMs
    if (blockMs > 0 && !signal?.aborted) this.#doorbell.start()
    for (;;) {
      const rings = this.#doorbell.rings
      const live = this.#doorbell.live
      const result = await this.#connection.run(() => this.#readOnce(after, positions, since, limit))
      if (result.entries.length > 0 || result.gap) return result
      const remaining = deadline - performance.now()
      if (remaining <= 0 || signal?.aborted || this.#closed) return result
      if (this.#doorbell.rings !== rings) continue // rang while we read: look again at once
      // Not subscribed (yet, or reconnecting): poll; the wait also ends when the subscription is in place.
      await this.#doorbell.wait(live ? remaining : Math.min(remaining, POLL_MS), signal)
      if (signal?.aborted || this.#closed) return result
    }
  }

  async trim(before: number): Promise<void> {
    if (typeof before !== 'number' || Number.isNaN(before)) throw new TypeError('trimFeed: before must be a number (ms)')
    const bound = Math.min(Math.ceil(before), Number.MAX_SAFE_INTEGER)
    if (bound < 1) return // nothing has an id below 1-0
    await this.#connection.run(() => this.#perShard((list) => trim.run(this.#client, keysOf(list), [String(bound)])))
  }

  /** Ends waiting reads at once (they answer what they have). */
  close(): void {
    this.#closed = true
  }

  /** Runs a script over shards: one call with all of them on standalone, one per shard (slot) on a Cluster. */
  async #perShard<T>(call: (list: readonly ShardKeys[]) => Promise<T>, list: readonly ShardKeys[] = this.#layout.shards): Promise<T[]> {
    if (!this.#connection.isCluster) return [await call(list)]
    return Promise.all(list.map((shard) => call([shard])))
  }

  /** One read script over `list`: by position (`positionOf`) or by time (`since`), `count` entries each (0 = all). */
  async #readShards(
    list: readonly ShardKeys[],
    count: number,
    positionOf: ((shard: number) => ShardPosition) | null,
    since: number | undefined,
  ): Promise<Array<{ shard: number; reply: ShardReply }>> {
    const head = [newEpoch(), String(count), positionOf ? 'a' : 's', since === undefined ? '' : String(since)]
    const replies = await this.#perShard(async (shards) => {
      const tail = positionOf ? shards.flatMap((shard) => positionArgs(positionOf(shard.index))) : []
      const answers = (await read.run(this.#client, keysOf(shards), [...head, ...tail])) as ShardReply[]
      return answers.map((reply, i) => ({ shard: shards[i]!.index, reply }))
    }, list)
    return replies.flat()
  }

  /**
   * One read of the merged feed. With a `limit` L, each shard is first asked for about twice its
   * share (2L / shards), not for L: the merge can answer every entry up to the earliest last entry
   * of a shard that had more, in feed order. Only when that is fewer than L are the shards that had
   * more asked again (for twice as many), so a read answers exactly min(L, what there is) while
   * moving about 2L entries rather than up to shards × L.
   */
  async #readOnce(after: string | null, positions: ShardPosition[] | null, since: number | undefined, limit: number | undefined): Promise<ReadFeedResult> {
    const shards = this.#layout.shards
    let count = limit === undefined ? 0 : Math.min(limit, Math.ceil((2 * limit) / shards.length))
    const current: ShardPosition[] = []
    const items: Item[] = []
    /** Shards that answered `count` entries (so may have more): the key of their last entry. */
    const more = new Map<number, Item>()
    let gap = false
    let replies = await this.#readShards(shards, count, positions ? (shard) => positions[shard]! : null, since)
    for (let round = 0; ; round++) {
      let lostBetweenRounds = false
      for (const { shard, reply } of replies) {
        const [shardEpoch, ms, n, shardGap, entries] = reply
        if (round === 0) current[shard] = { epoch: shardEpoch, ms: Number(ms), n: Number(n) }
        if (Number(shardGap) === 1) {
          if (round > 0) {
            // Entries were trimmed or lost since the first round: answer what the earlier rounds
            // can, and say so (the reader's next read from our cursor checks again).
            lostBetweenRounds = true
            continue
          }
          gap = true
        }
        more.delete(shard)
        for (const [id, fields] of entries) {
          const [itemMs, itemN] = id.split('-').map(Number) as [number, number]
          items.push({ shard, ms: itemMs, n: itemN, fields })
        }
        if (count > 0 && entries.length === count) more.set(shard, items.at(-1)!)
      }
      items.sort(compareItems)
      // Every entry up to the earliest "last entry" of a shard that may have more is final.
      let end = items.length
      for (const last of more.values()) end = Math.min(end, items.indexOf(last) + 1)
      if (lostBetweenRounds) gap = true
      if (more.size === 0 || end >= limit! || lostBetweenRounds) {
        return this.#answer(items.slice(0, Math.min(end, limit ?? end)), current, after, gap)
      }
      count = Math.min(limit!, count * 2)
      const again = shards.filter((shard) => more.has(shard.index))
      const from = (shard: number): ShardPosition => {
        const last = more.get(shard)!
        return { epoch: current[shard]!.epoch, ms: last.ms, n: last.n }
      }
      replies = await this.#readShards(again, count, from, undefined)
    }
  }

  /** The entries and cursor of a read that consumed `items` (in feed order). */
  #answer(items: readonly Item[], current: ShardPosition[], after: string | null, gap: boolean): ReadFeedResult {
    const entries: FeedEntry[] = []
    for (const item of items) {
      current[item.shard] = { epoch: current[item.shard]!.epoch, ms: item.ms, n: item.n }
      const event = decodeEvent(item.fields)
      if (event) entries.push({ cursor: encodeCursor(current), event })
    }
    // With nothing to answer by time, the reader stands where every shard's read ended: a
    // cursor with each feed's epoch, so the next read notices a feed lost meanwhile.
    return { entries, cursor: entries.at(-1)?.cursor ?? after ?? encodeCursor(current), gap }
  }
}

/** Feed order: the stream id's time, then the shard, then the position in the shard. */
function compareItems(a: Item, b: Item): number {
  return a.ms - b.ms || a.shard - b.shard || a.n - b.n
}

function keysOf(list: readonly ShardKeys[]): string[] {
  return list.flatMap((shard) => [shard.stream, shard.meta])
}

function positionArgs(position: ShardPosition): string[] {
  return [position.epoch, String(position.ms), String(position.n)]
}

/** An event from its stream fields, or `null` for a type this version does not know. */
function decodeEvent(flat: readonly string[]): RevocationEvent | null {
  const fields = new Map<string, string>()
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!)
  const at = Number(fields.get('a'))
  switch (fields.get('t')) {
    case 'session':
      return { type: 'session', sub: fields.get('s') ?? '', sid: fields.get('i') ?? '', at }
    case 'user':
      return { type: 'user', sub: fields.get('s') ?? '', ver: Number(fields.get('v')), at }
    case 'token':
      return { type: 'token', sub: fields.get('s') ?? '', jti: fields.get('j') ?? '', expiresAt: Number(fields.get('x')), at }
    default:
      return null
  }
}
