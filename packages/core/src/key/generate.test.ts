import { calculateJwkThumbprint, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { createVerifier, signAccessToken } from '@auth/core'
import { createVerifier as createNodeVerifier } from '@auth/core/node'
import type { Algorithm, AuthKey } from './auth-key.js'
import { generateKey, generateKeySet } from './generate.js'
import { createKeySet } from './key-set.js'

const ISSUER = 'https://auth.example.com'
const AUDIENCE = 'https://api.example.com'

/** The RFC 7638 thumbprint of a public JWK, computed by jose from its required members only. */
async function thumbprintOf(key: AuthKey): Promise<string> {
  const { kid: _kid, alg: _alg, use: _use, ...members } = key.publicJwk()!
  return calculateJwkThumbprint(members as JWK)
}

/** Signs a token with `key` and verifies it with both backends over a set holding only `key`. */
async function expectSignsVerifiableTokens(key: AuthKey): Promise<void> {
  const keys = createKeySet([key])
  const { token } = await signAccessToken(keys, { issuer: ISSUER, audience: AUDIENCE, sub: 'user-1', sid: 'session-1' })
  for (const create of [createVerifier, createNodeVerifier]) {
    const { claims } = await create({ issuer: ISSUER, audience: AUDIENCE, jwks: keys }).verify(token)
    expect(claims.sub).toBe('user-1')
  }
}

describe('generateKey', () => {
  it('generates an ES256 P-256 key by default, with the RFC 7638 thumbprint as kid', async () => {
    const key = await generateKey()
    expect(key.alg).toBe('ES256')
    expect(key.canSign).toBe(true)
    expect(key.symmetric).toBe(false)
    expect(key.signatureLength).toBe(64)
    const jwk = key.publicJwk()!
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: key.kid })
    expect(Buffer.from(jwk.x!, 'base64url')).toHaveLength(32)
    expect(Buffer.from(jwk.y!, 'base64url')).toHaveLength(32)
    expect(key.kid).toBe(await thumbprintOf(key))
    expect(key.kid).toBe(await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! }))
    await expectSignsVerifiableTokens(key)
  })

  it('generates an EdDSA Ed25519 key, with the RFC 7638 thumbprint as kid', async () => {
    const key = await generateKey({ alg: 'EdDSA' })
    expect(key.alg).toBe('EdDSA')
    expect(key.canSign).toBe(true)
    expect(key.symmetric).toBe(false)
    expect(key.signatureLength).toBe(64)
    const jwk = key.publicJwk()!
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: key.kid })
    expect(Buffer.from(jwk.x!, 'base64url')).toHaveLength(32)
    expect(key.kid).toBe(await thumbprintOf(key))
    await expectSignsVerifiableTokens(key)
  })

  it('generates an RS256 key with a 2048-bit modulus and a 256-byte signature length', async () => {
    const key = await generateKey({ alg: 'RS256' })
    expect(key.alg).toBe('RS256')
    expect(key.canSign).toBe(true)
    expect(key.signatureLength).toBe(256)
    const jwk = key.publicJwk()!
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: key.kid, e: 'AQAB' })
    const modulus = Buffer.from(jwk.n!, 'base64url')
    expect(modulus).toHaveLength(256)
    expect(modulus[0]! & 0x80).toBe(0x80) // exactly 2048 bits: the top bit is set
    expect(key.kid).toBe(await thumbprintOf(key))
    await expectSignsVerifiableTokens(key)
  })

  it('generates an HS256 key from 32 random bytes that signs, is symmetric and stays out of the JWKS', async () => {
    const key = await generateKey({ alg: 'HS256' })
    expect(key.alg).toBe('HS256')
    expect(key.canSign).toBe(true)
    expect(key.symmetric).toBe(true)
    expect(key.signatureLength).toBe(32)
    expect(key.publicJwk()).toBeUndefined()
    expect(key.secret()).toHaveLength(32)
    expect(createKeySet([key]).jwks()).toEqual({ keys: [] })
    const other = await generateKey({ alg: 'HS256' })
    expect(Buffer.from(other.secret()!).equals(Buffer.from(key.secret()!))).toBe(false)
    expect(other.kid).not.toBe(key.kid)
    await expectSignsVerifiableTokens(key)
  })

  it.each<Algorithm>(['ES256', 'EdDSA', 'RS256', 'HS256'])('generates a fresh %s key on every call', async (alg) => {
    const [a, b] = await Promise.all([generateKey({ alg }), generateKey({ alg })])
    expect(a!.kid).not.toBe(b!.kid)
  })

  it.each<Algorithm>(['ES256', 'EdDSA', 'RS256', 'HS256'])('uses an explicit kid for a %s key', async (alg) => {
    const key = await generateKey({ alg, kid: 'key-2025-01' })
    expect(key.kid).toBe('key-2025-01')
    expect(key.alg).toBe(alg)
    if (alg !== 'HS256') expect(key.publicJwk()!.kid).toBe('key-2025-01')
    const { token } = await signAccessToken(key, { issuer: ISSUER, audience: AUDIENCE, sub: 's', sid: 'x' })
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'))
    expect(header.kid).toBe('key-2025-01')
  })

  it.each([['ES384'], ['ES512'], ['PS256'], ['RS512'], ['HS512'], ['none'], ['es256'], ['']])(
    'refuses the unsupported algorithm %j with a TypeError',
    async (alg) => {
      await expect(generateKey({ alg: alg as Algorithm })).rejects.toThrow(TypeError)
    },
  )

  it.each([[''], ['k'.repeat(257)]])('refuses the invalid kid %j', async (kid) => {
    await expect(generateKey({ kid })).rejects.toThrow(TypeError)
    await expect(generateKey({ alg: 'HS256', kid })).rejects.toThrow(TypeError)
  })
})

describe('generateKeySet', () => {
  it('holds one fresh ES256 key that signs and appears in the JWKS', async () => {
    const keys = await generateKeySet()
    expect(keys.keys).toHaveLength(1)
    expect(keys.signingKey).toBe(keys.keys[0])
    expect(keys.signingKey!.alg).toBe('ES256')
    expect(keys.jwks().keys.map((jwk) => jwk.kid)).toEqual([keys.signingKey!.kid])
  })

  it('passes the algorithm and kid to the key', async () => {
    const keys = await generateKeySet({ alg: 'EdDSA', kid: 'edge' })
    expect(keys.signingKey).toMatchObject({ alg: 'EdDSA', kid: 'edge' })
  })
})
