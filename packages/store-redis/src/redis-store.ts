/**
 * The Redis store: `createRedisStore({ client })` on an ioredis `Redis` (standalone or
 * Sentinel) or `Cluster` client.
 *
 * Exported from `'@auth/store-redis'`.
 *
 * @module
 */
import type { AuthStore, LogoutAllResult, RevocationState, SessionRecord, UpdateSessionResult } from '@auth/core'
import { assertDeniedToken } from '@auth/core/store'
import { Connection, ThrottledLogger, unavailable } from './connection.js'
import { Doorbell } from './doorbell.js'
import { checkEvictionPolicy } from './eviction-policy.js'
import { newEpoch } from './feed-cursor.js'
import { KeyLayout } from './key-layout.js'
import { CHECK_LAYOUT, CREATE_SESSION, DENY_TOKEN, END_SESSION, LIST_SESSIONS, LOGOUT_ALL, REVOCATION_STATE, UPDATE_SESSION } from './lua.js'
import { resolveOptions, type RedisStoreOptions } from './options.js'
import { decodeRecord, decodeRecordValues, encodePatch, encodeRecord } from './record-codec.js'
import { RecordReader } from './record-reader.js'
import { RedisFeed } from './redis-feed.js'
import { Script } from './script.js'
import { ServerClock } from './server-clock.js'

const scripts = {
  create: new Script(CREATE_SESSION),
  update: new Script(UPDATE_SESSION),
  end: new Script(END_SESSION),
  logoutAll: new Script(LOGOUT_ALL),
  list: new Script(LIST_SESSIONS),
  deny: new Script(DENY_TOKEN),
  state: new Script(REVOCATION_STATE),
  layout: new Script(CHECK_LAYOUT),
}

/**
 * Creates an `AuthStore` (from `@auth/core`) on Redis, for any number of processes. Every
 * check-then-act primitive is one Lua script on the keys of one hash slot, so each is atomic on
 * standalone Redis, Sentinel and Cluster; a refresh rotation and a `strict` verification are one
 * round trip each.
 *
 * Exported from `'@auth/store-redis'`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import { createAuth, generateKeySet } from '@auth/core'
 * import { createRedisStore } from '@auth/store-redis'
 *
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
 * const auth = createAuth({
 *   store: createRedisStore({ client: redis, prefix: 'myapp:auth:' }),
 *   keys: await generateKeySet(),
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   revocation: 'mirror',
 * })
 * ```
 *
 * > [!NOTE]
 * > Run Redis with `maxmemory-policy noeviction`: an evicted denylist entry, user version or
 * > session lets a revoked token back in. The store warns at first use when the policy can evict.
 *
 * @param options - the ioredis client, key prefix, time budget, shards, replication wait, logger
 */
export function createRedisStore(options: RedisStoreOptions): AuthStore {
  const settings = resolveOptions(options)
  const { client, commandTimeoutMs, waitReplicas, waitTimeoutMs } = settings
  const layout = new KeyLayout(settings.prefix, settings.shards)
  // Keys a script builds itself (a user's records) must carry the client's own keyPrefix too.
  const keyPrefix = (client.options as { keyPrefix?: string }).keyPrefix ?? ''
  const log = new ThrottledLogger(settings.logger)
  const connection = new Connection(client, commandTimeoutMs, log)
  const doorbell = new Doorbell(client, layout.channel, log)
  const feed = new RedisFeed(client, connection, layout, doorbell)
  const serverClock = new ServerClock(client, connection)
  const records = new RecordReader(client) // getSession: the reads of one loop turn in one write
  // A write's deadline on Redis' clock falls this much before the caller gives up, so the answer
  // of a write applied just in time still has time to come back.
  const deadlineMargin = Math.min(50, Math.floor(commandTimeoutMs / 5))
  let closed = false
  let layoutChecked: Promise<void> | undefined
  let misconfigured: TypeError | undefined

  /** The first call checks that every process sharing the prefix uses this layout. */
  function checkLayout(): Promise<void> {
    layoutChecked ??= connection
      .run(() => scripts.layout.run(client, [layout.config], [layout.signature]))
      .then(
        (found) => {
          if (found !== layout.signature) {
            misconfigured = new TypeError(
              `@auth/store-redis: the keys under prefix "${settings.prefix}" were written with layout ${String(found)}, ` +
                `this store uses ${layout.signature} (version:shards). Use the same @auth/store-redis version and shards option in every process, or another prefix.`,
            )
            settings.logger.warn(misconfigured.message)
          }
          if (settings.checkEvictionPolicy) void checkEvictionPolicy(client, commandTimeoutMs, settings.logger)
        },
        (error: unknown) => {
          layoutChecked = undefined // try again with the next call
          throw error
        },
      )
    return layoutChecked
  }

  /** Before any call: open, and the layout checked. */
  async function prepare(): Promise<void> {
    if (closed) throw unavailable('closed')
    await checkLayout()
    if (misconfigured) throw misconfigured
  }

  /** Runs a store call: checked layout, time budget, errors as store_unavailable. */
  async function call<T>(operation: () => Promise<T>): Promise<T> {
    await prepare()
    return connection.run(operation)
  }

  /**
   * Runs a write that must not apply after the caller gave up (see `server-clock.ts`): `send` gets
   * the deadline and the sending time, both on Redis' clock (ms).
   */
  async function callWithDeadline<T>(send: (deadline: number, sentAt: number) => Promise<T>): Promise<T> {
    await prepare()
    const offset = await serverClock.offset()
    const deadline = Date.now() + offset + commandTimeoutMs - deadlineMargin
    return connection.run(() => send(deadline, Date.now() + offset))
  }

  /** Runs a revocation script, waiting for replicas when configured. */
  function revoke(script: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    return waitReplicas > 0 ? script.runAndWait(client, keys, args, waitReplicas, waitTimeoutMs) : script.run(client, keys, args)
  }

  const feedArgs = (shard: { index: number }) => [newEpoch(), layout.channel, String(shard.index)]

  return {
    name: 'redis',

    async createSession(record, now, createOptions) {
      const fields = encodeRecord(record)
      const maxPerUser = createOptions?.maxPerUser
      if (maxPerUser !== undefined && !(Number.isInteger(maxPerUser) && maxPerUser >= 1)) {
        throw new TypeError('createSession: maxPerUser must be a positive integer')
      }
      const shard = layout.user(record.sub)
      const keys = [layout.version(record.sub), layout.record(record.sub, record.id), layout.index(record.sub), shard.stream, shard.meta]
      const args = [now, record.ver, record.expiresAt, record.id, maxPerUser ?? '', keyPrefix + layout.recordPrefix(record.sub), ...feedArgs(shard), record.sub]
      const [status, ended] = (await callWithDeadline((deadline) => scripts.create.run(client, keys, [...args, deadline, keyPrefix + layout.endedPrefix(record.sub), ...fields]))) as [
        number,
        string[] | undefined,
      ]
      if (Number(status) === -2) throw unavailable('the login reached Redis after its deadline: not applied')
      if (Number(status) === -1) throw new TypeError('createSession: a session with this id exists')
      return { created: Number(status) === 1, ended: ended ?? [] }
    },

    async getSession(ref, now) {
      const record = decodeRecordValues(await call(() => records.read(layout.record(ref.sub, ref.id))))
      return record !== null && record.expiresAt > now ? record : null
    },

    async updateSession(ref, condition, patch, now): Promise<UpdateSessionResult> {
      const { lastSeenAt, dropRefreshHash, rotatedAt, pairs } = encodePatch(patch)
      const args = [
        now,
        ref.id,
        condition.revision === undefined ? '' : condition.revision,
        condition.refreshCurrent === undefined ? '0' : '1',
        condition.refreshCurrent ?? '',
        lastSeenAt,
        dropRefreshHash ? '1' : '0',
      ]
      const keys = [layout.record(ref.sub, ref.id), layout.index(ref.sub)]
      const [applied, flat] = (await callWithDeadline((deadline, sentAt) =>
        scripts.update.run(client, keys, [...args, deadline, sentAt, rotatedAt, ...pairs]),
      )) as [number, string[] | undefined]
      // A rotation that a stalled Redis runs after the caller was told it failed would make the
      // client's retry look like theft: the script refuses to run that late.
      if (Number(applied) === -1) throw unavailable('the update reached Redis after its deadline: not applied')
      return { applied: Number(applied) === 1, session: decodeRecord(flat) }
    },

    async endSession(ref, now) {
      const shard = layout.user(ref.sub)
      const keys = [layout.record(ref.sub, ref.id), layout.index(ref.sub), shard.stream, shard.meta, layout.ended(ref.sub, ref.id)]
      const flat = (await call(() => revoke(scripts.end, keys, [now, ref.sub, ref.id, ...feedArgs(shard)]))) as string[] | null
      return decodeRecord(flat)
    },

    async logoutAll(sub, now): Promise<LogoutAllResult> {
      const shard = layout.user(sub)
      const keys = [layout.version(sub), layout.index(sub), shard.stream, shard.meta]
      const args = [now, sub, keyPrefix + layout.recordPrefix(sub), ...feedArgs(shard), keyPrefix + layout.endedPrefix(sub)]
      const [ver, ended] = (await call(() => revoke(scripts.logoutAll, keys, args))) as [number, string[]]
      return { ver: Number(ver), ended: [...ended] }
    },

    async listSessions(sub, now) {
      const replies = (await call(() => scripts.list.run(client, [layout.index(sub)], [now, keyPrefix + layout.recordPrefix(sub)]))) as string[][]
      return replies.map(decodeRecord).filter((record): record is SessionRecord => record !== null)
    },

    async getUserVersion(sub) {
      return Number((await call(() => client.get(layout.version(sub)))) ?? 0)
    },

    async denyToken(token, now) {
      assertDeniedToken(token)
      const { sub, jti, expiresAt } = token
      // In the user's shard, with the user's version and sessions: `strict` reads all three in one script.
      const shard = layout.user(sub)
      await call(() => revoke(scripts.deny, [layout.denied(sub, jti), shard.stream, shard.meta], [now, expiresAt, jti, ...feedArgs(shard), sub]))
    },

    async getRevocationState({ sub, sid, jti }, now): Promise<RevocationState> {
      // The version, the session, the denial and the ended mark all live in the user's shard: one
      // script, on a Cluster too.
      const keys = [layout.version(sub), layout.record(sub, sid), layout.denied(sub, jti), layout.ended(sub, sid)]
      const [version, expiresAt, deniedUntil, endedUntil] = (await call(() => scripts.state.run(client, keys, ['vrde']))) as Array<string | null>
      const sessionAlive = expiresAt != null && Number(expiresAt) > now
      return {
        tokenDenied: deniedUntil != null && Number(deniedUntil) > now,
        userVersion: Number(version ?? 0),
        sessionAlive,
        sessionEnded: !sessionAlive && endedUntil != null && Number(endedUntil) > now,
      }
    },

    async wasSessionEnded(ref, now) {
      const until = await call(() => client.get(layout.ended(ref.sub, ref.id)))
      return until != null && Number(until) > now
    },

    async readFeed(readOptions) {
      await prepare()
      return feed.read(readOptions)
    },

    async trimFeed(before) {
      await prepare()
      await feed.trim(before)
    },

    async close() {
      if (closed) return
      closed = true
      feed.close()
      doorbell.close()
      connection.close()
    },
  }
}
