/**
 * Refresh-token rotation: the state machine of docs/concepts.md#refresh-rotation, decided here and
 * applied by the store in one conditional write.
 *
 * | presented token | outcome |
 * |---|---|
 * | the current one | rotate: the successor and a new access token |
 * | the previous one, within the grace window | the **same** successor (idempotent) |
 * | the previous one after grace, or any older one | reuse: end the session, emit an event, 401 |
 * | unknown, malformed, forged, expired, or of an ended session | 401 |
 *
 * The successor is computed before the store is asked (it is deterministic in the server secret
 * and the presented token), so deciding and recording it is one atomic write: a concurrent caller
 * either sees the presented token still current, or sees it as the previous one **with** its
 * successor recorded. There is no moment in between, which is what makes concurrent refreshes
 * and retries after a lost response safe.
 *
 * @module
 */
import type { AuthContext } from '../auth-context.js'
import { AuthError, type AuthErrorReason } from '../errors.js'
import { timingSafeEqualString } from '../lib/mac.js'
import type { SessionRecord } from '../store.js'
import { issueTokens, type TokenResult } from './issue-tokens.js'
import { formatRefreshToken, hasValidTag, parseRefreshToken, successorSecret } from './refresh-token.js'

const refused = (reason: AuthErrorReason<'refresh_invalid'>) => new AuthError('refresh_invalid', { reason })

/** @internal Rotates a refresh token; see the module comment for the outcomes. */
export async function rotateRefreshToken(ctx: AuthContext, refreshToken: unknown): Promise<TokenResult> {
  if (refreshToken === undefined || refreshToken === null || refreshToken === '') throw new AuthError('token_missing')
  const presented = parseRefreshToken(refreshToken)
  if (!presented) throw refused('malformed')
  const key = await ctx.tokenKey()
  // A forgery must not end anybody's session: only tokens we issued get past here.
  if (!(await hasValidTag(key, presented))) throw refused('tag')

  const presentedHash = await ctx.hashSecret(presented.secret)
  const nextSecret = await successorSecret(key, presented)
  const nextHash = await ctx.hashSecret(nextSecret)
  const nextGeneration = presented.generation + 1
  const ref = { sub: presented.sub, id: presented.sid }
  const now = ctx.clock()

  const outcome = await ctx.store.updateSession(
    ref,
    { refreshCurrent: presentedHash },
    { refresh: { generation: nextGeneration, current: nextHash, previous: presentedHash, rotatedAt: now }, lastSeenAt: now },
    now,
  )

  let session: SessionRecord
  if (outcome.applied && outcome.session) {
    session = outcome.session
  } else {
    const current = outcome.session
    const state = current?.refresh
    if (!current) {
      // Gone: ended (logout, reuse, logoutAll, the per-user cap), or expired, which the client
      // shows differently ("your session expired").
      if (await ctx.store.wasSessionEnded(ref, now)) throw refused('ended')
      throw new AuthError('session_expired')
    }
    if (!state) throw refused('transport')
    const isPrevious =
      presented.generation === state.generation - 1 &&
      state.previous !== null &&
      timingSafeEqualString(presentedHash, state.previous)
    if (isPrevious && now - state.rotatedAt <= ctx.refreshGraceMs) {
      // A concurrent refresh or a retry after a lost response: the same successor, no write.
      // (A successor that does not match means the server secret changed meanwhile: refuse,
      // but it is no evidence of theft.)
      if (!timingSafeEqualString(nextHash, state.current)) throw refused('secret_changed')
      session = current
    } else if (isPrevious || presented.generation < state.generation - 1) {
      await endForReuse(ctx, current, presented.generation, now)
      throw new AuthError('refresh_reused')
    } else {
      throw refused('unknown')
    }
  }
  const successor = await formatRefreshToken(key, presented.sub, presented.sid, nextGeneration, nextSecret)
  return issueTokens(ctx, session, successor)
}

async function endForReuse(ctx: AuthContext, session: SessionRecord, presentedGeneration: number, now: number): Promise<void> {
  await ctx.store.endSession({ sub: session.sub, id: session.id }, now)
  ctx.revoked({ type: 'session', sub: session.sub, sid: session.id, at: now })
  ctx.events.emit({
    type: 'refresh_reused',
    sub: session.sub,
    sid: session.id,
    presentedGeneration,
    currentGeneration: session.refresh?.generation ?? 0,
    at: now,
  })
}
