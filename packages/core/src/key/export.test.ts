import { generateKeyPairSync, randomBytes } from 'node:crypto'
import type { JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { createVerifier, signAccessToken } from '@auth/core'
import { createVerifier as createNodeVerifier } from '@auth/core/node'
import { isCanonicalBase64url } from '../lib/base64url.js'
import type { Algorithm, AuthKey } from './auth-key.js'
import { exportKey } from './export.js'
import { generateKey } from './generate.js'
import { importHmacSecret, importKey } from './import.js'
import { createKeySet } from './key-set.js'

const ISSUER = 'https://auth.example.com'
const AUDIENCE = 'https://api.example.com'
const ALGS: Algorithm[] = ['ES256', 'EdDSA', 'RS256', 'HS256']
const VERIFIERS = [
  ['WebCrypto', createVerifier],
  ['node:crypto', createNodeVerifier],
] as const

const decodeExport = (text: string): JWK => JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as JWK
const sign = (key: AuthKey, sub = 'user-1') => signAccessToken(key, { issuer: ISSUER, audience: AUDIENCE, sub, sid: 'session-1' })

describe('exportKey', () => {
  it.each(ALGS)('writes a %s key as canonical base64url of its JWK JSON, with kid, alg and use "sig"', async (alg) => {
    const key = await generateKey({ alg })
    const text = exportKey(key)
    expect(isCanonicalBase64url(text, 0, text.length)).toBe(true)
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/)
    const jwk = decodeExport(text)
    expect(jwk).toMatchObject({ kid: key.kid, alg, use: 'sig' })
    expect(jwk.key_ops).toBeUndefined()
    if (alg === 'HS256') {
      expect(jwk).toEqual({ kty: 'oct', k: Buffer.from(key.secret()!).toString('base64url'), kid: key.kid, alg, use: 'sig' })
    } else {
      expect(typeof jwk.d).toBe('string')
      expect(jwk).toMatchObject(key.publicJwk()!)
    }
  })

  it.each(ALGS)('round-trips a %s key: same kid and alg, still signs, same secret material', async (alg) => {
    const key = await generateKey({ alg })
    const again = await importKey(exportKey(key))
    expect(again).toMatchObject({ kid: key.kid, alg, canSign: true, signatureLength: key.signatureLength })
    expect(again.publicJwk()).toEqual(key.publicJwk())
    expect(again.privateJwk()).toEqual(key.privateJwk())
    if (alg === 'HS256') expect(Buffer.from(again.secret()!).equals(Buffer.from(key.secret()!))).toBe(true)
    expect(exportKey(again)).toBe(exportKey(key))
  })

  it.each(ALGS.flatMap((alg) => VERIFIERS.map(([name, create]) => [alg, name, create] as const)))(
    'a token signed by the original %s key verifies with the re-imported set (%s backend), and vice versa',
    async (_alg, _name, create) => {
      const alg = _alg
      const key = await generateKey({ alg })
      const again = await importKey(exportKey(key))
      const { token } = await sign(key, 'from-original')
      const verifier = create({ issuer: ISSUER, audience: AUDIENCE, jwks: createKeySet([again]) })
      expect((await verifier.verify(token)).claims.sub).toBe('from-original')
      const { token: token2 } = await sign(again, 'from-reimported')
      const original = create({ issuer: ISSUER, audience: AUDIENCE, jwks: createKeySet([key]) })
      expect((await original.verify(token2)).claims.sub).toBe('from-reimported')
    },
  )

  it.each(['ES256', 'EdDSA', 'RS256'] as const)('a %s token verifies with the JWKS of the re-imported key', async (alg) => {
    const key = await generateKey({ alg })
    const again = await importKey(exportKey(key))
    const { token } = await sign(key)
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: createKeySet([again]).jwks() })
    expect((await verifier.verify(token)).claims.sub).toBe('user-1')
  })

  it.each(ALGS)('re-imports the padded standard base64 form of a %s export', async (alg) => {
    const key = await generateKey({ alg })
    const json = Buffer.from(exportKey(key), 'base64url')
    const base64 = json.toString('base64')
    const again = await importKey(base64)
    expect(again).toMatchObject({ kid: key.kid, alg, canSign: true })
    const { token } = await sign(again)
    expect((await createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: createKeySet([key]) }).verify(token)).claims.sub).toBe('user-1')
  })

  it.each(ALGS)('re-imports the standard base64 form of a %s export that contains "+" and "/"', async (alg) => {
    // JSON is ASCII, whose base64 only holds "+" or "/" where a ">" or "?" ends a 3-byte group:
    // a kid with three of each in a row guarantees both characters.
    const key = await generateKey({ alg, kid: 'key>>>???' })
    const base64 = Buffer.from(exportKey(key), 'base64url').toString('base64')
    expect(base64).toContain('+')
    expect(base64).toContain('/')
    expect(await importKey(base64)).toMatchObject({ kid: 'key>>>???', alg, canSign: true })
  })

  it('re-imports an export surrounded by whitespace, as read from an env file', async () => {
    const key = await generateKey()
    expect((await importKey(`  ${exportKey(key)}\n`)).kid).toBe(key.kid)
  })

  it.each(['ES256', 'EdDSA', 'RS256'] as const)('exports a public-only %s key without private material; it re-imports as public-only', async (alg) => {
    const key = await generateKey({ alg })
    const publicOnly = await importKey(key.publicJwk() as JWK)
    const text = exportKey(publicOnly)
    const jwk = decodeExport(text)
    expect(jwk).toEqual(key.publicJwk())
    for (const name of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(jwk).not.toHaveProperty(name)
    const again = await importKey(text)
    expect(again).toMatchObject({ kid: key.kid, alg, canSign: false })
  })

  it('round-trips keys imported from PEM and from raw HMAC secrets, keeping explicit kids', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    const fromPem = await importKey(pem, { kid: 'pem-key' })
    expect(await importKey(exportKey(fromPem))).toMatchObject({ kid: 'pem-key', alg: 'EdDSA', canSign: true })
    const fromSecret = await importHmacSecret(randomBytes(32), { kid: 'hmac-key' })
    expect(await importKey(exportKey(fromSecret))).toMatchObject({ kid: 'hmac-key', alg: 'HS256', canSign: true })
  })

  it('refuses an exported string whose private part was replaced by random bytes', async () => {
    const key = await generateKey()
    const jwk = decodeExport(exportKey(key))
    const tampered = Buffer.from(JSON.stringify({ ...jwk, d: Buffer.from(randomBytes(32)).toString('base64url') })).toString('base64url')
    await expect(importKey(tampered)).rejects.toThrow(TypeError)
  })
})
