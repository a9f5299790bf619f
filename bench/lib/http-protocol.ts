/**
 * What the HTTP benchmark (`bench/http.ts`) and its server processes (`bench/http-server-process.ts`)
 * share: the server kinds, the route, and the messages over the `child_process.fork` IPC channel.
 */

export type Framework = 'express' | 'fastify' | 'koa'

/**
 * One server process: a framework with one authentication set-up in front of `GET /me`.
 *
 * - `bare`: no authentication, the same JSON;
 * - `bare-layers`: the bare route behind two middlewares that only call `next()`, one app-level
 *   and one on the route: the layer structure of `ours-*` on Express and Koa, doing nothing;
 * - `ours-bearer`: our middleware (`@auth/express`, `@auth/fastify`, `@auth/koa`) on an `Auth` from
 *   `@auth/core/node` with that revocation strategy, on `@auth/store-redis`;
 * - `ours-session`: the same middleware, session-cookie transport, on the memory store or Redis;
 * - `jsonwebtoken`: an express-jwt style bearer check (`jsonwebtoken.verify`), Express only;
 * - `fastify-jwt`: `@fastify/jwt` (`request.jwtVerify()`), Fastify only;
 * - `koa-jwt`: `koa-jwt`, Koa only;
 * - `peer-session`: express-session or `@fastify/session` (+ `@fastify/cookie`) on connect-redis;
 * - `floor-redis-get`: Fastify only, the bare route behind an `onRequest` hook that `GET`s one fixed
 *   key through that Redis client (401 if it is missing): what any check reading Redis once per
 *   request costs at least, authentication aside.
 */
export type ServerKind =
  | { readonly kind: 'bare' }
  | { readonly kind: 'bare-layers' }
  | { readonly kind: 'ours-bearer'; readonly revocation: 'expiry' | 'mirror' }
  | { readonly kind: 'ours-session'; readonly store: 'memory' | 'redis' }
  | { readonly kind: 'jsonwebtoken' }
  | { readonly kind: 'fastify-jwt'; readonly alg: 'HS256' | 'ES256' }
  | { readonly kind: 'koa-jwt' }
  | { readonly kind: 'peer-session' }
  | { readonly kind: 'floor-redis-get'; readonly client: FloorClient }

/** The Redis clients of the floor rows: ioredis (ours) with and without its auto-pipelining, node-redis (connect-redis'). */
export type FloorClient = 'ioredis' | 'ioredis-autopipelining' | 'node-redis'

/** The measured route, on every server. */
export const ROUTE = '/me'
/** The login route of the session servers (`POST`, no body). */
export const LOGIN_ROUTE = '/login'
/** The `Origin` the bench's login requests carry; our servers allow it (login CSRF check). */
export const BENCH_ORIGIN = 'http://bench.localhost'
/** The user the bare route names and the session servers log in. */
export const BARE_SUB = 'user-00000'

/** Bench → server, once: what to build. */
export interface ServerInit {
  readonly type: 'init'
  readonly framework: Framework
  readonly server: ServerKind
  /** The ES256 signing key in `exportKey` form (our `Auth` gets a key set from it). */
  readonly key: string
  /** The same key's public half, SPKI PEM (for jsonwebtoken, `@fastify/jwt`, koa-jwt). */
  readonly publicPem: string
  /** The HS256 secret of `@fastify/jwt` HS256, used as its UTF-8 bytes. */
  readonly hs256Secret: string
  /** Our `Auth`'s `secret` (session tokens), base64url of 32 bytes. */
  readonly secret: string
  /** `redis://127.0.0.1:<port>`. */
  readonly redisUrl: string
  /** The key prefix of this server's Redis data (ours and connect-redis alike). */
  readonly prefix: string
}

/** Bench → server. */
export type ToServer = ServerInit | { readonly type: 'close' }

/** Server → bench. */
export type FromServer =
  /** `core`: the file `@auth/core` resolved to in the server (its `src` or its `dist`). */
  | { readonly type: 'listening'; readonly port: number; readonly core: string }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string }
