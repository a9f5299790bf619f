/**
 * The HTTP benchmark: autocannon (in this process) against Express 5, Fastify 5 and Koa 3 servers,
 * each server its own OS process (`http-server-process.ts`, forked with tsx's loader and
 * `--conditions=@auth/source`), `GET /me` answering `{"ok":true,"sub":…}`: the bare route (on Express
 * and Koa also behind two no-op layers, the layer structure of ours) next to the same route behind our middleware (bearer ES256 with `expiry` and `mirror`, warm and cold
 * tokens; the session cookie on the memory store and on Redis) and behind the peers (jsonwebtoken
 * the way express-jwt uses it, `@fastify/jwt`, koa-jwt, express-session and `@fastify/session` on
 * connect-redis). One framework at a time; within it, rounds alternate the rows, so drift reaches
 * them all alike. Prints one table per framework and the targets' verdicts.
 *
 * See bench/README.md ("The HTTP benchmark") for what every row means.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process'
import { createHmac, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { exportKey, generateKeySet, type KeySet, signAccessToken } from '@auth/core'
import { type RedisServer, startRedisServer } from '@auth/test-utils'
import { summarizeCpuProfile } from './lib/cpu-profile.js'
import { APP_CLAIMS, AUDIENCE, ISSUER, TTL_SECONDS } from './lib/fixture.js'
import { formatInteger } from './lib/harness.js'
import { BARE_SUB, BENCH_ORIGIN, type Framework, type FromServer, LOGIN_ROUTE, ROUTE, type ServerInit, type ServerKind, type ToServer } from './lib/http-protocol.js'
import { type LoadResult, quantile, runLoad } from './lib/load.js'

const FRAMEWORKS: readonly Framework[] = ['express', 'fastify', 'koa']
const FRAMEWORK_NAME: Record<Framework, string> = { express: 'Express 5', fastify: 'Fastify 5', koa: 'Koa 3' }
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))

interface Settings {
  readonly quick: boolean
  /** Seconds of one measured run (autocannon samples whole seconds). */
  readonly seconds: number
  readonly rounds: number
  /** Seconds of the one warm-up run of every row, before the first round. */
  readonly warmupSeconds: number
  readonly connections: number
  /** Distinct tokens of the cold rows: more than our verified-token cache holds (10 000). */
  readonly pool: number
  readonly frameworks: readonly Framework[]
  /** Only the rows whose label matches (the bare row always runs). */
  readonly rowFilter: RegExp | undefined
  /** Where the servers write `--cpu-prof` profiles, when profiling. */
  readonly profileDir: string | undefined
  /**
   * Servers load our packages from their built `dist` (what npm users get; the default) rather than
   * from `src` through tsx (`BENCH_HTTP_SRC=1`): tsx compiles with esbuild's `keepNames`, which
   * wraps every function created at run time in a `__name(…)` call that defines its `name`, and
   * our request path creates some per request; the build has no such calls.
   */
  readonly fromDist: boolean
}

function settings(): Settings {
  const env = process.env
  const quick = env.BENCH_QUICK === '1'
  const number = (name: string, fallback: number, integer = false): number => {
    const text = env[name]
    if (text === undefined || text === '') return fallback
    const value = Number(text)
    if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, not ${text}`)
    return value
  }
  const frameworks = (env.BENCH_HTTP_FRAMEWORKS ?? '').split(',').filter(Boolean)
  const unknown = frameworks.filter((name) => !FRAMEWORKS.includes(name as Framework))
  if (unknown.length > 0) throw new Error(`BENCH_HTTP_FRAMEWORKS: unknown ${unknown.join(', ')}; known: ${FRAMEWORKS.join(', ')}`)
  return {
    quick,
    seconds: number('BENCH_HTTP_SECONDS', quick ? 1 : 5),
    rounds: number('BENCH_HTTP_ROUNDS', quick ? 1 : 3, true),
    warmupSeconds: number('BENCH_HTTP_WARMUP_SECONDS', 1),
    connections: number('BENCH_HTTP_CONNECTIONS', 50, true),
    pool: number('BENCH_HTTP_POOL', 20_000, true),
    frameworks: frameworks.length > 0 ? (frameworks as Framework[]) : FRAMEWORKS,
    rowFilter: env.BENCH_HTTP_ROWS ? new RegExp(env.BENCH_HTTP_ROWS, 'i') : undefined,
    profileDir: env.BENCH_HTTP_PROFILE ? resolve(env.BENCH_HTTP_PROFILE) : undefined,
    fromDist: env.BENCH_HTTP_SRC !== '1',
  }
}

const progress = (message: string) => process.stderr.write(`  … http: ${message}\n`)

// ---------------------------------------------------------------------------------------------
// Servers and rows

/** One server process of a framework. */
interface ServerDef {
  readonly id: string
  readonly kind: ServerKind
}

/** How a row's requests carry a credential. */
type Credential =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly alg: 'ES256' | 'HS256'; readonly cold: boolean }
  | { readonly kind: 'session' }

/** One row of a framework's table: a server and the requests sent to it. */
interface RowDef {
  /** Stable key, for the targets. */
  readonly key: string
  readonly label: string
  readonly server: ServerDef
  readonly credential: Credential
}

const BARE: ServerDef = { id: 'bare', kind: { kind: 'bare' } }
const BARE_LAYERS: ServerDef = { id: 'bare-layers', kind: { kind: 'bare-layers' } }
const OURS_EXPIRY: ServerDef = { id: 'ours-expiry', kind: { kind: 'ours-bearer', revocation: 'expiry' } }
const OURS_MIRROR: ServerDef = { id: 'ours-mirror', kind: { kind: 'ours-bearer', revocation: 'mirror' } }
const OURS_SESSION_MEMORY: ServerDef = { id: 'ours-session-memory', kind: { kind: 'ours-session', store: 'memory' } }
const OURS_SESSION_REDIS: ServerDef = { id: 'ours-session-redis', kind: { kind: 'ours-session', store: 'redis' } }
const PEER_SESSION: ServerDef = { id: 'peer-session', kind: { kind: 'peer-session' } }

const warm = (alg: 'ES256' | 'HS256' = 'ES256'): Credential => ({ kind: 'bearer', alg, cold: false })
const cold = (alg: 'ES256' | 'HS256' = 'ES256'): Credential => ({ kind: 'bearer', alg, cold: true })
const session: Credential = { kind: 'session' }

/** Bare, ours bearer (two strategies, warm and cold), ours session cookie (memory, Redis). */
function ourRows(): RowDef[] {
  return [
    { key: 'bare', label: 'bare', server: BARE, credential: { kind: 'none' } },
    { key: 'expiry-warm', label: 'ours bearer ES256, expiry, warm', server: OURS_EXPIRY, credential: warm() },
    { key: 'expiry-cold', label: 'ours bearer ES256, expiry, cold', server: OURS_EXPIRY, credential: cold() },
    { key: 'mirror-warm', label: 'ours bearer ES256, mirror, warm', server: OURS_MIRROR, credential: warm() },
    { key: 'mirror-cold', label: 'ours bearer ES256, mirror, cold', server: OURS_MIRROR, credential: cold() },
    { key: 'session-memory', label: 'ours session cookie, memory store', server: OURS_SESSION_MEMORY, credential: session },
    { key: 'session-redis', label: 'ours session cookie, Redis', server: OURS_SESSION_REDIS, credential: session },
  ]
}

/**
 * Fastify: the bare route behind one `GET` of a fixed key per request, through each Redis client:
 * the most any session check that reads Redis once per request can reach on this machine (same
 * redis-server, same client options as our store and connect-redis). They send what bare sends.
 */
const FLOOR_ROWS: readonly RowDef[] = (
  [
    ['ioredis', 'ioredis'],
    ['ioredis-autopipelining', 'ioredis, enableAutoPipelining'],
    ['node-redis', 'node-redis'],
  ] as const
).map(([client, name]) => ({
  key: `floor-${client}`,
  label: `floor: one Redis GET per request (${name})`,
  server: { id: `floor-${client}`, kind: { kind: 'floor-redis-get', client } },
  credential: { kind: 'none' },
}))

/**
 * Express and Koa: the bare route behind one app-level and one route-level middleware that only call
 * `next()`, where ours has `createAuthMiddleware` and `requireAuth()`, so the framework's cost of
 * those two layers shows apart from our code's. (Fastify runs ours as hooks; it has no such row.)
 */
const bareLayersRow: RowDef = { key: 'bare-layers', label: 'bare + 2 no-op layers', server: BARE_LAYERS, credential: { kind: 'none' } }

/** Our rows with the layers row right after bare. */
const withLayersRow = (rows: RowDef[]): RowDef[] => [rows[0]!, bareLayersRow, ...rows.slice(1)]

function rowsOf(framework: Framework): RowDef[] {
  switch (framework) {
    case 'express': {
      const jwt: ServerDef = { id: 'jsonwebtoken', kind: { kind: 'jsonwebtoken' } }
      return [
        ...withLayersRow(ourRows()),
        { key: 'jwt-es256-warm', label: 'jsonwebtoken ES256 (express-jwt style), warm', server: jwt, credential: warm() },
        { key: 'jwt-es256-cold', label: 'jsonwebtoken ES256 (express-jwt style), cold', server: jwt, credential: cold() },
        { key: 'peer-session', label: 'express-session + connect-redis', server: PEER_SESSION, credential: session },
      ]
    }
    case 'fastify': {
      const hs: ServerDef = { id: 'fastify-jwt-hs256', kind: { kind: 'fastify-jwt', alg: 'HS256' } }
      const es: ServerDef = { id: 'fastify-jwt-es256', kind: { kind: 'fastify-jwt', alg: 'ES256' } }
      return [
        ...ourRows(),
        { key: 'jwt-hs256-warm', label: '@fastify/jwt HS256, warm', server: hs, credential: warm('HS256') },
        { key: 'jwt-hs256-cold', label: '@fastify/jwt HS256, cold', server: hs, credential: cold('HS256') },
        { key: 'jwt-es256-warm', label: '@fastify/jwt ES256, warm', server: es, credential: warm() },
        { key: 'jwt-es256-cold', label: '@fastify/jwt ES256, cold', server: es, credential: cold() },
        { key: 'peer-session', label: '@fastify/session + connect-redis', server: PEER_SESSION, credential: session },
        ...FLOOR_ROWS,
      ]
    }
    case 'koa': {
      const jwt: ServerDef = { id: 'koa-jwt', kind: { kind: 'koa-jwt' } }
      return [
        ...withLayersRow(ourRows()),
        { key: 'jwt-es256-warm', label: 'koa-jwt ES256, warm', server: jwt, credential: warm() },
        { key: 'jwt-es256-cold', label: 'koa-jwt ES256, cold', server: jwt, credential: cold() },
      ]
    }
  }
}

function selectedRows(framework: Framework, s: Settings): RowDef[] {
  return rowsOf(framework).filter((row) => row.key === 'bare' || s.rowFilter === undefined || s.rowFilter.test(row.label))
}

// ---------------------------------------------------------------------------------------------
// Keys and tokens

/** What every server of the run is given: one ES256 key (ours signs with it), the HS256 secret, our secret. */
interface KeyMaterial {
  readonly keys: KeySet
  readonly key: string
  readonly publicPem: string
  readonly hs256Secret: string
  readonly secret: string
}

async function keyMaterial(): Promise<KeyMaterial> {
  const keys = await generateKeySet({ alg: 'ES256' })
  const key = exportKey(keys.signingKey!)
  const jwk = JSON.parse(Buffer.from(key, 'base64url').toString('utf8')) as import('node:crypto').JsonWebKey
  const publicPem = createPublicKey(createPrivateKey({ key: jwk, format: 'jwk' })).export({ type: 'spki', format: 'pem' }).toString()
  return { keys, key, publicPem, hs256Secret: randomBytes(32).toString('base64url'), secret: randomBytes(32).toString('base64url') }
}

/** A warm token (user `BARE_SUB`) and a cold pool (users `user-00001`, …), in our access-token format. */
interface TokenPool {
  readonly warm: string
  readonly cold: readonly string[]
}

const subOf = (i: number) => `user-${String(i).padStart(5, '0')}`

/** ES256 tokens from `signAccessToken`, signed now (each framework gets fresh ones: 900 s lifetime). */
async function mintEs256(keys: KeySet, size: number): Promise<TokenPool> {
  const tokens: string[] = []
  for (let start = 0; start <= size; start += 500) {
    const batch = Array.from({ length: Math.min(500, size + 1 - start) }, (_, j) =>
      signAccessToken(keys, {
        issuer: ISSUER,
        audience: AUDIENCE,
        sub: subOf(start + j),
        sid: randomBytes(16).toString('base64url'),
        claims: APP_CLAIMS,
        ttlMs: TTL_SECONDS * 1000,
      }).then((signed) => signed.token),
    )
    tokens.push(...(await Promise.all(batch)))
  }
  return { warm: tokens[0]!, cold: tokens.slice(1) }
}

/** The same claims as the ES256 tokens, HS256 (header `{alg, kid, typ}` as ours), MACed with `node:crypto`. */
function toHs256(pool: TokenPool, secret: string): TokenPool {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'bench-hs256', typ: 'at+jwt' })).toString('base64url')
  const convert = (token: string) => {
    const input = `${header}.${token.split('.')[1]}`
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
  }
  return { warm: convert(pool.warm), cold: pool.cold.map(convert) }
}

/** The token with one signature character changed. */
function forged(token: string): string {
  const i = token.length - 10
  return `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`
}

const payloadSub = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub

// ---------------------------------------------------------------------------------------------
// Server processes

/** This process's node flags (tsx's loader, `--conditions=@auth/source`), without the condition when the servers run over `dist`. */
function serverExecArgv(fromDist: boolean): string[] {
  if (!fromDist) return [...process.execArgv]
  const out: string[] = []
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]!
    if (arg === '--conditions=@auth/source' || arg === '-C=@auth/source') continue
    if ((arg === '--conditions' || arg === '-C') && process.execArgv[i + 1] === '@auth/source') {
      i++
      continue
    }
    out.push(arg)
  }
  return out
}

class ServerProcess {
  readonly #child: ChildProcess
  readonly #messages: FromServer[] = []
  readonly #exit: Promise<void>
  #wake: (() => void) | undefined
  #exited: string | undefined

  /** `profileDir`: run with `--cpu-prof`, its profiles (one per thread: tsx's loader has its own) in that directory. */
  constructor(readonly label: string, s: Settings, profileDir: string | undefined) {
    const extra = process.env.BENCH_HTTP_NODE_FLAGS?.split(' ').filter(Boolean) ?? [] // e.g. `--trace-gc`, for diagnosis
    const execArgv = [...serverExecArgv(s.fromDist), ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...extra]
    this.#child = fork(fileURLToPath(new URL('./http-server-process.ts', import.meta.url)), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.#child.on('message', (message: FromServer) => {
      this.#messages.push(message)
      this.#wake?.()
    })
    this.#exit = new Promise((resolve) =>
      this.#child.on('exit', (code, signal) => {
        this.#exited = `exited (code ${code}, signal ${signal})`
        this.#wake?.()
        resolve()
      }),
    )
  }

  /** The next message from the server, or a failure if it exited or reported an error. */
  async #next(timeoutMs: number): Promise<FromServer> {
    const deadline = Date.now() + timeoutMs
    while (this.#messages.length === 0) {
      if (this.#exited) throw new Error(`${this.label}: server ${this.#exited}`)
      if (Date.now() >= deadline) throw new Error(`${this.label}: no answer within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()))
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#wake = undefined
    }
    const message = this.#messages.shift()!
    if (message.type === 'error') throw new Error(`${this.label}: ${message.message}`)
    return message
  }

  #send(message: ToServer): void {
    this.#child.send(message)
  }

  /** Sends `init`; answers the port and the file `@auth/core` resolved to. */
  async start(init: ServerInit): Promise<{ port: number; core: string }> {
    this.#send(init)
    const message = await this.#next(60_000)
    if (message.type !== 'listening') throw new Error(`${this.label}: expected listening, got ${message.type}`)
    return { port: message.port, core: message.core }
  }

  /** Asks the server to close and exit (writing its profile), kills it after 10 s. */
  async close(): Promise<void> {
    if (this.#exited) return
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000)
    try {
      this.#send({ type: 'close' })
    } catch {
      this.#child.kill('SIGKILL')
    }
    await this.#exit
    clearTimeout(timer)
  }

  get pid(): number {
    return this.#child.pid!
  }

  kill(): void {
    if (!this.#exited) this.#child.kill('SIGKILL')
  }
}

// ---------------------------------------------------------------------------------------------
// One framework

/** One measured run of a row. */
interface Run {
  readonly load: LoadResult
  /** CPU time of the server process ÷ wall time (1 = one core busy all along). */
  readonly serverCpu: number
  /** CPU time of the server process per response, µs. */
  readonly serverMicrosPerRequest: number
  /** The same for this process (autocannon). */
  readonly clientCpu: number
}

interface RowResult {
  readonly row: RowDef
  readonly runs: Run[]
}

interface FrameworkResult {
  readonly framework: Framework
  readonly rows: readonly RowResult[]
  /** Each server's profile directory, when profiling. */
  readonly profiles: ReadonlyArray<{ readonly server: string; readonly dir: string; readonly requests: number }>
}

/** A live server of this framework and what a row sends it. */
interface Target {
  readonly row: RowDef
  readonly port: number
  readonly pid: number
  /** Header sets in the order requests take them (one for every row but the cold ones). */
  readonly headers: readonly Record<string, string>[]
  /** The subject each header set's response must name. */
  readonly subs: readonly string[]
  next: number
  /** Responses of the load runs so far (warm-up included). */
  served: number
}

const live = new Set<ServerProcess>()

async function runFramework(framework: Framework, s: Settings, material: KeyMaterial, redis: RedisServer): Promise<FrameworkResult> {
  const rows = selectedRows(framework, s)
  const name = FRAMEWORK_NAME[framework]
  progress(`${name}: flushing Redis, minting ${formatInteger(s.pool + 1)} ES256 tokens`)
  redis.cli('FLUSHALL')
  const es256 = await mintEs256(material.keys, s.pool)
  const hs256 = rows.some((row) => row.credential.kind === 'bearer' && row.credential.alg === 'HS256') ? toHs256(es256, material.hs256Secret) : undefined

  // Every server of the framework, each its own process, all up while the rows alternate.
  const servers = [...new Map(rows.map((row) => [row.server.id, row.server])).values()]
  progress(`${name}: starting ${servers.length} server processes`)
  const profiles: Array<{ server: string; dir: string; requests: number }> = []
  const started = new Map<string, { process: ServerProcess; port: number; pid: number }>()
  const cores = new Set<string>()
  try {
    await Promise.all(
      servers.map(async (server) => {
        const profileDir = s.profileDir ? join(s.profileDir, `${framework}-${server.id}`) : undefined
        if (profileDir) {
          rmSync(profileDir, { recursive: true, force: true })
          profiles.push({ server: server.id, dir: profileDir, requests: 0 })
        }
        const child = new ServerProcess(`${framework} ${server.id}`, s, profileDir)
        live.add(child)
        const { port, core } = await child.start({
          type: 'init',
          framework,
          server: server.kind,
          key: material.key,
          publicPem: material.publicPem,
          hs256Secret: material.hs256Secret,
          secret: material.secret,
          redisUrl: redis.url,
          prefix: `bench:http:${server.id}:`,
        })
        started.set(server.id, { process: child, port, pid: child.pid })
        cores.add(relative(ROOT, fileURLToPath(core)))
      }),
    )

    progress(`${name}: the servers load @auth/core from ${[...cores].join(', ')}`)
    // Sessions: one login per session server, through its own login route.
    const cookies = new Map<string, string>()
    for (const row of rows) {
      if (row.credential.kind !== 'session' || cookies.has(row.server.id)) continue
      cookies.set(row.server.id, await logIn(started.get(row.server.id)!.port, row.server))
    }

    const targets: Target[] = rows.map((row) => {
      const { port, pid } = started.get(row.server.id)!
      const c = row.credential
      if (c.kind === 'session') return { row, port, pid, headers: [{ cookie: cookies.get(row.server.id)! }], subs: [BARE_SUB], next: 0, served: 0 }
      const pool = c.kind === 'bearer' && c.alg === 'HS256' ? hs256! : es256
      // The bare row sends the warm bearer header too (ignored): the same request bytes as the warm rows.
      const tokens = c.kind === 'bearer' && c.cold ? pool.cold : [pool.warm]
      return { row, port, pid, headers: tokens.map((token) => ({ authorization: `Bearer ${token}` })), subs: tokens.map(payloadSub), next: 0, served: 0 }
    })

    for (const target of targets) await preflight(target)
    progress(`${name}: warm-up, ${s.warmupSeconds} s per row`)
    for (const target of targets) await measureOnce(target, s, s.warmupSeconds)

    const runs = new Map<RowDef, Run[]>(rows.map((row) => [row, []]))
    for (let round = 0; round < s.rounds; round++) {
      progress(`${name}: round ${round + 1}/${s.rounds}, ${targets.length} rows × ${s.seconds} s`)
      // Each round starts one row later, so no row always follows the same one.
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length]!
        runs.get(target.row)!.push(await measureOnce(target, s, s.seconds))
      }
    }
    for (const profile of profiles) profile.requests = targets.reduce((n, t) => n + (t.row.server.id === profile.server ? t.served : 0), 0)
    return { framework, rows: rows.map((row) => ({ row, runs: runs.get(row)! })), profiles }
  } finally {
    progress(`${name}: stopping the servers`)
    await Promise.all(
      [...started.values()].map(async ({ process: child }) => {
        await child.close()
        live.delete(child)
      }),
    )
    for (const child of live) child.kill()
    live.clear()
  }
}

/** Logs in through the server's login route and answers the session cookie (`name=value`). */
async function logIn(port: number, server: ServerDef): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}${LOGIN_ROUTE}`, { method: 'POST', headers: { origin: BENCH_ORIGIN } })
  const body = await response.text()
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0]
  if (response.status !== 200 || cookie === undefined) throw new Error(`${server.id}: login answered ${response.status} ${body}`)
  if (server.kind.kind === 'ours-session' && !cookie.startsWith('__Host-auth-session=')) throw new Error(`${server.id}: login set ${cookie.split('=')[0]}`)
  return cookie
}

/** Before anything is measured: the row's first and last credentials are accepted, a forged or missing one is refused. */
async function preflight(target: Target): Promise<void> {
  const get = async (headers: Record<string, string>) => {
    const response = await fetch(`http://127.0.0.1:${target.port}${ROUTE}`, { headers })
    return { status: response.status, body: await response.text() }
  }
  const fail = (what: string, got: { status: number; body: string }) => {
    throw new Error(`${target.row.label}: ${what} answered ${got.status} ${got.body.slice(0, 200)}`)
  }
  const last = target.headers.length - 1
  for (const i of new Set([0, last])) {
    const got = await get(target.headers[i]!)
    const sub = target.row.credential.kind === 'none' ? BARE_SUB : target.subs[i]
    if (got.status !== 200 || got.body !== JSON.stringify({ ok: true, sub })) fail(`credential ${i}`, got)
  }
  if (target.row.credential.kind === 'none') return
  const missing = await get({})
  if (missing.status !== 401) fail('no credential', missing)
  if (target.row.credential.kind !== 'bearer') return
  const bad = await get({ authorization: `Bearer ${forged(target.headers[0]!.authorization!.slice('Bearer '.length))}` })
  if (bad.status !== 401) fail('a forged token', bad)
}

async function measureOnce(target: Target, s: Settings, seconds: number): Promise<Run> {
  const { headers } = target
  const server0 = cpuSecondsOf(target.pid)
  const client0 = process.cpuUsage()
  const wall0 = performance.now()
  const result = await runLoad({
    port: target.port,
    path: ROUTE,
    connections: s.connections,
    seconds,
    nextHeaders: () => {
      const set = headers[target.next]!
      target.next = target.next + 1 === headers.length ? 0 : target.next + 1
      return set
    },
  })
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${target.row.label}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts (status codes ${JSON.stringify(result.statusCodes)})`,
    )
  }
  target.served += result.completed
  const wall = (performance.now() - wall0) / 1000
  const client = process.cpuUsage(client0)
  const server = cpuSecondsOf(target.pid) - server0
  return {
    load: result,
    serverCpu: server / wall,
    serverMicrosPerRequest: (server * 1e6) / result.completed,
    clientCpu: (client.user + client.system) / 1e6 / wall,
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** User + system CPU seconds of a process so far, from `/proc/<pid>/stat` (Linux); NaN elsewhere. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return Number.NaN
  }
}

// ---------------------------------------------------------------------------------------------
// Tables and targets

interface RowFigures {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  /** (fastest − slowest round) ÷ mean, a noise figure. */
  readonly spread: number
  /** Mean over the rounds of {@link Run.serverCpu}, {@link Run.serverMicrosPerRequest} and {@link Run.clientCpu}. */
  readonly serverCpu: number
  readonly serverMicrosPerRequest: number
  readonly clientCpu: number
}

function figuresOf(result: RowResult): RowFigures {
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length
  const rates = result.runs.map((run) => run.load.rps)
  const rps = mean(rates)
  const all = new Float64Array(result.runs.reduce((n, run) => n + run.load.latencies.length, 0))
  let offset = 0
  for (const { load } of result.runs) {
    all.set(load.latencies, offset)
    offset += load.latencies.length
  }
  all.sort()
  return {
    rps,
    p50: quantile(all, 0.5),
    p99: quantile(all, 0.99),
    spread: (Math.max(...rates) - Math.min(...rates)) / rps,
    serverCpu: mean(result.runs.map((run) => run.serverCpu)),
    serverMicrosPerRequest: mean(result.runs.map((run) => run.serverMicrosPerRequest)),
    clientCpu: mean(result.runs.map((run) => run.clientCpu)),
  }
}

type Figures = ReadonlyMap<string, RowFigures>

function renderFramework(result: FrameworkResult, figures: Figures): string {
  const bare = figures.get('bare')!.rps
  const lines = [
    `### ${FRAMEWORK_NAME[result.framework]}`,
    '',
    '| row | rps (mean) | p50 ms | p99 ms | × bare | spread | server CPU | server µs/req | client CPU |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const { row } of result.rows) {
    const f = figures.get(row.key)!
    lines.push(`| ${row.label} | ${formatInteger(f.rps)} | ${f.p50.toFixed(2)} | ${f.p99.toFixed(2)} | ${(f.rps / bare).toFixed(2)}× | ${(f.spread * 100).toFixed(0)} % | ${percent(f.serverCpu)} | ${Number.isNaN(f.serverMicrosPerRequest) ? 'n/a' : f.serverMicrosPerRequest.toFixed(0)} | ${percent(f.clientCpu)} |`)
  }
  const starved = result.rows.filter(({ row }) => figures.get(row.key)!.serverCpu < 0.9)
  if (starved.length > 0) {
    lines.push(
      '',
      `${starved.length} of ${result.rows.length} rows had their server below 90 % of a core: those rates are not the server's cost ` +
        '(client, Redis or other processes took the rest); compare `server µs/req`.',
    )
  }
  return lines.join('\n')
}

const percent = (share: number) => (Number.isNaN(share) ? 'n/a' : `${(share * 100).toFixed(0)} %`)

interface Verdict {
  /** `undefined`: a line for information (a bound), not a target. */
  readonly pass: boolean | undefined
  readonly text: string
}

/** The issue's targets, on the figures there are (a target whose rows did not run is left out). */
function verdicts(all: ReadonlyMap<Framework, Figures>): Verdict[] {
  const out: Verdict[] = []
  const ratio = (a: RowFigures, b: RowFigures) => a.rps / b.rps
  const mirrorTargets: Array<[Framework, number]> = [
    ['express', 0.9],
    ['koa', 0.9],
    ['fastify', 0.8],
  ]
  for (const [framework, min] of mirrorTargets) {
    const f = all.get(framework)
    const mirror = f?.get('mirror-warm')
    if (!f || !mirror) continue
    const r = ratio(mirror, f.get('bare')!)
    out.push({ pass: r >= min, text: `${FRAMEWORK_NAME[framework]}: ours mirror, warm ≥ ${min.toFixed(2)}× bare: ${r.toFixed(2)}×` })
  }
  const peers: Array<[Framework, string]> = [
    ['express', 'jsonwebtoken'],
    ['fastify', '@fastify/jwt'],
    ['koa', 'koa-jwt (jsonwebtoken)'],
  ]
  for (const [framework, peer] of peers) {
    const f = all.get(framework)
    const theirs = f?.get('jwt-es256-cold')
    if (!f || !theirs) continue
    for (const strategy of ['expiry', 'mirror']) {
      const ours = f.get(`${strategy}-cold`)
      if (!ours) continue
      const r = ratio(ours, theirs)
      out.push({ pass: r > 1, text: `${FRAMEWORK_NAME[framework]}: ours ${strategy}, cold faster than ${peer} ES256, cold: ${formatInteger(ours.rps)} vs ${formatInteger(theirs.rps)} rps (${r.toFixed(2)}×)` })
    }
  }
  const sessionTargets: Array<[Framework, string, number]> = [
    ['express', 'express-session + connect-redis', 1],
    ['fastify', '@fastify/session + connect-redis', 2],
  ]
  for (const [framework, peer, min] of sessionTargets) {
    const f = all.get(framework)
    const ours = f?.get('session-redis')
    const theirs = f?.get('peer-session')
    if (!f || !ours || !theirs) continue
    const r = ratio(ours, theirs)
    out.push({ pass: r >= min, text: `${FRAMEWORK_NAME[framework]}: ours session cookie on Redis ≥ ${min}× ${peer}: ${formatInteger(ours.rps)} vs ${formatInteger(theirs.rps)} rps (${r.toFixed(2)}×)` })
    const floors = FLOOR_ROWS.flatMap((row) => {
      const figures = f.get(row.key)
      return figures ? [{ row, figures }] : []
    })
    if (floors.length === 0) continue
    const goal = min * theirs.rps
    // Our store runs on ioredis: its best floor bounds ours; node-redis' shows what another client costs.
    const ioredis = floors.filter(({ row }) => row.key.startsWith('floor-ioredis'))
    const best = ioredis.length > 0 ? ioredis.reduce((a, b) => (b.figures.rps > a.figures.rps ? b : a)) : undefined
    const nodeRedis = floors.find(({ row }) => row.key === 'floor-node-redis')
    const against = (name: string, floor: RowFigures) => `${(goal / floor.rps).toFixed(2)}× the ${name} floor (${goal > floor.rps ? 'above it: out of reach' : 'within it'})`
    out.push({
      pass: undefined,
      text:
        `  the bound: ${min}× the peer is ${formatInteger(goal)} rps; one Redis GET per request alone reaches ` +
        `${floors.map(({ row, figures }) => `${formatInteger(figures.rps)} (${row.label.slice(row.label.indexOf('(') + 1, -1)})`).join(', ')}; ` +
        [best ? against('best ioredis', best.figures) : undefined, nodeRedis ? against('node-redis', nodeRedis.figures) : undefined].filter(Boolean).join(', ') +
        (best ? `; ours is ${(ours.rps / best.figures.rps).toFixed(2)}× the best ioredis floor` : ''),
    })
  }
  return out
}

/**
 * For information, where the layers row ran: what the framework's two no-op layers cost over bare, and
 * what our warm rows cost over those layers (our code), in server µs per response and by rate.
 */
function layerLines(all: ReadonlyMap<Framework, Figures>): string[] {
  const out: string[] = []
  const micros = (f: RowFigures) => `${f.serverMicrosPerRequest.toFixed(0)} µs`
  const delta = (a: RowFigures, b: RowFigures) => {
    const d = a.serverMicrosPerRequest - b.serverMicrosPerRequest
    return `${d < 0 ? '−' : '+'}${Math.abs(d).toFixed(0)} µs`
  }
  for (const [framework, f] of all) {
    const bare = f.get('bare')!
    const layers = f.get('bare-layers')
    if (!layers) continue
    out.push(
      `  ${FRAMEWORK_NAME[framework]}: bare ${micros(bare)}, bare + 2 no-op layers ${micros(layers)} ` +
        `(layers ${delta(layers, bare)}, ${(layers.rps / bare.rps).toFixed(2)}× bare rps)`,
    )
    for (const key of ['mirror-warm', 'expiry-warm']) {
      const ours = f.get(key)
      if (!ours) continue
      out.push(
        `    ours ${key.replace('-', ', ')} ${micros(ours)}: ours − layers row ${delta(ours, layers)}, ours − bare ${delta(ours, bare)}; ` +
          `${(ours.rps / layers.rps).toFixed(2)}× the layers row's rps, ${(ours.rps / bare.rps).toFixed(2)}× bare`,
      )
    }
  }
  return out
}

/** The packages the servers load: each must have a `dist` built after its last `src` change. */
function checkBuilt(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const path = join(dir, entry.name)
      return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
    }, 0)
  const stale = ['core', 'express', 'fastify', 'koa', 'store-memory', 'store-redis'].filter((name) => {
    const built = join(ROOT, 'packages', name, 'dist', 'index.js')
    return !existsSync(built) || statSync(built).mtimeMs < newest(join(ROOT, 'packages', name, 'src'))
  })
  if (stale.length > 0) {
    throw new Error(`the servers load @auth/* from dist: run \`npm run build\` first (no dist, or older than src, in ${stale.join(', ')}), or BENCH_HTTP_SRC=1 to run from src`)
  }
}

/** The main thread's profile in a `--cpu-prof` directory: `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`, thread 0. */
function mainThreadProfile(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined
  const name = readdirSync(dir).find((file) => file.endsWith('.cpuprofile') && file.split('.')[4] === '0')
  return name === undefined ? undefined : join(dir, name)
}

function machine(): string {
  const cpu = cpus()
  return `${cpu.length} × ${cpu[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')

// ---------------------------------------------------------------------------------------------

/** Entry of `npm run bench -- http`. */
export async function runHttpBench(): Promise<void> {
  const s = settings()
  const startedAt = Date.now()
  const rowCount = s.frameworks.reduce((n, framework) => n + selectedRows(framework, s).length, 0)
  const estimate = rowCount * (s.warmupSeconds + s.rounds * Math.max(1, Math.ceil(s.seconds)))
  console.log(
    `http benchmark — ${s.quick ? 'QUICK smoke run' : 'full run'}: ${rowCount} rows, ${s.rounds} round(s) of ${s.seconds} s each after ${s.warmupSeconds} s of warm-up, ` +
      `${s.connections} connections, cold pools of ${formatInteger(s.pool)} tokens; about ${Math.ceil(estimate / 60)} min of load`,
  )
  console.log(`machine: ${machine()}; load average at start ${load()}`)
  if (s.fromDist) checkBuilt()
  console.log(s.fromDist ? 'servers load @auth/* from their built dist (npm run build first)' : 'servers load @auth/* from src through tsx (BENCH_HTTP_SRC=1)')
  if (s.profileDir) {
    mkdirSync(s.profileDir, { recursive: true })
    console.log(`profiling: every server runs with --cpu-prof, profiles in ${s.profileDir}`)
  }
  const material = await keyMaterial()
  progress('starting redis-server')
  const redis = await startRedisServer()
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n  … http: ${signal}, stopping the servers and redis-server\n`)
    for (const child of live) child.kill()
    void redis.stop().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const all = new Map<Framework, Figures>()
  const tables: string[] = []
  const profileText: string[] = []
  try {
    for (const framework of s.frameworks) {
      const result = await runFramework(framework, s, material, redis)
      const figures = new Map(result.rows.map((r) => [r.row.key, figuresOf(r)]))
      all.set(framework, figures)
      tables.push(renderFramework(result, figures))
      console.error(`\n${tables.at(-1)}\n`)
      for (const profile of result.profiles) {
        const file = mainThreadProfile(profile.dir)
        if (file === undefined) continue
        const summary = summarizeCpuProfile(file, ROOT, 15)
        const perRequest = (ms: number) => ((ms * 1000) / profile.requests).toFixed(2).padStart(6)
        profileText.push(
          [
            `${FRAMEWORK_NAME[framework]} ${profile.server} — busy ${(summary.busyMs / 1000).toFixed(1)} s (${perRequest(summary.busyMs).trim()} µs per response, ` +
              `${formatInteger(profile.requests)} responses), idle ${(summary.idleMs / 1000).toFixed(1)} s (${file})`,
            '  by function:',
            ...summary.top.map((t) => `  ${(t.share * 100).toFixed(1).padStart(5)} %  ${perRequest(t.ms)} µs/resp  ${t.where}`),
            '  by place:',
            ...summary.byPlace.map((t) => `  ${(t.share * 100).toFixed(1).padStart(5)} %  ${perRequest(t.ms)} µs/resp  ${t.where}`),
          ].join('\n'),
        )
      }
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await redis.stop()
  }
  console.log(`\nload average at end ${load()}; total ${((Date.now() - startedAt) / 1000).toFixed(0)} s\n`)
  console.log(tables.join('\n\n'))
  console.log('\nTargets')
  for (const v of verdicts(all)) console.log(`  ${v.pass === undefined ? '    ' : v.pass ? 'PASS' : 'MISS'}  ${v.text}`)
  const layers = layerLines(all)
  if (layers.length > 0) console.log(`\nLayers (server CPU per response, means over the rounds; rates as in the table)\n${layers.join('\n')}`)
  if (profileText.length > 0) {
    console.log(
      '\nCPU profiles, self time: the top 15 functions and places, their share of the busy time and µs per response (the profile also holds ' +
        'start-up, module loading, and the few requests of the checks and the login)\n\n' +
        profileText.join('\n\n'),
    )
  }
}
