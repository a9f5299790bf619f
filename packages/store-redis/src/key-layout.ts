/**
 * Where every key lives. All data is split into a fixed number of **shards**; each shard is one
 * Redis Cluster hash slot (one hash tag), and holds, for the users and tokens hashed into it:
 *
 * | key | type | what |
 * |---|---|---|
 * | `<prefix>{<tag>}:s:<len(sub)>:<sub>:<sid>` | hash | a session record |
 * | `<prefix>{<tag>}:i:<sub>` | sorted set | a user's session index (sid → expiresAt) |
 * | `<prefix>{<tag>}:v:<sub>` | string | a user's token version |
 * | `<prefix>{<tag>}:d:<len(sub)>:<sub>:<jti>` | string | a denied access token of a user (its `exp`) |
 * | `<prefix>{<tag>}:e:<len(sub)>:<sub>:<sid>` | string | a session that was ended, until it would have expired (that time) |
 * | `<prefix>{<tag>}:f` | stream | the shard's revocation feed |
 * | `<prefix>{<tag>}:m` | hash | the feed's bookkeeping: epoch, counter, last and trimmed ids |
 * | `<prefix>config` | string | the layout (`r3:<shards>`), checked at first use |
 *
 * A user's keys, denied access tokens included, are in the shard of `sub`, and each shard has its
 * own feed, so every script touches one slot: the write and its feed entry commit together on a
 * Cluster too, and `strict` reads a token's whole revocation state in one script. (Layout `r1`
 * kept denials in the shard of their `jti`; a store refuses a prefix written with another layout,
 * so processes of both versions never share one; `r2` named denials by `jti` alone within
 * the shard, so a denial under one user's `sub` could deny the token of another user of the shard.)
 *
 * The tags are chosen so the shards' slots spread evenly over 0…16383, so the contiguous slot
 * ranges a Cluster assigns to its masters get equal numbers of shards.
 *
 * @module
 * @internal
 */

/** The number of hash slots of a Redis Cluster. */
const SLOTS = 16384

/** CRC16/XMODEM, the checksum Redis Cluster uses for key slots. */
const CRC_TABLE = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    table[i] = crc
  }
  return table
})()

const encoder = new TextEncoder()

/** @internal The Cluster slot of a hash tag's content (what `CLUSTER KEYSLOT "{tag}"` answers). */
export function slotOf(tag: string): number {
  let crc = 0
  for (const byte of encoder.encode(tag)) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ byte) & 0xff]!
  return crc % SLOTS
}

/** @internal FNV-1a (32 bit) of the UTF-8 bytes: which shard a `sub` or `jti` belongs to. */
export function shardOf(value: string, shards: number): number {
  let hash = 0x811c9dc5
  for (const byte of encoder.encode(value)) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash % shards
}

const tagCache = new Map<number, readonly string[]>()

/**
 * @internal The hash tag of each shard: `b<i>.<k>` with the smallest `k` whose slot falls in the
 * i-th of `shards` equal slot ranges. Deterministic, so every process agrees.
 */
export function shardTags(shards: number): readonly string[] {
  let tags = tagCache.get(shards)
  if (tags) return tags
  const list: string[] = []
  for (let i = 0; i < shards; i++) {
    const low = Math.floor((i * SLOTS) / shards)
    const high = Math.floor(((i + 1) * SLOTS) / shards)
    for (let k = 0; ; k++) {
      const tag = `b${i}.${k}`
      const slot = slotOf(tag)
      if (slot >= low && slot < high) {
        list.push(tag)
        break
      }
    }
  }
  tags = Object.freeze(list)
  tagCache.set(shards, tags)
  return tags
}

/** @internal The keys of one shard. */
export interface ShardKeys {
  /** The shard's index. */
  readonly index: number
  /** `<prefix>{<tag>}:`, the start of every key of the shard. */
  readonly base: string
  /** The feed stream. */
  readonly stream: string
  /** The feed bookkeeping hash. */
  readonly meta: string
}

/** @internal Builds every key name of a store. */
export class KeyLayout {
  readonly shards: readonly ShardKeys[]
  /** The layout marker key. */
  readonly config: string
  /** The Pub/Sub channel a feed append rings (the shard index is the message). */
  readonly channel: string
  /** What the layout marker holds; another value means another layout shares the prefix. */
  readonly signature: string

  constructor(
    readonly prefix: string,
    count: number,
  ) {
    this.shards = shardTags(count).map((tag, index) => {
      const base = `${prefix}{${tag}}:`
      return { index, base, stream: `${base}f`, meta: `${base}m` }
    })
    this.config = `${prefix}config`
    this.channel = `${prefix}feed`
    this.signature = `r3:${count}`
  }

  /** The shard of a user. */
  user(sub: string): ShardKeys {
    return this.shards[shardOf(sub, this.shards.length)]!
  }

  /** The start of the record keys of a user's sessions (append the sid). */
  recordPrefix(sub: string): string {
    // The length prefix keeps (sub, sid) pairs apart when either contains ':'.
    return `${this.user(sub).base}s:${sub.length}:${sub}:`
  }

  record(sub: string, sid: string): string {
    return this.recordPrefix(sub) + sid
  }

  /** The start of the ended-mark keys of a user's sessions (append the sid). */
  endedPrefix(sub: string): string {
    return `${this.user(sub).base}e:${sub.length}:${sub}:`
  }

  /** The mark a session ended (logout, logoutAll, the per-user cap) leaves until its own expiry. */
  ended(sub: string, sid: string): string {
    return this.endedPrefix(sub) + sid
  }

  index(sub: string): string {
    return `${this.user(sub).base}i:${sub}`
  }

  version(sub: string): string {
    return `${this.user(sub).base}v:${sub}`
  }

  /**
   * A denied token of a user: in the user's shard, beside the version and sessions `strict` reads
   * with it, and named by the user too, so a denial under one user's `sub` never denies another
   * user's token with that `jti` (two users may share a shard).
   */
  denied(sub: string, jti: string): string {
    return `${this.user(sub).base}d:${sub.length}:${sub}:${jti}`
  }
}
