/**
 * Real `redis-server` processes for tests and benchmarks: standalone servers and a Cluster of
 * masters, each on free loopback ports, in its own temporary directory, killed when the test is
 * done (and, as a last resort, when the process exits).
 *
 * A missing `redis-server` is an error, never a skip: the message says how to install it.
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const HOST = '127.0.0.1'
const INSTALL_HINT =
  'redis-server not found: run `node scripts/ensure-services.mjs` at the repository root (installs it with apt-get where it can, otherwise prints the command)'

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /**
   * Keep data across a kill and restart: append-only file with `appendfsync always`, so every
   * write acknowledged to a client is on disk. Default `false`: `--save '' --appendonly no`, a
   * restart loses everything.
   */
  persistence?: boolean
  /** More `redis-server` arguments, after the defaults (so they win), e.g. `['--maxmemory-policy', 'allkeys-lru']`. */
  args?: readonly string[]
  /**
   * Start a Sentinel (`redis-server sentinel.conf --sentinel`) monitoring this master instead of a
   * data server; `quorum` 1, so one Sentinel suffices.
   */
  sentinelOf?: { host: string; port: number; name: string }
}

/** A running (or stopped, and restartable) `redis-server`. */
export interface RedisServer {
  /** Always `127.0.0.1`. */
  readonly host: string
  /** The port it listens on (kept across restarts). */
  readonly port: number
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string
  /** Its working directory (AOF, cluster config, log). */
  readonly dir: string
  /** The process id while running. */
  readonly pid: number | undefined
  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void
  /** Thaws it (SIGCONT). */
  resume(): void
  /** SIGKILL, and waits for the exit: no shutdown save, no goodbye to clients. */
  kill(): Promise<void>
  /** Starts it again on the same port and directory (after `kill`), and waits until it answers. */
  start(): Promise<void>
  /** `kill()` then `start()`. */
  restart(): Promise<void>
  /** Kills it and removes its directory. */
  stop(): Promise<void>
  /** Runs `redis-cli -p <port> ...args` and answers its standard output. */
  cli(...args: string[]): string
  /** The server's log so far. */
  log(): string
}

/** A Cluster of masters without replicas, every slot assigned. */
export interface RedisCluster {
  /** The masters. */
  readonly nodes: readonly RedisServer[]
  /** `{ host, port }` of every node, for `new Cluster(startupNodes)`. */
  readonly startupNodes: Array<{ host: string; port: number }>
  /** Stops every node. */
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Never leave a server behind, even when a test run is interrupted.
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL')
  })
}

/** Fails with an install hint when `redis-server` is missing. */
export function assertRedisInstalled(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) throw new Error(INSTALL_HINT)
}

/**
 * A port that was free a moment ago: the OS picks one for a listener on 127.0.0.1:0, which is
 * closed again (redis-server itself does not accept port 0).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, HOST, () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Resolves once a PING on the port answers PONG; rejects after `timeoutMs` or when `failed()` says so. */
async function waitForPong(port: number, timeoutMs: number, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const reason = failed()
    if (reason !== undefined) throw new Error(reason)
    if (await ping(port)) return
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`)
    await sleep(20)
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port })
    let answer = ''
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'))
    })
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Starts a `redis-server` on a free loopback port in a new temporary directory and waits until
 * it answers. Retries with other ports if the chosen one was taken meanwhile.
 *
 * @example
 * ```ts
 * const server = await startRedisServer()
 * const client = new Redis(server.port, server.host)
 * // ...
 * await server.stop()
 * ```
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServer> {
  return startOn(options, await freePort())
}

async function startOn(options: StartRedisServerOptions, firstPort: number): Promise<RedisServer> {
  assertRedisInstalled()
  installExitHook()
  const dir = mkdtempSync(join(tmpdir(), 'auth-redis-'))
  const logPath = join(dir, 'redis.log')
  let port = firstPort
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()

  const argsFor = (p: number): string[] => {
    if (options.sentinelOf) {
      const { host, port: masterPort, name } = options.sentinelOf
      const conf = join(dir, 'sentinel.conf')
      // Sentinel rewrites its config file, so each start writes a fresh one.
      writeFileSync(conf, `port ${p}\nbind ${HOST}\ndir ${dir}\nsentinel monitor ${name} ${host} ${masterPort} 1\nsentinel down-after-milliseconds ${name} 5000\n`)
      return [conf, '--sentinel', ...(options.args ?? [])]
    }
    return dataArgs(p)
  }
  const dataArgs = (p: number): string[] => [
    '--port', String(p),
    '--bind', HOST,
    '--dir', dir,
    '--daemonize', 'no',
    '--logfile', '',
    '--save', '',
    ...(options.persistence ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(options.args ?? []),
  ]

  const log = (): string => {
    try {
      return readFileSync(logPath, 'utf8')
    } catch {
      return ''
    }
  }

  async function launch(p: number): Promise<void> {
    const fd = openSync(logPath, 'a')
    const proc = spawn('redis-server', argsFor(p), { cwd: dir, stdio: ['ignore', fd, fd] })
    closeSync(fd)
    child = proc
    running.add(proc)
    let exitReason: string | undefined
    exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        running.delete(proc)
        exitReason = `redis-server on port ${p} exited (code ${code}, signal ${signal}) before answering:\n${log().slice(-2000)}`
        resolve()
      })
    })
    proc.once('error', (error) => {
      exitReason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? INSTALL_HINT : String(error)
    })
    await waitForPong(p, 10_000, () => exitReason)
  }

  for (let attempt = 0; ; attempt++) {
    try {
      await launch(port)
      break
    } catch (error) {
      const taken = /Address already in use/i.test(String(error))
      if (!taken || attempt >= 4) {
        rmSync(dir, { recursive: true, force: true })
        throw error
      }
      port = await freePort()
    }
  }

  const server: RedisServer = {
    host: HOST,
    get port() {
      return port
    },
    get url() {
      return `redis://${HOST}:${port}`
    },
    dir,
    get pid() {
      return child?.exitCode === null && child.signalCode === null ? child.pid : undefined
    },
    pause() {
      if (child?.pid) process.kill(child.pid, 'SIGSTOP')
    },
    resume() {
      if (child?.pid) process.kill(child.pid, 'SIGCONT')
    },
    async kill() {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT')
        child.kill('SIGKILL')
      }
      await exited
    },
    async start() {
      if (server.pid !== undefined) return
      await launch(port)
    },
    async restart() {
      await server.kill()
      await server.start()
    },
    async stop() {
      await server.kill()
      rmSync(dir, { recursive: true, force: true })
    },
    cli(...args) {
      const result = spawnSync('redis-cli', ['-h', HOST, '-p', String(port), ...args], { encoding: 'utf8' })
      if (result.error) throw result.error
      return result.stdout
    },
    log,
  }
  return server
}

/**
 * Starts a Sentinel monitoring `master` under `name` (default `mymaster`), for
 * `new Redis({ sentinels: [{ host, port }], name })`.
 */
export async function startRedisSentinel(master: RedisServer, name = 'mymaster'): Promise<RedisServer> {
  return startRedisServer({ sentinelOf: { host: master.host, port: master.port, name } })
}

/**
 * Starts a Redis Cluster of `masters` masters (default 3) and no replicas on free loopback ports
 * (`redis-cli --cluster create ... --cluster-yes`), and waits until every node reports
 * `cluster_state:ok` with all 16384 slots assigned.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster()
 * const client = new Cluster(cluster.startupNodes)
 * ```
 */
export async function startRedisCluster(options: { masters?: number } = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3
  const nodes: RedisServer[] = []
  try {
    for (let i = 0; i < masters; i++) {
      const bus = await freePort()
      nodes.push(
        await startRedisServer({
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000', '--cluster-port', String(bus)],
        }),
      )
    }
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((node) => `${HOST}:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    )
    if (create.error || create.status !== 0) {
      throw new Error(`redis-cli --cluster create failed: ${create.error ?? ''}\n${create.stdout}\n${create.stderr}`)
    }
    const deadline = Date.now() + 20_000
    for (;;) {
      const ok = nodes.every((node) => {
        const info = node.cli('cluster', 'info')
        return info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384') && info.includes(`cluster_known_nodes:${masters}`)
      })
      if (ok) break
      if (Date.now() > deadline) throw new Error('the Redis Cluster did not reach cluster_state:ok within 20 s')
      await sleep(50)
    }
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()))
    throw error
  }
  return {
    nodes,
    startupNodes: nodes.map((node) => ({ host: node.host, port: node.port })),
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()))
    },
  }
}
