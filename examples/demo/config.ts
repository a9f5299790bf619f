/**
 * The demo's configuration, read from the environment once at start. Every mistake is a
 * {@link DemoConfigError} whose message is one line saying what to change, so `index.ts` can
 * print it and exit 1.
 *
 * | variable | default | |
 * |---|---|---|
 * | `PORT` | `3000` | 1 to 65535 |
 * | `HOST` | `127.0.0.1` | the address to listen on |
 * | `DEMO_FRAMEWORK` | `express` | one of {@link DEMO_FRAMEWORKS} |
 * | `REDIS_URL` | none: the memory store | `redis://` or `rediss://` URL: the Redis store |
 * | `ACCESS_TOKEN_TTL` | `900` | access-token lifetime, whole seconds, 1 to 86400 |
 * | `REFRESH_GRACE` | `10` | refresh grace window, whole seconds, 0 to 300 |
 * | `DEMO_TEST_HOOKS` | `0` | `1` adds the test routes of `test-hooks.ts` (refresh counts, a server clock to move, an always-401 route); never in a real deployment |
 *
 * An empty variable counts as unset. `NODE_ENV=production` is refused: the demo has built-in
 * users and a fixed secret.
 *
 * @module
 */

/** The frameworks the demo runs on. */
export const DEMO_FRAMEWORKS = ['express', 'fastify', 'koa'] as const
/** One of {@link DEMO_FRAMEWORKS}. */
export type DemoFramework = (typeof DEMO_FRAMEWORKS)[number]

/** The validated configuration. Durations in milliseconds, as `createAuth` takes them. */
export interface DemoConfig {
  readonly port: number
  readonly host: string
  readonly framework: DemoFramework
  readonly redisUrl: string | undefined
  readonly accessTokenTtlMs: number
  readonly refreshGraceMs: number
  /** Whether the test routes under `/test/` are served (`DEMO_TEST_HOOKS=1`). Off by default. */
  readonly testHooks: boolean
  /** The origins a browser may use to reach the demo: the CSRF allow-list. */
  readonly allowedOrigins: readonly string[]
  /** The URL to print and open: `http://localhost:PORT`, the origin where `__Host-` cookies work over http. */
  readonly url: string
}

/** A configuration mistake; its message is one line, fit to print as the reason for exit 1. */
export class DemoConfigError extends Error {
  override name = 'DemoConfigError'
}

/**
 * Reads and validates the configuration.
 *
 * @param env - `process.env`, or a test's own
 * @throws DemoConfigError when a variable is invalid or `NODE_ENV` is `production`
 */
export function readDemoConfig(env: NodeJS.ProcessEnv): DemoConfig {
  const get = (name: string) => (env[name] === '' ? undefined : env[name])
  if (get('NODE_ENV') === 'production') {
    throw new DemoConfigError('refusing to start with NODE_ENV=production: the demo has built-in users and passwords and a fixed secret')
  }
  const framework = get('DEMO_FRAMEWORK') ?? 'express'
  if (!(DEMO_FRAMEWORKS as readonly string[]).includes(framework)) {
    throw new DemoConfigError(`DEMO_FRAMEWORK=${JSON.stringify(framework)} is not supported; use one of: ${DEMO_FRAMEWORKS.join(', ')}`)
  }
  const port = integer('PORT', get('PORT'), 3000, 1, 65535)
  const host = get('HOST') ?? '127.0.0.1'
  if (!HOST.test(host)) throw new DemoConfigError(`HOST=${JSON.stringify(host)} is not a host name or address`)
  const origins = originsOf(host, port)
  const redisUrl = get('REDIS_URL')
  if (redisUrl !== undefined && !isRedisUrl(redisUrl)) {
    throw new DemoConfigError('REDIS_URL must be a redis:// or rediss:// URL, for example redis://127.0.0.1:6379')
  }
  return {
    port,
    host,
    framework: framework as DemoFramework,
    redisUrl,
    accessTokenTtlMs: integer('ACCESS_TOKEN_TTL', get('ACCESS_TOKEN_TTL'), 900, 1, 86_400) * 1000,
    refreshGraceMs: integer('REFRESH_GRACE', get('REFRESH_GRACE'), 10, 0, 300) * 1000,
    testHooks: integer('DEMO_TEST_HOOKS', get('DEMO_TEST_HOOKS'), 0, 0, 1) === 1,
    allowedOrigins: origins,
    // localhost, not 127.0.0.1: browsers treat http://localhost as a secure context, so the
    // `Secure` and `__Host-` cookies of the cookie and session transports work there over http.
    url: LOOPBACK_OR_ANY.has(host) ? `http://localhost:${port}` : origins[origins.length - 1]!,
  }
}

const LOOPBACK_OR_ANY = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'])

/** A host name or IPv4 address (letters, digits, dots, hyphens), or an IPv6 address. */
const HOST = /^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  const n = /^\d+$/.test(value) ? Number(value) : NaN
  if (!(n >= min && n <= max)) throw new DemoConfigError(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`)
  return n
}

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== ''
  } catch {
    return false
  }
}

/**
 * `http://localhost:PORT`, `http://127.0.0.1:PORT`, and the `HOST` one last when it is another
 * single address (a wildcard such as `0.0.0.0` is no origin a browser sends).
 */
function originsOf(host: string, port: number): string[] {
  const origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`]
  if (host === '0.0.0.0' || host === '::') return origins
  let origin: string
  try {
    origin = new URL(`http://${host.includes(':') ? `[${host}]` : host}:${port}`).origin
  } catch {
    throw new DemoConfigError(`HOST=${JSON.stringify(host)} is not a host name or address`) // say ":::1" or "1..2"
  }
  return origins.includes(origin) ? origins : [...origins, origin]
}
