/**
 * Bytes the server allocates per request: the HTTP benchmark's servers (bare, bare + 2 no-op layers,
 * ours with a warm ES256 bearer token) on Express, Koa and Fastify, each in its own process, driven
 * with sequential keep-alive requests over loopback.
 *
 *     npm run build && npx tsx bench/http-alloc.ts        # our packages from dist (line numbers in the sites)
 *     npx tsx --conditions=@auth/source bench/http-alloc.ts  # from their sources (tsx's `__name` helper adds bytes)
 *     npx tsx bench/http-alloc.ts --micro                 # in process: `authenticateNow` alone
 *
 * Rows: `bare`, `layers` (bare + 2 no-op layers) and `ours` (warm `mirror` or `expiry`, memory
 * store) on Express and Koa, with `props*` rows (below) that isolate our writes on `req`/`ctx`;
 * `bare` and `ours` on Fastify. Every row is sent the same request, `Authorization` included.
 *
 * Environment: `ALLOC_REQUESTS` (requests per window, default 1000), `ALLOC_WINDOWS` (default 7),
 * `ALLOC_STRATEGY` (`expiry` or `mirror`, default `mirror`), `ALLOC_FRAMEWORKS` (default
 * `express,koa,fastify`), `ALLOC_TOP` (allocation sites listed, default 15).
 *
 * Two measurements per server, after a warm-up (so code is optimized and caches are full):
 *
 * - **Exact bytes.** The server runs with a 64 MB young generation and `--expose-gc`. A window is:
 *   `gc()`, read the heap's used bytes, the bench sends `ALLOC_REQUESTS` requests, read them again.
 *   When no garbage collection ran in the window (checked with a `gc` PerformanceObserver; a window
 *   with one is refused and retried), the difference is every byte the server allocated on the JS
 *   heap. An empty window (no requests) measures the IPC messages' own bytes, subtracted.
 * - **Where.** One more window under V8's sampling heap profiler (every 128 bytes on average,
 *   objects collected by scavenges and mark-compacts kept): bytes per function (self), scaled to
 *   the exact total of the server.
 *
 * Not a timing: bytes per request do not depend on the machine's load.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { createServer, type IncomingMessage, Agent, request as httpRequest, type Server } from 'node:http'
import { Session } from 'node:inspector/promises'
import { relative } from 'node:path'
import { PerformanceObserver, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { getHeapSpaceStatistics } from 'node:v8'
import { exportKey, generateKeySet, signAccessToken } from '@auth/core'
import { createMemoryStore } from '@auth/store-memory'
import { APP_CLAIMS, AUDIENCE, ISSUER, TTL_SECONDS } from './lib/fixture.js'
import { BARE_SUB, type Framework, ROUTE, type ServerInit } from './lib/http-protocol.js'
import { createBenchAuthHttp, listenOnLoopback } from './http-apps/common.js'

/**
 * `props`: the layers row whose first layer writes what ours writes on a warm request (Express: a
 * symbol-keyed `{ http, result }` and `auth` on `req`; Koa: the same on `ctx`, and `ctx.state.auth`),
 * with constant values: what those writes cost, apart from authentication. Express only:
 * `props-one`, the symbol-keyed write alone (no `auth`); `props-weakmap`, both kept in a module
 * `WeakMap` keyed by `req` (nothing written on `req`); `props-accessor`, the `WeakMap` and `req.auth`
 * a getter reading it, defined once on the request's prototype (`app.request`). Fastify (the HTTP benchmark has no layers
 * row there): `layers`, an `onRequest` and a `preHandler` hook both `(request, reply, done) => done()`;
 * `layers-async`, the same with an `async` `preHandler` (ours' `requireAuth` shape).
 */
type Row = 'bare' | 'layers' | 'layers-async' | 'props' | 'props-one' | 'props-weakmap' | 'props-accessor' | 'ours'
type Strategy = 'expiry' | 'mirror'

interface Init {
  readonly type: 'init'
  readonly framework: Framework
  readonly row: Row
  readonly strategy: Strategy
  readonly key: string
  readonly secret: string
}
type ToChild = Init | { readonly type: 'begin' } | { readonly type: 'end' } | { readonly type: 'profile-begin' } | { readonly type: 'profile-end'; readonly top: number }
interface Site {
  readonly where: string
  readonly bytes: number
}
type FromChild =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'begun' }
  | { readonly type: 'ended'; readonly bytes: number; readonly old: number; readonly gcs: number }
  | {
      readonly type: 'profiled'
      readonly total: number
      readonly sites: readonly Site[]
    }
  | { readonly type: 'error'; readonly message: string }

const ROOT = fileURLToPath(new URL('..', import.meta.url))

// ---------------------------------------------------------------- the server process

/** Heap bytes in use, all spaces. */
const heapUsed = () => getHeapSpaceStatistics().reduce((sum, space) => sum + space.space_used_size, 0)
/** Heap bytes in use outside the young generation (old space, where V8 puts maps and descriptor arrays; large objects). */
const oldUsed = () => getHeapSpaceStatistics().reduce((sum, space) => sum + (space.space_name === 'new_space' ? 0 : space.space_used_size), 0)

const PROPS_STATE = { http: {}, result: {} }
const PROPS_PRINCIPAL = { sub: BARE_SUB }

const PROPS_WEAKMAP = new WeakMap<object, { state: object; principal: { sub: string } }>()

async function buildServer(init: Init): Promise<Server> {
  if (init.framework === 'fastify' && init.row.startsWith('layers')) {
    const { default: Fastify } = await import('fastify')
    const app = Fastify()
    app.addHook('onRequest', (_request, _reply, done) => done())
    const preHandler =
      init.row === 'layers-async'
        ? async () => {}
        : (_request: unknown, _reply: unknown, done: () => void) => {
            done()
          }
    app.get(ROUTE, { preHandler }, async () => ({ ok: true, sub: BARE_SUB }))
    await app.ready()
    return app.server
  }
  if (init.row.startsWith('props')) {
    if (init.framework === 'express') {
      const { default: express } = await import('express')
      const STATE = Symbol.for('@auth/express')
      const app = express()
      const row = init.row
      const withAccessor = new WeakSet<object>()
      app.use((req, _res, next) => {
        if (row === 'props-accessor') {
          const proto = Object.getPrototypeOf(req) as object
          if (!withAccessor.has(proto)) {
            withAccessor.add(proto)
            Object.defineProperty(proto, 'auth', {
              configurable: true,
              get(this: object) {
                return PROPS_WEAKMAP.get(this)?.principal ?? null
              },
            })
          }
        }
        if (row === 'props-weakmap' || row === 'props-accessor')
          PROPS_WEAKMAP.set(req, {
            state: { ...PROPS_STATE },
            principal: { ...PROPS_PRINCIPAL },
          })
        else {
          ;(req as unknown as Record<symbol, unknown>)[STATE] = {
            ...PROPS_STATE,
            principal: { ...PROPS_PRINCIPAL },
          }
          if (row === 'props') req.auth = (req as unknown as Record<symbol, { principal: never }>)[STATE]!.principal
        }
        next()
      })
      const subOf = (req: object): string =>
        row === 'props-weakmap'
          ? PROPS_WEAKMAP.get(req)!.principal.sub
          : row === 'props-accessor'
          ? (req as unknown as { auth: { sub: string } }).auth.sub
          : (req as unknown as Record<symbol, { principal: { sub: string } }>)[STATE]!.principal.sub
      app.get(
        ROUTE,
        (_req, _res, next) => next(),
        (req, res) => {
          res.json({ ok: true, sub: subOf(req) })
        },
      )
      return createServer(app)
    }
    const [{ default: Koa }, { default: Router }] = await Promise.all([import('koa'), import('@koa/router')])
    const STATE = Symbol.for('@auth/koa')
    const app = new Koa()
    const router = new Router()
    app.use((ctx, next) => {
      ;(ctx as unknown as Record<symbol, unknown>)[STATE] = { ...PROPS_STATE }
      ctx.state.auth = { ...PROPS_PRINCIPAL } as never
      return next()
    })
    router.get(
      ROUTE,
      (_ctx, next) => next(),
      (ctx) => {
        ctx.body = { ok: true, sub: (ctx.state.auth as { sub: string }).sub }
      },
    )
    app.use(router.routes())
    return createServer(app.callback())
  }
  if (init.row !== 'ours') {
    // The HTTP benchmark's own bare and layers apps (they need nothing of the init but the kind).
    const serverInit: ServerInit = {
      type: 'init',
      framework: init.framework,
      server: { kind: init.row === 'bare' ? 'bare' : 'bare-layers' },
      key: '',
      publicPem: '',
      hs256Secret: '',
      secret: '',
      redisUrl: '',
      prefix: '',
    }
    const built =
      init.framework === 'express'
        ? await (await import('./http-apps/express.js')).createExpressApp(serverInit)
        : init.framework === 'koa'
        ? await (await import('./http-apps/koa.js')).createKoaApp(serverInit)
        : await (await import('./http-apps/fastify.js')).createFastifyApp(serverInit)
    return captureServer(() => built.listen())
  }
  // Ours as `bench/http-apps/*.ts` builds it, on the memory store (on the warm path neither strategy reads the store).
  const { http } = await createBenchAuthHttp({ store: createMemoryStore({ warnInProduction: false }), key: init.key, secret: init.secret, revocation: init.strategy })
  switch (init.framework) {
    case 'express': {
      const [{ createAuthMiddleware, requireAuth }, { default: express }] = await Promise.all([import('@auth/express'), import('express')])
      const app = express()
      app.use(createAuthMiddleware(http))
      app.get(ROUTE, requireAuth(), (req, res) => {
        res.json({ ok: true, sub: req.auth!.sub })
      })
      return createServer(app)
    }
    case 'koa': {
      const [{ createAuthMiddleware, requireAuth }, { default: Koa }, { default: Router }] = await Promise.all([import('@auth/koa'), import('koa'), import('@koa/router')])
      const app = new Koa()
      const router = new Router()
      app.use(createAuthMiddleware(http))
      router.get(ROUTE, requireAuth(), (ctx) => {
        ctx.body = { ok: true, sub: ctx.state.auth!.sub }
      })
      app.use(router.routes())
      return createServer(app.callback())
    }
    case 'fastify': {
      const [{ authPlugin, requireAuth }, { default: Fastify }] = await Promise.all([import('@auth/fastify'), import('fastify')])
      const app = Fastify()
      await app.register(authPlugin, { http })
      app.get(ROUTE, { preHandler: requireAuth() }, async (request) => ({
        ok: true,
        sub: request.auth!.sub,
      }))
      await app.ready()
      return app.server
    }
  }
}

/** The bench apps listen themselves: catch the server they create (the one `listen` is called on). */
async function captureServer(listen: () => Promise<number>): Promise<Server> {
  const http = await import('node:http')
  const original = http.Server.prototype.listen
  let caught: Server | undefined
  http.Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    caught = this
    return (original as (...a: unknown[]) => Server).apply(this, args)
  } as typeof original
  try {
    await listen()
  } finally {
    delete (http.Server.prototype as { listen?: unknown }).listen
  }
  if (!caught) throw new Error('the app did not listen')
  return caught
}

function where(frame: { functionName: string; url: string; lineNumber: number }): string {
  let url = frame.url
  if (url.startsWith('file://')) url = fileURLToPath(url)
  const inModules = url.lastIndexOf('/node_modules/')
  if (inModules >= 0) url = url.slice(inModules + '/node_modules/'.length)
  else if (url.startsWith('/')) url = relative(ROOT, url)
  // Sources run through tsx report line 0: name the file alone then.
  const line = frame.lineNumber > 0 ? `:${frame.lineNumber + 1}` : ''
  return `${frame.functionName || '(anonymous)'}${url ? ` (${url}${line})` : ''}`
}

interface SamplingNode {
  readonly callFrame: { functionName: string; url: string; lineNumber: number }
  readonly selfSize: number
  readonly children: readonly SamplingNode[]
}

/** Starts V8's sampling heap profiler, keeping the objects garbage collection freed since. */
async function startSampling(session: Session, samplingInterval: number): Promise<void> {
  await session.post('HeapProfiler.startSampling', {
    samplingInterval,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never)
}

/** Stops the sampling profiler: the sampled bytes in all, and by allocation site. */
async function stopSampling(session: Session): Promise<{ total: number; sites: Site[] }> {
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: SamplingNode } }
  const bySite = new Map<string, number>()
  let total = 0
  const walk = (node: SamplingNode) => {
    if (node.selfSize > 0) {
      const key = where(node.callFrame)
      bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize)
      total += node.selfSize
    }
    node.children.forEach(walk)
  }
  walk(profile.head)
  return { total, sites: [...bySite].map(([w, bytes]) => ({ where: w, bytes })) }
}

async function child(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('the server process needs --expose-gc')
  const send = (message: FromChild) => new Promise<void>((resolve) => process.send!(message, undefined, undefined, () => resolve()))
  // When each garbage collection started (performance.now()); entries arrive asynchronously.
  const gcStarts: number[] = []
  new PerformanceObserver((list) => void gcStarts.push(...list.getEntries().map((entry) => entry.startTime))).observe({ type: 'gc' })
  let startedAt = 0
  const session = new Session()
  session.connect()
  let server: Server | undefined
  let start = 0
  let startOld = 0
  process.on('disconnect', () => process.exit(0))
  process.on('message', (message: ToChild) => {
    void (async () => {
      try {
        switch (message.type) {
          case 'init': {
            server = await buildServer(message)
            const port = server.listening ? (server.address() as { port: number }).port : await listenOnLoopback(server)
            return await send({ type: 'listening', port })
          }
          case 'begin':
            gc()
            gc()
            startedAt = performance.now()
            start = heapUsed()
            startOld = oldUsed()
            return await send({ type: 'begun' })
          case 'end': {
            const bytes = heapUsed() - start
            const old = oldUsed() - startOld
            const endedAt = performance.now()
            await new Promise((resolve) => setTimeout(resolve, 50)) // let this window's gc entries arrive
            const gcs = gcStarts.filter((t) => t >= startedAt && t <= endedAt).length
            return await send({ type: 'ended', bytes, old, gcs })
          }
          case 'profile-begin':
            await startSampling(session, 128)
            return await send({ type: 'begun' })
          case 'profile-end': {
            const { total, sites } = await stopSampling(session)
            return await send({ type: 'profiled', total, sites })
          }
        }
      } catch (error) {
        await send({
          type: 'error',
          message: error instanceof Error ? error.stack ?? error.message : String(error),
        })
        process.exit(1)
      }
    })()
  })
}

// ---------------------------------------------------------------- the bench

class ServerProcess {
  readonly #child: ChildProcess
  #waiting: ((message: FromChild) => void) | undefined
  #failed: Error | undefined

  constructor() {
    const execArgv = [...process.execArgv, '--expose-gc', '--max-semi-space-size=64', '--min-semi-space-size=64']
    this.#child = fork(fileURLToPath(import.meta.url), [], {
      execArgv,
      env: { ...process.env, AUTH_ALLOC_CHILD: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.#child.on('message', (message: FromChild) => {
      const waiting = this.#waiting
      this.#waiting = undefined
      waiting?.(message)
    })
    this.#child.on('exit', (code) => {
      this.#failed = new Error(`server process exited (code ${code})`)
      const waiting = this.#waiting
      this.#waiting = undefined
      waiting?.({ type: 'error', message: this.#failed.message })
    })
  }

  ask(message: ToChild): Promise<FromChild> {
    if (this.#failed) return Promise.reject(this.#failed)
    return new Promise((resolve, reject) => {
      this.#waiting = (answer) => (answer.type === 'error' ? reject(new Error(answer.message)) : resolve(answer))
      this.#child.send(message)
    })
  }

  kill(): void {
    this.#child.kill()
  }
}

function get(agent: Agent, port: number, token: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: ROUTE,
        agent,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (res: IncomingMessage) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => {
          if (res.statusCode !== 200 || !body.includes(BARE_SUB)) reject(new Error(`GET ${ROUTE}: ${res.statusCode} ${body}`))
          else resolve()
        })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

async function drive(agent: Agent, port: number, token: string | undefined, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await get(agent, port, token)
}

interface Measured {
  readonly perRequest: number[]
  /** Of which outside the young generation. */
  readonly oldPerRequest: number[]
  readonly ipcBytes: number
  readonly sites: Map<string, number>
  readonly sampledTotal: number
}

async function measure(framework: Framework, row: Row, strategy: Strategy, key: string, secret: string, token: string, requests: number, windows: number): Promise<Measured> {
  const server = new ServerProcess()
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const listening = await server.ask({
      type: 'init',
      framework,
      row,
      strategy,
      key,
      secret,
    })
    if (listening.type !== 'listening') throw new Error(`unexpected ${listening.type}`)
    const port = listening.port
    // Every row gets the same request, Authorization header included (the others ignore it): the
    // header's string is the parser's allocation, not the middleware's.
    const auth = token
    await drive(agent, port, auth, 5000) // warm-up: optimized code, full caches
    const window = async (n: number): Promise<{ bytes: number; old: number }> => {
      for (let attempt = 0; attempt < 5; attempt++) {
        await server.ask({ type: 'begin' })
        await drive(agent, port, auth, n)
        const ended = await server.ask({ type: 'end' })
        if (ended.type !== 'ended') throw new Error(`unexpected ${ended.type}`)
        if (ended.gcs === 0) return { bytes: ended.bytes, old: ended.old }
      }
      throw new Error(`a garbage collection ran in every window of ${n} requests: lower ALLOC_REQUESTS`)
    }
    const empties = [await window(0), await window(0), await window(0)]
    const empty = Math.min(...empties.map((e) => e.bytes))
    const emptyOld = Math.min(...empties.map((e) => e.old))
    const oldPerRequest: number[] = []
    const perRequest: number[] = []
    for (let i = 0; i < windows; i++) {
      const measured = await window(requests)
      perRequest.push((measured.bytes - empty) / requests)
      oldPerRequest.push((measured.old - emptyOld) / requests)
    }
    await server.ask({ type: 'profile-begin' })
    await drive(agent, port, auth, requests)
    const profiled = await server.ask({ type: 'profile-end', top: 0 })
    if (profiled.type !== 'profiled') throw new Error(`unexpected ${profiled.type}`)
    return {
      perRequest,
      oldPerRequest,
      ipcBytes: empty,
      sites: new Map(profiled.sites.map((s) => [s.where, s.bytes])),
      sampledTotal: profiled.total,
    }
  } finally {
    agent.destroy()
    server.kill()
  }
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** A fresh ES256 key (`exportKey` form), a session secret (base64url) and the warm token every row is sent. */
async function benchKeys(): Promise<{ key: string; secret: string; token: string }> {
  const keys = await generateKeySet({ alg: 'ES256' })
  const { token } = await signAccessToken(keys, { issuer: ISSUER, audience: AUDIENCE, sub: BARE_SUB, sid: 'alloc-bench-session', claims: APP_CLAIMS, ttlMs: TTL_SECONDS * 1000 })
  return { key: exportKey(keys.signingKey!), secret: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'), token }
}

async function main(): Promise<void> {
  const requests = Number(process.env.ALLOC_REQUESTS ?? 1000)
  const windows = Number(process.env.ALLOC_WINDOWS ?? 7)
  const strategy = (process.env.ALLOC_STRATEGY ?? 'mirror') as Strategy
  const top = Number(process.env.ALLOC_TOP ?? 15)
  const frameworks = (process.env.ALLOC_FRAMEWORKS ?? 'express,koa,fastify').split(',') as Framework[]
  const { key, secret, token } = await benchKeys()
  console.log(`Allocation per request (${strategy}, ${windows} windows × ${requests} sequential keep-alive requests per server, node ${process.version})\n`)
  for (const framework of frameworks) {
    const rows: Row[] =
      framework === 'fastify'
        ? ['bare', 'layers', 'layers-async', 'ours']
        : framework === 'koa'
        ? ['bare', 'layers', 'props', 'ours']
        : ['bare', 'layers', 'props', 'props-one', 'props-weakmap', 'props-accessor', 'ours']
    const results = new Map<Row, Measured>()
    for (const row of rows) results.set(row, await measure(framework, row, strategy, key, secret, token, requests, windows))
    console.log(`${framework}`)
    console.log(`  | row | bytes/request (median) | min–max of ${windows} windows | of which outside the young generation | profile-sampled bytes/request |`)
    console.log('  | --- | ---: | ---: | ---: | ---: |')
    for (const [row, m] of results) {
      console.log(
        `  | ${row} | ${median(m.perRequest).toFixed(0)} | ${Math.min(...m.perRequest).toFixed(0)}–${Math.max(...m.perRequest).toFixed(0)} | ${median(m.oldPerRequest).toFixed(
          0,
        )} | ${(m.sampledTotal / requests).toFixed(0)} |`,
      )
    }
    const base = results.get('layers')!
    const ours = results.get('ours')!
    const all = new Set([...ours.sites.keys(), ...base.sites.keys()])
    // Scale each profile to its server's exact bytes, so the sites of both rows add up to their measured totals.
    const scale = (m: Measured) => (median(m.perRequest) * requests) / m.sampledTotal / requests
    const diff = [...all]
      .map((w) => ({
        where: w,
        bytes: (ours.sites.get(w) ?? 0) * scale(ours) - (base.sites.get(w) ?? 0) * scale(base),
      }))
      .sort((a, b) => Math.abs(b.bytes) - Math.abs(a.bytes))
      .slice(0, top)
    console.log(`\n  top ${top} allocation sites of ours − layers, bytes/request (self, scaled to the measured totals):`)
    for (const d of diff) console.log(`  ${d.bytes >= 0 ? '+' : ''}${d.bytes.toFixed(0).padStart(6)}  ${d.where}`)
    console.log('')
  }
}

/**
 * The in-process view (`--micro`): `http.authenticateNow(fromNodeRequest(req))` alone on a warm
 * token, `req` a plain object with what the view reads (`method`, `url`, `rawHeaders`): bytes per
 * call, the same windows (no GC in them), and where, from the sampling heap profiler.
 */
async function micro(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!
  const { fromNodeRequest } = await import('@auth/core/node')
  const { key, secret, token } = await benchKeys()
  const revocation = (process.env.ALLOC_STRATEGY ?? 'mirror') as Strategy
  const { auth, http } = await createBenchAuthHttp({ store: createMemoryStore({ warnInProduction: false }), key, secret, revocation })
  // A fresh header string per request, as the HTTP parser makes one (a cached string would hide per-string work).
  const requestOf = (i: number) => ({
    method: 'GET',
    url: ROUTE,
    rawHeaders: ['Host', '127.0.0.1', 'Authorization', `Bearer ${token}`.slice(0, 7 + token.length + (i & 0))],
  })
  const calls = 20_000
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      const result = http.authenticateNow(fromNodeRequest(requestOf(i) as never))
      if (result instanceof Promise || result.principal?.sub !== BARE_SUB) throw new Error('not a warm, synchronous success')
    }
  }
  const window = (n: number) => {
    gc()
    gc()
    const before = heapUsed()
    run(n)
    return heapUsed() - before
  }
  run(50_000) // warm-up
  const baseline = Math.min(window(0), window(0), window(0))
  const perCall = Array.from({ length: 5 }, () => (window(calls) - baseline) / calls)
  const session = new Session()
  session.connect()
  await startSampling(session, 64)
  run(calls)
  const { total, sites } = await stopSampling(session)
  const measured = median(perCall)
  console.log(`In process: http.authenticateNow(fromNodeRequest(req)), warm ES256 token (${calls} calls × 5 windows)`)
  console.log(
    `  ${measured.toFixed(0)} bytes/call (min–max ${Math.min(...perCall).toFixed(0)}–${Math.max(...perCall).toFixed(
      0,
    )}), the site in bench/http-alloc.ts is the test's own request object`,
  )
  for (const site of [...sites].sort((x, y) => y.bytes - x.bytes).slice(0, 8)) {
    console.log(`  ${((site.bytes / total) * measured).toFixed(0).padStart(6)}  ${site.where}`)
  }
  await auth.close()
}

if (process.env.AUTH_ALLOC_CHILD === '1') await child()
else if (process.env.AUTH_ALLOC_CHILD === 'micro') await micro()
else if (process.argv.includes('--micro')) {
  const execArgv = [...process.execArgv, '--expose-gc', '--max-semi-space-size=64', '--min-semi-space-size=64']
  const micro = fork(fileURLToPath(import.meta.url), [], {
    execArgv,
    env: { ...process.env, AUTH_ALLOC_CHILD: 'micro' },
    stdio: 'inherit',
  })
  await new Promise((resolve) => micro.on('exit', resolve))
} else await main()
