/**
 * The opaque session token of the session-cookie transport.
 *
 * Format: `<sub>.<sid>.<secret>.<tag>` (base64url): four segments, never a JWT (three) or a
 * refresh token (five). The store keeps `SHA-256(secret)`; the tag (`HMAC(K, "st-tag", …)`)
 * rejects forgeries before any store lookup.
 *
 * @internal
 * @module
 */
import { decodeBase64url, decodeUtf8, encodeBase64url, encodeUtf8, isCanonicalBase64url } from '../lib/base64url.js'
import { type MacKey, mac, timingSafeEqualString } from '../lib/mac.js'

/** @internal */
export interface ParsedSessionToken {
  readonly sub: string
  readonly sid: string
  readonly secret: Uint8Array
  readonly tag: string
}

/** @internal */
export function parseSessionToken(token: unknown): ParsedSessionToken | undefined {
  if (typeof token !== 'string' || token.length === 0 || token.length > 1024) return undefined
  const parts = token.split('.')
  if (parts.length !== 4) return undefined
  for (const part of parts) if (!isCanonicalBase64url(part, 0, part.length)) return undefined
  const [sub, sid, secret, tag] = parts as [string, string, string, string]
  if (secret.length !== 43 || tag.length !== 22) return undefined
  return { sub: decodeUtf8(decodeBase64url(sub)), sid, secret: decodeBase64url(secret), tag }
}

async function sessionTag(key: MacKey, sub: string, sid: string, secret: Uint8Array): Promise<string> {
  return encodeBase64url((await mac(key, 'st-tag', sub, sid, secret)).subarray(0, 16))
}

/** @internal */
export async function formatSessionToken(key: MacKey, sub: string, sid: string, secret: Uint8Array): Promise<string> {
  return `${encodeBase64url(encodeUtf8(sub))}.${sid}.${encodeBase64url(secret)}.${await sessionTag(key, sub, sid, secret)}`
}

/** @internal */
export async function hasValidSessionTag(key: MacKey, token: ParsedSessionToken): Promise<boolean> {
  return timingSafeEqualString(token.tag, await sessionTag(key, token.sub, token.sid, token.secret))
}
