// docs/migration.md, from jsonwebtoken / express-jwt: one client scenario (login, a protected call,
// no token / a tampered token / another key's token refused) run against the API before the
// migration (HS256 with a secret, and RS256 with a public key) and after it (@auth/express, bearer
// transport, on a real redis-server); then what a client sees change, and the transition that keeps
// the old tokens working until they expire.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { type RedisServer, startRedisServer } from '@auth/test-utils'
import jsonwebtoken from 'jsonwebtoken'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serve } from '../guide-testing/http.js'
import * as after from './after.js'
import * as before from './before.js'
import { requireAuthOrLegacy } from './transition.js'

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedisServer()
})
afterAll(async () => {
  await redis?.stop()
})

const CREDENTIALS = { email: 'demo@example.com', password: 'demo-password' }
const OLD_SECRET = randomBytes(32).toString('base64')
const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 })
const hs256 = { signingKey: OLD_SECRET, verifyKey: OLD_SECRET, algorithm: 'HS256' } satisfies before.AppOptions
const rs256 = { signingKey: RSA.privateKey, verifyKey: RSA.publicKey, algorithm: 'RS256' } satisfies before.AppOptions
const afterOptions = (origin: string): after.AppOptions => ({ redisUrl: redis.url, secret: randomBytes(32).toString('base64'), origin })

/** An app on a free loopback port, and the calls a mobile app or another service makes. */
async function start(create: (origin: string) => Promise<before.MigrationApp | after.MigrationApp>) {
  const served = await serve((req, res) => example?.app(req, res))
  const origin = `http://127.0.0.1:${served.port}`
  const example: before.MigrationApp | after.MigrationApp = await create(origin)
  return {
    origin,
    async post(path: string, body: unknown, headers: Record<string, string> = {}) {
      return fetch(origin + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
    },
    async me(token?: string) {
      return fetch(origin + '/api/me', { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
    },
    async close() {
      await served.close()
      await example.close()
    },
  }
}
type Started = Awaited<ReturnType<typeof start>>

/** The token with one character of its signature changed. */
const tamper = (token: string) => token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1)

describe.each([
  { name: 'before: jsonwebtoken, HS256 with a secret', create: () => before.createApp(hs256), tokenOf: (body: any) => body.token as string },
  { name: 'before: jsonwebtoken, RS256 with a public key', create: () => before.createApp(rs256), tokenOf: (body: any) => body.token as string },
  { name: 'after: @auth/express, bearer transport', create: (origin: string) => after.createApp(afterOptions(origin)), tokenOf: (body: any) => body.accessToken as string },
])('$name', ({ create, tokenOf }) => {
  let api: Started
  beforeAll(async () => {
    api = await start(create)
  })
  afterAll(async () => {
    await api?.close()
  })

  it('runs the client scenario: login, protected call; no token, a tampered one, another key\'s refused', async () => {
    expect((await api.post('/login', { ...CREDENTIALS, password: 'nope' })).status).toBe(401)
    const login = await api.post('/login', CREDENTIALS)
    expect(login.status).toBe(200)
    const token = tokenOf(await login.json())
    const me = await api.me(token)
    expect([me.status, await me.json()]).toEqual([200, { sub: 'user-1', role: 'editor' }])

    expect((await api.me()).status).toBe(401)
    expect((await api.me('not-a-jwt')).status).toBe(401)
    expect((await api.me(tamper(token))).status).toBe(401)
    const foreign = jsonwebtoken.sign({ role: 'admin' }, randomBytes(32), { algorithm: 'HS256', subject: 'user-1', expiresIn: '7d' })
    expect((await api.me(foreign)).status).toBe(401)
    // The `none` algorithm, the oldest JWT attack.
    const unsigned = jsonwebtoken.sign({ role: 'admin', sub: 'user-1' }, '', { algorithm: 'none' })
    expect((await api.me(unsigned)).status).toBe(401)
  })
})

describe('what a client sees change', () => {
  let old: Started
  let next: Started
  beforeAll(async () => {
    ;[old, next] = await Promise.all([start(() => before.createApp(hs256)), start((origin) => after.createApp(afterOptions(origin)))])
  })
  afterAll(async () => {
    await old?.close()
    await next?.close()
  })
  const loginTo = async (api: Started) => (await api.post('/login', CREDENTIALS)).json()

  it('the login answer: one 7-day HS256 token becomes a 15-minute ES256 access token and a refresh token', async () => {
    const { token } = await loginTo(old)
    expect(jsonwebtoken.decode(token, { complete: true })).toMatchObject({ header: { alg: 'HS256', typ: 'JWT' } })
    const claims = jsonwebtoken.decode(token) as { iat: number; exp: number }
    expect(claims.exp - claims.iat).toBe(7 * 24 * 3600)

    const body = await loginTo(next)
    expect(body).toMatchObject({ transport: 'bearer', accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900 })
    expect(jsonwebtoken.decode(body.accessToken, { complete: true })).toMatchObject({ header: { alg: 'ES256', typ: 'at+jwt' } })
    const access = jsonwebtoken.decode(body.accessToken) as Record<string, unknown>
    expect(access).toMatchObject({ sub: 'user-1', role: 'editor', iss: next.origin, aud: next.origin, sid: expect.any(String), jti: expect.any(String) })
    expect(Number(access.exp) - Number(access.iat)).toBe(900)
  })

  it('a 401: a message and no challenge become a stable code and WWW-Authenticate (RFC 6750)', async () => {
    const oldMissing = await old.me()
    expect([oldMissing.headers.get('www-authenticate'), await oldMissing.json()]).toEqual([null, { error: 'No authorization token was found' }])
    const oldBad = await old.me(tamper((await loginTo(old)).token))
    expect(await oldBad.json()).toEqual({ error: 'invalid signature' })

    const missing = await next.me()
    expect(missing.headers.get('www-authenticate')).toBe('Bearer')
    expect(await missing.json()).toEqual({ error: { code: 'token_missing', message: expect.any(String) } })
    const bad = await next.me(tamper((await loginTo(next)).accessToken))
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    expect(await bad.json()).toEqual({ error: { code: 'token_invalid', message: expect.any(String) } })
  })

  it('refresh: before, a new login; now POST /auth/refresh rotates the refresh token', async () => {
    expect((await old.post('/auth/refresh', {})).status).toBe(404)
    const first = await loginTo(next)
    const refreshed = await next.post('/auth/refresh', { refreshToken: first.refreshToken })
    expect(refreshed.status).toBe(200)
    const second = await refreshed.json()
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect(await (await next.me(second.accessToken)).json()).toEqual({ sub: 'user-1', role: 'editor' })
    const unknown = await next.post('/auth/refresh', { refreshToken: 'x'.repeat(40) })
    expect([unknown.status, (await unknown.json()).error.code]).toEqual([401, 'refresh_invalid'])
  })

  it('revocation: before, a "logged out" token works until it expires; now logout refuses it at once', async () => {
    const { token } = await loginTo(old)
    // The old API had nothing to call: the client forgets the token, whoever copied it keeps it.
    expect((await old.me(token)).status).toBe(200)

    const tokens = await loginTo(next)
    expect((await next.post('/auth/logout', {}, { authorization: `Bearer ${tokens.accessToken}` })).status).toBe(204)
    const refused = await next.me(tokens.accessToken)
    expect(refused.status).toBe(401)
    expect((await refused.json()).error.code).toBe('session_revoked')
    expect((await next.post('/auth/refresh', { refreshToken: tokens.refreshToken })).status).toBe(401)
  })

  it('a token of the old code is refused by the new app (no transition): 401 token_invalid', async () => {
    const { token } = await loginTo(old)
    const answer = await next.me(token)
    expect([answer.status, (await answer.json()).error.code]).toEqual([401, 'token_invalid'])
  })

  it('services that only verify take the public keys from /.well-known/jwks.json: no shared secret', async () => {
    const jwks = await (await fetch(next.origin + '/.well-known/jwks.json')).json()
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: expect.any(String) })])
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/)
  })
})

describe('the transition: old HS256 tokens stay valid until they expire, next to the new ES256 ones', () => {
  let old: Started
  let next: Started
  beforeAll(async () => {
    old = await start(() => before.createApp(hs256))
    next = await start((origin) => after.createApp({ ...afterOptions(origin), legacyTokens: { key: OLD_SECRET, algorithms: ['HS256'] } }))
  })
  afterAll(async () => {
    await old?.close()
    await next?.close()
  })

  it('accepts a token the old code signed, and new tokens as usual', async () => {
    const { token } = await (await old.post('/login', CREDENTIALS)).json()
    expect(await (await next.me(token)).json()).toEqual({ sub: 'user-1', role: 'editor' })
    const { accessToken } = await (await next.post('/login', CREDENTIALS)).json()
    expect(await (await next.me(accessToken)).json()).toEqual({ sub: 'user-1', role: 'editor' })
  })

  it.each([
    ['expired', () => jsonwebtoken.sign({ role: 'editor', exp: Math.floor(Date.now() / 1000) - 60 }, OLD_SECRET, { algorithm: 'HS256', subject: 'user-1' })],
    ['signed with another secret', () => jsonwebtoken.sign({ role: 'admin' }, randomBytes(32), { algorithm: 'HS256', subject: 'user-1', expiresIn: '7d' })],
    ['unsigned (alg none)', () => jsonwebtoken.sign({ role: 'admin', sub: 'user-1' }, '', { algorithm: 'none' })],
    ['HS384 with the old secret (algorithm not the old one)', () => jsonwebtoken.sign({ role: 'admin' }, OLD_SECRET, { algorithm: 'HS384', subject: 'user-1', expiresIn: '7d' })],
  ])('refuses an old-style token that is %s, with the new 401', async (_name, make) => {
    const answer = await next.me(make())
    expect(answer.status).toBe(401)
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    expect((await answer.json()).error.code).toBe('token_invalid')
  })

  it('never rescues a new token that was revoked', async () => {
    const tokens = await (await next.post('/login', CREDENTIALS)).json()
    await next.post('/auth/logout', {}, { authorization: `Bearer ${tokens.accessToken}` })
    expect((await next.me(tokens.accessToken)).status).toBe(401)
  })

  it('refuses to be set up with no algorithm or with "none"', () => {
    expect(() => requireAuthOrLegacy({ key: OLD_SECRET, algorithms: [] })).toThrow(TypeError)
    expect(() => requireAuthOrLegacy({ key: OLD_SECRET, algorithms: ['HS256', 'none'] })).toThrow(TypeError)
  })
})
