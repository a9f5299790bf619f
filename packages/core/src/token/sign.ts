/**
 * Signing access tokens.
 *
 * @module
 */
import { CompactSign, importJWK } from 'jose'
import { encodeBase64url, encodeUtf8 } from '../lib/base64url.js'
import { randomId } from '../lib/random-id.js'
import type { AuthKey } from '../key/auth-key.js'
import type { Clock } from '../clock.js'
import type { KeySet } from '../key/key-set.js'
import { type AccessTokenClaims, RESERVED_CLAIMS } from './claims.js'

/** The default access-token lifetime: 15 minutes, in milliseconds. */
export const DEFAULT_ACCESS_TOKEN_TTL_MS = 15 * 60 * 1000

/** Options of {@link signAccessToken}. */
export interface SignAccessTokenOptions<TClaims extends Record<string, unknown> = Record<string, unknown>> {
  /** The `iss` claim. */
  issuer: string
  /** The `aud` claim. */
  audience: string | string[]
  /** The user id (`sub`). */
  sub: string
  /** The session id (`sid`). */
  sid: string
  /** The user's token version (`ver`). Default 0. */
  ver?: number
  /** Application claims. Reserved names (`iss`, `aud`, `sub`, `sid`, `jti`, `iat`, `exp`, `nbf`, `ver`) are refused. */
  claims?: TClaims
  /**
   * Lifetime in milliseconds, at least 1000; `exp` is `iat` plus whole seconds of it (JWT times
   * are seconds). Default {@link DEFAULT_ACCESS_TOKEN_TTL_MS} (15 minutes).
   */
  ttlMs?: number
  /** The token id. Default: 128 random bits. */
  jti?: string
  /** The clock. Default `Date.now`. */
  clock?: Clock
}

/** What {@link signAccessToken} returns. */
export interface SignAccessTokenResult<TClaims extends Record<string, unknown> = Record<string, unknown>> {
  /** The compact JWS. */
  token: string
  /** The claims it carries. */
  claims: AccessTokenClaims<TClaims>
  /** Expiry in milliseconds since the epoch. */
  expiresAt: number
}

const signingKeys = new WeakMap<AuthKey, Promise<CryptoKey | Uint8Array>>()

/**
 * Signs an access token with the key set's signing key: header `alg`, `kid`, `typ: at+jwt`;
 * claims `iss`, `aud`, `sub`, `sid`, `jti`, `iat`, `exp`, `ver` plus application claims.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { generateKeySet, signAccessToken } from '@auth/core'
 *
 * const keys = await generateKeySet()
 * const { token } = await signAccessToken(keys, {
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   sub: 'user-1',
 *   sid: 'session-1',
 *   claims: { role: 'admin' },
 * })
 * ```
 *
 * @param keys - a key set with a signing key, or the signing key itself
 * @param options - the claims and lifetime
 */
export function signAccessToken<TClaims extends Record<string, unknown> = Record<string, unknown>>(
  keys: KeySet | AuthKey,
  options: SignAccessTokenOptions<TClaims>,
): Promise<SignAccessTokenResult<TClaims>> {
  return signAccessTokenWith(undefined, keys, options)
}

/** @internal A synchronous JWS signer (a backend's `sign`): the base64url signature of the input. */
export type Signer = (key: AuthKey, signingInput: string) => string

/**
 * {@link signAccessToken} with a synchronous signer (the `node:crypto` backend's) instead of jose.
 * The token is the same: header and payload are encoded exactly as jose encodes them.
 *
 * @internal
 */
export async function signAccessTokenWith<TClaims extends Record<string, unknown> = Record<string, unknown>>(
  signer: Signer | undefined,
  keys: KeySet | AuthKey,
  options: SignAccessTokenOptions<TClaims>,
): Promise<SignAccessTokenResult<TClaims>> {
  const key = 'signingKey' in keys ? keys.signingKey : keys
  if (!key || !key.canSign) throw new TypeError('signAccessToken: the key set has no signing key')
  const ttlMs = options.ttlMs ?? DEFAULT_ACCESS_TOKEN_TTL_MS
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(Math.floor(ttlMs)) || ttlMs < 1000) {
    throw new TypeError('signAccessToken: ttlMs must be a number of milliseconds ≥ 1000')
  }
  for (const name of ['issuer', 'sub', 'sid'] as const) {
    if (typeof options[name] !== 'string' || options[name].length === 0) {
      throw new TypeError(`signAccessToken: ${name} must be a non-empty string`)
    }
  }
  const audiences = Array.isArray(options.audience) ? options.audience : [options.audience]
  if (audiences.length === 0 || !audiences.every((aud) => typeof aud === 'string' && aud.length > 0)) {
    throw new TypeError('signAccessToken: audience must be a non-empty string or list of them')
  }
  const ver = options.ver ?? 0
  if (!Number.isSafeInteger(ver) || ver < 0) throw new TypeError('signAccessToken: ver must be a whole number ≥ 0')
  for (const name of Object.keys(options.claims ?? {})) {
    if (RESERVED_CLAIMS.has(name)) throw new TypeError(`signAccessToken: application claims may not set "${name}"`)
  }
  const now = Math.floor((options.clock ?? Date.now)() / 1000)
  const claims = {
    ...options.claims,
    iss: options.issuer,
    aud: options.audience,
    sub: options.sub,
    sid: options.sid,
    jti: options.jti ?? randomId(),
    iat: now,
    exp: now + Math.floor(ttlMs / 1000),
    ver,
  } as unknown as AccessTokenClaims<TClaims>
  const header = { alg: key.alg, kid: key.kid, typ: 'at+jwt' }
  const payload = encodeUtf8(JSON.stringify(claims))
  let token: string
  if (signer) {
    const input = `${encodeBase64url(encodeUtf8(JSON.stringify(header)))}.${encodeBase64url(payload)}`
    token = `${input}.${signer(key, input)}`
  } else {
    token = await new CompactSign(payload).setProtectedHeader(header).sign(await signingKeyOf(key))
  }
  return { token, claims, expiresAt: claims.exp * 1000 }
}

function signingKeyOf(key: AuthKey): Promise<CryptoKey | Uint8Array> {
  let pending = signingKeys.get(key)
  if (!pending) {
    const secret = key.secret()
    pending = secret ? Promise.resolve(secret) : (importJWK(key.privateJwk()!, key.alg) as Promise<CryptoKey>)
    signingKeys.set(key, pending)
  }
  return pending
}
