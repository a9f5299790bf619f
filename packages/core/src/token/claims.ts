/**
 * Access-token claims: their shape and the rules every verified token satisfies.
 *
 * @module
 */
import { AuthError, type AuthErrorReason } from '../errors.js'

/**
 * The registered claims of every access token (see [the access token](../../../../docs/concepts.md#access-token)),
 * plus application claims `TClaims`.
 */
export type AccessTokenClaims<TClaims extends Record<string, unknown> = Record<string, unknown>> = TClaims & {
  /** Issuer. */
  readonly iss: string
  /** Audience: one string, or a list that contains the verifier's audience. */
  readonly aud: string | readonly string[]
  /** Subject: the user id. */
  readonly sub: string
  /** Session id. */
  readonly sid: string
  /** Token id, the key of the denylist. */
  readonly jti: string
  /** Issued at, seconds since the epoch. */
  readonly iat: number
  /** Expiry, seconds since the epoch. */
  readonly exp: number
  /** The user's token version when the token was issued. */
  readonly ver: number
  /** Not before, seconds since the epoch (optional). */
  readonly nbf?: number
}

/**
 * Claim names that application claims may not set: the registered claims the SDK owns.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'aud',
  'sub',
  'sid',
  'jti',
  'iat',
  'exp',
  'nbf',
  'ver',
])

/** @internal The claim rules, resolved once per verifier. */
export interface ClaimRules {
  issuer: string
  audience: string
  /** Seconds (JWT times are seconds). */
  clockToleranceSeconds: number
  /** Seconds (JWT times are seconds). */
  maxTokenAgeSeconds: number
}

const invalid = (reason: AuthErrorReason<'token_invalid'>) => new AuthError('token_invalid', { reason })

/**
 * Checks the claims of a token whose signature is valid. Time rules use `now` in seconds.
 * Throws `token_invalid` or `token_expired` with a `reason` naming the claim.
 *
 * @internal
 */
export function checkStaticClaims(payload: Record<string, unknown>, rules: ClaimRules): void {
  if (payload.iss !== rules.issuer) throw invalid('iss')
  const aud = payload.aud
  if (aud !== rules.audience && !(Array.isArray(aud) && aud.includes(rules.audience))) throw invalid('aud')
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw invalid('exp')
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) throw invalid('iat')
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || !Number.isFinite(payload.nbf))) {
    throw invalid('nbf')
  }
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw invalid('sub')
  if (typeof payload.sid !== 'string' || payload.sid.length === 0) throw invalid('sid')
  if (typeof payload.jti !== 'string' || payload.jti.length === 0) throw invalid('jti')
  const ver = payload.ver
  if (typeof ver !== 'number' || !Number.isSafeInteger(ver) || ver < 0) throw invalid('ver')
}

/**
 * Checks the time-dependent claims, on every request (warm tokens included).
 *
 * @internal
 */
export function checkTimeClaims(claims: AccessTokenClaims, rules: ClaimRules, now: number): void {
  const tolerance = rules.clockToleranceSeconds
  if (claims.exp <= now - tolerance) throw new AuthError('token_expired', { reason: 'exp' })
  if (now - claims.iat > rules.maxTokenAgeSeconds + tolerance) throw new AuthError('token_expired', { reason: 'max_age' })
  if (claims.iat > now + tolerance) throw invalid('iat')
  if (claims.nbf !== undefined && claims.nbf > now + tolerance) throw invalid('nbf')
}
