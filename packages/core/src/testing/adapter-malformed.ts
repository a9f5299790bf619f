/**
 * `describeAdapter`: the attack battery over HTTP. Malformed, forged, expired and oversized
 * credentials and bodies, as a table of input → expected status and code. Every one is a 4xx
 * with a JSON `{ "error": { "code" } }` body: never a 500, never a pass.
 *
 * @module
 * @internal
 */
import { describe, expect, it } from 'vitest'
import { encodeBase64url, encodeUtf8 } from '../lib/base64url.js'
import { generateKeySet } from '../key/generate.js'
import { signAccessToken } from '../token/sign.js'
import { ADAPTER_AUDIENCE, ADAPTER_ISSUER, type AdapterHarness, codeOf } from './adapter-harness.js'
import type { HttpReply, RawHeaders } from './http-client.js'

/** What a case may use: a signed-in user's credentials and the suite's keys. */
interface Material {
  readonly h: AdapterHarness
  readonly sid: string
  /** A valid access token of alice's (bearer login). */
  readonly at: string
  /** A valid session cookie value of alice's. */
  readonly session: string
}

const AT = '__Host-auth-at'
const SESSION = '__Host-auth-session'
const KIB = 1024

/** A token of alice's session signed by the suite's own keys two hours ago: long expired. */
async function expiredToken(m: Material): Promise<string> {
  const issuedAt = Date.now() - 2 * 60 * 60 * 1000
  const signed = await signAccessToken(m.h.keys, { issuer: ADAPTER_ISSUER, audience: ADAPTER_AUDIENCE, sub: 'alice', sid: m.sid, clock: () => issuedAt })
  return signed.token
}

async function foreignToken(m: Material): Promise<string> {
  const signed = await signAccessToken(await generateKeySet(), { issuer: ADAPTER_ISSUER, audience: ADAPTER_AUDIENCE, sub: 'alice', sid: m.sid })
  return signed.token
}

/** alice's token re-encoded with `alg: none` and no signature. */
function unsignedToken(m: Material): string {
  const [header, payload] = m.at.split('.') as [string, string]
  const decoded = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>
  return `${encodeBase64url(encodeUtf8(JSON.stringify({ ...decoded, alg: 'none' })))}.${payload}.`
}

/** alice's token claiming to be admin-1: the signature no longer matches. */
function editedToken(m: Material): string {
  const [header, payload, signature] = m.at.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
  return `${header}.${encodeBase64url(encodeUtf8(JSON.stringify({ ...claims, sub: 'admin-1', roles: ['admin'] })))}.${signature}`
}

type Credential = (m: Material) => RawHeaders | Promise<RawHeaders>
type Case = readonly [name: string, credential: Credential, status: number, code: string]

/** Credentials on a guarded route (`GET /api/me`). */
const CREDENTIALS: readonly Case[] = [
  ['a garbage Bearer token', () => ({ Authorization: 'Bearer garbage' }), 401, 'token_invalid'],
  ['Bearer with two tokens', (m) => ({ Authorization: `Bearer ${m.at} ${m.at}` }), 400, 'bad_request'],
  ['two Authorization headers', (m) => ({ Authorization: [`Bearer ${m.at}`, `Bearer ${m.at}`] }), 400, 'bad_request'],
  ['Bearer and no token', () => ({ Authorization: 'Bearer' }), 400, 'bad_request'],
  ['Bearer and two spaces', (m) => ({ Authorization: `Bearer  ${m.at}` }), 400, 'bad_request'],
  ['a non-Bearer scheme', () => ({ Authorization: 'Basic YWxpY2U6aHVudGVyMg==' }), 401, 'token_missing'],
  ['an oversized Authorization header (9 KiB)', () => ({ Authorization: `Bearer ${'a'.repeat(9 * KIB)}` }), 400, 'bad_request'],
  ['an oversized Cookie header (9 KiB)', (m) => ({ Cookie: `${SESSION}=${m.session}; pad=${'x'.repeat(9 * KIB)}` }), 400, 'bad_request'],
  ['a duplicated session cookie', (m) => ({ Cookie: `${SESSION}=${m.session}; ${SESSION}=${m.session}` }), 400, 'bad_request'],
  ['a duplicated access cookie', (m) => ({ Cookie: `${AT}=${m.at}; ${AT}=garbage` }), 400, 'bad_request'],
  ['a session cookie duplicated across two Cookie headers', (m) => ({ Cookie: [`${SESSION}=${m.session}`, `${SESSION}=${m.session}`] }), 400, 'bad_request'],
  ['an expired JWT (Bearer)', async (m) => ({ Authorization: `Bearer ${await expiredToken(m)}` }), 401, 'token_expired'],
  ['a JWT with alg none (Bearer)', (m) => ({ Authorization: `Bearer ${unsignedToken(m)}` }), 401, 'token_invalid'],
  ['a JWT signed by another key (Bearer)', async (m) => ({ Authorization: `Bearer ${await foreignToken(m)}` }), 401, 'token_invalid'],
  ['a JWT with edited claims (Bearer)', (m) => ({ Authorization: `Bearer ${editedToken(m)}` }), 401, 'token_invalid'],
  ['a truncated JWT (Bearer)', (m) => ({ Authorization: `Bearer ${m.at.slice(0, -10)}` }), 401, 'token_invalid'],
  ['a garbage access cookie', () => ({ Cookie: `${AT}=garbage` }), 401, 'token_invalid'],
  ['an access cookie outside the cookie grammar', () => ({ Cookie: `${AT}=a\\b` }), 401, 'token_invalid'],
  ['an expired JWT (cookie)', async (m) => ({ Cookie: `${AT}=${await expiredToken(m)}` }), 401, 'token_expired'],
  ['a JWT with alg none (cookie)', (m) => ({ Cookie: `${AT}=${unsignedToken(m)}` }), 401, 'token_invalid'],
  ['a JWT signed by another key (cookie)', async (m) => ({ Cookie: `${AT}=${await foreignToken(m)}` }), 401, 'token_invalid'],
  ['a garbage session cookie', () => ({ Cookie: `${SESSION}=garbage` }), 401, 'token_invalid'],
  ['a truncated session cookie', (m) => ({ Cookie: `${SESSION}=${m.session.slice(0, -4)}` }), 401, 'token_invalid'],
  ['a session cookie outside the cookie grammar', () => ({ Cookie: `${SESSION}="a b"` }), 401, 'token_invalid'],
]

/** Requests to `POST /auth/refresh`: [name, headers, body, status, code]. */
type BodyCase = readonly [name: string, headers: RawHeaders, body: (m: { rt: string }) => string | Buffer, status: number, code: string]
const JSON_TYPE = { 'Content-Type': 'application/json' }
const BODIES: readonly BodyCase[] = [
  ['a truncated refresh token', JSON_TYPE, ({ rt }) => JSON.stringify({ refreshToken: rt.slice(0, -5) }), 401, 'refresh_invalid'],
  ['a refresh token that is not a string', JSON_TYPE, () => '{"refreshToken":42}', 400, 'bad_request'],
  ['malformed JSON', JSON_TYPE, () => '{"refreshToken":', 400, 'bad_request'],
  ['a JSON array body', JSON_TYPE, ({ rt }) => JSON.stringify([rt]), 400, 'bad_request'],
  ['a JSON null body', JSON_TYPE, () => 'null', 400, 'bad_request'],
  ['invalid UTF-8', JSON_TYPE, () => Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, 'bad_request'],
  ['a text/plain body', { 'Content-Type': 'text/plain' }, ({ rt }) => rt, 415, 'unsupported_media_type'],
  ['a form body', { 'Content-Type': 'application/x-www-form-urlencoded' }, ({ rt }) => `refreshToken=${rt}`, 415, 'unsupported_media_type'],
  ['a body over 16 KiB', JSON_TYPE, ({ rt }) => JSON.stringify({ refreshToken: rt, pad: 'x'.repeat(16 * KIB) }), 413, 'payload_too_large'],
  ['a chunked body over 16 KiB', { ...JSON_TYPE, 'Transfer-Encoding': 'chunked' }, ({ rt }) => JSON.stringify({ refreshToken: rt, pad: 'x'.repeat(16 * KIB) }), 413, 'payload_too_large'],
]

function expectJsonError(reply: HttpReply, status: number, code: string): void {
  expect([reply.status, codeOf(reply)], reply.text).toEqual([status, code])
  expect(String(reply.headers['content-type'])).toMatch(/^application\/json/)
  expect(typeof reply.json.error.message).toBe('string')
  if (status === 401) expect(String(reply.headers['www-authenticate'])).toMatch(/^Bearer\b/)
}

/** @internal */
export function defineMalformedTests(harness: () => AdapterHarness): void {
  describe('malformed credentials', () => {
    const material = async (): Promise<Material> => {
      const h = harness()
      const client = h.agent()
      const login = await client.login('alice', 'bearer')
      const browser = h.agent()
      await browser.login('alice', 'session')
      return { h, sid: login.json.sessionId, at: client.tokens!.accessToken, session: browser.jar.get(SESSION)! }
    }

    it.each(CREDENTIALS.map(([name, credential, status, code]) => ({ name, credential, status, code })))('answers $name with $status $code', async ({ credential, status, code }) => {
      const m = await material()
      const reply = await m.h.send({ path: '/api/me', headers: await credential(m) })
      expectJsonError(reply, status, code)
    })

    it('challenges a refused Bearer token with error="invalid_token" (RFC 6750)', async () => {
      const m = await material()
      for (const token of ['garbage', await expiredToken(m), await foreignToken(m), unsignedToken(m)]) {
        const reply = await m.h.send({ path: '/api/me', headers: { Authorization: `Bearer ${token}` } })
        expect(reply.status).toBe(401)
        expect(String(reply.headers['www-authenticate'])).toMatch(/^Bearer (?:.*, )?error="invalid_token"/)
      }
      const missing = await m.h.send({ path: '/api/me' })
      expect(missing.status).toBe(401)
      expect(codeOf(missing)).toBe('token_missing')
      expect(String(missing.headers['www-authenticate'])).not.toMatch(/error=/)
    })

    it('reads two Cookie headers (HTTP/2 sends cookies as crumbs) as one', async () => {
      const m = await material()
      const reply = await m.h.send({ path: '/api/me', headers: { Cookie: ['theme=dark', `${SESSION}=${m.session}`] } })
      expect(reply).toMatchObject({ status: 200, json: { sub: 'alice', transport: 'session' } })
    })

    it('challenges a revoked Bearer token with error="invalid_token"', async () => {
      const m = await material()
      const revoke = await m.h.send({ method: 'POST', path: '/auth/logout', headers: { Authorization: `Bearer ${m.at}` } })
      expect(revoke.status).toBe(204)
      const reply = await m.h.send({ path: '/api/me', headers: { Authorization: `Bearer ${m.at}` } })
      expectJsonError(reply, 401, 'session_revoked')
      expect(String(reply.headers['www-authenticate'])).toMatch(/error="invalid_token"/)
    })
  })

  describe('malformed bodies', () => {
    it.each(BODIES.map(([name, headers, body, status, code]) => ({ name, headers, body, status, code })))('answers a refresh with $name with $status $code and no cookie', async ({ headers, body, status, code }) => {
      const h = harness()
      const alice = h.agent()
      await alice.login('alice', 'cookie')
      const bearer = h.agent()
      await bearer.login('alice', 'bearer')
      const reply = await alice.send('POST', '/auth/refresh', { headers, body: body({ rt: bearer.tokens!.refreshToken }) })
      expectJsonError(reply, status, code)
      expect(reply.cookies).toEqual([])
      // Nothing rotated: both refresh tokens still work.
      expect((await alice.refresh()).status).toBe(200)
      expect((await bearer.refresh()).status).toBe(200)
    })

    it('reads an empty chunked body without a content type as no body', async () => {
      const alice = harness().agent()
      await alice.login('alice', 'cookie')
      const reply = await alice.send('POST', '/auth/refresh', { headers: { 'Transfer-Encoding': 'chunked' }, body: '' })
      expect(reply.status).toBe(200)
    })
  })
}
