/**
 * Login: a new session, in one of the two transports.
 *
 * @module
 */
import type { AuthContext } from '../auth-context.js'
import { AuthError } from '../errors.js'
import { formatRefreshToken } from '../refresh/refresh-token.js'
import type { SessionMetadata, SessionRecord } from '../store.js'
import { randomId } from '../lib/random-id.js'
import { issueTokens, type TokenLoginResult } from '../refresh/issue-tokens.js'
import { formatSessionToken } from './session-token.js'

/** Options of `auth.login`. */
export interface LoginOptions {
  /** The user id, from the application's own credential check. */
  sub: string
  /**
   * `tokens` (default): a short-lived access token plus a rotating refresh token.
   * `session`: an opaque session token, looked up on every request (classic server sessions; it
   * travels in a cookie).
   */
  transport?: 'tokens' | 'session'
  /** What "your devices" shows for this session. */
  metadata?: SessionMetadata
  /** Initial session data (session-cookie transport). */
  data?: Record<string, unknown>
}

/** What a session-cookie login answers. */
export interface SessionLoginResult {
  /** The transport. */
  transport: 'session'
  /** The opaque session token: put it in an HttpOnly cookie, never in page-readable storage. */
  sessionToken: string
  /** The session id. */
  sessionId: string
  /** When the session expires if unused (ms); sliding, never past the absolute expiry. */
  expiresAt: number
  /** When the session ends however much it is used (ms): the session cookie's lifetime. */
  absoluteExpiresAt: number
  /** Seconds until {@link SessionLoginResult.expiresAt}, so a client computes it on its own clock. */
  expiresIn: number
  /** Seconds until {@link SessionLoginResult.absoluteExpiresAt}: the session cookie's `Max-Age`. */
  absoluteExpiresIn: number
}

/** What `auth.login` answers. */
export type LoginResult = TokenLoginResult | SessionLoginResult

/**
 * Creates a session. A login always makes a new session id from a CSPRNG: nothing is adopted
 * from the client, so session fixation is impossible.
 *
 * @internal
 */
export async function createSession(ctx: AuthContext, options: LoginOptions): Promise<LoginResult> {
  const { sub } = options
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 512) {
    throw new TypeError('login: sub must be a non-empty string of at most 512 characters')
  }
  const transport = options.transport ?? 'tokens'
  if (transport !== 'tokens' && transport !== 'session') throw new TypeError('login: transport must be "tokens" or "session"')
  const data = options.data ?? null
  if (data !== null) checkSessionData(ctx, data)
  const metadata = boundedMetadata(options.metadata)

  const key = await ctx.tokenKey()
  const secret = crypto.getRandomValues(new Uint8Array(32))
  const secretHash = await ctx.hashSecret(secret)
  const id = randomId(16)
  const now = ctx.clock()
  let session: SessionRecord | undefined
  // A logoutAll between reading the version and inserting makes the insert fail: read again.
  for (let attempt = 0; attempt < 5 && session === undefined; attempt++) {
    const ver = await ctx.store.getUserVersion(sub)
    const absoluteExpiresAt = now + ctx.sessionAbsoluteTtlMs
    const record: SessionRecord = {
      id,
      sub,
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt,
      idleTimeoutMs: ctx.sessionIdleTimeoutMs,
      expiresAt: Math.min(absoluteExpiresAt, now + ctx.sessionIdleTimeoutMs),
      transport,
      tokenHash: transport === 'session' ? secretHash : null,
      refresh: transport === 'tokens' ? { generation: 0, current: secretHash, previous: null, rotatedAt: now } : null,
      ver,
      metadata,
      data,
      revision: 0,
    }
    const result = await ctx.store.createSession(record, now, { maxPerUser: ctx.maxSessionsPerUser })
    if (result.created) {
      session = record
      for (const sid of result.ended) {
        ctx.revoked({ type: 'session', sub, sid, at: now })
        ctx.events.emit({ type: 'session_evicted', sub, sid, at: now })
      }
    }
  }
  if (session === undefined) throw new AuthError('conflict', { reason: 'user_version' }) // a logoutAll won five times in a row

  if (transport === 'session') {
    return {
      transport,
      sessionToken: await formatSessionToken(key, sub, id, secret),
      sessionId: id,
      expiresAt: session.expiresAt,
      absoluteExpiresAt: session.absoluteExpiresAt,
      expiresIn: Math.floor((session.expiresAt - now) / 1000),
      absoluteExpiresIn: Math.floor((session.absoluteExpiresAt - now) / 1000),
    }
  }
  const refreshToken = await formatRefreshToken(key, sub, id, 0, secret)
  return { transport, ...(await issueTokens(ctx, session, refreshToken)) }
}

/**
 * The longest value kept for each {@link SessionMetadata} field, in UTF-16 code units; a longer
 * value is truncated (a `User-Agent` header is the client's to choose, and must neither fail a
 * login nor fill the store).
 *
 * Exported from `'@auth/core'`.
 */
export const SESSION_METADATA_LIMITS: Readonly<Record<keyof SessionMetadata, number>> = Object.freeze({
  userAgent: 512,
  ip: 64,
  label: 128,
})

/** @internal The metadata to store: the known fields, strings, each truncated to its limit. */
export function boundedMetadata(metadata: unknown): SessionMetadata {
  if (metadata === undefined || metadata === null) return {}
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new TypeError('login: metadata must be an object')
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(metadata)) {
    if (!Object.hasOwn(SESSION_METADATA_LIMITS, name)) {
      throw new TypeError(`login: metadata has no field "${name.slice(0, 40)}" (known: userAgent, ip, label)`)
    }
    if (value === undefined) continue
    if (typeof value !== 'string') throw new TypeError(`login: metadata.${name} must be a string`)
    out[name] = truncate(value, SESSION_METADATA_LIMITS[name as keyof SessionMetadata])
  }
  return out
}

/** Cuts a string to `max` code units, never in the middle of a surrogate pair. */
function truncate(value: string, max: number): string {
  if (value.length <= max) return value
  const code = value.charCodeAt(max - 1)
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max)
}

/** @internal Session data must be a plain JSON object within the size limit. */
export function checkSessionData(ctx: AuthContext, data: unknown): asserts data is Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TypeError('session data must be a plain JSON object')
  }
  let json: string
  try {
    json = JSON.stringify(data)
  } catch (cause) {
    throw new TypeError('session data must be JSON-serializable', { cause })
  }
  if (new TextEncoder().encode(json).length > ctx.sessionMaxDataBytes) {
    throw new AuthError('payload_too_large', { reason: 'session_data' })
  }
}
