import { compactVerify, importJWK } from 'jose'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createVerifier } from '@auth/core'
import { createVerifier as createNodeVerifier } from '@auth/core/node'
import type { Algorithm, AuthKey, PublicJWK } from '../key/auth-key.js'
import { generateKey } from '../key/generate.js'
import { importKey } from '../key/import.js'
import { createKeySet, type KeySet } from '../key/key-set.js'
import { isCanonicalBase64url } from '../lib/base64url.js'
import { RESERVED_CLAIMS } from './claims.js'
import { DEFAULT_ACCESS_TOKEN_TTL_MS, signAccessToken, type SignAccessTokenOptions } from './sign.js'

const ISSUER = 'https://auth.example.com'
const AUDIENCE = 'https://api.example.com'
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0, 0) // 1736942400 s
const NOW_S = NOW / 1000
const clock = () => NOW
const ALGS: Algorithm[] = ['ES256', 'EdDSA', 'RS256', 'HS256']

const BASE: SignAccessTokenOptions = { issuer: ISSUER, audience: AUDIENCE, sub: 'user-1', sid: 'session-1', clock }

const KEYS = {} as Record<Algorithm, AuthKey>
const SETS = {} as Record<Algorithm, KeySet>
beforeAll(async () => {
  for (const alg of ALGS) {
    KEYS[alg] = await generateKey({ alg })
    SETS[alg] = createKeySet([KEYS[alg]])
  }
})

afterEach(() => {
  vi.restoreAllMocks()
})

function decodeSegment(segment: string): Record<string, unknown> {
  expect(isCanonicalBase64url(segment, 0, segment.length)).toBe(true)
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>
}
function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: Buffer } {
  const parts = token.split('.')
  expect(parts).toHaveLength(3)
  return { header: decodeSegment(parts[0]!), payload: decodeSegment(parts[1]!), signature: Buffer.from(parts[2]!, 'base64url') }
}

/** Verifies with jose directly, independently of the SDK's own verifier. */
async function joseVerify(token: string, key: AuthKey): Promise<Record<string, unknown>> {
  const material = key.secret() ?? (await importJWK({ ...(key.publicJwk() as PublicJWK), use: undefined }, key.alg))
  const { payload } = await compactVerify(token, material, { algorithms: [key.alg] })
  return JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
}

describe('signAccessToken: the token', () => {
  it.each(ALGS)('has exactly the header {alg, kid, typ: "at+jwt"} for a %s key', async (alg) => {
    const { token } = await signAccessToken(SETS[alg], BASE)
    const { header, signature } = decode(token)
    expect(header).toEqual({ alg, kid: KEYS[alg].kid, typ: 'at+jwt' })
    expect(Object.keys(header).sort()).toEqual(['alg', 'kid', 'typ'])
    expect(signature).toHaveLength(KEYS[alg].signatureLength)
  })

  it.each(ALGS)('carries iss, aud, sub, sid, jti, iat, exp and ver with the right types (%s)', async (alg) => {
    const { token, claims, expiresAt } = await signAccessToken(SETS[alg], BASE)
    const { payload } = decode(token)
    expect(payload).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'user-1',
      sid: 'session-1',
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      iat: NOW_S,
      exp: NOW_S + 900,
      ver: 0,
    })
    expect(Number.isInteger(payload.iat)).toBe(true)
    expect(Number.isInteger(payload.exp)).toBe(true)
    expect(payload).not.toHaveProperty('nbf')
    expect(claims).toEqual(payload)
    expect(expiresAt).toBe((NOW_S + 900) * 1000)
  })

  it.each(ALGS)('is verified by jose and by both SDK verifiers (%s)', async (alg) => {
    const { token } = await signAccessToken(SETS[alg], { ...BASE, clock: Date.now })
    expect((await joseVerify(token, KEYS[alg])).sub).toBe('user-1')
    for (const create of [createVerifier, createNodeVerifier]) {
      const { claims, header } = await create({ issuer: ISSUER, audience: AUDIENCE, jwks: SETS[alg] }).verify(token)
      expect(claims.sub).toBe('user-1')
      expect(header).toEqual({ alg, kid: KEYS[alg].kid, typ: 'at+jwt' })
    }
  })

  it('accepts the signing key itself instead of a key set', async () => {
    const { token } = await signAccessToken(KEYS.EdDSA, BASE)
    expect(decode(token).header.kid).toBe(KEYS.EdDSA.kid)
    expect((await joseVerify(token, KEYS.EdDSA)).sid).toBe('session-1')
  })

  it('defaults the lifetime to 900 seconds (DEFAULT_ACCESS_TOKEN_TTL_MS)', async () => {
    expect(DEFAULT_ACCESS_TOKEN_TTL_MS).toBe(900_000)
    const { claims } = await signAccessToken(SETS.ES256, BASE)
    expect(claims.exp - claims.iat).toBe(900)
  })

  it.each([[1], [60], [3600], [86_400]])('uses a custom ttlMs of %i seconds', async (ttl) => {
    const { claims, expiresAt } = await signAccessToken(SETS.ES256, { ...BASE, ttlMs: ttl * 1000 })
    expect(claims.iat).toBe(NOW_S)
    expect(claims.exp).toBe(NOW_S + ttl)
    expect(expiresAt).toBe((NOW_S + ttl) * 1000)
  })

  it('takes iat from the clock in whole seconds, rounding down', async () => {
    const { claims } = await signAccessToken(SETS.ES256, { ...BASE, clock: () => NOW + 999 })
    expect(claims.iat).toBe(NOW_S)
    expect(claims.exp).toBe(NOW_S + 900)
  })

  it('reads the real clock when none is given', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW + 42_000)
    const { claims } = await signAccessToken(SETS.ES256, { ...BASE, clock: undefined })
    expect(claims.iat).toBe(NOW_S + 42)
  })

  it.each([[0], [-1], [999], [-900_000], [Number.NaN], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY]])(
    'refuses the ttlMs %s',
    async (ttlMs) => {
      await expect(signAccessToken(SETS.ES256, { ...BASE, ttlMs })).rejects.toThrow(TypeError)
    },
  )

  it('carries an array audience and a custom ver', async () => {
    const audience = [AUDIENCE, 'https://other.example.com']
    const { token } = await signAccessToken(SETS.ES256, { ...BASE, audience, ver: 7 })
    const { payload } = decode(token)
    expect(payload.aud).toEqual(audience)
    expect(payload.ver).toBe(7)
  })

  it('uses an explicit jti', async () => {
    const { token } = await signAccessToken(SETS.ES256, { ...BASE, jti: 'token-42' })
    expect(decode(token).payload.jti).toBe('token-42')
  })
})

describe('signAccessToken: jti', () => {
  it('is 128 bits from crypto.getRandomValues, as 22 base64url characters', async () => {
    const random = new Uint8Array(16).map((_, i) => i * 17 + 3)
    const spy = vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      ;(array as unknown as Uint8Array).set(random.subarray(0, (array as unknown as Uint8Array).length))
      return array
    })
    const { claims } = await signAccessToken(SETS.HS256, BASE)
    expect(spy).toHaveBeenCalledWith(expect.any(Uint8Array))
    expect((spy.mock.calls[0]![0] as unknown as Uint8Array).length).toBe(16)
    expect(claims.jti).toBe(Buffer.from(random).toString('base64url'))
    expect(Buffer.from(claims.jti, 'base64url')).toHaveLength(16)
  })

  it('is unique across 2000 tokens and uses every base64url character position', async () => {
    const seen = new Set<string>()
    const firstChars = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      const { claims } = await signAccessToken(SETS.HS256, BASE)
      expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/)
      expect(isCanonicalBase64url(claims.jti, 0, 22)).toBe(true)
      seen.add(claims.jti)
      firstChars.add(claims.jti[0]!)
    }
    expect(seen.size).toBe(2000)
    expect(firstChars.size).toBeGreaterThan(50) // 64 possible; a constant or narrow prefix would fail
  })
})

describe('signAccessToken: claims', () => {
  it('passes application claims through, into the token and the returned claims', async () => {
    const claims = { role: 'admin', scopes: ['read', 'write'], org: { id: 7, name: 'Acme' }, flag: false, n: null }
    const result = await signAccessToken(SETS.ES256, { ...BASE, claims })
    const { payload } = decode(result.token)
    expect(payload).toMatchObject(claims)
    expect(result.claims).toMatchObject(claims)
    expect(result.claims.sub).toBe('user-1')
  })

  it('application claims survive verification', async () => {
    const { token } = await signAccessToken(SETS.ES256, { ...BASE, clock: Date.now, claims: { role: 'admin', tenant: 't1' } })
    const { claims } = await createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: SETS.ES256 }).verify<{ role: string; tenant: string }>(token)
    expect(claims.role).toBe('admin')
    expect(claims.tenant).toBe('t1')
  })

  it('reserves exactly iss, aud, sub, sid, jti, iat, exp, nbf and ver', () => {
    expect([...RESERVED_CLAIMS].sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'sid', 'sub', 'ver'])
  })

  it.each(['iss', 'aud', 'sub', 'sid', 'jti', 'iat', 'exp', 'nbf', 'ver'])(
    'refuses the reserved claim %j among application claims, naming it',
    async (name) => {
      const attempt = signAccessToken(SETS.ES256, { ...BASE, claims: { role: 'admin', [name]: 'forged' } })
      await expect(attempt).rejects.toThrow(TypeError)
      await expect(attempt).rejects.toThrow(`"${name}"`)
    },
  )

  it('accepts claim names that merely resemble reserved ones', async () => {
    const claims = { ISS: 'x', Sub: 'y', exp_hint: 1, version: 2, typ: 'z' }
    const { token } = await signAccessToken(SETS.ES256, { ...BASE, claims })
    expect(decode(token).payload).toMatchObject({ ...claims, iss: ISSUER, sub: 'user-1' })
  })
})

describe('signAccessToken: keys', () => {
  it('refuses a key set without a signing key', async () => {
    const publicOnly = await importKey(KEYS.ES256.publicJwk()!)
    await expect(signAccessToken(createKeySet([publicOnly]), BASE)).rejects.toThrow(TypeError)
    await expect(signAccessToken(createKeySet([publicOnly, KEYS.EdDSA]), BASE)).rejects.toThrow(TypeError)
  })

  it('refuses a public-only key given directly', async () => {
    const publicOnly = await importKey(KEYS.RS256.publicJwk()!)
    await expect(signAccessToken(publicOnly, BASE)).rejects.toThrow(TypeError)
  })

  it('signs with the key signingKid names', async () => {
    const keys = createKeySet([KEYS.ES256, KEYS.EdDSA], { signingKid: KEYS.EdDSA.kid })
    const { token } = await signAccessToken(keys, BASE)
    expect(decode(token).header).toMatchObject({ alg: 'EdDSA', kid: KEYS.EdDSA.kid })
  })

  it('rotates keys: [newKey, oldKey] signs with newKey, and a verifier over the set accepts tokens of both', async () => {
    const oldKey = await generateKey()
    const newKey = await generateKey({ alg: 'EdDSA' })
    const before = createKeySet([oldKey])
    const { token: oldToken } = await signAccessToken(before, { ...BASE, clock: Date.now, sub: 'old' })
    expect(decode(oldToken).header.kid).toBe(oldKey.kid)

    const rotated = createKeySet([newKey, oldKey])
    expect(rotated.signingKey).toBe(newKey)
    const { token: newToken } = await signAccessToken(rotated, { ...BASE, clock: Date.now, sub: 'new' })
    expect(decode(newToken).header).toMatchObject({ alg: 'EdDSA', kid: newKey.kid })

    for (const jwks of [rotated, rotated.jwks()]) {
      for (const create of [createVerifier, createNodeVerifier]) {
        const verifier = create({ issuer: ISSUER, audience: AUDIENCE, jwks })
        expect((await verifier.verify(oldToken)).claims.sub).toBe('old')
        expect((await verifier.verify(newToken)).claims.sub).toBe('new')
      }
    }
    // A verifier that only knows the old key rejects the new key's tokens.
    await expect(createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: before }).verify(newToken)).rejects.toMatchObject({
      code: 'token_invalid',
    })
  })
})
