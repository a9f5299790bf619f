/**
 * The opaque refresh token: its format, its MAC tag and its deterministic successor.
 *
 * Format: `<sub>.<sid>.<generation>.<secret>.<tag>` (sub and secrets base64url). Five segments,
 * so it can never be mistaken for a JWT (three) or a session token (four).
 *
 * - `secret` of generation 0 is 256 random bits. The successor's secret is
 *   `HMAC(K, "rt-next", sub, sid, generation + 1, secret)`: computable only with the server
 *   secret `K` **and** the presented token, so a retry within the grace window gets the very same
 *   successor without the store ever holding a token (docs/concepts.md#refresh-rotation), and a
 *   stolen old token does not let a thief compute the current one.
 * - `tag` is `HMAC(K, "rt-tag", sub, sid, generation, secret)`, truncated to 128 bits. It proves a
 *   token was issued by us, so a genuine old token (reuse) is told apart from a forgery (which
 *   must not end anybody's session).
 * - The store keeps `SHA-256(secret)` of the current and previous generation only.
 *
 * @internal
 * @module
 */
import { decodeBase64url, decodeUtf8, encodeBase64url, encodeUtf8, isCanonicalBase64url } from '../lib/base64url.js'
import { type MacKey, mac, timingSafeEqualString } from '../lib/mac.js'

/** @internal */
export interface ParsedRefreshToken {
  readonly sub: string
  readonly sid: string
  readonly generation: number
  readonly secret: Uint8Array
  readonly tag: string
}

const MAX_LENGTH = 1024
const GENERATION = /^(0|[1-9][0-9]{0,8})$/

/** @internal Parses the shape; `undefined` for anything malformed. Does not check the tag. */
export function parseRefreshToken(token: unknown): ParsedRefreshToken | undefined {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_LENGTH) return undefined
  const parts = token.split('.')
  if (parts.length !== 5) return undefined
  const [sub, sid, generation, secret, tag] = parts as [string, string, string, string, string]
  for (const part of [sub, sid, secret, tag]) if (!isCanonicalBase64url(part, 0, part.length)) return undefined
  if (!GENERATION.test(generation) || secret.length !== 43 || tag.length !== 22) return undefined
  return {
    sub: decodeUtf8(decodeBase64url(sub)),
    sid,
    generation: Number(generation),
    secret: decodeBase64url(secret),
    tag,
  }
}

/** @internal The tag of a token. */
export async function refreshTag(key: MacKey, sub: string, sid: string, generation: number, secret: Uint8Array): Promise<string> {
  return encodeBase64url((await mac(key, 'rt-tag', sub, sid, String(generation), secret)).subarray(0, 16))
}

/** @internal Whether the token's tag is ours (constant time). */
export async function hasValidTag(key: MacKey, token: ParsedRefreshToken): Promise<boolean> {
  return timingSafeEqualString(token.tag, await refreshTag(key, token.sub, token.sid, token.generation, token.secret))
}

/** @internal Builds the token string for a generation and secret. */
export async function formatRefreshToken(key: MacKey, sub: string, sid: string, generation: number, secret: Uint8Array): Promise<string> {
  const tag = await refreshTag(key, sub, sid, generation, secret)
  return `${encodeBase64url(encodeUtf8(sub))}.${sid}.${generation}.${encodeBase64url(secret)}.${tag}`
}

/** @internal The successor's secret: deterministic in (K, presented token). */
export function successorSecret(key: MacKey, token: ParsedRefreshToken): Promise<Uint8Array> {
  return mac(key, 'rt-next', token.sub, token.sid, String(token.generation + 1), token.secret)
}

