// The microservice guide's example: the auth service (A) on real https with a throwaway
// self-signed certificate, the orders service (B) and the edge worker (in @edge-runtime/vm) as
// processes of their own, started with the guide's commands and trusting that certificate through
// NODE_EXTRA_CA_CERTS. Everything talks over loopback.
import { execFileSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { RequestListener } from 'node:http'
import { createServer as createHttpsServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeySet, type KeySet, signAccessToken, type SignAccessTokenOptions } from '@auth/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serve } from '../guide-testing/http.js'
import { startExample } from '../guide-testing/spawn.js'
import { type AuthService, createAuthService, ORDERS_AUDIENCE } from './auth-service.js'
import { createOrdersService } from './orders-service.js'

const b64json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'localhost-cert.pem')
  const key = join(dir, 'localhost-key.pem')
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: 'pipe' })
  } catch (error) {
    throw new Error(`openssl is needed to make the test certificate (apt-get install -y openssl): ${(error as Error).message}`)
  }
  return { cert, key }
}

/** The classic confusion attack: the same claims, `alg: HS256`, MACed with the public JWK as the secret. */
function hs256WithPublicKey(token: string): string {
  const [header, payload] = token.split('.') as [string, string]
  const { kid } = b64json(header)
  const forged = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid, typ: 'at+jwt' })).toString('base64url')}.${payload}`
  const publicJwk = JSON.stringify(service.keys.jwks().keys[0])
  return `${forged}.${createHmac('sha256', publicJwk).update(forged).digest('base64url')}`
}

let service: AuthService

describe('guide: a microservice verifying tokens with createVerifier and the JWKS', () => {
  let dir: string
  let https: Server
  let issuer: string
  let jwksRequests = 0
  let orders: string
  let edge: string
  let accessToken: string
  let plainA: string
  let closePlainA: (() => Promise<void>) | undefined

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auth-guide-microservice-'))
    const { cert, key } = makeCertificate(dir)
    let handler: RequestListener = (_req, res) => res.end()
    https = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
      if (req.url === '/.well-known/jwks.json') jwksRequests++
      handler(req, res)
    })
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
    issuer = `https://localhost:${(https.address() as AddressInfo).port}`
    service = await createAuthService(issuer)
    handler = service.app
    // The test process itself does not trust the certificate (NODE_EXTRA_CA_CERTS is read at
    // start), so it logs in through the same app on plain loopback HTTP.
    const plain = await serve(service.app)
    plainA = `http://127.0.0.1:${plain.port}`
    closePlainA = plain.close
    const env = { ISSUER: issuer, NODE_EXTRA_CA_CERTS: cert, PORT: '0' }
    ;[orders, edge] = await Promise.all([
      startExample('microservice-verifier/orders-service.ts', env).then((p) => p.url),
      startExample('microservice-verifier/edge-host.ts', env).then((p) => p.url),
    ])
    accessToken = await logIn()
  }, 90_000)
  afterAll(async () => {
    await closePlainA?.()
    https?.closeAllConnections()
    await new Promise((resolve) => https?.close(resolve))
    await service?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** Logs in at the auth service (A): through its app on plain loopback HTTP (see beforeAll). */
  async function logIn(): Promise<string> {
    const response = await fetch(`${plainA}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'demo@example.com', password: 'demo-password' }),
    })
    expect(response.status).toBe(200)
    return ((await response.json()) as { accessToken: string }).accessToken
  }
  const get = (base: string, token?: string) => fetch(`${base}/orders`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
  const sign = async (keys: KeySet, options: Partial<SignAccessTokenOptions> = {}): Promise<string> =>
    (await signAccessToken(keys, { issuer, audience: ORDERS_AUDIENCE, sub: 'user-1', sid: 'session-1', ...options })).token

  it('the token and the JWKS carry what a non-JS verifier checks', async () => {
    const [header, payload] = accessToken.split('.')
    const kid = service.keys.jwks().keys[0]!.kid
    expect(b64json(header!)).toEqual({ alg: 'ES256', kid, typ: 'at+jwt' })
    const claims = b64json(payload!)
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'roles', 'sid', 'sub', 'ver'])
    expect(claims).toMatchObject({ iss: issuer, aud: ORDERS_AUDIENCE, sub: 'user-1', ver: 0, roles: ['customer'] })
    expect((claims.exp as number) - (claims.iat as number)).toBe(900)
    const jwks = service.keys.jwks()
    expect(jwks.keys).toEqual([{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid, alg: 'ES256', use: 'sig' }])
  })

  it('B (Node) verifies A\'s tokens with the JWKS fetched once over https', async () => {
    expect(jwksRequests).toBe(0)
    for (let i = 0; i < 3; i++) {
      const response = await get(orders, accessToken)
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ sub: 'user-1', roles: ['customer'] })
    }
    expect(jwksRequests).toBe(1)
  })

  it('the edge worker (EdgeVM, WebCrypto) verifies the same token, with its own JWKS fetch', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await get(edge, accessToken)
      expect([response.status, await response.json()]).toEqual([200, { sub: 'user-1', verifiedOn: 'edge' }])
    }
    expect(jwksRequests).toBe(2)
  })

  type Refusal = [name: string, make: () => Promise<string | undefined>, status: number, code: string]
  it.each<Refusal>([
    ['no token', async () => undefined, 401, 'token_missing'],
    ['garbage', async () => 'not.a.token', 401, 'token_invalid'],
    ['a token signed by another key', async () => sign(await generateKeySet()), 401, 'token_invalid'],
    ['a token for another audience', async () => sign(service.keys, { audience: 'billing-api' }), 401, 'token_invalid'],
    ['a token of another issuer', async () => sign(service.keys, { issuer: 'https://evil.example' }), 401, 'token_invalid'],
    ['an expired token', async () => sign(service.keys, { clock: () => Date.now() - 20 * 60_000 }), 401, 'token_expired'],
    ['alg confusion: HS256 keyed with the public key', async () => hs256WithPublicKey(accessToken), 401, 'token_invalid'],
    ['alg: none', async () => `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${accessToken.split('.')[1]}.`, 401, 'token_invalid'],
  ])('B and the edge worker refuse %s: %i %s', async (_name, make, status, code) => {
    const token = await make()
    for (const base of [orders, edge]) {
      const response = await get(base, token)
      expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([status, code])
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    }
  })

  it('a logout at A is not seen by B until the token expires: B has no store (verification by expiry)', async () => {
    const token = await logIn()
    const claims = b64json(token.split('.')[1]!)
    expect(await service.auth.logout({ sub: 'user-1', id: claims.sid as string })).toBe(true)
    await expect(service.auth.verifyAccessToken(token)).rejects.toMatchObject({ code: 'session_revoked' })
    expect((await get(orders, token)).status).toBe(200)
  })

  it('answers 503 jwks_unavailable with Retry-After when the issuer\'s keys cannot be fetched', async () => {
    const b = createOrdersService({ issuer, jwksUrl: 'https://127.0.0.1:9/.well-known/jwks.json' }) // nothing listens on port 9
    const served = await serve((req, res) => b.emit('request', req, res))
    try {
      const response = await get(`http://127.0.0.1:${served.port}`, accessToken)
      expect(response.status).toBe(503)
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('jwks_unavailable')
    } finally {
      await served.close()
    }
  })
})
