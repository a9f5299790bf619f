/**
 * The harness of `describeAdapter`: per test, a fresh store (wrapped so a test can take it
 * down), an `Auth` and an `AuthHttp` on it, the adapter's app listening on loopback, and browser
 * or API-client "agents" that talk to it over real HTTP.
 *
 * @module
 * @internal
 */
import { afterEach, beforeAll, beforeEach, describe } from 'vitest'
import { type Auth, createAuth } from '../auth.js'
import { type AuthHttp, createAuthHttp } from '../http/auth-http.js'
import type { HttpTransport } from '../http/exchange.js'
import { generateKeySet } from '../key/generate.js'
import type { KeySet } from '../key/key-set.js'
import { type InstrumentedStore, instrument } from './auth-flows.js'
import type { DescribeAdapterOptions } from './describe-adapter.js'
import { type CookieJar, createCookieJar, type HttpReply, type RawHeaders, send, type SendOptions } from './http-client.js'

/** The origin of the application under test: the one allowed origin. */
export const APP_ORIGIN = 'http://app.test'
/** A cross-site attacker's origin. */
export const EVIL_ORIGIN = 'http://evil.test'
/** The `iss` and `aud` of the suite's access tokens. */
export const ADAPTER_ISSUER = 'https://auth.adapter.test'
export const ADAPTER_AUDIENCE = 'https://api.adapter.test'
/** The refresh grace window of the suite's `Auth` (ms); tests step over it with the clock, never by sleeping. */
export const GRACE_MS = 10_000

/** What {@link Agent.send} takes besides method and path. */
export interface AgentSendOptions {
  /** Extra headers, sent as given (they win over the agent's own `Cookie` and `Authorization`). */
  headers?: RawHeaders
  /** A JSON body (sent with `Content-Type: application/json`). */
  json?: unknown
  /** A raw body (give the content type in `headers`). */
  body?: string | Buffer
  /** The `Origin` header. Default: the app's origin on unsafe methods, none on `GET`/`HEAD`; `null` sends none. */
  origin?: string | null
  /** Whether to send the jar's cookies. Default `true`. */
  cookies?: boolean
}

/** A client of the app: a browser (cookie jar) or an API client (bearer tokens), or both. */
export interface Agent {
  /** The cookies this agent holds. */
  readonly jar: CookieJar
  /** The tokens of a bearer login (sent as `Authorization: Bearer`), or `null`. */
  tokens: { accessToken: string; refreshToken: string } | null
  /** Sends a request with the agent's credentials; stores the `Set-Cookie`s of the answer. */
  send(method: string, path: string, options?: AgentSendOptions): Promise<HttpReply>
  /** `POST /auth/login`; fails the test unless it answers 200. Bearer tokens are kept. */
  login(sub: string, transport: HttpTransport, data?: Record<string, unknown>): Promise<HttpReply>
  /** `POST /auth/refresh` with the agent's refresh token (bearer: JSON; else the cookie). */
  refresh(options?: AgentSendOptions): Promise<HttpReply>
  /** `GET /api/me`. */
  me(options?: AgentSendOptions): Promise<HttpReply>
}

/** What every test of the suite works with. */
export interface AdapterHarness {
  /** The base URL of the running app. */
  readonly url: string
  /** The `Auth` the app was started with. */
  readonly auth: Auth
  /** The protocol the app was started with. */
  readonly http: AuthHttp
  /** The suite's signing keys (one set for the whole suite), for forging and expiring tokens. */
  readonly keys: KeySet
  /** The wrapped store: set `storeDown` to make every store call reject. */
  readonly store: InstrumentedStore
  /** Moves the suite's clock forward (the `Auth`'s clock; the app's sockets keep real time). */
  advance(ms: number): void
  /** A new agent with an empty jar. */
  agent(): Agent
  /** Sends a raw request: no cookies, no credentials, nothing added. */
  send(options: SendOptions): Promise<HttpReply>
}

/** The transports, each run through the same flows. */
export const TRANSPORTS: readonly HttpTransport[] = ['cookie', 'bearer', 'session']

/** Logs `agent` in as an admin: the `roles` claim for tokens, session data for the session transport. */
export function loginAdmin(agent: Agent, transport: HttpTransport): Promise<HttpReply> {
  return agent.login('admin-1', transport, transport === 'session' ? { roles: ['admin'] } : undefined)
}

/** The error code of a JSON error reply. */
export const codeOf = (reply: HttpReply): unknown => reply.json?.error?.code

const UNSAFE = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method)
const hasHeader = (headers: RawHeaders | undefined, name: string) => Object.keys(headers ?? {}).some((key) => key.toLowerCase() === name)

/** @internal Registers the suite; `body` defines the tests, each calling `harness()` for its own. */
export function defineAdapterSuite(name: string, options: DescribeAdapterOptions, body: (harness: () => AdapterHarness) => void): void {
  if (typeof options?.start !== 'function' || typeof options.createStore !== 'function') {
    throw new TypeError('describeAdapter: options must have start(setup) and createStore()')
  }
  let keys: KeySet
  let current: AdapterHarness | undefined
  let cleanup: Array<() => Promise<void>> = []
  describe(name, { timeout: 20_000 }, () => {
    beforeAll(async () => {
      keys = await generateKeySet()
    })
    beforeEach(async () => {
      const raw = await options.createStore()
      cleanup.push(() => raw.close())
      const store = instrument(raw)
      let offset = 0
      const auth = createAuth({
        store: store.store,
        keys,
        issuer: ADAPTER_ISSUER,
        audience: ADAPTER_AUDIENCE,
        refreshGraceMs: GRACE_MS,
        clock: () => Date.now() + offset,
        claims: (session) => ({ roles: session.sub.startsWith('admin') ? ['admin'] : [] }),
      })
      cleanup.push(() => auth.close())
      const http = createAuthHttp(auth, { allowedOrigins: [APP_ORIGIN] })
      const app = await options.start({ auth, http })
      if (typeof app?.url !== 'string' || typeof app.close !== 'function') throw new TypeError('describeAdapter: start() must resolve { url, close }')
      cleanup.push(() => app.close())
      const url = app.url.replace(/\/$/, '')
      current = {
        url,
        auth,
        http,
        keys,
        store,
        advance: (ms) => void (offset += ms),
        agent: () => createAgent(url),
        send: (sendOptions) => send(url, sendOptions),
      }
    })
    afterEach(async () => {
      const steps = cleanup.reverse()
      cleanup = []
      current = undefined
      for (const step of steps) await step()
    })
    body(() => {
      if (!current) throw new Error('describeAdapter: the harness exists only inside a test')
      return current
    })
  })
}

function createAgent(url: string): Agent {
  const jar = createCookieJar()
  const agent: Agent = {
    jar,
    tokens: null,
    async send(method, path, options = {}) {
      const headers: Record<string, string | readonly string[]> = {}
      const origin = options.origin === undefined ? (UNSAFE(method) ? APP_ORIGIN : null) : options.origin
      if (origin !== null) headers.Origin = origin
      const cookie = options.cookies === false ? undefined : jar.header(path)
      if (cookie !== undefined && !hasHeader(options.headers, 'cookie')) headers.Cookie = cookie
      if (agent.tokens && !hasHeader(options.headers, 'authorization')) headers.Authorization = `Bearer ${agent.tokens.accessToken}`
      if (options.json !== undefined) headers['Content-Type'] = 'application/json'
      const body = options.json !== undefined ? JSON.stringify(options.json) : options.body
      const reply = await send(url, { method, path, headers: { ...headers, ...options.headers }, ...(body === undefined ? {} : { body }) })
      jar.store(reply.cookies)
      return reply
    },
    async login(sub, transport, data) {
      const reply = await agent.send('POST', '/auth/login', { json: { sub, transport, ...(data ? { data } : {}) } })
      if (reply.status !== 200) throw new Error(`login of ${sub} (${transport}) answered ${reply.status}: ${reply.text}`)
      if (transport === 'bearer') agent.tokens = { accessToken: reply.json.accessToken, refreshToken: reply.json.refreshToken }
      return reply
    },
    async refresh(options = {}) {
      const tokens = agent.tokens
      const reply = tokens
        ? await agent.send('POST', '/auth/refresh', { json: { refreshToken: tokens.refreshToken }, ...options })
        : await agent.send('POST', '/auth/refresh', options)
      if (tokens && reply.status === 200) agent.tokens = { accessToken: reply.json.accessToken, refreshToken: reply.json.refreshToken }
      return reply
    },
    me: (options) => agent.send('GET', '/api/me', options),
  }
  return agent
}
