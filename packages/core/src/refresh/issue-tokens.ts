/**
 * The token response of the token transport (docs/concepts.md#the-http-protocol).
 *
 * @module
 */
import type { AuthContext } from '../auth-context.js'
import type { SessionRecord } from '../store.js'
import { signAccessTokenWith } from '../token/sign.js'

/** The JSON a login or refresh answers in the token transport. */
export interface TokenResult {
  /** The access token (a JWT). In cookie delivery it travels only in a cookie. */
  accessToken: string
  /** When the access token expires (ms since the epoch). */
  accessTokenExpiresAt: number
  /** The opaque refresh token. In cookie delivery it travels only in a cookie. */
  refreshToken: string
  /** When the refresh token expires if unused (ms): the session's sliding expiry. */
  refreshTokenExpiresAt: number
  /** Seconds until the access token expires, so a client computes expiry on its own clock. */
  expiresIn: number
  /** The session id. */
  sessionId: string
}

/** What a token-transport login answers: a {@link TokenResult} tagged with its transport. */
export interface TokenLoginResult extends TokenResult {
  /** The transport. */
  transport: 'tokens'
}

/** @internal Signs an access token for a session and assembles the response. */
export async function issueTokens(ctx: AuthContext, session: SessionRecord, refreshToken: string): Promise<TokenResult> {
  const claims = ctx.claims ? await ctx.claims(session) : undefined
  const access = await signAccessTokenWith(ctx.signer, ctx.keys, {
    issuer: ctx.issuer,
    audience: ctx.audience,
    sub: session.sub,
    sid: session.id,
    ver: session.ver,
    ttlMs: ctx.accessTokenTtlMs,
    clock: ctx.clock,
    ...(claims ? { claims } : {}),
  })
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken,
    refreshTokenExpiresAt: session.expiresAt,
    expiresIn: access.claims.exp - access.claims.iat,
    sessionId: session.id,
  }
}
