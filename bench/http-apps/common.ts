/**
 * What every framework's bench server builds the same way: our `AuthHttp` (on the memory store or
 * Redis), the JWT peers' rules, and the peers' Redis session store (connect-redis). Each server
 * process imports only what its one set-up needs (ioredis, node-redis), so it holds no more than
 * it measures.
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Auth, type AuthHttp, type AuthStore, createAuthHttp, createKeySet, importKey, type RevocationStrategy } from '@auth/core'
import { createAuth } from '@auth/core/node'
import { APP_CLAIMS, AUDIENCE, CLOCK_TOLERANCE_SECONDS, fastJwtVerifyOptions, ISSUER, TTL_SECONDS } from '../lib/fixture.js'
import { BENCH_ORIGIN, type FloorClient, type ServerInit } from '../lib/http-protocol.js'

/** Something to close when the server stops. */
export type Closer = () => Promise<void>

/** A built bench server: it listens on a free loopback port and answers that port. */
export interface BenchApp {
  listen(): Promise<number>
  /** Closes what the set-up opened (Auth, store, Redis clients); the process exits after it. */
  readonly close: Closer
}

/** Listens on a free port of 127.0.0.1 and answers it. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

/** Our protocol for a bench server: an `Auth` from `@auth/core/node` and its `AuthHttp`. */
export interface OurHttp {
  readonly http: AuthHttp
  readonly close: Closer
}

/**
 * Our `AuthHttp`. Bearer servers run on Redis (`expiry` never reads it on this route; `mirror`
 * tails its feed in the background, as in a deployment); session servers on the store named.
 */
export async function createOurHttp(init: ServerInit): Promise<OurHttp> {
  const server = init.server
  if (server.kind !== 'ours-bearer' && server.kind !== 'ours-session') throw new Error(`not one of ours: ${server.kind}`)
  const onRedis = server.kind === 'ours-bearer' || server.store === 'redis'
  const closers: Closer[] = [] // run in reverse order: the Auth first, the Redis client last
  let store
  if (onRedis) {
    const [{ Redis }, { createRedisStore }] = await Promise.all([import('ioredis'), import('@auth/store-redis')])
    const client = new Redis(init.redisUrl)
    closers.push(async () => void (await client.quit()))
    store = createRedisStore({ client, prefix: init.prefix })
  } else {
    const { createMemoryStore } = await import('@auth/store-memory')
    store = createMemoryStore({ warnInProduction: false })
  }
  closers.push(() => store.close())
  // Session servers keep the default strategy: a session cookie is checked against the store on
  // every request whatever the strategy is.
  const revocation: RevocationStrategy | undefined = server.kind === 'ours-bearer' ? server.revocation : undefined
  const { auth, http } = await createBenchAuthHttp({ store, key: init.key, secret: init.secret, revocation })
  closers.push(() => auth.close())
  return { http, close: () => runAll(closers.reverse()) }
}

/**
 * The `Auth` every bench server of ours (and `http-alloc.ts`) runs, ready, and its `AuthHttp`:
 * the fixture's issuer, audience and claims, `key` in `exportKey` form, `secret` base64url.
 */
export async function createBenchAuthHttp(options: { store: AuthStore; key: string; secret: string; revocation?: RevocationStrategy | undefined }): Promise<{ auth: Auth; http: AuthHttp }> {
  const { store, key, secret, revocation } = options
  const auth = createAuth({
    store,
    keys: createKeySet([await importKey(key)]),
    issuer: ISSUER,
    audience: AUDIENCE,
    secret: Buffer.from(secret, 'base64url'),
    claims: () => APP_CLAIMS,
    ...(revocation ? { revocation } : {}),
  })
  await auth.ready()
  return { auth, http: createAuthHttp(auth, { allowedOrigins: [BENCH_ORIGIN] }) }
}

/** The peers' ES256 public key, prepared once (a PEM string would be parsed again on every call by jsonwebtoken). */
export function publicKeyOf(init: ServerInit): KeyObject {
  return createPublicKey(init.publicPem)
}

/**
 * jsonwebtoken's options (express-jwt and koa-jwt pass theirs through): the rules every verifier of
 * the benchmarks is given, but `typ`, which jsonwebtoken cannot check.
 */
export const JSONWEBTOKEN_RULES = {
  algorithms: ['ES256' as const],
  issuer: ISSUER,
  audience: AUDIENCE,
  clockTolerance: CLOCK_TOLERANCE_SECONDS,
  maxAge: TTL_SECONDS,
}

/** `@fastify/jwt`'s `verify` options (fast-jwt's): the same rules, `typ` included. */
export function fastifyJwtRules(alg: 'HS256' | 'ES256') {
  const { key: _key, ...rules } = fastJwtVerifyOptions(alg, '')
  return rules
}

/** A connect-redis store on its own node-redis client (what connect-redis 9 takes), for express-session and `@fastify/session`. */
export async function createPeerSessionStore(init: ServerInit) {
  const [{ RedisStore }, { createClient }] = await Promise.all([import('connect-redis'), import('redis')])
  const client = createClient({ url: init.redisUrl })
  await client.connect()
  const store = new RedisStore({ client, prefix: init.prefix })
  return { store, close: async () => void (await client.quit()) }
}

/** A floor row's one read: `GET` of a fixed key, answering its value (`null` when missing). */
export interface FloorRead {
  readonly get: () => Promise<string | null>
  readonly close: Closer
}

/**
 * The floor rows' Redis read: one `GET` of a fixed key (written here first, a value of about the size
 * of a session record) through a client made the way its user makes it: ioredis as our bench servers
 * make theirs (`new Redis(url)`, defaults; optionally `enableAutoPipelining`), node-redis as
 * connect-redis is given it (`createClient({ url })`).
 */
export async function createFloorRead(init: ServerInit, kind: FloorClient): Promise<FloorRead> {
  const key = `${init.prefix}floor`
  const value = 'x'.repeat(200)
  if (kind === 'node-redis') {
    const { createClient } = await import('redis')
    const client = createClient({ url: init.redisUrl })
    await client.connect()
    await client.set(key, value)
    return { get: () => client.get(key), close: async () => void (await client.quit()) }
  }
  const { Redis } = await import('ioredis')
  const client = new Redis(init.redisUrl, { enableAutoPipelining: kind === 'ioredis-autopipelining' })
  await client.set(key, value)
  return { get: () => client.get(key), close: async () => void (await client.quit()) }
}

/** The secret express-session and `@fastify/session` sign their cookie with (at least 32 characters). */
export function peerSessionSecret(init: ServerInit): string {
  return `bench-${init.secret}`
}

/** Runs every closer, in order, even when one fails; rejects with the first failure. */
export async function runAll(closers: readonly Closer[]): Promise<void> {
  let failure: unknown
  for (const close of closers) {
    try {
      await close()
    } catch (error) {
      failure ??= error
    }
  }
  if (failure !== undefined) throw failure
}
