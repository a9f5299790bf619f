/**
 * The session-cookie transport on every request, and session data.
 *
 * @module
 */
import type { AuthContext } from '../auth-context.js'
import { AuthError } from '../errors.js'
import { timingSafeEqualString } from '../lib/mac.js'
import type { SessionRecord, SessionRef } from '../store.js'
import { checkSessionData } from './create-session.js'
import { hasValidSessionTag, parseSessionToken } from './session-token.js'

/** Why a session is gone: ended (`session_revoked`) or expired (`session_expired`); asked on the failure path only. */
async function gone(ctx: AuthContext, ref: SessionRef, now: number): Promise<AuthError> {
  return new AuthError((await ctx.store.wasSessionEnded(ref, now)) ? 'session_revoked' : 'session_expired')
}

/**
 * Verifies an opaque session token by store lookup (constant-time hash comparison) and slides
 * its idle expiry, never past the absolute expiry. Writes at most once per touch interval.
 *
 * @internal
 */
export async function verifySessionToken(ctx: AuthContext, token: unknown): Promise<SessionRecord> {
  if (token === undefined || token === null || token === '') throw new AuthError('token_missing')
  const parsed = parseSessionToken(token)
  if (!parsed) throw new AuthError('token_invalid', { reason: 'malformed' })
  const key = await ctx.tokenKey()
  const valid = hasValidSessionTag(key, parsed)
  if (!(typeof valid === 'boolean' ? valid : await valid)) throw new AuthError('token_invalid', { reason: 'tag' })
  const ref = { sub: parsed.sub, id: parsed.sid }
  const now = ctx.clock()
  let session = await ctx.store.getSession(ref, now)
  if (!session) throw await gone(ctx, ref, now)
  if (session.transport !== 'session' || !session.tokenHash) throw new AuthError('token_invalid', { reason: 'transport' })
  if (!timingSafeEqualString(await ctx.hashSecret(parsed.secret), session.tokenHash)) {
    throw new AuthError('token_invalid', { reason: 'secret' })
  }
  if (now - session.lastSeenAt >= ctx.touchIntervalMs) {
    const touched = await ctx.store.updateSession(ref, {}, { lastSeenAt: now }, now)
    if (!touched.session) throw await gone(ctx, ref, now)
    session = touched.session
  }
  return session
}

/**
 * Slides a session's idle expiry to `now` (never past its absolute expiry). An ended session
 * stays ended: the touch is refused with `session_revoked` (or `session_expired`).
 *
 * @internal
 */
export async function touchSession(ctx: AuthContext, ref: SessionRef): Promise<SessionRecord> {
  const now = ctx.clock()
  const result = await ctx.store.updateSession(ref, {}, { lastSeenAt: now }, now)
  if (!result.session) throw await gone(ctx, ref, now)
  return result.session
}

/** Options of `auth.updateSessionData`. */
export interface UpdateSessionDataOptions {
  /** How often to re-read and retry when a concurrent update won. Default 5. */
  maxAttempts?: number
}

/**
 * Updates session data with compare-and-set on the record's revision: `update` sees the current
 * data and returns the next; if another update landed in between, it runs again on the newer
 * data. Two concurrent updates never silently lose one. An ended session stays ended.
 *
 * @internal
 */
export async function updateSessionData(
  ctx: AuthContext,
  ref: SessionRef,
  update: (data: Readonly<Record<string, unknown>>) => Record<string, unknown> | Promise<Record<string, unknown>>,
  options: UpdateSessionDataOptions = {},
): Promise<Record<string, unknown>> {
  const attempts = options.maxAttempts ?? 5
  for (let attempt = 0; attempt < attempts; attempt++) {
    const now = ctx.clock()
    const session = await ctx.store.getSession(ref, now)
    if (!session) throw await gone(ctx, ref, now)
    const next = await update(structuredClone(session.data ?? {}))
    checkSessionData(ctx, next)
    const result = await ctx.store.updateSession(ref, { revision: session.revision }, { data: next }, ctx.clock())
    if (result.applied && result.session) return result.session.data ?? {}
    if (!result.session) throw await gone(ctx, ref, ctx.clock())
  }
  throw new AuthError('conflict', { reason: 'session_data' }) // changed `attempts` times in a row
}

/**
 * Replaces session data if the record is still at `revision` (compare-and-set); `conflict` if not.
 *
 * @internal
 */
export async function setSessionData(
  ctx: AuthContext,
  ref: SessionRef,
  data: Record<string, unknown>,
  revision: number,
): Promise<SessionRecord> {
  checkSessionData(ctx, data)
  const now = ctx.clock()
  const result = await ctx.store.updateSession(ref, { revision }, { data }, now)
  if (result.applied && result.session) return result.session
  if (!result.session) throw await gone(ctx, ref, now)
  throw new AuthError('conflict', { reason: 'revision' })
}
