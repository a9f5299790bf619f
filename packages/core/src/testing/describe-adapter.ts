/**
 * The adapter conformance suite: the HTTP protocol of docs/concepts.md#the-http-protocol, held to
 * the same bytes in every adapter, over real HTTP on loopback.
 *
 * @module
 */
import type { Auth } from '../auth.js'
import type { AuthHttp } from '../http/auth-http.js'
import type { AuthStore } from '../store.js'
import { defineAdapterSuite } from './adapter-harness.js'
import { defineCookieTests } from './adapter-cookies.js'
import { defineCsrfTests } from './adapter-csrf.js'
import { defineMalformedTests } from './adapter-malformed.js'
import { defineOutageTests } from './adapter-outage.js'
import { definePathTests } from './adapter-paths.js'
import { defineRotationTests } from './adapter-rotation.js'
import { defineTransportTests } from './adapter-transports.js'

/** What {@link DescribeAdapterOptions.start} is given: the suite creates both, fresh for each test. */
export interface AdapterTestSetup {
  /**
   * The `Auth` under test, on the store from {@link DescribeAdapterOptions.createStore} (wrapped).
   * Its access tokens carry `roles: ['admin']` for users whose `sub` starts with `admin`.
   */
  auth: Auth
  /** `createAuthHttp(auth, { allowedOrigins: ['http://app.test'] })`: default prefix, cookies and transports. */
  http: AuthHttp
}

/** A started app under test, as {@link DescribeAdapterOptions.start} resolves it. */
export interface AdapterTestApp {
  /** Where it listens: `http://127.0.0.1:PORT` (a trailing slash is ignored). */
  url: string
  /** Stops it, closing its server; awaited after each test. */
  close(): Promise<void>
}

/** Options of {@link describeAdapter}. */
export interface DescribeAdapterOptions {
  /** Starts the app under test on a free loopback port (listen on port 0), serving the contract of {@link describeAdapter}. */
  start(setup: AdapterTestSetup): Promise<AdapterTestApp>
  /**
   * A new, empty store; called before each test and closed after it. The suite wraps it to
   * simulate an outage (every call rejecting), so any working store will do.
   */
  createStore(): AuthStore | Promise<AuthStore>
}

/**
 * Registers the HTTP conformance suite of an adapter as a vitest `describe` block. Every test
 * creates a store, an `Auth` and an `AuthHttp`, starts your app with them, talks to it over real
 * HTTP (`node:http` requests: raw paths such as `//api/me`, exact and repeated headers, cookies
 * kept in a jar the way a browser keeps them), and closes it. Held to the same answers in every
 * adapter, status, code, headers and cookies alike:
 *
 * - **each transport** (`cookie`, `bearer`, `session`): login, authenticated `GET`/`HEAD`/`POST`,
 *   roles, refresh (not for `session`), logout, logout everywhere, the session list with the
 *   current one marked, ending one session, and 404 for another user's (which lives on);
 * - **rotation**: the old refresh cookie within grace gets the same successor; reuse after grace
 *   ends the session and clears the cookies; 50 concurrent refreshes with one cookie or token all
 *   succeed with one successor, nobody logged out;
 * - **cookies**: `HttpOnly`, `Secure`, `SameSite=Lax`, `Path` (`/`, or `/auth/refresh` for the
 *   refresh cookie), `Max-Age`, no `Domain`; clearing by name and path with `Max-Age=0` when a
 *   session ends; no refused refresh (CSRF, outage, malformed, forged, duplicated) sets a cookie;
 *   `Cache-Control: no-store` on token responses;
 * - **CSRF**: cross-site (`Origin` foreign or `null`, `Sec-Fetch-Site: cross-site`, neither) cookie
 *   requests and cookie logins are 403 `csrf_rejected`, same-origin ones pass, bearer needs none;
 *   **session fixation**: planted session, access and refresh cookies never speak for a login;
 * - **paths**: `//api/me`, `/API/me`, `/api/me/`, `/api/me;x`, `/api/%6De`… are guarded or 404,
 *   never 2xx or 500; 405 with `Allow` on protocol routes; `HEAD` wherever `GET`;
 * - **the attack battery**: garbage, doubled, oversized, expired, unsigned, foreign-key and edited
 *   credentials, malformed, mistyped and oversized bodies: each a 4xx with a JSON error body,
 *   `WWW-Authenticate: Bearer error="invalid_token"` for a refused bearer token;
 * - **store outage**: 503 `store_unavailable` with `Retry-After` on login, refresh, guarded and
 *   unguarded routes (never an anonymous 200), and everyone still logged in afterwards; the JWKS.
 *
 * The app must serve, with `http` from the setup:
 *
 * | request | answer |
 * |---|---|
 * | every request | first the protocol routes (`http.handle`: `/auth/refresh`, `/auth/logout`, `/auth/logout-all`, `/auth/sessions[/:id]`, `/.well-known/jwks.json`), then your middleware: authenticate, answer a result with `answerNow` at once (400, 503), send its `cookies` before your own |
 * | `POST /auth/login`, JSON `{ "sub", "transport", "data"? }` | your login helper with `{ sub, transport, data }`: no password, the suite trusts `sub` |
 * | `GET`, `HEAD`, `POST /api/me` | guarded by `requireAuth()`: 200 `{ sub, sid, transport }` of the principal |
 * | `GET /api/admin` | guarded by `requireAuth({ roles: ['admin'] })`: 200 `{ ok: true }` |
 * | `GET /api/public` | no guard: 200 `{ sub }`, the principal's or `null` |
 * | anything else | 404 (any body) |
 *
 * Needs `vitest` (an optional peer dependency of `@auth/core`); the whole suite takes a few
 * seconds. Exported from `'@auth/core/testing'`.
 *
 * @example
 * An adapter's own test file starts its framework's app; with no framework, over the Node bridge:
 * ```ts
 * // adapter.test.ts
 * import { createServer } from 'node:http'
 * import type { AddressInfo } from 'node:net'
 * import { applyNodeHeaders, createNodeHandler, fromNodeRequest, sendNodeResponse } from '@auth/core/node'
 * import { describeAdapter } from '@auth/core/testing'
 * import { createMemoryStore } from '@auth/store-memory'
 *
 * describeAdapter('node:http', {
 *   createStore: () => createMemoryStore(),
 *   async start({ http }) {
 *     const handleAuthRoute = createNodeHandler(http)
 *     const server = createServer(async (req, res) => {
 *       if (await handleAuthRoute(req, res)) return
 *       const request = fromNodeRequest(req)
 *       const result = await http.authenticate(request) // the middleware
 *       if (result.answerNow) return sendNodeResponse(res, http.errorResponse(result.error, result), req.method)
 *       applyNodeHeaders(res, { headers: {}, cookies: result.cookies })
 *       const json = (body: unknown) =>
 *         sendNodeResponse(res, { status: 200, headers: { 'content-type': 'application/json' }, cookies: [], body }, req.method)
 *       const allowed = (guard = {}) => {
 *         const refusal = http.authorize(result, guard) // requireAuth(guard)
 *         if (refusal) sendNodeResponse(res, refusal, req.method)
 *         return !refusal
 *       }
 *       const me = result.principal
 *       switch (`${req.method} ${req.url}`) {
 *         case 'POST /auth/login': {
 *           const { sub, transport, data } = JSON.parse(await request.readBody!(16 * 1024))
 *           return sendNodeResponse(res, await http.login(request, { sub, transport, data }), req.method)
 *         }
 *         case 'GET /api/me':
 *         case 'HEAD /api/me':
 *         case 'POST /api/me':
 *           if (allowed()) json({ sub: me!.sub, sid: me!.sid, transport: me!.transport })
 *           return
 *         case 'GET /api/admin':
 *           if (allowed({ roles: ['admin'] })) json({ ok: true })
 *           return
 *         case 'GET /api/public':
 *           return json({ sub: me?.sub ?? null })
 *         default:
 *           res.statusCode = 404
 *           res.end()
 *       }
 *     })
 *     await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 *     return {
 *       url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
 *       close: () => new Promise<void>((resolve) => server.close(() => resolve())),
 *     }
 *   },
 * })
 * ```
 *
 * > [!NOTE]
 * > Send the middleware's `result.cookies` (a dead session cookie cleared) **before** the route's
 * > own `Set-Cookie`s: a login that answers a new session cookie must come after the clearing of
 * > the old one, or the browser keeps neither. Core runs this suite over both bridges
 * > (`packages/core/test/node-app.ts`, and `fetch-app.ts` for `createFetchHandler`).
 *
 * @param name - the name of the `describe` block (for example the adapter's name)
 * @param options - how to start the app, and a store for each test
 */
export function describeAdapter(name: string, options: DescribeAdapterOptions): void {
  defineAdapterSuite(name, options, (harness) => {
    defineTransportTests(harness)
    defineRotationTests(harness)
    defineCookieTests(harness)
    defineCsrfTests(harness)
    definePathTests(harness)
    defineMalformedTests(harness)
    defineOutageTests(harness)
  })
}
