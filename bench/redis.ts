/**
 * The redis benchmark: `createAuth` (from `@auth/core/node`) on `@auth/store-redis`, against real
 * `redis-server` processes on loopback that the bench starts itself (`@auth/test-utils`) and stops
 * at the end, also on error. Per topology (one standalone server, then a 3-master Cluster):
 *
 * 1. Rates: login, refresh rotation (1 and 16 in flight) and `strict` verification, p50/p99.
 * 2. Round trips per operation, counted on the client (ioredis `sendCommand` wrapped) and on the
 *    server (`INFO commandstats` deltas).
 * 3. Verify throughput of `expiry`, `mirror` and `strict` on the same Redis store, warm and cold,
 *    with the harness of the other benchmarks (interleaved rounds, median).
 * 4. The mirror's replay of the revocation window from Redis (time and bytes).
 * 5. Revocation propagation: `logout` / `logoutAll` / `revokeToken` in this process (A) until a
 *    `mirror` Auth in another OS process (B, `redis-mirror-process.ts`) refuses the token.
 *
 * See bench/README.md for what every row means.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import {
  type Auth,
  type AuthStore,
  exportKey,
  generateKeySet,
  isAuthError,
  type KeySet,
  type RevocationStrategy,
  type TokenLoginResult,
} from '@auth/core'
import { createAuth } from '@auth/core/node'
import { createRedisStore } from '@auth/store-redis'
import { startRedisCluster, startRedisServer } from '@auth/test-utils'
import { Cluster, Redis } from 'ioredis'
import {
  collectGarbage,
  formatInteger,
  formatMicros,
  gcAvailable,
  type Measurement,
  measure,
  poolInputs,
  repeatedInputs,
  type Subject,
  table,
} from './lib/harness.js'
import { APP_CLAIMS, AUDIENCE, CLOCK_TOLERANCE_SECONDS, endLiveSession, ISSUER, TTL_SECONDS } from './lib/fixture.js'
import type { FromMirror, RedisSpec, ToMirror } from './lib/propagation-protocol.js'

const WINDOW_MS = (TTL_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000
/** One secret for every Auth of the run, process B's included. */
const SECRET = randomBytes(32)
const PREFIX = 'bench:'

/** Targets. */
const MIRROR_TARGET = 1.1
const PROPAGATION_TARGET_MS = 50
/** "In flight" for the concurrent rows. */
const CONCURRENCY = 16
/** Warm batches hold one fresh copy of the token per call; this caps their memory. */
const WARM_BATCH_MAX = 500_000
/** How long A waits for B to refuse a revoked token before counting it as never refused. */
const PROPAGATION_TIMEOUT_MS = 5_000

type Client = Redis | Cluster
type Kind = 'logout' | 'logoutAll' | 'revokeToken'

interface Settings {
  readonly quick: boolean
  readonly cluster: boolean
  readonly rounds: number
  readonly sampleMs: number
  readonly warmupMs: number
  /** Distinct cold tokens (live sessions). */
  readonly poolSize: number
  /** Timed rotations, one at a time / 16 in flight, each on its own session. */
  readonly rotationsSequential: number
  readonly rotationsConcurrent: number
  /** Timed strict verifications of the warm token, one at a time / 16 in flight. */
  readonly strictCalls: number
  /** Revocations written to the feed before verification is measured (and replayed by every mirror). */
  readonly revocations: number
  /** Sequential calls of each counted operation (round trips). */
  readonly counted: number
  /** Revocations timed per kind, after `propagationWarmup` untimed ones. */
  readonly propagation: Readonly<Record<Kind, number>>
  readonly propagationWarmup: number
}

function settings(): Settings {
  const quick = process.env.BENCH_QUICK === '1'
  const cluster = process.env.BENCH_REDIS_CLUSTER !== '0'
  return quick
    ? {
        quick,
        cluster,
        rounds: 3,
        sampleMs: 80,
        warmupMs: 50,
        poolSize: 1_500,
        rotationsSequential: 500,
        rotationsConcurrent: 1_000,
        strictCalls: 1_000,
        revocations: 2_000,
        counted: 100,
        propagation: { logout: 100, logoutAll: 50, revokeToken: 50 },
        propagationWarmup: 10,
      }
    : {
        quick,
        cluster,
        rounds: 7,
        sampleMs: 400,
        warmupMs: 300,
        poolSize: 8_000,
        rotationsSequential: 3_000,
        rotationsConcurrent: 5_000,
        strictCalls: 5_000,
        revocations: 10_000,
        counted: 500,
        propagation: { logout: 300, logoutAll: 200, revokeToken: 200 },
        propagationWarmup: 20,
      }
}

let progressPrefix = 'redis'
const progress = (message: string) => process.stderr.write(`  … ${progressPrefix}: ${message}\n`)
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
/** One turn of the event loop, so mirrors' feed reads come back (see the strategies benchmark). */
const yieldToLoop = () => sleep(0)
/** Longer than one blocking feed read (1 000 ms): every mirror has read again since. */
const settleMirrors = () => sleep(1_200)
const ns = () => process.hrtime.bigint()

function warnLogger(where: string) {
  return { warn: (line: string) => process.stderr.write(`  [${where}] ${line}\n`) }
}

// ---------------------------------------------------------------------------------------------
// Topologies: the servers, clients on them, and one admin connection per node for INFO

interface Topology {
  readonly name: 'standalone' | 'cluster'
  readonly description: string
  readonly spec: RedisSpec
  /** One plain connection per data node (masters), for INFO; never used by a store. */
  readonly admins: readonly Redis[]
  /** A new client (ready), closed by `stop()`. */
  client(): Promise<Client>
  stop(): Promise<void>
}

async function ready(client: Client): Promise<void> {
  if (client.status === 'ready') return
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis client not ready after 10 s (status ${client.status})`)), 10_000)
    client.once('ready', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** Clients a topology hands out (error listener on, ready), all disconnected by `disconnect()`. */
function clientPool(make: () => Client): { client(): Promise<Client>; disconnect(): void } {
  const clients: Client[] = []
  return {
    async client() {
      const client = make()
      client.on('error', () => {})
      clients.push(client)
      await ready(client)
      return client
    },
    disconnect() {
      for (const client of clients) client.disconnect()
    },
  }
}

async function startStandalone(): Promise<Topology> {
  const server = await startRedisServer()
  const pool = clientPool(() => new Redis(server.port, server.host))
  const admin = new Redis(server.port, server.host)
  admin.on('error', () => {})
  return {
    name: 'standalone',
    description: `one redis-server on 127.0.0.1:${server.port}, no persistence`,
    spec: { kind: 'standalone', host: server.host, port: server.port },
    admins: [admin],
    client: pool.client,
    async stop() {
      pool.disconnect()
      admin.disconnect()
      await server.stop()
    },
  }
}

async function startCluster(): Promise<Topology> {
  const cluster = await startRedisCluster({ masters: 3 })
  const pool = clientPool(() => new Cluster(cluster.startupNodes))
  const admins = cluster.nodes.map((node) => {
    const admin = new Redis(node.port, node.host)
    admin.on('error', () => {})
    return admin
  })
  return {
    name: 'cluster',
    description: `a 3-master Redis Cluster (no replicas) on 127.0.0.1:${cluster.nodes.map((n) => n.port).join(', ')}, no persistence`,
    spec: { kind: 'cluster', nodes: cluster.startupNodes },
    admins,
    client: pool.client,
    async stop() {
      pool.disconnect()
      for (const admin of admins) admin.disconnect()
      await cluster.stop()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Counting round trips

/** Server-side command counts (INFO commandstats, summed over the nodes), by command name. */
async function commandCalls(admins: readonly Redis[]): Promise<Map<string, number>> {
  const calls = new Map<string, number>()
  for (const admin of admins) {
    const text = await admin.info('commandstats')
    for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      calls.set(match[1]!, (calls.get(match[1]!) ?? 0) + Number(match[2]))
    }
  }
  return calls
}

/** Bytes Redis sent to its clients (INFO stats total_net_output_bytes, summed over the nodes). */
async function outputBytes(admins: readonly Redis[]): Promise<number> {
  let bytes = 0
  for (const admin of admins) bytes += Number(/total_net_output_bytes:(\d+)/.exec(await admin.info('stats'))?.[1] ?? Number.NaN)
  return bytes
}

/** Commands of the bench's own bookkeeping, or of ioredis itself, not of the store. */
const NOT_THE_STORE = new Set(['info', 'cluster', 'ping', 'command', 'client', 'hello', 'select', 'config'])

interface TrafficRow {
  readonly name: string
  readonly calls: number
  /** Client side: times a command left the client while none was outstanding. */
  readonly roundTrips: number
  /** Client side: commands sent. */
  readonly commands: number
  /** Client side: commands by name. */
  readonly byName: ReadonlyMap<string, number>
  /** Server side: EVALSHA and EVAL calls. */
  readonly scriptCalls: number
  /** Server side: the other commands (those run by the scripts, plus any sent directly). */
  readonly innerCalls: number
}

/**
 * Runs `op` on every item, one at a time, and counts what the client sends. A **round trip** is
 * a command sent while no command of this client is outstanding: commands sent together (a
 * pipeline, or `Promise.all`) before any answer arrived are one round trip, and a command sent
 * after an answer (a retry after NOSCRIPT, a second step) is another. ioredis' `sendCommand` is
 * wrapped on the instance only while counting. The server's `INFO commandstats` is read before and
 * after (nothing else talks to Redis meanwhile: no mirror Auth exists yet in either process).
 */
async function countTraffic<T>(
  name: string,
  client: Client,
  admins: readonly Redis[],
  items: readonly T[],
  op: (item: T) => Promise<unknown>,
  warmup: number,
): Promise<TrafficRow> {
  // Uncounted first calls: the NOSCRIPT → EVAL of a script's first use (on every node of a
  // Cluster), and the feed trim a process starts with its first revocation (then once a minute).
  for (const item of items.slice(0, warmup)) await op(item)
  await sleep(50)
  const counted = items.slice(warmup)
  let outstanding = 0
  let roundTrips = 0
  let commands = 0
  const byName = new Map<string, number>()
  const target = client as unknown as { sendCommand: (command: { name: string; promise: Promise<unknown> }, ...rest: unknown[]) => unknown }
  const original = target.sendCommand
  const settle = () => {
    outstanding--
  }
  target.sendCommand = function (this: unknown, command, ...rest) {
    commands++
    if (outstanding === 0) roundTrips++
    outstanding++
    byName.set(command.name, (byName.get(command.name) ?? 0) + 1)
    const result = original.call(this, command, ...rest)
    command.promise.then(settle, settle)
    return result
  }
  const before = await commandCalls(admins)
  try {
    for (const item of counted) await op(item)
  } finally {
    // The wrapper is an own property of the instance: deleting it uncovers the prototype's method.
    delete (target as { sendCommand?: unknown }).sendCommand
    if (target.sendCommand !== original) target.sendCommand = original
  }
  const after = await commandCalls(admins)
  let scriptCalls = 0
  let innerCalls = 0
  for (const [command, count] of after) {
    const delta = count - (before.get(command) ?? 0)
    if (command === 'evalsha' || command === 'eval') scriptCalls += delta
    else if (!NOT_THE_STORE.has(command)) innerCalls += delta
  }
  return { name, calls: counted.length, roundTrips, commands, byName, scriptCalls, innerCalls }
}

// ---------------------------------------------------------------------------------------------
// Rates

interface Rate {
  readonly name: string
  readonly calls: number
  readonly inFlight: number
  readonly opsPerSec: number
  readonly p50Ns: number
  readonly p99Ns: number
  readonly maxNs: number
  /** Event-loop utilization over the run. */
  readonly busy: number
}

function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!
}

/** Runs `op` over `items` with `inFlight` calls outstanding at a time; every call timed. */
async function timedRun<T, R>(name: string, items: readonly T[], inFlight: number, op: (item: T) => Promise<R>): Promise<{ rate: Rate; results: R[] }> {
  const latencies = new Float64Array(items.length)
  const results = new Array<R>(items.length)
  let next = 0
  collectGarbage()
  const elu = performance.eventLoopUtilization()
  const start = ns()
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      const t0 = ns()
      results[i] = await op(items[i]!)
      latencies[i] = Number(ns() - t0)
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker))
  const total = Number(ns() - start)
  const busy = performance.eventLoopUtilization(elu).utilization
  const sorted = latencies.sort()
  return {
    rate: {
      name,
      calls: items.length,
      inFlight,
      opsPerSec: (items.length * 1e9) / total,
      p50Ns: quantile(sorted, 0.5),
      p99Ns: quantile(sorted, 0.99),
      maxNs: sorted[sorted.length - 1] ?? Number.NaN,
      busy,
    },
    results,
  }
}

// ---------------------------------------------------------------------------------------------
// Auths and stores

function newAuth(store: AuthStore, keys: KeySet, revocation: RevocationStrategy): Auth {
  return createAuth({ store, keys, issuer: ISSUER, audience: AUDIENCE, secret: SECRET, revocation, claims: () => APP_CLAIMS })
}

/** A mirror's store: the Redis store, counting strict fallbacks (stale mirror) and feed reads. */
interface WatchedStore {
  readonly store: AuthStore
  readonly fallbacks: () => number
  readonly reads: () => { calls: number; entries: number; failed: number }
  /** Resolves once a feed read has succeeded within the last second (so the mirror is fresh for a while). */
  readonly fresh: () => Promise<void>
}

function watched(inner: AuthStore): WatchedStore {
  let fallbacks = 0
  let calls = 0
  let entries = 0
  let failed = 0
  let lastRead = Number.NEGATIVE_INFINITY
  const store: AuthStore = {
    ...inner,
    async readFeed(options) {
      let result
      try {
        result = await inner.readFeed(options)
      } catch (error) {
        failed++
        throw error
      }
      calls++
      entries += result.entries.length
      lastRead = performance.now()
      return result
    },
    getRevocationState(query, now) {
      fallbacks++
      return inner.getRevocationState(query, now)
    },
  }
  const fresh = async () => {
    const started = performance.now()
    while (performance.now() - lastRead > 1_000) {
      if (performance.now() - started > 10_000) throw new Error('a mirror has not read its feed for 10 s')
      await sleep(10)
    }
  }
  return { store, fallbacks: () => fallbacks, reads: () => ({ calls, entries, failed }), fresh }
}

/** Resolves with the error code a verification rejects with, or `'ok'`. */
async function verdict(auth: Auth, token: string): Promise<string> {
  try {
    await auth.verifyAccessToken(token)
    return 'ok'
  } catch (error) {
    if (isAuthError(error)) return error.code
    throw error
  }
}

function claimsOf(token: string): { sub: string; jti: string; exp: number } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; jti: string; exp: number }
}

/**
 * Writes `n` revocations with the store primitives, as other processes' `logout`, `logoutAll`
 * and `revokeToken` would (a third each; 128-bit ids as core makes them), 500 at a time. The
 * first ends a canary's session, the last logs a second canary out.
 */
async function fillRevocations(store: AuthStore, n: number, first: () => Promise<unknown>, last: () => Promise<unknown>): Promise<void> {
  await first()
  const ids = randomBytes(16 * n)
  for (let start = 1; start < n - 1; start += 500) {
    const writes: Promise<unknown>[] = []
    const now = Date.now()
    for (let i = start; i < Math.min(start + 500, n - 1); i++) {
      const id = ids.toString('base64url', 16 * i, 16 * i + 16)
      const sub = `gone-user-${String(i).padStart(7, '0')}`
      if (i % 3 === 0) writes.push(endLiveSession(store, sub, id, now))
      else if (i % 3 === 1) writes.push(store.denyToken({ sub: `user-${id}`, jti: id, expiresAt: now + TTL_SECONDS * 1000 }, now))
      else writes.push(store.logoutAll(sub, now))
    }
    await Promise.all(writes)
  }
  await last()
}

// ---------------------------------------------------------------------------------------------
// Verify throughput

const ROW = { expiry: 'ours expiry', mirror: 'ours mirror', strict: 'ours strict' } as const
type RowKey = keyof typeof ROW

interface VerifySetup {
  readonly keys: KeySet
  /** The store of the strict and expiry Auths (its own client). */
  readonly verifyStore: AuthStore
  /** The store of the mirror Auths (its own client). */
  readonly mirrorStore: AuthStore
  readonly pool: readonly string[]
  readonly warm: string
  readonly canaryFirst: string
  readonly canaryLast: string
}

interface VerifyResult {
  readonly warm: Map<RowKey, Measurement>
  readonly cold: Map<RowKey, Measurement>
  readonly fallbacks: number
  /** Feed reads of the measured mirrors that failed (store_unavailable), see the README. */
  readonly failedReads: number
}

async function measureVerify(v: VerifySetup, s: Settings): Promise<VerifyResult> {
  const cold = poolInputs(v.pool)
  const warmInputs = repeatedInputs(v.warm, WARM_BATCH_MAX)
  const watchers: WatchedStore[] = []
  const open = new Set<Auth>()
  const strategyAuth = (strategy: RevocationStrategy): Auth => {
    let auth: Auth
    if (strategy === 'mirror') {
      const w = watched(v.mirrorStore)
      watchers.push(w)
      auth = newAuth(w.store, v.keys, 'mirror')
    } else {
      auth = newAuth(v.verifyStore, v.keys, strategy)
    }
    open.add(auth)
    return auth
  }
  /** Before measuring, an Auth must know the whole window: both canaries refused (accepted by expiry). */
  const checkKnowsFill = async (auth: Auth, strategy: RevocationStrategy) => {
    const expected = strategy === 'expiry' ? ['ok', 'ok'] : ['session_revoked', 'token_revoked']
    const got = [await verdict(auth, v.canaryFirst), await verdict(auth, v.canaryLast)]
    if (got[0] !== expected[0] || got[1] !== expected[1]) throw new Error(`${strategy}: canaries answered ${got.join(', ')}, expected ${expected.join(', ')}`)
  }
  try {
    const warmAuths = new Map<RowKey, Auth>((['expiry', 'mirror', 'strict'] as const).map((key) => [key, strategyAuth(key)]))
    for (const [key, auth] of warmAuths) {
      await auth.ready()
      await checkKnowsFill(auth, key)
      await auth.verifyAccessToken(v.warm)
      const second = await auth.verifyAccessToken(v.warm)
      const third = await auth.verifyAccessToken(v.warm)
      if (second !== third) throw new Error(`${key}: the warm token is not served from the cache`)
    }
    const warmMirror = watchers[0]!
    const warmSubject = (key: RowKey): Subject => {
      const auth = warmAuths.get(key)!
      // The warm mirror starts each batch fresh: a feed read succeeded within the last second. (A
      // read sent just before a batch and answered during it can fail on the store's 500 ms budget
      // once the batch and its GC have held the event loop that long; see the README.) Warm expiry,
      // its pair, waits the same way, so both batches start from the same conditions.
      const setup = key === 'strict' ? yieldToLoop : () => warmMirror.fresh()
      return { name: `${ROW[key]}, warm`, inputs: warmInputs, setup, run: (token) => auth.verifyAccessToken(token) }
    }
    /** A fresh Auth before every batch, so no token repeats; a mirror replays the window first. */
    const coldSubject = (key: RowKey): Subject => {
      let auth: Auth | undefined
      return {
        name: `${ROW[key]}, cold`,
        inputs: cold,
        async setup() {
          if (auth) {
            await auth.close()
            open.delete(auth)
          }
          auth = strategyAuth(key)
          await auth.ready()
          await auth.verifyAccessToken(v.warm) // prepares the key, remembers the header
          await checkKnowsFill(auth, key)
          await yieldToLoop()
        },
        run: (token) => auth!.verifyAccessToken(token),
      }
    }
    const warmSubjects = (['expiry', 'mirror', 'strict'] as const).map((key) => [key, warmSubject(key)] as const)
    const coldSubjects = (['expiry', 'mirror', 'strict'] as const).map((key) => [key, coldSubject(key)] as const)
    // Three interleaved runs: expiry and mirror warm, expiry and mirror cold (the target compares
    // them), then strict warm and cold. The harness keeps the subjects' cyclic order from round to
    // round, so in one run a subject always follows the same other one, and on this bench's
    // machine that matters: a batch right after an I/O-bound strict batch measured 5–8 % faster than
    // the same batch elsewhere, and expiry warm after a cold batch faster than mirror warm after
    // expiry warm. With two subjects per run, each follows the other.
    const run = async (list: readonly Subject[], label: string) => {
      await settleMirrors()
      return measure(list, { rounds: s.rounds, sampleMs: s.sampleMs, warmupMs: s.warmupMs, progress: (m) => progress(`verify (${label}): ${m}`) })
    }
    const subjectOf = (list: typeof warmSubjects, key: RowKey) => list.find(([k]) => k === key)![1]
    const measurements = [
      ...(await run([subjectOf(warmSubjects, 'expiry'), subjectOf(warmSubjects, 'mirror')], 'warm')),
      ...(await run([subjectOf(coldSubjects, 'expiry'), subjectOf(coldSubjects, 'mirror')], 'cold')),
      ...(await run([subjectOf(warmSubjects, 'strict'), subjectOf(coldSubjects, 'strict')], 'strict')),
    ]
    const byName = new Map(measurements.map((m) => [m.name, m]))
    // The long-lived mirror still refuses the canaries after the run.
    await settleMirrors()
    await checkKnowsFill(warmAuths.get('mirror')!, 'mirror')
    return {
      warm: new Map(warmSubjects.map(([key, subject]) => [key, byName.get(subject.name)!])),
      cold: new Map(coldSubjects.map(([key, subject]) => [key, byName.get(subject.name)!])),
      fallbacks: watchers.reduce((n, w) => n + w.fallbacks(), 0),
      failedReads: watchers.reduce((n, w) => n + w.reads().failed, 0),
    }
  } finally {
    for (const auth of open) await auth.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Mirror replay

interface Replay {
  readonly events: number
  /** createAuth → ready() of a mirror Auth. */
  readonly mirrorMs: number
  readonly mirrorReads: number
  readonly mirrorBytes: number
  /** One readFeed of the same window, no limit. */
  readonly oneReadMs: number
  readonly oneReadEntries: number
  readonly oneReadBytes: number
}

/** Run while no mirror exists (so Redis sends nothing else meanwhile but INFO answers). */
async function measureReplay(store: AuthStore, keys: KeySet, admins: readonly Redis[]): Promise<Replay> {
  const w = watched(store)
  let bytes = await outputBytes(admins)
  let started = performance.now()
  const auth = newAuth(w.store, keys, 'mirror')
  await auth.ready()
  const mirrorMs = performance.now() - started
  const mirrorBytes = (await outputBytes(admins)) - bytes
  const { calls: mirrorReads, entries: events } = w.reads()
  await auth.close()
  bytes = await outputBytes(admins)
  started = performance.now()
  const one = await store.readFeed({ after: null, since: Date.now() - WINDOW_MS })
  const oneReadMs = performance.now() - started
  const oneReadBytes = (await outputBytes(admins)) - bytes
  return { events, mirrorMs, mirrorReads, mirrorBytes, oneReadMs, oneReadEntries: one.entries.length, oneReadBytes }
}

// ---------------------------------------------------------------------------------------------
// Propagation: process B

class MirrorProcess {
  readonly #child: ChildProcess
  readonly #inbox: FromMirror[] = []
  readonly #waiters = new Set<{ match: (m: FromMirror) => boolean; resolve: (m: FromMirror) => void; reject: (e: Error) => void }>()
  #failure: Error | undefined

  constructor() {
    // The same node flags as this process (tsx's loader, --conditions=@auth/source).
    this.#child = fork(fileURLToPath(new URL('./redis-mirror-process.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.#child.on('message', (message: FromMirror) => {
      if (message.type === 'error') return this.#fail(new Error(`mirror process: ${message.message}`))
      for (const waiter of this.#waiters) {
        if (waiter.match(message)) {
          this.#waiters.delete(waiter)
          waiter.resolve(message)
          return
        }
      }
      this.#inbox.push(message)
    })
    this.#child.on('exit', (code, signal) => this.#fail(new Error(`mirror process exited (code ${code}, signal ${signal})`)))
    this.#child.on('error', (error) => this.#fail(error))
  }

  #fail(error: Error): void {
    this.#failure ??= error
    for (const waiter of this.#waiters) waiter.reject(error)
    this.#waiters.clear()
  }

  send(message: ToMirror): void {
    if (this.#failure) throw this.#failure
    this.#child.send(message)
  }

  /** The next message `match` accepts (one already received first), within `timeoutMs`; `undefined` on timeout. */
  next<T extends FromMirror>(match: (m: FromMirror) => m is T, timeoutMs: number): Promise<T | undefined> {
    const index = this.#inbox.findIndex(match)
    if (index >= 0) return Promise.resolve(this.#inbox.splice(index, 1)[0] as T)
    if (this.#failure) return Promise.reject(this.#failure)
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: FromMirror) => {
          clearTimeout(timer)
          resolve(m as T)
        },
        reject: (e: Error) => {
          clearTimeout(timer)
          reject(e)
        },
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter)
        resolve(undefined)
      }, timeoutMs)
      this.#waiters.add(waiter)
    })
  }

  async request<T extends FromMirror>(message: ToMirror, match: (m: FromMirror) => m is T, timeoutMs = 30_000): Promise<T> {
    this.send(message)
    const answer = await this.next(match, timeoutMs)
    if (!answer) throw new Error(`mirror process: no answer to ${message.type} within ${timeoutMs} ms`)
    return answer
  }

  /** Asks B to close and exit; kills it if it does not within 3 s. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()))
    try {
      if (!this.#failure) this.#child.send({ type: 'close' } satisfies ToMirror)
    } catch {
      // the channel is gone already
    }
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3_000)
    await exited
    clearTimeout(timer)
  }
}

const is =
  <K extends FromMirror['type']>(type: K, i?: number) =>
  (m: FromMirror): m is Extract<FromMirror, { type: K }> =>
    m.type === type && (i === undefined || (m as { i?: number }).i === i)

interface Sample {
  readonly kind: Kind
  /** B's first rejection − A's call resolved (ns); can be negative. */
  readonly fromResolve: number
  /** B's first rejection − A's call made (ns). */
  readonly fromCall: number
  /** A's call, from made to resolved (ns). */
  readonly call: number
  readonly via: 'feed' | 'timer' | 'arm'
}

interface Propagation {
  readonly samples: readonly Sample[]
  /** Revocations B never refused within the timeout, or refused with the wrong code. */
  readonly missed: readonly string[]
  readonly clock: { readonly pings: number; readonly bracketed: number; readonly medianRttNs: number }
  readonly replayMs: number
  readonly stats: Extract<FromMirror, { type: 'stats' }>
}

const EXPECTED: Record<Kind, string> = { logout: 'session_revoked', logoutAll: 'token_revoked', revokeToken: 'token_revoked' }

async function measurePropagation(
  topology: Topology,
  issuer: Auth,
  keys: KeySet,
  victims: ReadonlyMap<Kind, readonly TokenLoginResult[]>,
  warmups: readonly TokenLoginResult[],
): Promise<Propagation> {
  const b = new MirrorProcess()
  try {
    const init = await b.request(
      {
        type: 'init',
        redis: topology.spec,
        prefix: PREFIX,
        key: exportKey(keys.signingKey!),
        secret: SECRET.toString('base64url'),
        issuer: ISSUER,
        audience: AUDIENCE,
      },
      is('ready'),
      60_000,
    )
    // One clock for both processes: B's hrtime must fall between A's send and A's receipt.
    const rtts: number[] = []
    let bracketed = 0
    const pings = 50
    for (let id = 0; id < pings; id++) {
      const t0 = ns()
      const pong = await b.request({ type: 'ping', id }, (m): m is Extract<FromMirror, { type: 'pong' }> => m.type === 'pong' && m.id === id)
      const t1 = ns()
      const tb = BigInt(pong.t)
      if (t0 <= tb && tb <= t1) bracketed++
      rtts.push(Number(t1 - t0))
    }
    rtts.sort((x, y) => x - y)

    const revoke = (kind: Kind, victim: TokenLoginResult): Promise<unknown> => {
      switch (kind) {
        case 'logout':
          return issuer.logout({ sub: claimsSub(victim), id: victim.sessionId })
        case 'logoutAll':
          return issuer.logoutAll(claimsSub(victim))
        case 'revokeToken':
          return issuer.revokeToken(claimsOf(victim.accessToken))
      }
    }
    // The run: warm-ups (logouts, not counted), then every kind, interleaved in a random order.
    const schedule: Array<{ kind: Kind; victim: TokenLoginResult; counted: boolean }> = warmups.map((victim) => ({ kind: 'logout', victim, counted: false }))
    const timed: Array<{ kind: Kind; victim: TokenLoginResult; counted: boolean }> = []
    for (const [kind, list] of victims) for (const victim of list) timed.push({ kind, victim, counted: true })
    for (let i = timed.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1))
      ;[timed[i], timed[j]] = [timed[j]!, timed[i]!]
    }
    schedule.push(...timed)

    const samples: Sample[] = []
    const missed: string[] = []
    for (const [i, { kind, victim, counted }] of schedule.entries()) {
      if (i % 100 === 0) progress(`propagation: ${i}/${schedule.length}`)
      await b.request({ type: 'arm', i, token: victim.accessToken }, is('armed', i))
      // A short random pause: B is idle (blocked on its feed read), as between requests.
      await sleep(1 + Math.random() * 2)
      const called = ns()
      await revoke(kind, victim)
      const resolved = ns()
      const rejected = await b.next(is('rejected', i), PROPAGATION_TIMEOUT_MS)
      if (!counted) continue
      if (!rejected) {
        missed.push(`${kind} #${i}: not refused within ${PROPAGATION_TIMEOUT_MS} ms`)
        continue
      }
      if (rejected.code !== EXPECTED[kind]) missed.push(`${kind} #${i}: refused with ${rejected.code}, expected ${EXPECTED[kind]}`)
      const t = BigInt(rejected.t)
      samples.push({ kind, fromResolve: Number(t - resolved), fromCall: Number(t - called), call: Number(resolved - called), via: rejected.via })
    }
    const stats = await b.request({ type: 'stats' }, is('stats'))
    return { samples, missed, clock: { pings, bracketed, medianRttNs: rtts[rtts.length >> 1]! }, replayMs: init.replayMs, stats }
  } finally {
    await b.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// One topology

interface TopologyResult {
  readonly topology: Topology
  readonly redisVersion: string
  readonly rates: readonly Rate[]
  readonly traffic: readonly TrafficRow[]
  readonly verify: VerifyResult
  readonly replay: Replay
  readonly propagation: Propagation
  readonly poolSize: number
  readonly seconds: number
}

async function runTopology(topology: Topology, s: Settings, keys: KeySet): Promise<TopologyResult> {
  const started = Date.now()
  const redisVersion = /redis_version:(\S+)/.exec(await topology.admins[0]!.info('server'))?.[1] ?? '?'
  const storeOn = (client: Client, where: string) => createRedisStore({ client, prefix: PREFIX, logger: warnLogger(where) })
  // Separate clients, so each measured Auth's traffic is its own.
  const issuerClient = await topology.client()
  const verifyClient = await topology.client()
  const mirrorClient = await topology.client()
  const issuerStore = storeOn(issuerClient, 'issuer store')
  const verifyStore = storeOn(verifyClient, 'verify store')
  const mirrorStore = storeOn(mirrorClient, 'mirror store')
  const issuer = newAuth(issuerStore, keys, 'strict')
  try {
    // Logins, 16 in flight: the cold pool, the sessions to rotate, the victims of the propagation run.
    const victimsWanted = s.propagationWarmup + s.propagation.logout + s.propagation.logoutAll + s.propagation.revokeToken
    const loginCount = 3 + s.poolSize + s.rotationsSequential + s.rotationsConcurrent + victimsWanted
    progress(`${formatInteger(loginCount)} logins, ${CONCURRENCY} in flight`)
    await issuer.login({ sub: 'first-user' }) // the first call checks the layout and the eviction policy
    const subs = Array.from({ length: loginCount }, (_, i) => `user-${String(i).padStart(7, '0')}`)
    const logins = await timedRun('login (new user)', subs, CONCURRENCY, (sub) => issuer.login({ sub }))
    const sessions = logins.results
    let at = 0
    const take = (n: number) => sessions.slice(at, (at += n))
    const [warmSession, canaryFirst, canaryLast] = take(3) as [TokenLoginResult, TokenLoginResult, TokenLoginResult]
    const pool = take(s.poolSize).map((r) => r.accessToken)
    const rotatingSequential = take(s.rotationsSequential).map((r) => r.refreshToken)
    const rotatingConcurrent = take(s.rotationsConcurrent).map((r) => r.refreshToken)
    const warmups = take(s.propagationWarmup)
    const victims = new Map<Kind, TokenLoginResult[]>([
      ['logout', take(s.propagation.logout)],
      ['logoutAll', take(s.propagation.logoutAll)],
      ['revokeToken', take(s.propagation.revokeToken)],
    ])

    progress('rotations and strict verifications')
    const rotations = await timedRun('refresh rotation', rotatingSequential, 1, (token) => issuer.refresh(token))
    const rotationsConcurrent = await timedRun('refresh rotation', rotatingConcurrent, CONCURRENCY, (token) => issuer.refresh(token))
    const strict = newAuth(verifyStore, keys, 'strict')
    for (let k = 0; k < 3; k++) await strict.verifyAccessToken(warmSession.accessToken)
    const strictSequential = await timedRun('strict verify, warm token', repeatedInputs(warmSession.accessToken, s.strictCalls).get(s.strictCalls), 1, (token) =>
      strict.verifyAccessToken(token),
    )
    const strictConcurrent = await timedRun('strict verify, warm token', repeatedInputs(warmSession.accessToken, s.strictCalls).get(s.strictCalls), CONCURRENCY, (token) =>
      strict.verifyAccessToken(token),
    )
    const rates = [logins.rate, rotations.rate, rotationsConcurrent.rate, strictSequential.rate, strictConcurrent.rate]

    // Round trips, counted while no mirror exists anywhere (Redis hears only the counted client).
    progress('counting round trips')
    const admins = topology.admins
    const traffic: TrafficRow[] = []
    const WARMUP = 10
    const countedLogins: TokenLoginResult[] = []
    const REVOCATION_WARMUP = 20 // tokens and users of enough shards to reach every node of a Cluster
    const quarter = Math.floor(s.counted / 4) + REVOCATION_WARMUP
    const loginSubs = Array.from({ length: Math.max(s.counted, 3 * quarter) + WARMUP }, (_, i) => `counted-${i}`)
    traffic.push(
      await countTraffic('login (new user)', issuerClient, admins, loginSubs, async (sub) => void countedLogins.push(await issuer.login({ sub })), WARMUP),
    )
    const successors = rotations.results.slice(0, s.counted + WARMUP)
    traffic.push(await countTraffic('refresh rotation', issuerClient, admins, successors, (r) => issuer.refresh(r.refreshToken), WARMUP))
    const warmTokens = repeatedInputs(warmSession.accessToken, s.counted + WARMUP).get(s.counted + WARMUP)
    traffic.push(await countTraffic('strict verify, warm token', verifyClient, admins, warmTokens, (token) => strict.verifyAccessToken(token), WARMUP))
    const strictCold = newAuth(verifyStore, keys, 'strict')
    // 50 cold warm-ups: users and tokens of every shard, so every node of a Cluster has the script.
    traffic.push(
      await countTraffic('strict verify, cold token', verifyClient, admins, pool.slice(0, s.counted + 50), (token) => strictCold.verifyAccessToken(token), 50),
    )
    await strict.close()
    await strictCold.close()
    // Revocations: a quarter of the counted calls each, after uncounted ones (victims: the counted logins).
    const victimsOf = (k: number) => countedLogins.slice(k * quarter, (k + 1) * quarter)
    const countRevocations = (name: string, k: number, op: (r: TokenLoginResult) => Promise<unknown>) =>
      countTraffic(name, issuerClient, admins, victimsOf(k), op, REVOCATION_WARMUP)
    traffic.push(await countRevocations('logout', 0, (r) => issuer.logout({ sub: claimsSub(r), id: r.sessionId })))
    traffic.push(await countRevocations('logoutAll', 1, (r) => issuer.logoutAll(claimsSub(r))))
    traffic.push(await countRevocations('revokeToken', 2, (r) => issuer.revokeToken(claimsOf(r.accessToken))))

    // The revocation window every mirror replays, then the replay itself.
    progress(`writing ${formatInteger(s.revocations)} revocations`)
    await fillRevocations(
      issuerStore,
      s.revocations,
      () => issuerStore.endSession({ sub: claimsSub(canaryFirst), id: canaryFirst.sessionId }, Date.now()),
      () => issuerStore.logoutAll(claimsSub(canaryLast), Date.now()),
    )
    progress('mirror replay')
    const replay = await measureReplay(mirrorStore, keys, admins)

    const verify = await measureVerify(
      {
        keys,
        verifyStore,
        mirrorStore,
        pool,
        warm: warmSession.accessToken,
        canaryFirst: canaryFirst.accessToken,
        canaryLast: canaryLast.accessToken,
      },
      s,
    )

    progress('propagation (mirror in another process)')
    const propagation = await measurePropagation(topology, issuer, keys, victims, warmups)
    return { topology, redisVersion, rates, traffic, verify, replay, propagation, poolSize: pool.length, seconds: (Date.now() - started) / 1000 }
  } finally {
    await issuer.close()
    for (const store of [issuerStore, verifyStore, mirrorStore]) await store.close()
  }
}

function claimsSub(r: TokenLoginResult): string {
  return claimsOf(r.accessToken).sub
}

// ---------------------------------------------------------------------------------------------
// Rendering

const ms = (nsValue: number) => (nsValue / 1e6).toFixed(nsValue < 10e6 && nsValue > -10e6 ? 2 : 1)

function renderRates(rates: readonly Rate[]): string {
  return table(
    ['operation', 'calls', 'in flight', 'ops/s', 'p50 µs', 'p99 µs', 'max µs', 'main thread busy'],
    rates.map((r) => [
      r.name,
      formatInteger(r.calls),
      String(r.inFlight),
      formatInteger(r.opsPerSec),
      formatMicros(r.p50Ns),
      formatMicros(r.p99Ns),
      formatMicros(r.maxNs),
      `${Math.round(r.busy * 100)}%`,
    ]),
    'lrrrrrrr',
  )
}

const perOp = (n: number, calls: number) => (n / calls).toFixed(2)

function renderTraffic(rows: readonly TrafficRow[]): string {
  return table(
    ['operation', 'calls', 'round trips/op', 'commands/op', 'commands sent', 'server: EVALSHA+EVAL/op', 'server: commands in scripts/op'],
    rows.map((r) => [
      r.name,
      formatInteger(r.calls),
      perOp(r.roundTrips, r.calls),
      perOp(r.commands, r.calls),
      [...r.byName].map(([name, count]) => `${name} ×${formatInteger(count)}`).join(', '),
      perOp(r.scriptCalls, r.calls),
      perOp(r.innerCalls, r.calls),
    ]),
    'lrrrlrr',
  )
}

function renderVerify(byKey: Map<RowKey, Measurement>, temperature: 'warm' | 'cold', poolSize: number): string {
  const expiry = byKey.get('expiry')!
  const title =
    temperature === 'warm'
      ? '   WARM: the same token on every call (a fresh copy of the string each time), already in the verified-token cache'
      : `   COLD: ${formatInteger(poolSize)} distinct tokens of live sessions; a fresh Auth before every batch (a mirror replays the window first)`
  const rows = [...byKey.values()].map((m) => [
    m.name,
    formatInteger(m.opsPerSec),
    formatMicros(m.nsPerOp),
    `${(m.nsPerOp / expiry.nsPerOp).toFixed(3)}×`,
    `${Math.round(m.spread * 100)}%`,
    `${formatInteger(m.iterations)}${m.capped ? '*' : ''}`,
  ])
  return [title, table(['candidate', 'ops/s', 'µs/op', 'vs expiry', 'spread', 'calls/round'], rows, 'lrrrrr')].join('\n')
}

function renderPropagation(p: Propagation): string {
  const kinds: Array<[string, (x: Sample) => boolean]> = [
    ['auth.logout(ref)', (x) => x.kind === 'logout'],
    ['auth.logoutAll(sub)', (x) => x.kind === 'logoutAll'],
    ['auth.revokeToken(claims)', (x) => x.kind === 'revokeToken'],
    ['all', () => true],
  ]
  const rows = kinds.map(([label, keep]) => {
    const list = p.samples.filter(keep)
    const fromResolve = Float64Array.from(list.map((x) => x.fromResolve)).sort()
    const fromCall = Float64Array.from(list.map((x) => x.fromCall)).sort()
    const call = Float64Array.from(list.map((x) => x.call)).sort()
    const viaFeed = list.filter((x) => x.via === 'feed').length
    return [
      label,
      formatInteger(list.length),
      ms(quantile(fromResolve, 0)),
      ms(quantile(fromResolve, 0.5)),
      ms(quantile(fromResolve, 0.9)),
      ms(quantile(fromResolve, 0.99)),
      ms(quantile(fromResolve, 1)),
      ms(quantile(fromCall, 0.5)),
      ms(quantile(fromCall, 0.99)),
      ms(quantile(call, 0.5)),
      `${formatInteger(viaFeed)}/${formatInteger(list.length - viaFeed)}`,
    ]
  })
  const body = table(
    ['revocation in A', 'n', 'min ms', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'from call p50', 'from call p99', "A's call p50", 'seen via feed/timer'],
    rows,
    'lrrrrrrrrrr',
  )
  const lines = [body]
  lines.push(
    `   min…max ms: B's first rejection − A's call resolved (negative: B refused before A's await returned); from call: − A's call made;`,
    `   A's call: how long the revocation call took in A. Shared clock: process.hrtime.bigint() (CLOCK_MONOTONIC) in both processes;`,
    `   ${p.clock.bracketed}/${p.clock.pings} pings had B's clock between A's send and A's receipt (median IPC round trip ${formatMicros(p.clock.medianRttNs)} µs).`,
    `   B: replayed the window and was ready ${p.replayMs.toFixed(0)} ms after init; ${formatInteger(p.stats.feedReads)} feed reads, ` +
      `${formatInteger(p.stats.checks)} checks of watched tokens, ${formatInteger(p.stats.fallbacks)} strict fallbacks (stale mirror).`,
  )
  if (p.missed.length > 0) lines.push(`   MISSED ${p.missed.length}: ${p.missed.slice(0, 5).join('; ')}${p.missed.length > 5 ? '; …' : ''}`)
  return lines.join('\n')
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

function renderReplay(r: Replay, shards: number): string {
  const perEvent = (bytes: number) => formatInteger(bytes / Math.max(1, r.events))
  return table(
    ['replay of the window', 'events', 'feed reads', 'time', 'Redis sent', 'bytes/event'],
    [
      ['mirror Auth: createAuth → ready() (reads of limit 1 000)', formatInteger(r.events), formatInteger(r.mirrorReads), `${r.mirrorMs.toFixed(0)} ms`, formatBytes(r.mirrorBytes), perEvent(r.mirrorBytes)],
      ['one readFeed({ after: null, since }) without limit', formatInteger(r.oneReadEntries), '1', `${r.oneReadMs.toFixed(0)} ms`, formatBytes(r.oneReadBytes), perEvent(r.oneReadBytes)],
    ],
    'lrrrrr',
  ).concat(
    `\n   Redis sent = INFO stats total_net_output_bytes delta (all nodes). The mirror's replay transfers ${(r.mirrorBytes / Math.max(1, r.oneReadBytes)).toFixed(1)}× the bytes of`,
    `\n   one read of the same events: each read of limit L asks every one of the ${shards} shards for about 2L / ${shards} entries, then only the shards that had more.`,
  )
}

interface Verdicts {
  readonly rotation: { ok: boolean; text: string }
  readonly strict: { ok: boolean; text: string }
  readonly mirror: { ok: boolean; text: string }
  readonly propagation: { ok: boolean; text: string }
}

function verdicts(r: TopologyResult): Verdicts {
  const row = (name: string) => r.traffic.find((t) => t.name === name)!
  const rotation = row('refresh rotation')
  const rotationRt = rotation.roundTrips / rotation.calls
  const strictRows = [row('strict verify, warm token'), row('strict verify, cold token')]
  const strictOk = strictRows.every((t) => t.roundTrips === t.calls)
  const ratio = (temperature: 'warm' | 'cold') => {
    const byKey = r.verify[temperature]
    return byKey.get('mirror')!.nsPerOp / byKey.get('expiry')!.nsPerOp
  }
  const warm = ratio('warm')
  const cold = ratio('cold')
  // Decided on the printed three-decimal figure, as in the strategies benchmark.
  const mirrorOk = Number(warm.toFixed(3)) <= MIRROR_TARGET && Number(cold.toFixed(3)) <= MIRROR_TARGET && r.verify.fallbacks === 0
  const logouts = Float64Array.from(r.propagation.samples.filter((x) => x.kind === 'logout').map((x) => x.fromResolve)).sort()
  const all = Float64Array.from(r.propagation.samples.map((x) => x.fromResolve)).sort()
  const p99 = quantile(logouts, 0.99)
  const propagationOk = p99 < PROPAGATION_TARGET_MS * 1e6 && r.propagation.missed.length === 0 && r.propagation.stats.fallbacks === 0
  const cmds = strictRows.map((t) => perOp(t.commands, t.calls)).join(' / ')
  return {
    rotation: {
      ok: rotation.roundTrips === rotation.calls,
      text: `${rotationRt.toFixed(2)} round trips, ${perOp(rotation.commands, rotation.calls)} commands, ${perOp(rotation.scriptCalls, rotation.calls)} script calls per rotation`,
    },
    strict: {
      ok: strictOk,
      text: `${strictRows.map((t) => perOp(t.roundTrips, t.calls)).join(' / ')} round trips (warm / cold), ${cmds} script calls per verification${
        strictRows.some((t) => t.commands > t.calls) ? ' (sent together, to up to 2 nodes: one round trip, not one script)' : ''
      }`,
    },
    mirror: {
      ok: mirrorOk,
      text: `warm ${warm.toFixed(3)}×, cold ${cold.toFixed(3)}× of expiry; ${r.verify.fallbacks} strict fallbacks`,
    },
    propagation: {
      ok: propagationOk,
      text: `logout p99 ${ms(p99)} ms (p50 ${ms(quantile(logouts, 0.5))}, n ${logouts.length}); all kinds p99 ${ms(quantile(all, 0.99))} ms (n ${all.length})${
        r.propagation.missed.length > 0 ? `; ${r.propagation.missed.length} missed` : ''
      }${logouts.length < 200 ? '; fewer than 200 (quick run)' : ''}`,
    },
  }
}

function renderTopology(r: TopologyResult, s: Settings, index: number): string {
  const t = r.topology
  const shards = 16
  return [
    `${index}. ${t.name === 'standalone' ? 'STANDALONE' : 'CLUSTER'}: ${t.description}; Redis ${r.redisVersion}; ${r.seconds.toFixed(0)} s`,
    '',
    `${index}.1 Rates (every call timed; every login a new user, every rotation a different session; ${CONCURRENCY} in flight = ${CONCURRENCY} async loops on one client)`,
    renderRates(r.rates),
    '',
    `${index}.2 Round trips per operation (sequential calls, after uncounted warm-up calls; client: ioredis sendCommand wrapped, a round trip = a`,
    '    command sent while none was outstanding; server: INFO commandstats deltas over all nodes, EVALSHA/EVAL vs the commands the scripts ran)',
    renderTraffic(r.traffic),
    '',
    `${index}.3 Verify throughput on the same Redis store (${formatInteger(s.revocations)} revocations in the feed and in every mirror; ${s.rounds} rounds, median)`,
    renderVerify(r.verify.warm, 'warm', r.poolSize),
    '',
    renderVerify(r.verify.cold, 'cold', r.poolSize),
    `   vs expiry = µs/op ÷ ours expiry µs/op in the same table; * = capped (cold: pool size; warm: ${formatInteger(WARM_BATCH_MAX)} string copies).`,
    '   Three interleaved runs: expiry + mirror warm, expiry + mirror cold, strict warm + cold (see bench/README.md).',
    `   Mirror strict fallbacks (stale mirror) during the run: ${r.verify.fallbacks}; mirror feed reads that failed (store_unavailable): ${r.verify.failedReads}.`,
    '',
    `${index}.4 Mirror replay of the revocation window (${shards} shards)`,
    renderReplay(r.replay, shards),
    '',
    `${index}.5 Revocation propagation: A (this process, Auth on its own client) revokes; B (another OS process, createAuth({ revocation: 'mirror' })`,
    '    on its own client) checks the token after every feed read and every 1 ms, and stamps its first rejection',
    renderPropagation(r.propagation),
  ].join('\n')
}

function renderTargets(results: readonly TopologyResult[]): string {
  const rows: string[][] = []
  const labels: Array<[keyof Verdicts, string]> = [
    ['rotation', 'refresh rotation = 1 round trip'],
    ['strict', 'strict verification = 1 round trip'],
    ['mirror', `mirror within ${MIRROR_TARGET}× of expiry (warm and cold)`],
    ['propagation', `propagation p99 < ${PROPAGATION_TARGET_MS} ms (logout → B refuses)`],
  ]
  for (const [key, label] of labels) {
    for (const r of results) {
      const v = verdicts(r)[key]
      rows.push([label, r.topology.name, v.ok ? 'PASS' : 'MISS', v.text])
    }
  }
  return ['Targets', table(['target', 'topology', '', 'figures'], rows, 'llll')].join('\n')
}

// ---------------------------------------------------------------------------------------------
// The run

export async function runRedisBench(): Promise<void> {
  const s = settings()
  const started = Date.now()
  const ioredisVersion = (() => {
    try {
      return (createRequire(import.meta.url)('ioredis/package.json') as { version: string }).version
    } catch {
      return '?'
    }
  })()
  console.log(`redis benchmark — Node ${process.version}, ${s.quick ? 'QUICK smoke run' : 'full run'}, ioredis ${ioredisVersion}`)
  console.log(
    'createAuth from @auth/core/node on @auth/store-redis (16 shards, prefix "bench:"), ES256, loopback Redis started by the bench ' +
      `(${s.cluster ? 'standalone, then a 3-master Cluster' : 'standalone only: BENCH_REDIS_CLUSTER=0'}).\n`,
  )
  if (!gcAvailable) console.log('WARNING: gc() is not available: batches do not start from a collected heap.\n')
  const keys = await generateKeySet({ alg: 'ES256' })
  const results: TopologyResult[] = []
  const starters: Array<[string, () => Promise<Topology>]> = [['standalone', startStandalone]]
  if (s.cluster) starters.push(['cluster', startCluster])
  // Interrupted (Ctrl-C, kill): stop the servers first (test-utils' exit hook does not run on a signal).
  let current: Topology | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n  … redis: ${signal}, stopping redis-server\n`)
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    for (const [i, [name, start]] of starters.entries()) {
      progressPrefix = `redis ${name}`
      progress('starting redis-server')
      const topology = (current = await start())
      try {
        const result = await runTopology(topology, s, keys)
        results.push(result)
        console.log(renderTopology(result, s, i + 1))
        console.log()
      } finally {
        progress('stopping redis-server')
        await topology.stop()
        current = undefined
      }
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  console.log(renderTargets(results))
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`)
}
