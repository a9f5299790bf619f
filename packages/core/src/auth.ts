/**
 * `createAuth`: sessions, access and refresh tokens, rotation, revocation, in one object.
 *
 * @module
 */
import type { AuthContext, ClaimsHook } from './auth-context.js'
import {
  DEFAULT_MAX_SESSIONS_PER_USER,
  DEFAULT_MIRROR_BLOCK_MS,
  DEFAULT_MIRROR_STALENESS_MS,
  DEFAULT_REFRESH_GRACE_MS,
  DEFAULT_SESSION_ABSOLUTE_TTL_MS,
  DEFAULT_SESSION_IDLE_TIMEOUT_MS,
  DEFAULT_SESSION_MAX_DATA_BYTES,
  DEFAULT_SESSION_TOUCH_INTERVAL_MS,
} from './auth-defaults.js'
import type { Clock } from './clock.js'
import type { SignatureBackend } from './crypto/backend.js'
import { SecurityEvents, type SecurityEventListener } from './events.js'
import { type HealthEvent, type HealthEventListener, StoreHealth, type StoreOperation } from './health.js'
import type { PublicJWKS } from './key/auth-key.js'
import { assertStrongSecret } from './key/import.js'
import type { KeySet } from './key/key-set.js'
import { decodeBase64url, encodeUtf8 } from './lib/base64url.js'
import { mac, type MacKey, type TokenPrimitives, tokenPrimitivesOf } from './lib/mac.js'
import type { TokenLoginResult, TokenResult } from './refresh/issue-tokens.js'
import { rotateRefreshToken } from './refresh/rotate.js'
import { RevocationMirror } from './revocation/mirror.js'
import { mirrorCheck, type RevocationStrategy, strictCheck } from './revocation/strategy.js'
import { createSession, type LoginOptions, type LoginResult, type SessionLoginResult } from './session/create-session.js'
import { guardStore } from './lib/store-guard.js'
import {
  setSessionData,
  touchSession,
  updateSessionData,
  type UpdateSessionDataOptions,
  verifySessionToken,
} from './session/session-access.js'
import type { AuthStore, LogoutAllResult, RevocationEvent, SessionRecord, SessionRef } from './store.js'
import { DEFAULT_ACCESS_TOKEN_TTL_MS } from './token/sign.js'
import { DEFAULT_CLOCK_TOLERANCE_MS, type VerifyAccessTokenResult, type VerifyNowFn } from './token/verify.js'
import { createRevocationVerifier, type Verifier, verifyNowOf } from './verifier.js'

/** Options of {@link createAuth}. */
export interface CreateAuthOptions {
  /** Where sessions, versions, the denylist and the revocation feed live. */
  store: AuthStore
  /** The signing key (and any keys still verifying). */
  keys: KeySet
  /** The `iss` of access tokens. */
  issuer: string
  /** The `aud` of access tokens, and what this process accepts. */
  audience: string
  /**
   * The secret that MACs refresh and session tokens: at least 32 random bytes, or a string that
   * is their base64, base64url or hex encoding (`openssl rand -base64 32`); a string is used as
   * its UTF-8 bytes. Plain text (a password, a phrase) is refused with a `TypeError`, as are
   * values that are visibly not random; the checks cannot prove randomness, so take it from a
   * CSPRNG. Every process that refreshes must share it.
   *
   * > [!NOTE]
   * > Default: derived from the signing key, which is fine for one process and for trying things
   * > out. But then rotating the signing key invalidates every refresh and session token (every
   * > user logs in again), so production deployments should set it; `createAuth` warns once when
   * > `NODE_ENV` is `production` and it is missing.
   */
  secret?: string | Uint8Array
  /** How verification learns of revocations. Default `strict`. */
  revocation?: RevocationStrategy
  /** Access-token lifetime in milliseconds (whole seconds count). Default {@link DEFAULT_ACCESS_TOKEN_TTL_MS} (15 minutes). */
  accessTokenTtlMs?: number
  /** Session lifetime and limits. */
  session?: {
    /** Absolute lifetime in milliseconds. Default {@link DEFAULT_SESSION_ABSOLUTE_TTL_MS} (30 days). */
    absoluteTtlMs?: number
    /** Idle timeout in milliseconds. Default {@link DEFAULT_SESSION_IDLE_TIMEOUT_MS} (7 days). */
    idleTimeoutMs?: number
    /** Session-cookie sessions slide their idle expiry at most this often, in milliseconds. Default {@link DEFAULT_SESSION_TOUCH_INTERVAL_MS} (1 minute). */
    touchIntervalMs?: number
    /** Largest session data, in bytes of JSON. Default {@link DEFAULT_SESSION_MAX_DATA_BYTES}. */
    maxDataBytes?: number
    /**
     * The most live sessions one user may have. A login beyond it ends the user's least recently
     * seen session (a `session_evicted` security event), so one account cannot fill a shared
     * store. From 1 to 10 000. Default {@link DEFAULT_MAX_SESSIONS_PER_USER}.
     */
    maxPerUser?: number
  }
  /** Milliseconds during which the previous refresh token still yields the same successor. Default {@link DEFAULT_REFRESH_GRACE_MS} (10 s). */
  refreshGraceMs?: number
  /** Mirror tuning (with `revocation: 'mirror'`). */
  mirror?: {
    /** Trust the mirror only if it heard from the feed within this many ms. Default {@link DEFAULT_MIRROR_STALENESS_MS}. */
    stalenessMs?: number
    /** One blocking feed read waits up to this many ms. Default {@link DEFAULT_MIRROR_BLOCK_MS}. */
    blockMs?: number
  }
  /** Application claims for access tokens, computed at login and at every refresh. */
  claims?: ClaimsHook
  /** Milliseconds of clock skew tolerated for `exp`, `nbf` and `iat`. Default {@link DEFAULT_CLOCK_TOLERANCE_MS} (5 s). */
  clockToleranceMs?: number
  /** Entries in the verified-token cache. Default 10 000. */
  cacheSize?: number
  /**
   * Signature backend (the Node entry passes `node:crypto`). Where it has the optional fast paths
   * (`hmacSha256`, `sha256`, `sign`; the `node:crypto` backend has all three), refresh and session
   * tokens are MACed and hashed, and access tokens signed, with them instead of WebCrypto and jose:
   * the tokens are the same, so both kinds of process can serve one deployment.
   */
  backend?: SignatureBackend
  /** The clock. Default `Date.now`. */
  clock?: Clock
  /** Called with every security event (also see `auth.onSecurityEvent`). */
  onSecurityEvent?: SecurityEventListener
  /**
   * Called with every health event: store failures and recoveries, the mirror falling back to the
   * store and catching up (also see `auth.onHealthEvent`; the events are listed at
   * {@link HealthEvent}).
   */
  onHealthEvent?: HealthEventListener
}

/** A public view of a session, for "your devices" lists. */
export interface SessionInfo {
  /** The session id. */
  id: string
  /** Whether this is the session the request came with. */
  current: boolean
  /** The transport. */
  transport: 'tokens' | 'session'
  /** Creation time (ms). */
  createdAt: number
  /** Last use (ms). */
  lastSeenAt: number
  /** When it expires if unused (ms). */
  expiresAt: number
  /** User agent, IP and label given at login. */
  metadata: SessionRecord['metadata']
}

/** What {@link createAuth} returns. */
export interface Auth {
  /** The access-token verifier, with the configured revocation strategy. */
  readonly verifier: Verifier
  /** The revocation strategy in force. */
  readonly revocation: RevocationStrategy
  /** Creates a session after the application checked the user's credentials. */
  login(options: LoginOptions & { transport?: 'tokens' }): Promise<TokenLoginResult>
  /** Creates a session-cookie session. */
  login(options: LoginOptions & { transport: 'session' }): Promise<SessionLoginResult>
  /** Creates a session in the requested transport. */
  login(options: LoginOptions): Promise<LoginResult>
  /** Verifies an access token, revocation included. */
  verifyAccessToken<TClaims extends Record<string, unknown> = Record<string, unknown>>(token: string): Promise<VerifyAccessTokenResult<TClaims>>
  /** Verifies an opaque session token by store lookup and slides its idle expiry. */
  verifySessionToken(token: string): Promise<SessionRecord>
  /** Rotates a refresh token: see [refresh rotation](../../../docs/concepts.md#refresh-rotation). */
  refresh(refreshToken: string): Promise<TokenResult>
  /**
   * Ends one session: its refresh token stops working and its access tokens are revoked.
   * Answers whether a session was ended: `false` when `ref` names no live session of that user
   * (another user's session id included), and then nothing changed.
   */
  logout(ref: SessionRef): Promise<boolean>
  /** Ends every session of a user and bumps the user's token version. */
  logoutAll(sub: string): Promise<LogoutAllResult>
  /** Denies one access token until its `exp`: pass its verified claims (`sub`, `jti`, `exp`). */
  revokeToken(token: { sub: string; jti: string; exp: number }): Promise<void>
  /** The user's live sessions; `currentSid` marks the one the request came with. */
  listSessions(sub: string, currentSid?: string): Promise<SessionInfo[]>
  /** One session, or `null`. */
  getSession(ref: SessionRef): Promise<SessionRecord | null>
  /** Slides a session's idle expiry. */
  touchSession(ref: SessionRef): Promise<SessionRecord>
  /** Updates session data atomically (compare-and-set, retried on conflict). */
  updateSessionData(
    ref: SessionRef,
    update: (data: Readonly<Record<string, unknown>>) => Record<string, unknown> | Promise<Record<string, unknown>>,
    options?: UpdateSessionDataOptions,
  ): Promise<Record<string, unknown>>
  /** Replaces session data if the record is still at `revision`. */
  setSessionData(ref: SessionRef, data: Record<string, unknown>, revision: number): Promise<SessionRecord>
  /** The public JWKS. */
  jwks(): PublicJWKS
  /** Subscribes to security events; returns the unsubscribe function. */
  onSecurityEvent(listener: SecurityEventListener): () => void
  /**
   * Subscribes to health events ({@link HealthEvent}: `store_error`, `store_down`,
   * `store_recovered`, `mirror_stale`, `mirror_recovered`); returns the unsubscribe function.
   *
   * @example
   * ```ts
   * let storeErrors = 0
   * auth.onHealthEvent((event) => {
   *   if (event.type === 'store_error') storeErrors++ // one per 503 store_unavailable: count, don't log
   *   else console.warn(`auth: ${event.type}`, event) // transitions: once per outage
   * })
   * ```
   */
  onHealthEvent(listener: HealthEventListener): () => void
  /** Resolves once the revocation mirror has replayed its window (immediately for other strategies). */
  ready(): Promise<void>
  /** Stops the mirror. The store is the application's to close. */
  close(): Promise<void>
}

const DAY_MS = 86_400_000

/**
 * Creates the auth object: sessions in one of two transports, short-lived access tokens,
 * rotating refresh tokens with reuse detection, and revocation with the chosen strategy.
 *
 * Exported from `'@auth/core'` (WebCrypto and jose, every runtime) and `'@auth/core/node'` (the
 * same, with the `node:crypto` backend: verification, token MACs, hashes and signing in
 * `node:crypto`, which makes a refresh rotation about 5× and a login about 3× faster on Node).
 *
 * @example
 * ```ts
 * import { createAuth, generateKeySet } from '@auth/core'
 * import { createMemoryStore } from '@auth/store-memory'
 *
 * const auth = createAuth({
 *   store: createMemoryStore(),
 *   keys: await generateKeySet(),
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 * })
 * const tokens = await auth.login({ sub: 'user-42' })
 * const { claims } = await auth.verifyAccessToken(tokens.accessToken)
 * const next = await auth.refresh(tokens.refreshToken)
 * await auth.logout({ sub: claims.sub, id: claims.sid })
 * ```
 *
 * @param options - store, keys, issuer, audience and policy
 */
export function createAuth(options: CreateAuthOptions): Auth {
  if (typeof options !== 'object' || options === null) throw new TypeError('createAuth: options are required')
  const { keys, issuer, audience } = options
  if (!options.store || typeof options.store.updateSession !== 'function') throw new TypeError('createAuth: store must implement AuthStore')
  const clock = options.clock ?? Date.now
  // Wrapped once per operation: every store failure on every path is `store_unavailable` (never a
  // stack trace), and reported to `health` with what it was for.
  const health = new StoreHealth(clock)
  if (options.onHealthEvent) health.subscribe(options.onHealthEvent)
  const storeFor = (operation: StoreOperation) => guardStore(options.store, health, operation)
  if (!keys || typeof keys.jwks !== 'function') throw new TypeError('createAuth: keys must be a KeySet')
  if (!keys.signingKey) throw new TypeError('createAuth: the key set needs a signing key')
  if (typeof issuer !== 'string' || issuer.length === 0) throw new TypeError('createAuth: issuer is required')
  if (typeof audience !== 'string' || audience.length === 0) throw new TypeError('createAuth: audience is required')
  const strategy = options.revocation ?? 'strict'
  if (strategy !== 'expiry' && strategy !== 'strict' && strategy !== 'mirror') {
    throw new TypeError('createAuth: revocation must be "expiry", "strict" or "mirror"')
  }
  checkKnownOptions(options)
  const bounded = (name: string, value: number | undefined, fallback: number, min: number, max: number) => {
    const v = value ?? fallback
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new TypeError(`createAuth: ${name} must be a number from ${min} to ${max}`)
    }
    return v
  }
  const accessTokenTtlMs = Math.floor(bounded('accessTokenTtlMs', options.accessTokenTtlMs, DEFAULT_ACCESS_TOKEN_TTL_MS, 1000, DAY_MS) / 1000) * 1000
  const clockToleranceMs = bounded('clockToleranceMs', options.clockToleranceMs, DEFAULT_CLOCK_TOLERANCE_MS, 0, 300_000)
  const absoluteTtlMs = bounded('session.absoluteTtlMs', options.session?.absoluteTtlMs, DEFAULT_SESSION_ABSOLUTE_TTL_MS, 60_000, 400 * DAY_MS)
  const idleTimeoutMs = bounded('session.idleTimeoutMs', options.session?.idleTimeoutMs, DEFAULT_SESSION_IDLE_TIMEOUT_MS, 60_000, 400 * DAY_MS)
  const touchIntervalMs = bounded('session.touchIntervalMs', options.session?.touchIntervalMs, DEFAULT_SESSION_TOUCH_INTERVAL_MS, 0, DAY_MS)
  const maxDataBytes = bounded('session.maxDataBytes', options.session?.maxDataBytes, DEFAULT_SESSION_MAX_DATA_BYTES, 2, 1 << 20)
  const maxSessionsPerUser = bounded('session.maxPerUser', options.session?.maxPerUser, DEFAULT_MAX_SESSIONS_PER_USER, 1, 10_000)
  if (!Number.isInteger(maxSessionsPerUser)) throw new TypeError('createAuth: session.maxPerUser must be an integer')
  const refreshGraceMs = bounded('refreshGraceMs', options.refreshGraceMs, DEFAULT_REFRESH_GRACE_MS, 0, 300_000)
  const stalenessMs = bounded('mirror.stalenessMs', options.mirror?.stalenessMs, DEFAULT_MIRROR_STALENESS_MS, 10, 600_000)
  const blockMs = bounded('mirror.blockMs', options.mirror?.blockMs, DEFAULT_MIRROR_BLOCK_MS, 1, stalenessMs / 2)
  // The backend's synchronous HMAC, SHA-256 and signing where it has them (node:crypto), else WebCrypto and jose.
  const primitives = tokenPrimitivesOf(options.backend)
  const tokenKey = memoize(() => deriveTokenKey(options, primitives))
  const signer = options.backend?.sign?.bind(options.backend)
  if (options.secret !== undefined) assertStrongSecret(options.secret, 'createAuth: secret')
  else warnNoSecretInProduction()

  const windowMs = accessTokenTtlMs + clockToleranceMs
  const events = new SecurityEvents()
  if (options.onSecurityEvent) events.subscribe(options.onSecurityEvent)
  const mirror =
    strategy === 'mirror'
      ? new RevocationMirror({
          store: storeFor('mirrorFeed'), // its read failures reach `health` through the guard
          windowMs,
          toleranceMs: clockToleranceMs,
          stalenessMs,
          blockMs,
          clock,
          onStale: (reason, lastSyncAt, at) => {
            if (health.active) health.emit({ type: 'mirror_stale', reason, lastSyncAt, at })
          },
          onFresh: (staleSince, at) => {
            if (health.active) health.emit({ type: 'mirror_recovered', staleSince, at })
          },
        })
      : undefined
  // The raw store: strict converts and reports its own failures (hot path).
  const strict = strictCheck(options.store, clock, health)
  const verifier = createRevocationVerifier({
    issuer,
    audience,
    jwks: keys,
    maxTokenAgeMs: accessTokenTtlMs,
    clockToleranceMs,
    clock,
    ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
    ...(options.backend ? { backend: options.backend } : {}),
  }, strategy === 'strict' ? strict : mirror ? mirrorCheck(mirror, strict) : undefined)

  const trimStore = storeFor('trimFeed')
  let lastTrim = 0
  const revoked = (event: RevocationEvent) => {
    mirror?.apply(event)
    // Keep the feed to one revocation window; at most once a minute, in the background.
    if (event.at - lastTrim > 60_000) {
      lastTrim = event.at
      trimStore.trimFeed(event.at - windowMs).catch(() => {})
    }
  }

  const ctx: AuthContext = {
    store: storeFor('login'),
    keys,
    issuer,
    audience,
    clock,
    tokenKey,
    hashSecret: primitives.hashSecret,
    signer,
    accessTokenTtlMs,
    sessionAbsoluteTtlMs: absoluteTtlMs,
    sessionIdleTimeoutMs: idleTimeoutMs,
    touchIntervalMs,
    refreshGraceMs,
    sessionMaxDataBytes: maxDataBytes,
    maxSessionsPerUser,
    claims: options.claims,
    events,
    mirror,
    revoked,
  }
  mirror?.start()
  // Each operation's modules see a store that reports its failures as that operation's.
  const contextFor = (operation: StoreOperation): AuthContext => ({ ...ctx, store: storeFor(operation) })
  const loginCtx = ctx
  const refreshCtx = contextFor('refresh')
  const sessionTokenCtx = contextFor('verifySessionToken')
  const touchCtx = contextFor('touchSession')
  const updateDataCtx = contextFor('updateSessionData')
  const setDataCtx = contextFor('setSessionData')
  const logoutStore = storeFor('logout')
  const logoutAllStore = storeFor('logoutAll')
  const revokeStore = storeFor('revokeToken')
  const listStore = storeFor('listSessions')
  const getStore = storeFor('getSession')

  const auth: Auth = {
    verifier,
    revocation: strategy,
    login: ((login: LoginOptions) => createSession(loginCtx, login)) as Auth['login'],
    verifyAccessToken: (token) => verifier.verify(token),
    verifySessionToken: (token) => verifySessionToken(sessionTokenCtx, token),
    refresh: (refreshToken) => rotateRefreshToken(refreshCtx, refreshToken),
    async logout(ref) {
      checkRef(ref)
      const now = clock()
      // Only a session that existed is revoked locally: a reference naming another user's
      // session id finds nothing in the store, and must not end it in this process's mirror.
      const ended = await logoutStore.endSession(ref, now)
      if (ended) revoked({ type: 'session', sub: ref.sub, sid: ref.id, at: now })
      return ended !== null
    },
    async logoutAll(sub) {
      if (typeof sub !== 'string' || sub.length === 0) throw new TypeError('logoutAll: sub is required')
      const now = clock()
      const result = await logoutAllStore.logoutAll(sub, now)
      revoked({ type: 'user', sub, ver: result.ver, at: now })
      events.emit({ type: 'logout_all', sub, ver: result.ver, ended: result.ended.length, at: now })
      return result
    },
    async revokeToken(token) {
      if (typeof token?.jti !== 'string' || typeof token.exp !== 'number' || typeof token.sub !== 'string') {
        throw new TypeError('revokeToken: expected the claims of a verified token ({ sub, jti, exp })')
      }
      const now = clock()
      await revokeStore.denyToken({ sub: token.sub, jti: token.jti, expiresAt: token.exp * 1000 }, now)
      revoked({ type: 'token', sub: token.sub, jti: token.jti, expiresAt: token.exp * 1000, at: now })
    },
    async listSessions(sub, currentSid) {
      const sessions = await listStore.listSessions(sub, clock())
      return sessions
        .map((s) => ({
          id: s.id,
          current: s.id === currentSid,
          transport: s.transport,
          createdAt: s.createdAt,
          lastSeenAt: s.lastSeenAt,
          expiresAt: s.expiresAt,
          metadata: s.metadata,
        }))
        .sort((a, b) => b.lastSeenAt - a.lastSeenAt)
    },
    getSession(ref) {
      checkRef(ref)
      return getStore.getSession(ref, clock())
    },
    touchSession: (ref) => touchSession(touchCtx, checkRef(ref)),
    updateSessionData: (ref, update, updateOptions) => updateSessionData(updateDataCtx, checkRef(ref), update, updateOptions),
    setSessionData: (ref, data, revision) => setSessionData(setDataCtx, checkRef(ref), data, revision),
    jwks: () => keys.jwks(),
    onSecurityEvent: (listener) => events.subscribe(listener),
    onHealthEvent: (listener) => health.subscribe(listener),
    ready: () => mirror?.ready() ?? Promise.resolve(),
    close: async () => {
      health.close()
      await mirror?.stop()
    },
  }
  Object.freeze(auth)
  const now = verifyNowOf(verifier)
  if (now) verifyNowByAuth.set(auth, now)
  return auth
}

const verifyNowByAuth = new WeakMap<Auth, VerifyNowFn>()

/**
 * `auth.verifyAccessToken`, answered synchronously where it can be (a warm token, or any token
 * on `node:crypto` with a synchronous revocation check): the HTTP layer's hot path, which then
 * costs no Promise. `undefined` for an object `createAuth` did not make (a wrapper keeps its own
 * `verifyAccessToken`, which is then what runs).
 *
 * @internal
 */
export function verifyAccessTokenNowOf(auth: Auth): VerifyNowFn | undefined {
  return verifyNowByAuth.get(auth)
}

let warnedNoSecret = false
function warnNoSecretInProduction(): void {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  if (warnedNoSecret || env?.NODE_ENV !== 'production') return
  warnedNoSecret = true
  console.warn(
    '@auth/core: createAuth has no `secret`, so refresh and session tokens are MACed with a key derived from ' +
      'the signing key: rotating the signing key will log every user out. Set `secret` (32+ random bytes).',
  )
}

const KNOWN_OPTIONS: Readonly<Record<string, readonly string[] | null>> = {
  store: null, keys: null, issuer: null, audience: null, secret: null, revocation: null, accessTokenTtlMs: null,
  session: ['absoluteTtlMs', 'idleTimeoutMs', 'touchIntervalMs', 'maxDataBytes', 'maxPerUser'],
  refreshGraceMs: null, mirror: ['stalenessMs', 'blockMs'], claims: null, clockToleranceMs: null, cacheSize: null,
  backend: null, clock: null, onSecurityEvent: null, onHealthEvent: null,
}

/** A misspelt or renamed option would silently fall back to its default: refuse it, naming it. */
function checkKnownOptions(options: CreateAuthOptions): void {
  const refuse = (name: string) => {
    const renamed = /^(accessTokenTtl|refreshGrace|clockTolerance|session\.(absoluteTtl|idleTimeout|touchInterval))$/.test(name)
    throw new TypeError(
      `createAuth: unknown option ${name}` + (renamed ? ` (durations are milliseconds now: ${name}Ms)` : name === 'session.dataLimit' ? ' (now session.maxDataBytes)' : ''),
    )
  }
  for (const [name, value] of Object.entries(options)) {
    if (!Object.hasOwn(KNOWN_OPTIONS, name)) refuse(name)
    const nested = KNOWN_OPTIONS[name]
    if (nested && value !== undefined) {
      if (typeof value !== 'object' || value === null) throw new TypeError(`createAuth: ${name} must be an object`)
      for (const key of Object.keys(value)) if (!nested.includes(key)) refuse(`${name}.${key}`)
    }
  }
}

function checkRef(ref: SessionRef): SessionRef {
  if (typeof ref?.sub !== 'string' || typeof ref.id !== 'string' || ref.sub.length === 0 || ref.id.length === 0) {
    throw new TypeError('expected a session reference { sub, id }')
  }
  return ref
}

function secretBytes(secret: string | Uint8Array): Uint8Array {
  return typeof secret === 'string' ? encodeUtf8(secret) : secret
}

async function deriveTokenKey(options: CreateAuthOptions, { importMacKey }: TokenPrimitives): Promise<MacKey> {
  if (options.secret !== undefined) return importMacKey(secretBytes(options.secret))
  // Derived from the signing key's private material: every process that signs shares it.
  const signing = options.keys.signingKey!
  const material = signing.secret() ?? decodeBase64url(String(signing.privateJwk()?.d ?? ''))
  if (material.length < 32) throw new TypeError('createAuth: the signing key has no usable private material; pass a secret')
  return importMacKey(await mac(await importMacKey(material), '@auth/core token secret v1'))
}

function memoize<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined
  return () => {
    value ??= make().catch((error: unknown) => {
      value = undefined
      throw error
    })
    return value
  }
}
