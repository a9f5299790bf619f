import { generateKeyPairSync } from 'node:crypto'
import { inspect } from 'node:util'
import type { JWK } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, signAccessToken } from '@auth/core'
import type { Algorithm, AuthKey } from './auth-key.js'
import { exportKey } from './export.js'
import { generateKey } from './generate.js'
import { importKey } from './import.js'
import { createKeySet } from './key-set.js'

const ALGS: Algorithm[] = ['ES256', 'EdDSA', 'RS256', 'HS256']
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const
const PUBLIC_MEMBERS_BY_KTY: Record<string, string[]> = {
  EC: ['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use'],
  OKP: ['kty', 'crv', 'x', 'kid', 'alg', 'use'],
  RSA: ['kty', 'n', 'e', 'kid', 'alg', 'use'],
}

const KEYS = {} as Record<Algorithm, AuthKey>
beforeAll(async () => {
  for (const alg of ALGS) KEYS[alg] = await generateKey({ alg })
})

/** Every string of private or secret material a key holds, in the forms it could leak in. */
function materialOf(key: AuthKey): string[] {
  const out: string[] = []
  const jwk = key.privateJwk()
  for (const name of PRIVATE_MEMBERS) if (typeof jwk?.[name] === 'string') out.push(jwk[name] as string)
  const secret = key.secret()
  if (secret) out.push(Buffer.from(secret).toString('base64url'), Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64'))
  out.push(exportKey(key))
  return out
}

describe('createKeySet', () => {
  it('makes the first key the signing key by default', async () => {
    const [a, b] = [await generateKey(), await generateKey({ alg: 'EdDSA' })]
    const keys = createKeySet([a, b])
    expect(keys.signingKey).toBe(a)
    expect(keys.keys).toEqual([a, b])
  })

  it('makes the key named by signingKid the signing key', async () => {
    const [a, b] = [await generateKey(), await generateKey({ alg: 'EdDSA' })]
    expect(createKeySet([a, b], { signingKid: b.kid }).signingKey).toBe(b)
  })

  it('refuses a signingKid that names no key, or a key that cannot sign', async () => {
    const a = await generateKey()
    const publicOnly = await importKey(KEYS.ES256.publicJwk() as JWK)
    expect(() => createKeySet([a], { signingKid: 'nope' })).toThrow(TypeError)
    expect(() => createKeySet([a, publicOnly], { signingKid: publicOnly.kid })).toThrow(TypeError)
  })

  it('refuses two keys with the same kid', async () => {
    const [a, b] = [await generateKey({ kid: 'same' }), await generateKey({ alg: 'EdDSA', kid: 'same' })]
    expect(() => createKeySet([a, b])).toThrow(TypeError)
    expect(() => createKeySet([a, a])).toThrow(TypeError)
  })

  it.each([[[]], [null], [undefined], ['key']])('refuses %j instead of a non-empty array of keys', (value) => {
    expect(() => createKeySet(value as unknown as AuthKey[])).toThrow(TypeError)
  })

  it('has no signing key when the first key is public-only, yet verifies with it', async () => {
    const publicOnly = await importKey(KEYS.ES256.publicJwk() as JWK)
    const other = await generateKey()
    const keys = createKeySet([publicOnly, other])
    expect(keys.signingKey).toBeUndefined()
    expect(keys.get(publicOnly.kid)).toBe(publicOnly)
    await expect(signAccessToken(keys, { issuer: 'i', audience: 'a', sub: 's', sid: 'x' })).rejects.toThrow(TypeError)
    const { token } = await signAccessToken(KEYS.ES256, { issuer: 'https://i', audience: 'https://a', sub: 's', sid: 'x' })
    const { claims } = await createVerifier({ issuer: 'https://i', audience: 'https://a', jwks: keys }).verify(token)
    expect(claims.sub).toBe('s')
  })

  it('finds keys by kid', async () => {
    const keys = createKeySet(ALGS.map((alg) => KEYS[alg]))
    for (const alg of ALGS) expect(keys.get(KEYS[alg].kid)).toBe(KEYS[alg])
    expect(keys.get('unknown')).toBeUndefined()
    expect(keys.get('')).toBeUndefined()
  })

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'prototype'])(
    'resolves the kid %j to no key',
    (kid) => {
      const keys = createKeySet(ALGS.map((alg) => KEYS[alg]))
      expect(keys.get(kid)).toBeUndefined()
    },
  )

  it('resolves "__proto__" and "constructor" when keys really carry those kids', async () => {
    const proto = await generateKey({ kid: '__proto__' })
    const ctor = await generateKey({ kid: 'constructor' })
    const keys = createKeySet([proto, ctor])
    expect(keys.get('__proto__')).toBe(proto)
    expect(keys.get('constructor')).toBe(ctor)
    expect(keys.get('toString')).toBeUndefined()
  })

  it('is frozen: keys cannot be added, replaced or removed afterwards', async () => {
    const input = [KEYS.ES256]
    const keys = createKeySet(input)
    input.push(KEYS.EdDSA)
    expect(keys.keys).toHaveLength(1)
    expect(Object.isFrozen(keys)).toBe(true)
    expect(Object.isFrozen(keys.keys)).toBe(true)
    expect(() => (keys.keys as AuthKey[]).push(KEYS.RS256)).toThrow(TypeError)
    expect(Object.isFrozen(KEYS.ES256)).toBe(true)
  })
})

describe('KeySet.jwks', () => {
  it('lists the asymmetric keys with public members only, plus kid, alg and use "sig"; HS256 keys are left out', () => {
    const keys = createKeySet(ALGS.map((alg) => KEYS[alg]))
    const { keys: jwks } = keys.jwks()
    expect(jwks.map((jwk) => jwk.kid)).toEqual([KEYS.ES256.kid, KEYS.EdDSA.kid, KEYS.RS256.kid])
    for (const jwk of jwks) {
      expect(jwk.use).toBe('sig')
      expect(Object.keys(jwk).sort()).toEqual([...PUBLIC_MEMBERS_BY_KTY[jwk.kty]!].sort())
      for (const name of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(name)
    }
    expect(jwks[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' })
    expect(jwks[1]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' })
    expect(jwks[2]).toMatchObject({ kty: 'RSA', e: 'AQAB', alg: 'RS256' })
  })

  it('serializes to JSON without any private or secret material', () => {
    const keys = createKeySet(ALGS.map((alg) => KEYS[alg]))
    const json = JSON.stringify(keys.jwks())
    for (const alg of ALGS) for (const value of materialOf(KEYS[alg])) expect(json).not.toContain(value)
    expect(json).not.toMatch(/"(d|p|q|dp|dq|qi|k)":/)
  })

  it('is empty for a set of HS256 keys', async () => {
    expect(createKeySet([KEYS.HS256, await generateKey({ alg: 'HS256' })]).jwks()).toEqual({ keys: [] })
  })

  it('leaves out the private members of an imported JWK that carries extra fields', async () => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as JWK
    const key = await importKey({ ...jwk, ext: true, x5t: 'thumb', custom: 'x' } as JWK)
    const [published] = createKeySet([key]).jwks().keys
    expect(Object.keys(published!).sort()).toEqual(PUBLIC_MEMBERS_BY_KTY.RSA!.slice().sort())
  })

  it('returns copies: changing a returned JWKS does not change the next one', () => {
    const keys = createKeySet([KEYS.ES256])
    const first = keys.jwks()
    first.keys[0]!.x = 'tampered'
    first.keys.push({ ...first.keys[0]! })
    expect(keys.jwks().keys).toHaveLength(1)
    expect(keys.jwks().keys[0]!.x).not.toBe('tampered')
  })
})

describe('AuthKey never shows key material', () => {
  it.each(ALGS)('JSON.stringify of a %s key shows only kid, alg and canSign', (alg) => {
    const key = KEYS[alg]
    expect(JSON.parse(JSON.stringify(key))).toEqual({ kid: key.kid, alg, canSign: true })
  })

  it.each(ALGS)('no string form of a %s key, its key set or its publicJwk contains private material', (alg) => {
    const key = KEYS[alg]
    const set = createKeySet([key])
    const forms = [
      JSON.stringify(key),
      JSON.stringify(set),
      JSON.stringify({ nested: [key] }),
      JSON.stringify(key.publicJwk() ?? {}),
      String(key),
      `${key}`,
      inspect(key),
      inspect(key, { showHidden: true, depth: Infinity, getters: true }),
      inspect(set, { showHidden: true, depth: Infinity, getters: true }),
      JSON.stringify(Object.entries(key)),
      JSON.stringify(structuredClone({ ...key })),
    ]
    const material = materialOf(key)
    expect(material.length).toBeGreaterThan(1)
    for (const form of forms) for (const value of material) expect(form).not.toContain(value)
  })

  it.each(ALGS)('a %s key has no own enumerable property besides kid, alg, canSign and signatureLength', (alg) => {
    expect(Object.keys(KEYS[alg]).sort()).toEqual(['alg', 'canSign', 'kid', 'signatureLength'])
  })
})
