/**
 * Process B of the redis benchmark's revocation-propagation measurement: a separate OS process
 * (forked by `bench/redis.ts`, never run on its own) with its own ioredis client, its own
 * `@auth/store-redis` store and a `createAuth({ revocation: 'mirror' })` from `@auth/core/node`.
 *
 * For each `arm` message it verifies the given access token (it must be accepted and end up in
 * the verified-token cache, as a token in use would be), then checks it again
 *
 * - right after every feed read resolves (a `setImmediate` queued by a thin wrapper around the
 *   store's `readFeed`, so it runs after the mirror has applied what the read brought), and
 * - every millisecond (a timer), as a safety net for anything else that could flip the verdict
 *   (a stale mirror falling back to `strict`, for one),
 *
 * and reports the `process.hrtime.bigint()` of the first rejection. Between arms nothing polls,
 * so B is idle like a server between requests and does not take a core from Redis or process A.
 *
 * See `lib/propagation-protocol.ts` for the messages.
 */
import { type Auth, type AuthStore, createKeySet, importKey, isAuthError } from '@auth/core'
import { createAuth } from '@auth/core/node'
import { createRedisStore } from '@auth/store-redis'
import { Cluster, Redis } from 'ioredis'
import type { FromMirror, ToMirror } from './lib/propagation-protocol.js'

const send = (message: FromMirror): void => {
  process.send?.(message)
}

let client: Redis | Cluster | undefined
let store: AuthStore | undefined
let auth: Auth | undefined
let armed: { i: number; token: string } | undefined
let timer: ReturnType<typeof setInterval> | undefined
let checking = false
let again: 'feed' | 'timer' | 'arm' | undefined
let fallbacks = 0
let feedReads = 0
let checks = 0

/** Verifies the watched token; on the first rejection, reports its time. */
async function check(via: 'feed' | 'timer' | 'arm'): Promise<void> {
  if (armed === undefined) return
  if (checking) {
    // A check is in flight (it may have started before the mirror applied the event): look again after it.
    again ??= via
    return
  }
  checking = true
  try {
    let trigger: 'feed' | 'timer' | 'arm' | undefined = via
    while (trigger !== undefined && armed !== undefined) {
      const target: { i: number; token: string } = armed
      again = undefined
      checks++
      try {
        await auth!.verifyAccessToken(target.token)
      } catch (error) {
        const t = process.hrtime.bigint()
        if (armed === target) {
          armed = undefined
          clearInterval(timer)
          send({ type: 'rejected', i: target.i, t: t.toString(), code: isAuthError(error) ? error.code : String(error), via: trigger })
        }
      }
      trigger = again
    }
  } finally {
    checking = false
  }
}

/** The store as B's Auth sees it: feed reads trigger a check, strict fallbacks are counted. */
function watchedStore(inner: AuthStore): AuthStore {
  return {
    ...inner,
    async readFeed(options) {
      const result = await inner.readFeed(options)
      feedReads++
      // Runs after the mirror's continuation (which applies the entries) has run.
      if (armed !== undefined) setImmediate(() => void check('feed'))
      return result
    },
    getRevocationState(query, now) {
      fallbacks++
      return inner.getRevocationState(query, now)
    },
  }
}

async function handle(message: ToMirror): Promise<void> {
  switch (message.type) {
    case 'init': {
      const started = performance.now()
      const spec = message.redis
      if (spec.kind === 'cluster') {
        const cluster = new Cluster(spec.nodes.map((node) => ({ ...node })))
        client = cluster
        await new Promise<void>((resolve, reject) => {
          cluster.once('ready', resolve)
          cluster.once('error', reject)
        })
      } else {
        client = new Redis(spec.port, spec.host)
      }
      client.on('error', () => {}) // the store logs connection errors itself
      store = createRedisStore({ client, prefix: message.prefix, logger: { warn: (line) => process.stderr.write(`  [mirror process] ${line}\n`) } })
      const keys = createKeySet([await importKey(message.key)])
      auth = createAuth({
        store: watchedStore(store),
        keys,
        issuer: message.issuer,
        audience: message.audience,
        secret: Buffer.from(message.secret, 'base64url'),
        revocation: 'mirror',
      })
      await auth.ready()
      send({ type: 'ready', replayMs: performance.now() - started })
      break
    }
    case 'ping':
      send({ type: 'pong', id: message.id, t: process.hrtime.bigint().toString() })
      break
    case 'arm': {
      // Accepted, and cached (the cache admits a token on its second sighting), as a token in use is.
      for (let k = 0; k < 3; k++) await auth!.verifyAccessToken(message.token)
      armed = { i: message.i, token: message.token }
      clearInterval(timer)
      timer = setInterval(() => void check('timer'), 1)
      send({ type: 'armed', i: message.i })
      break
    }
    case 'stats':
      send({ type: 'stats', fallbacks, feedReads, checks })
      break
    case 'close':
      clearInterval(timer)
      armed = undefined
      await auth?.close()
      await store?.close()
      client?.disconnect()
      process.send?.({ type: 'closed' } satisfies FromMirror, () => process.exit(0))
      break
  }
}

process.on('message', (message: ToMirror) => {
  handle(message).catch((error: unknown) => {
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  })
})
// The bench went away: so do we.
process.on('disconnect', () => process.exit(0))
