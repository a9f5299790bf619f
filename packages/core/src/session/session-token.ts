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
import { type MacKey, mac, macNow, timingSafeEqualBytes } from '../lib/mac.js'
import { isThenable } from '../lib/thenable.js'

/** @internal */
export interface ParsedSessionToken {
  readonly sub: string
  readonly sid: string
  readonly secret: Uint8Array
  readonly tag: string
}

/** The tag's length: 128 bits, 22 base64url characters. */
const TAG_BYTES = 16

/** @internal */
export function parseSessionToken(token: unknown): ParsedSessionToken | undefined {
  if (typeof token !== 'string' || token.length === 0 || token.length > 1024) return undefined
  // The three dots by position, each segment checked in place: no array, no substring but the
  // ones kept. A fourth dot falls in the tag, which then is not base64url.
  const subEnd = token.indexOf('.')
  const sidEnd = subEnd < 0 ? -1 : token.indexOf('.', subEnd + 1)
  const secretEnd = sidEnd < 0 ? -1 : token.indexOf('.', sidEnd + 1)
  if (secretEnd < 0) return undefined
  if (secretEnd - sidEnd - 1 !== 43 || token.length - secretEnd - 1 !== 22) return undefined
  if (
    !isCanonicalBase64url(token, 0, subEnd) ||
    !isCanonicalBase64url(token, subEnd + 1, sidEnd) ||
    !isCanonicalBase64url(token, sidEnd + 1, secretEnd) ||
    !isCanonicalBase64url(token, secretEnd + 1, token.length)
  ) {
    return undefined
  }
  return {
    sub: decodeUtf8(decodeBase64url(token, 0, subEnd)),
    sid: token.slice(subEnd + 1, sidEnd),
    secret: decodeBase64url(token, sidEnd + 1, secretEnd),
    tag: token.slice(secretEnd + 1),
  }
}

function sessionMac(key: MacKey, sub: string, sid: string, secret: Uint8Array): Uint8Array | Promise<Uint8Array> {
  return macNow(key, 'st-tag', [sub, sid, secret])
}

/** @internal */
export async function formatSessionToken(key: MacKey, sub: string, sid: string, secret: Uint8Array): Promise<string> {
  const tag = (await mac(key, 'st-tag', sub, sid, secret)).subarray(0, TAG_BYTES)
  return `${encodeBase64url(encodeUtf8(sub))}.${sid}.${encodeBase64url(secret)}.${encodeBase64url(tag)}`
}

/**
 * @internal Whether the token's tag is its MAC's first 128 bits: compared as bytes, in constant
 * time. Synchronous when the key signs synchronously (`node:crypto`): one Promise less per request.
 */
export function hasValidSessionTag(key: MacKey, token: ParsedSessionToken): boolean | Promise<boolean> {
  const presented = decodeBase64url(token.tag)
  const expected = sessionMac(key, token.sub, token.sid, token.secret)
  if (isThenable(expected)) return Promise.resolve(expected).then((bytes) => presented.length === TAG_BYTES && timingSafeEqualBytes(presented, bytes, TAG_BYTES))
  return presented.length === TAG_BYTES && timingSafeEqualBytes(presented, expected, TAG_BYTES)
}
