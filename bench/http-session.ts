/**
 * The session-cookie check in process, without HTTP: what one request's session check costs our
 * code, on the memory store and on a real redis-server, next to the floor of one ioredis `GET`.
 * A companion of the HTTP benchmark's session rows (`npm run bench -- http`), for changes too small
 * to resolve through autocannon on a shared machine.
 *
 * ```sh
 * npm run build && npx tsx bench/http-session.ts     # @auth/* from dist, as the HTTP servers load them
 * npx tsx --conditions=@auth/source bench/http-session.ts   # from src (tsx's keepNames: slower closures)
 * ```
 *
 * Rows (each round runs them all, in turn; the figure is the median over the rounds):
 * - `verifySessionToken, memory, 1 in flight`: `await auth.verifySessionToken(token)` in a loop;
 * - `authenticate (session cookie), memory, 1 in flight`: `http.authenticate(request)`, the whole
 *   protocol path an adapter calls, with a request carrying the session cookie;
 * - `… Redis, 50 in flight`: the same on `@auth/store-redis`, 50 calls at a time (as 50 HTTP
 *   connections would): µs of this process's CPU per call, and calls per second;
 * - `floor: ioredis GET / HGETALL / HMGET …, 50 in flight`: one command per call, the same client
 *   options: a fixed 200-byte string, the session record's hash, its fields.
 *
 * `BENCH_SESSION_ROWS` (a regular expression) picks rows; `BENCH_SESSION_COMPARE=<dir>` adds the
 * Redis rows of another build of `@auth/store-redis` (its `dist`, say of the commit before a
 * change), interleaved with these in the same process.
 */
import { performance } from 'node:perf_hooks'
import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as core from '@auth/core'
import * as coreNode from '@auth/core/node'
import { createMemoryStore } from '@auth/store-memory'
import { createRedisStore } from '@auth/store-redis'
import { startRedisServer } from '@auth/test-utils'
import { Redis } from 'ioredis'

interface Row {
  readonly name: string
  /** Runs `count` calls; resolves when all are done. */
  readonly run: (count: number) => Promise<void>
  readonly inFlight: number
}

/** A session record's fields, as the store's read asks for them. */
const RECORD_FIELDS = ['id', 'sub', 'createdAt', 'lastSeenAt', 'absoluteExpiresAt', 'idleTimeoutMs', 'expiresAt', 'transport', 'tokenHash', 'refresh', 'ver', 'metadata', 'data', 'revision', 'ra']

const ROUNDS = Number(process.env.BENCH_SESSION_ROUNDS ?? 7)
const CALLS = Number(process.env.BENCH_SESSION_CALLS ?? 20_000)
/** Only the rows whose name matches (a regular expression, case-insensitive). */
const ROW_FILTER = process.env.BENCH_SESSION_ROWS ? new RegExp(process.env.BENCH_SESSION_ROWS, 'i') : undefined

/** `count` calls of `call`, `inFlight` at a time (each finished call starts the next). */
async function inFlight(count: number, width: number, call: () => Promise<unknown>): Promise<void> {
  let started = 0
  const lane = async () => {
    while (started < count) {
      started++
      await call()
    }
  }
  await Promise.all(Array.from({ length: width }, lane))
}

async function main(): Promise<void> {
  console.log(`session check in process — @auth/core from ${import.meta.resolve('@auth/core')}; ${ROUNDS} rounds × ${CALLS} calls per row; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`)
  const redis = await startRedisServer()
  const clients: Redis[] = []
  const closers: Array<() => Promise<void>> = []
  try {
    const keys = await core.generateKeySet({ alg: 'ES256' })
    const secret = randomBytes(32)
    const makeAuth = (store: import('@auth/core').AuthStore) =>
      coreNode.createAuth({ store, keys, issuer: 'https://issuer.bench', audience: 'https://api.bench', secret })

    const memoryAuth = makeAuth(createMemoryStore({ warnInProduction: false }))
    const client = new Redis(redis.url)
    clients.push(client)
    const redisStore = createRedisStore({ client, prefix: 'bench:session:' })
    const redisAuth = makeAuth(redisStore)
    closers.push(() => memoryAuth.close(), () => redisAuth.close())
    const memoryToken = (await memoryAuth.login({ sub: 'user-00000', transport: 'session' })).sessionToken
    const redisToken = (await redisAuth.login({ sub: 'user-00000', transport: 'session' })).sessionToken
    const memoryHttp = core.createAuthHttp(memoryAuth, { allowedOrigins: ['http://bench.localhost'] })
    const redisHttp = core.createAuthHttp(redisAuth, { allowedOrigins: ['http://bench.localhost'] })
    const requestOf = (token: string): import('@auth/core').AuthHttpRequest => {
      const headers: Record<string, string> = { cookie: `__Host-auth-session=${token}` }
      return { method: 'GET', url: '/me', header: (name) => headers[name] }
    }
    const memoryRequest = requestOf(memoryToken)
    const redisRequest = requestOf(redisToken)
    const accept = (result: import('@auth/core').AuthenticateResult) => {
      if (result.principal === null) throw new Error(`refused: ${result.error?.code}`)
    }
    // Another build of @auth/store-redis (a `dist` directory, e.g. of the commit before a change),
    // measured in the same process, its rows interleaved with these: an A/B that load cannot skew.
    const compareDir = process.env.BENCH_SESSION_COMPARE
    const compareRows: Row[] = []
    if (compareDir) {
      const other = (await import(pathToFileURL(resolve(compareDir, 'index.js')).href)) as typeof import('@auth/store-redis')
      const otherClient = new Redis(redis.url)
      clients.push(otherClient)
      const otherStore = other.createRedisStore({ client: otherClient, prefix: 'bench:compare:' })
      const otherAuth = makeAuth(otherStore)
      closers.push(() => otherAuth.close())
      const otherToken = (await otherAuth.login({ sub: 'user-00000', transport: 'session' })).sessionToken
      const otherRef = { sub: 'user-00000', id: (await otherAuth.verifySessionToken(otherToken)).id }
      compareRows.push(
        { name: `verifySessionToken, Redis (${compareDir})`, inFlight: 50, run: (n) => inFlight(n, 50, () => otherAuth.verifySessionToken(otherToken)) },
        { name: `store.getSession, Redis (${compareDir})`, inFlight: 50, run: (n) => inFlight(n, 50, () => otherStore.getSession(otherRef, Date.now())) },
      )
    }
    const floorClient = new Redis(redis.url)
    clients.push(floorClient)
    await floorClient.set('bench:session:floor', 'x'.repeat(200))
    const redisRef = { sub: 'user-00000', id: (await redisAuth.verifySessionToken(redisToken)).id }
    const [recordKey] = (await floorClient.keys(`bench:session:*${redisRef.id}`)).filter((key) => key.endsWith(`:${redisRef.id}`))
    if (recordKey === undefined || (await floorClient.type(recordKey)) !== 'hash') throw new Error('the session record was not found in Redis')

    const allRows: Row[] = [
      { name: 'verifySessionToken, memory', inFlight: 1, run: (n) => inFlight(n, 1, () => memoryAuth.verifySessionToken(memoryToken)) },
      { name: 'authenticate (session cookie), memory', inFlight: 1, run: (n) => inFlight(n, 1, () => memoryHttp.authenticate(memoryRequest).then(accept)) },
      { name: 'verifySessionToken, memory', inFlight: 50, run: (n) => inFlight(n, 50, () => memoryAuth.verifySessionToken(memoryToken)) },
      { name: 'verifySessionToken, Redis', inFlight: 50, run: (n) => inFlight(n, 50, () => redisAuth.verifySessionToken(redisToken)) },
      { name: 'authenticate (session cookie), Redis', inFlight: 50, run: (n) => inFlight(n, 50, () => redisHttp.authenticate(redisRequest).then(accept)) },
      { name: 'store.getSession, Redis', inFlight: 50, run: (n) => inFlight(n, 50, () => redisStore.getSession(redisRef, Date.now())) },
      ...compareRows,
      { name: 'floor: ioredis GET', inFlight: 50, run: (n) => inFlight(n, 50, () => floorClient.get('bench:session:floor')) },
      { name: 'floor: ioredis HGETALL of the record', inFlight: 50, run: (n) => inFlight(n, 50, () => floorClient.hgetall(recordKey)) },
      { name: 'floor: ioredis HMGET of the record', inFlight: 50, run: (n) => inFlight(n, 50, () => floorClient.hmget(recordKey, ...RECORD_FIELDS)) },
    ]
    const rows = allRows.filter((row) => ROW_FILTER === undefined || ROW_FILTER.test(`${row.name}, ${row.inFlight} in flight`))
    for (const row of rows) await row.run(Math.min(CALLS, 5000)) // warm-up
    const cpu = new Map<Row, number[]>(rows.map((row) => [row, []]))
    const rate = new Map<Row, number[]>(rows.map((row) => [row, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[(i + round) % rows.length]!
        const cpu0 = process.cpuUsage()
        const wall0 = performance.now()
        await row.run(CALLS)
        const wall = performance.now() - wall0
        const used = process.cpuUsage(cpu0)
        cpu.get(row)!.push((used.user + used.system) / CALLS)
        rate.get(row)!.push((CALLS * 1000) / wall)
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!
    console.log('\n| row | in flight | µs CPU per call (median) | calls/s (median) | CPU spread |')
    console.log('| --- | ---: | ---: | ---: | ---: |')
    for (const row of rows) {
      const c = cpu.get(row)!
      console.log(
        `| ${row.name} | ${row.inFlight} | ${median(c).toFixed(2)} | ${Math.round(median(rate.get(row)!)).toLocaleString('en-US').replace(/,/g, ' ')} | ${(((Math.max(...c) - Math.min(...c)) / median(c)) * 100).toFixed(0)} % |`,
      )
    }
    console.log(`\nload average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  } finally {
    for (const close of closers) await close().catch(() => {})
    for (const c of clients) await c.quit().catch(() => {})
    await redis.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
