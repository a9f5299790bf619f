import { createHmac, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { createVerifier, signAccessToken } from '@auth/core'
import type { Algorithm } from './auth-key.js'
import { importHmacSecret, importKey } from './import.js'
import { createKeySet } from './key-set.js'

// ---------------------------------------------------------------------------------------------
// Inputs made with real crypto
// ---------------------------------------------------------------------------------------------

type Kind = 'P-256' | 'Ed25519' | 'RSA'

function pairOf(kind: Kind | 'P-384' | 'RSA-1024' | 'X25519'): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (kind) {
    case 'P-256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    case 'P-384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' })
    case 'Ed25519':
      return generateKeyPairSync('ed25519')
    case 'X25519':
      return generateKeyPairSync('x25519')
    case 'RSA':
      return generateKeyPairSync('rsa', { modulusLength: 2048 })
    case 'RSA-1024':
      return generateKeyPairSync('rsa', { modulusLength: 1024 })
  }
}

// One pair of each kind, reused: RSA generation is slow.
const PAIRS: Record<Kind, { privateKey: KeyObject; publicKey: KeyObject }> = {
  'P-256': pairOf('P-256'),
  Ed25519: pairOf('Ed25519'),
  RSA: pairOf('RSA'),
}

const privateJwkOf = (kind: Kind): JWK => PAIRS[kind].privateKey.export({ format: 'jwk' }) as JWK
const publicJwkOf = (kind: Kind): JWK => PAIRS[kind].publicKey.export({ format: 'jwk' }) as JWK
const pkcs8Of = (kind: Kind): string => PAIRS[kind].privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
const spkiOf = (kind: Kind): string => PAIRS[kind].publicKey.export({ type: 'spki', format: 'pem' }) as string

const ALG_OF: Record<Kind, Algorithm> = { 'P-256': 'ES256', Ed25519: 'EdDSA', RSA: 'RS256' }
const KINDS: Kind[] = ['P-256', 'Ed25519', 'RSA']

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const

function publicMembersOf(jwk: JWK): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of PUBLIC_MEMBERS) if (typeof jwk[name] === 'string') out[name] = jwk[name] as string
  return out
}

const randomSecret = (bytes = 32) => new Uint8Array(randomBytes(bytes))
const octJwk = (secret: Uint8Array, extra: Partial<JWK> = {}): JWK => ({
  kty: 'oct',
  k: Buffer.from(secret).toString('base64url'),
  ...extra,
})
const randomHex = (chars: number) => randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars)

/** Awaits a refusal and returns it; fails unless it is a TypeError. */
async function refusal(attempt: Promise<unknown>): Promise<TypeError> {
  let result: unknown
  try {
    result = await attempt
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
    return error as TypeError
  }
  throw new Error(`expected a TypeError, but the import succeeded: ${JSON.stringify(result)}`)
}

/** Asserts that no private or secret member of `jwk` (nor `extra`) appears in the error's message or stack. */
function expectNoKeyMaterial(error: Error, jwk: JWK | undefined, ...extra: string[]): void {
  const material = [...PRIVATE_MEMBERS.map((name) => jwk?.[name]).filter((v): v is string => typeof v === 'string'), ...extra]
  for (const value of material) {
    expect(value.length).toBeGreaterThan(0)
    expect(error.message).not.toContain(value)
    expect(String(error.stack)).not.toContain(value)
  }
}

/** The base64 body of a PEM, which must never be echoed. */
const pemBody = (pem: string) => pem.split('\n').filter((line) => line.length > 0 && !line.startsWith('-----')).join('')

// ---------------------------------------------------------------------------------------------
// importKey: accepted inputs
// ---------------------------------------------------------------------------------------------

describe('importKey: JWK objects', () => {
  it.each(KINDS)('imports a private %s JWK: algorithm inferred, can sign, kid = RFC 7638 thumbprint', async (kind) => {
    const jwk = privateJwkOf(kind)
    const key = await importKey(jwk)
    expect(key.alg).toBe(ALG_OF[kind])
    expect(key.canSign).toBe(true)
    expect(key.kid).toBe(await calculateJwkThumbprint(jwk))
    expect(key.publicJwk()).toEqual({ ...publicMembersOf(jwk), kid: key.kid, alg: ALG_OF[kind], use: 'sig' })
  })

  it.each(KINDS)('imports a public %s JWK as a key that cannot sign', async (kind) => {
    const jwk = publicJwkOf(kind)
    const key = await importKey(jwk)
    expect(key.alg).toBe(ALG_OF[kind])
    expect(key.canSign).toBe(false)
    expect(key.privateJwk()).toBeUndefined()
    expect(key.kid).toBe(await calculateJwkThumbprint(jwk))
    expect(createKeySet([key]).signingKey).toBeUndefined()
    await expect(signAccessToken(key, { issuer: 'i', audience: 'a', sub: 's', sid: 'x' })).rejects.toThrow(TypeError)
  })

  it('gives a private JWK and its public JWK the same kid', async () => {
    for (const kind of KINDS) {
      expect((await importKey(privateJwkOf(kind))).kid).toBe((await importKey(publicJwkOf(kind))).kid)
    }
  })

  it('keeps the kid and alg the JWK carries', async () => {
    const key = await importKey({ ...privateJwkOf('P-256'), kid: 'from-jwk', alg: 'ES256' })
    expect(key.kid).toBe('from-jwk')
    expect(key.publicJwk()!.kid).toBe('from-jwk')
  })

  it('takes the kid from the options when the JWK has none', async () => {
    const key = await importKey(privateJwkOf('Ed25519'), { kid: 'from-options' })
    expect(key.kid).toBe('from-options')
  })

  it('refuses options.kid that differs from the JWK kid', async () => {
    await refusal(importKey({ ...privateJwkOf('P-256'), kid: 'a' }, { kid: 'b' }))
  })

  it.each([
    ['use "sig"', { use: 'sig' }],
    ['key_ops ["verify"]', { key_ops: ['verify'] }],
    ['key_ops ["sign", "verify"]', { key_ops: ['sign', 'verify'] }],
  ])('accepts a JWK with %s', async (_name, extra) => {
    const key = await importKey({ ...privateJwkOf('P-256'), ...extra } as JWK)
    expect(key.canSign).toBe(true)
    expect(key.privateJwk()!.key_ops).toBeUndefined()
    expect(key.privateJwk()!.use).toBe('sig')
  })

  it('imports a strong oct JWK as an HS256 key', async () => {
    const secret = randomSecret()
    const key = await importKey(octJwk(secret))
    expect(key.alg).toBe('HS256')
    expect(key.canSign).toBe(true)
    expect(key.symmetric).toBe(true)
    expect(Buffer.from(key.secret()!).equals(Buffer.from(secret))).toBe(true)
    expect(key.kid).toBe((await importHmacSecret(secret)).kid)
  })

  it('keeps the kid of an oct JWK', async () => {
    expect((await importKey(octJwk(randomSecret(), { kid: 'hmac-1', alg: 'HS256', use: 'sig' }))).kid).toBe('hmac-1')
  })

  it('copies the JWK: mutating the returned private JWK does not change the key', async () => {
    const key = await importKey(privateJwkOf('P-256'))
    const copy = key.privateJwk()!
    copy.d = 'AAAA'
    expect(key.privateJwk()!.d).not.toBe('AAAA')
  })
})

describe('importKey: PEM', () => {
  it.each(KINDS)('imports a PKCS#8 %s private key, inferring the algorithm', async (kind) => {
    const key = await importKey(pkcs8Of(kind))
    expect(key.alg).toBe(ALG_OF[kind])
    expect(key.canSign).toBe(true)
    expect(key.kid).toBe(await calculateJwkThumbprint(publicJwkOf(kind)))
    expect(key.publicJwk()).toEqual({ ...publicMembersOf(publicJwkOf(kind)), kid: key.kid, alg: ALG_OF[kind], use: 'sig' })
  })

  it.each(KINDS)('imports an SPKI %s public key as a key that cannot sign', async (kind) => {
    const key = await importKey(spkiOf(kind))
    expect(key.alg).toBe(ALG_OF[kind])
    expect(key.canSign).toBe(false)
    expect(key.kid).toBe((await importKey(pkcs8Of(kind))).kid)
  })

  it.each(KINDS)('imports a %s PKCS#8 PEM with the matching explicit alg and kid', async (kind) => {
    const key = await importKey(pkcs8Of(kind), { alg: ALG_OF[kind], kid: 'pem-key' })
    expect(key).toMatchObject({ alg: ALG_OF[kind], kid: 'pem-key', canSign: true })
  })

  it('accepts a PEM surrounded by whitespace', async () => {
    const key = await importKey(`\n  ${pkcs8Of('P-256')}\n\n`)
    expect(key.alg).toBe('ES256')
  })

  it('signs with a PEM-imported private key, and the SPKI public key verifies the token', async () => {
    const signer = await importKey(pkcs8Of('Ed25519'))
    const verifierKey = await importKey(spkiOf('Ed25519'))
    const { token } = await signAccessToken(signer, { issuer: 'https://i', audience: 'https://a', sub: 'u', sid: 's' })
    const { claims } = await createVerifier({ issuer: 'https://i', audience: 'https://a', jwks: createKeySet([verifierKey]) }).verify(token)
    expect(claims.sub).toBe('u')
  })
})

describe('importKey: strings', () => {
  it.each(KINDS)('imports a %s JWK given as a JSON string', async (kind) => {
    const jwk = privateJwkOf(kind)
    const key = await importKey(JSON.stringify(jwk))
    expect(key.alg).toBe(ALG_OF[kind])
    expect(key.canSign).toBe(true)
    expect(key.kid).toBe((await importKey(jwk)).kid)
  })

  it('imports a JWK JSON string surrounded by whitespace', async () => {
    const key = await importKey(`  ${JSON.stringify(publicJwkOf('P-256'))}\n`)
    expect(key.canSign).toBe(false)
  })

  it.each(KINDS)('imports a %s JWK given as base64url JSON and as padded standard base64 JSON', async (kind) => {
    const json = JSON.stringify({ ...privateJwkOf(kind), kid: 'env' })
    const url = Buffer.from(json).toString('base64url')
    const std = Buffer.from(json).toString('base64')
    expect(std.endsWith('=') || /[+/]/.test(std) || std === url).toBe(true)
    for (const text of [url, std]) {
      const key = await importKey(text)
      expect(key).toMatchObject({ kid: 'env', alg: ALG_OF[kind], canSign: true })
    }
  })
})

// ---------------------------------------------------------------------------------------------
// importKey: refusals
// ---------------------------------------------------------------------------------------------

describe('importKey: refusals', () => {
  it.each(KINDS)('refuses a private %s JWK whose use is "enc", without echoing the key', async (kind) => {
    const jwk = { ...privateJwkOf(kind), use: 'enc' }
    const error = await refusal(importKey(jwk))
    expect(error.message).toContain('enc')
    expectNoKeyMaterial(error, jwk)
  })

  it('refuses an oct JWK whose use is "enc", without echoing the secret', async () => {
    const jwk = octJwk(randomSecret(), { use: 'enc' })
    expectNoKeyMaterial(await refusal(importKey(jwk)), jwk)
  })

  it.each([
    ['["sign"]', ['sign']],
    ['["encrypt"]', ['encrypt']],
    ['["sign", "decrypt"]', ['sign', 'decrypt']],
    ['[]', []],
    ['"verify" (not an array)', 'verify'],
  ])('refuses a JWK whose key_ops is %s', async (_name, keyOps) => {
    for (const jwk of [{ ...privateJwkOf('P-256'), key_ops: keyOps }, octJwk(randomSecret(), { key_ops: keyOps as string[] })]) {
      const error = await refusal(importKey(jwk as JWK))
      expectNoKeyMaterial(error, jwk as JWK)
    }
  })

  it.each<[string, () => JWK, Algorithm]>([
    ['an ES256 JWK imported as EdDSA', () => ({ ...privateJwkOf('P-256'), alg: 'ES256' }), 'EdDSA'],
    ['an ES256 JWK imported as RS256', () => ({ ...privateJwkOf('P-256'), alg: 'ES256' }), 'RS256'],
    ['an RS256 JWK imported as ES256', () => ({ ...privateJwkOf('RSA'), alg: 'RS256' }), 'ES256'],
    ['an EdDSA JWK imported as HS256', () => ({ ...privateJwkOf('Ed25519'), alg: 'EdDSA' }), 'HS256'],
    ['an HS256 JWK imported as ES256', () => octJwk(randomSecret(), { alg: 'HS256' }), 'ES256'],
    ['a P-256 JWK without alg imported as RS256', () => privateJwkOf('P-256'), 'RS256'],
    ['an RSA JWK without alg imported as EdDSA', () => privateJwkOf('RSA'), 'EdDSA'],
    ['an Ed25519 JWK without alg imported as ES256', () => privateJwkOf('Ed25519'), 'ES256'],
    ['an oct JWK without alg imported as ES256', () => octJwk(randomSecret()), 'ES256'],
  ])('refuses %s: a key has exactly one algorithm', async (_name, make, alg) => {
    const jwk = make()
    expectNoKeyMaterial(await refusal(importKey(jwk, { alg })), jwk)
  })

  it.each<[string, () => JWK, Algorithm | undefined]>([
    ['a P-384 JWK with alg ES384', () => ({ ...(pairOf('P-384').privateKey.export({ format: 'jwk' }) as JWK), alg: 'ES384' }), undefined],
    ['an RSA JWK with alg PS256', () => ({ ...privateJwkOf('RSA'), alg: 'PS256' }), undefined],
    ['an RSA JWK with alg RS512', () => ({ ...privateJwkOf('RSA'), alg: 'RS512' }), undefined],
    ['a P-256 JWK with alg "none"', () => ({ ...privateJwkOf('P-256'), alg: 'none' }), undefined],
    ['an oct JWK with alg HS512', () => octJwk(randomSecret(), { alg: 'HS512' }), undefined],
    ['a P-256 JWK imported with options.alg "none"', () => privateJwkOf('P-256'), 'none' as Algorithm],
    ['an RSA JWK imported with options.alg PS256', () => privateJwkOf('RSA'), 'PS256' as Algorithm],
    ['a P-384 JWK imported with options.alg ES384', () => pairOf('P-384').privateKey.export({ format: 'jwk' }) as JWK, 'ES384' as Algorithm],
  ])('refuses %s: unsupported algorithm', async (_name, make, alg) => {
    const jwk = make()
    const error = await refusal(importKey(jwk, alg === undefined ? {} : { alg }))
    expectNoKeyMaterial(error, jwk)
  })

  it.each<[string, () => JWK]>([
    ['an EC P-384 JWK', () => pairOf('P-384').privateKey.export({ format: 'jwk' }) as JWK],
    ['an EC P-521 JWK', () => generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({ format: 'jwk' }) as JWK],
    ['an EC secp256k1 JWK', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ format: 'jwk' }) as JWK],
    ['an OKP X25519 JWK', () => pairOf('X25519').privateKey.export({ format: 'jwk' }) as JWK],
    ['an OKP Ed448 JWK', () => generateKeyPairSync('ed448').privateKey.export({ format: 'jwk' }) as JWK],
    ['an RSA 1024-bit JWK', () => pairOf('RSA-1024').privateKey.export({ format: 'jwk' }) as JWK],
    ['an RSA 1024-bit public JWK', () => pairOf('RSA-1024').publicKey.export({ format: 'jwk' }) as JWK],
    ['a JWK of unknown kty', () => ({ kty: 'XYZ', x: 'AAAA' })],
    ['a JWK without kty', () => ({ x: 'AAAA' })],
  ])('refuses %s', async (_name, make) => {
    const jwk = make()
    expectNoKeyMaterial(await refusal(importKey(jwk)), jwk)
  })

  it('refuses an RSA JWK whose 1024-bit modulus is padded with leading zero bytes to look like 2048 bits', async () => {
    // RFC 7518 §6.3.1.1: "n" uses the minimum number of octets. Padding a 1024-bit modulus with
    // 128 zero bytes gives a 342-character "n", the length of a real 2048-bit one.
    const jwk = pairOf('RSA-1024').publicKey.export({ format: 'jwk' }) as JWK
    const n = Buffer.concat([Buffer.alloc(128), Buffer.from(jwk.n!, 'base64url')]).toString('base64url')
    expect(n.length).toBe(342)
    await refusal(importKey({ ...jwk, n }))
  })

  it('refuses an RSA key with a 2047-bit modulus (the minimum is 2048 bits, not 256 bytes)', async () => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2047 }).privateKey.export({ format: 'jwk' }) as JWK
    expect(Buffer.from(jwk.n!, 'base64url')).toHaveLength(256) // same byte length as 2048 bits
    expectNoKeyMaterial(await refusal(importKey(jwk)), jwk)
  })

  it('refuses an EC JWK whose point is not on the curve', async () => {
    const jwk = privateJwkOf('P-256')
    const x = Buffer.from(jwk.x!, 'base64url')
    x[31] = x[31]! ^ 1
    const bad = { ...jwk, x: x.toString('base64url') }
    expectNoKeyMaterial(await refusal(importKey(bad)), bad)
    await refusal(importKey(publicMembersOf(bad) as JWK))
  })

  it.each(['P-256', 'Ed25519'] as const)('refuses a %s JWK whose private part belongs to another key', async (kind) => {
    const jwk = privateJwkOf(kind)
    const other = pairOf(kind).privateKey.export({ format: 'jwk' }) as JWK
    const mixed = { ...jwk, d: other.d }
    expectNoKeyMaterial(await refusal(importKey(mixed)), mixed)
  })

  it.each<[string, () => string]>([
    ['an RSA PKCS#1 "RSA PRIVATE KEY" PEM', () => PAIRS.RSA.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string],
    ['an EC SEC1 "EC PRIVATE KEY" PEM', () => PAIRS['P-256'].privateKey.export({ type: 'sec1', format: 'pem' }) as string],
  ])('refuses %s with a message that points to PKCS#8', async (_name, make) => {
    const pem = make()
    const error = await refusal(importKey(pem))
    expect(error.message).toContain('PKCS#8')
    expect(error.message).toContain('openssl pkcs8')
    expectNoKeyMaterial(error, undefined, pemBody(pem), pemBody(pem).slice(0, 40), pemBody(pem).slice(-40, -4))
  })

  it.each<[string, () => string]>([
    ['a PKCS#8 P-384 key', () => pairOf('P-384').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    ['an SPKI P-384 key', () => pairOf('P-384').publicKey.export({ type: 'spki', format: 'pem' }) as string],
    ['a PKCS#8 X25519 key', () => pairOf('X25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    ['a PKCS#8 RSA 1024-bit key', () => pairOf('RSA-1024').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    ['an SPKI RSA 1024-bit key', () => pairOf('RSA-1024').publicKey.export({ type: 'spki', format: 'pem' }) as string],
    ['a PKCS#1 RSA public key', () => PAIRS.RSA.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string],
    ['an encrypted PKCS#8 key', () =>
      PAIRS['P-256'].privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string],
    ['a PEM with a garbage body', () => '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n'],
    ['a PEM without a label', () => '-----BEGIN'],
  ])('refuses %s PEM', async (_name, make) => {
    const pem = make()
    const error = await refusal(importKey(pem))
    const body = pemBody(pem)
    if (body.length > 40) expectNoKeyMaterial(error, undefined, body, body.slice(0, 40), body.slice(-40, -4))
  })

  it.each<[string, string, Algorithm]>([
    ['a P-256 PKCS#8 PEM as RS256', 'P-256', 'RS256'],
    ['a P-256 PKCS#8 PEM as EdDSA', 'P-256', 'EdDSA'],
    ['an Ed25519 PKCS#8 PEM as ES256', 'Ed25519', 'ES256'],
    ['an RSA PKCS#8 PEM as ES256', 'RSA', 'ES256'],
    ['an RSA PKCS#8 PEM as HS256', 'RSA', 'HS256'],
  ])('refuses %s', async (_name, kind, alg) => {
    const pem = pkcs8Of(kind as Kind)
    const body = pemBody(pem)
    expectNoKeyMaterial(await refusal(importKey(pem, { alg })), undefined, body.slice(0, 40), body.slice(-40, -4))
  })

  it.each([
    [''],
    ['   '],
    ['hello'],
    ['not a key'],
    ['{'],
    ['{"kty":'],
    ['[]'],
    ['null'],
    ['42'],
    ['true'],
    ['"a string"'],
    ['ключ'],
    ['\u0000\u0001'],
    ['%%%%'],
    [Buffer.from('[1,2,3]').toString('base64url')],
    [Buffer.from('"just a string"').toString('base64url')],
    [Buffer.from('null').toString('base64url')],
    [Buffer.from('not json at all').toString('base64url')],
  ])('refuses the garbage string %j', async (text) => {
    await refusal(importKey(text))
  })

  it.each([[null], [undefined], [[]], [[{ kty: 'EC' }]], [42], [true], [Symbol('key')]])(
    'refuses the non-JWK value %s',
    async (value) => {
      await refusal(importKey(value as unknown as JWK))
    },
  )

  const KID_BASES: [string, () => JWK][] = [
    ['a private P-256 JWK', () => privateJwkOf('P-256')],
    ['a public RSA JWK', () => publicJwkOf('RSA')],
    ['an oct JWK', () => octJwk(randomSecret())],
  ]
  const KID_CASES: [string, (jwk: JWK) => [JWK, { kid?: string }]][] = [
    ['a JWK kid of 257 characters', (jwk) => [{ ...jwk, kid: 'k'.repeat(257) }, {}]],
    ['an options.kid of 257 characters', (jwk) => [jwk, { kid: 'k'.repeat(257) }]],
    ['an empty JWK kid', (jwk) => [{ ...jwk, kid: '' }, {}]],
    ['an empty options.kid', (jwk) => [jwk, { kid: '' }]],
    ['a numeric JWK kid', (jwk) => [{ ...jwk, kid: 42 as unknown as string }, {}]],
  ]
  it.each(KID_BASES.flatMap(([base, make]) => KID_CASES.map(([kid, mangle]) => [base, kid, make, mangle] as const)))(
    'refuses %s with %s',
    async (_base, _kid, make, mangle) => {
      const [jwk, options] = mangle(make())
      expectNoKeyMaterial(await refusal(importKey(jwk, options)), jwk)
    },
  )

  it('accepts a kid of exactly 256 characters', async () => {
    expect((await importKey({ ...privateJwkOf('P-256'), kid: 'k'.repeat(256) })).kid).toHaveLength(256)
    expect((await importKey(octJwk(randomSecret()), { kid: 'k'.repeat(256) })).kid).toHaveLength(256)
  })

  it.each<[string, Uint8Array]>([
    ['"a" repeated 64 times', new TextEncoder().encode('a'.repeat(64))],
    ['"password" repeated 4 times', new TextEncoder().encode('password'.repeat(4))],
    ['32 zero bytes', new Uint8Array(32)],
    ['16 random bytes', new Uint8Array(randomBytes(16))],
    ['31 random bytes', new Uint8Array(randomBytes(31))],
    ['no bytes', new Uint8Array(0)],
  ])('refuses an oct JWK whose secret is %s, without echoing it', async (_name, secret) => {
    const jwk = octJwk(secret, { kid: 'weak' })
    const error = await refusal(importKey(jwk))
    expect(error.message).toMatch(/HS256 secret refused/)
    if (jwk.k!.length > 0) expectNoKeyMaterial(error, jwk, Buffer.from(secret).toString('latin1'))
  })

  it.each([
    ['contains "+" and "/"', (k: string) => `${k.slice(0, 40)}+/${k.slice(42)}`],
    ['is padded', (k: string) => `${k}=`],
    ['contains whitespace', (k: string) => `${k.slice(0, 20)} ${k.slice(20)}`],
  ])('refuses an oct JWK whose "k" %s', async (_name, mangle) => {
    const jwk = octJwk(randomSecret())
    const bad = { ...jwk, k: mangle(jwk.k!) }
    expectNoKeyMaterial(await refusal(importKey(bad)), bad, jwk.k!)
  })

  it('refuses an oct JWK whose "k" has an impossible base64url length (1 mod 4) with a TypeError', async () => {
    const k = `${Buffer.from(randomSecret(33)).toString('base64url')}A`
    expect(k.length % 4).toBe(1)
    expectNoKeyMaterial(await refusal(importKey({ kty: 'oct', k })), { kty: 'oct', k })
  })

  it('refuses an oct JWK without "k"', async () => {
    await refusal(importKey({ kty: 'oct' }))
    await refusal(importKey({ kty: 'oct', k: 42 as unknown as string }))
  })
})

// ---------------------------------------------------------------------------------------------
// importHmacSecret
// ---------------------------------------------------------------------------------------------

describe('importHmacSecret', () => {
  /** Asserts the refusal names the requirement and echoes no form of the secret. */
  async function expectWeakRefusal(secret: string | Uint8Array): Promise<TypeError> {
    const error = await refusal(importHmacSecret(secret))
    expect(error.message).toMatch(/^HS256 secret refused/)
    expect(error.message).toContain("generateKey({ alg: 'HS256' })")
    const bytes = typeof secret === 'string' ? Buffer.from(secret) : Buffer.from(secret)
    const forms = [bytes.toString('utf8'), bytes.toString('hex'), bytes.toString('base64url'), bytes.toString('base64')]
    for (const form of forms) if (form.length >= 8) expect(error.message).not.toContain(form)
    return error
  }

  it.each<[string, () => string | Uint8Array]>([
    ['no bytes', () => new Uint8Array(0)],
    ['16 random bytes', () => new Uint8Array(randomBytes(16))],
    ['31 random bytes', () => new Uint8Array(randomBytes(31))],
    ['a 31-character random string', () => randomBytes(24).toString('base64url').slice(0, 31)],
    ['a 20-character random hex string', () => randomHex(20)],
  ])('refuses %s: shorter than 32 bytes, and says 32 random bytes are required', async (_name, make) => {
    const secret = make()
    const error = await expectWeakRefusal(secret)
    expect(error.message).toContain('at least 32 random bytes are required')
    if (typeof secret === 'string') expect(error.message).toMatch(/ encoding of (1\d|2\d) bytes/)
    else expect(error.message).toContain(`it has ${secret.length} bytes`)
  })

  it.each<[string, string | Uint8Array]>([
    ['"password" repeated to 32 bytes', 'password'.repeat(4)],
    ['"a" repeated 64 times', 'a'.repeat(64)],
    ['"Tr0ub4dor&3" repeated to 33 bytes', 'Tr0ub4dor&3'.repeat(3)],
    ['"password" repeated to 32 bytes, as bytes', new TextEncoder().encode('password'.repeat(4))],
  ])('refuses %s as plain text', async (_name, secret) => {
    const error = await expectWeakRefusal(secret)
    expect(error.message).toContain('it is plain text')
  })

  it.each<[string, string | Uint8Array]>([
    ['32 zero bytes', new Uint8Array(32)],
    ['256 copies of one byte', new Uint8Array(256).fill(0xfa)],
    ['64 bytes alternating 0x00 and 0xff', new Uint8Array(64).map((_, i) => (i % 2 ? 0xff : 0x00))],
    ['the hex of 32 copies of one byte', '0a'.repeat(32)],
    ['the base64 of a short pattern repeated', Buffer.from('Ab1x'.repeat(8)).toString('base64')],
  ])('refuses %s as not random, and says 128 bits are required', async (_name, secret) => {
    const error = await expectWeakRefusal(secret)
    expect(error.message).toContain('its bytes are not random')
    expect(error.message).toContain('at least 128 required')
  })

  // A short pattern repeated holds no more entropy than the pattern, however long the result.
  it.each<[string, number]>([
    ['password', 32],
    ['password', 48],
    ['password', 64],
    ['password', 128],
    ['0123456789', 40],
    ['ab', 128],
    ['Ab1!', 128],
  ])('refuses %j repeated to %i characters, however long the repetition', async (pattern, length) => {
    const secret = pattern.repeat(Math.ceil(length / pattern.length)).slice(0, length)
    const error = await expectWeakRefusal(secret)
    expect(error.message).toMatch(/it is plain text|its bytes are not random|encoding of \d+ bytes/)
  })

  it('refuses 32-character random hex strings (200 samples): they encode 16 bytes', async () => {
    for (let i = 0; i < 200; i++) {
      const error = await expectWeakRefusal(randomHex(32))
      expect(error.message).toContain('the hex encoding of 16 bytes')
    }
  })

  it('accepts 32 random bytes, 200 times over (no false refusal)', async () => {
    for (let i = 0; i < 200; i++) {
      const secret = randomSecret()
      const key = await importHmacSecret(secret)
      expect(key.alg).toBe('HS256')
      expect(Buffer.from(key.secret()!).equals(Buffer.from(secret))).toBe(true)
    }
  })

  it('accepts 64-character random hex strings, 200 times over, as their UTF-8 bytes', async () => {
    for (let i = 0; i < 200; i++) {
      const secret = randomHex(64)
      const key = await importHmacSecret(secret)
      expect(Buffer.from(key.secret()!).toString('utf8')).toBe(secret)
    }
  })

  it('accepts base64url strings of 32 random bytes, 200 times over', async () => {
    for (let i = 0; i < 200; i++) {
      const secret = randomBytes(32).toString('base64url')
      expect(secret).toHaveLength(43)
      const key = await importHmacSecret(secret)
      expect(key.secret()).toHaveLength(43)
    }
  })

  it('accepts a Buffer and longer random secrets', async () => {
    expect((await importHmacSecret(randomBytes(32))).canSign).toBe(true)
    expect((await importHmacSecret(randomBytes(64))).secret()).toHaveLength(64)
  })

  it('derives a kid from the secret: stable for one secret, different for another, and revealing none of it', async () => {
    const secret = randomSecret()
    const a = await importHmacSecret(secret)
    const b = await importHmacSecret(secret.slice())
    const c = await importHmacSecret(randomSecret())
    expect(a.kid).toBe(b.kid)
    expect(a.kid).not.toBe(c.kid)
    expect(a.kid).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const forms = [Buffer.from(secret).toString('base64url'), Buffer.from(secret).toString('hex')]
    for (let i = 0; i + 8 <= a.kid.length; i++) for (const form of forms) expect(form).not.toContain(a.kid.slice(i, i + 8))
  })

  it('uses an explicit kid and refuses an invalid one', async () => {
    expect((await importHmacSecret(randomSecret(), { kid: 'hmac' })).kid).toBe('hmac')
    await refusal(importHmacSecret(randomSecret(), { kid: '' }))
    await refusal(importHmacSecret(randomSecret(), { kid: 'k'.repeat(257) }))
  })

  it('copies the secret: changing the input afterwards does not change the key', async () => {
    const secret = randomSecret()
    const original = secret.slice()
    const key = await importHmacSecret(secret)
    secret.fill(0)
    expect(Buffer.from(key.secret()!).equals(Buffer.from(original))).toBe(true)
    key.secret()!.fill(0)
    expect(Buffer.from(key.secret()!).equals(Buffer.from(original))).toBe(true)
  })
})

// ---------------------------------------------------------------------------------------------
// RSA public exponent
// ---------------------------------------------------------------------------------------------

describe('importKey: the RSA public exponent must be 65537', () => {
  // e = 3 keys are real (OpenSSL generates them); e = 1 makes the "signature" equal the padded
  // digest, so anyone can forge it: such a public key is built by swapping the exponent.
  const small = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 })
  const e1Public = (): JWK => ({ ...publicJwkOf('RSA'), e: 'AQ' })
  const cases: Array<[string, () => JWK | string]> = [
    ['a public JWK with e=1', e1Public],
    ['a public JWK with e=3', () => small.publicKey.export({ format: 'jwk' }) as JWK],
    ['a private JWK with e=1', () => ({ ...privateJwkOf('RSA'), e: 'AQ' })],
    ['a private JWK with e=3', () => small.privateKey.export({ format: 'jwk' }) as JWK],
    ['a public JWK with e=2', () => ({ ...publicJwkOf('RSA'), e: 'Ag' })],
    ['a public JWK with e=65537 spelled with a leading zero byte', () => ({ ...publicJwkOf('RSA'), e: 'AAEAAQ' })],
    ['a public JWK without e', () => ({ ...publicJwkOf('RSA'), e: undefined }) as JWK],
    ['an SPKI PEM with e=1', () => createPublicKey({ key: e1Public() as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string],
    ['an SPKI PEM with e=3', () => small.publicKey.export({ type: 'spki', format: 'pem' }) as string],
    ['a PKCS#8 PEM with e=3', () => small.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
  ]

  it.each(cases)('refuses %s with a TypeError that names the exponent', async (_name, make) => {
    const input = make()
    const error = await refusal(importKey(input))
    expect(error.message).toMatch(/exponent/)
    expect(error.message).toContain('65537')
    if (typeof input !== 'string') expectNoKeyMaterial(error, input)
  })

  it('still accepts e=65537 ("AQAB") as JWK, SPKI and PKCS#8', async () => {
    expect(publicJwkOf('RSA').e).toBe('AQAB')
    for (const input of [publicJwkOf('RSA'), privateJwkOf('RSA'), spkiOf('RSA'), pkcs8Of('RSA')]) {
      expect((await importKey(input)).alg).toBe('RS256')
    }
  })
})

// ---------------------------------------------------------------------------------------------
// HMAC secrets: random bytes or an encoding of them; plain text is refused
// ---------------------------------------------------------------------------------------------

describe('HMAC secrets: plain text is refused, whatever its length', () => {
  // Secrets seen in production configurations. An estimate of entropy cannot tell a phrase from a
  // random string, so the rule is the form: random bytes, or their base64, base64url or hex text.
  const PHRASES = [
    'abcdefghijklmnopqrstuvwxyz012345',
    'The quick brown fox jumps over the lazy dog',
    'my-super-secret-jwt-signing-key-for-production',
  ]

  it.each(PHRASES)('refuses %j as a string, as its UTF-8 bytes and as an oct JWK, saying how to make a secret', async (phrase) => {
    const bytes = new TextEncoder().encode(phrase)
    for (const attempt of [importHmacSecret(phrase), importHmacSecret(bytes), importKey(octJwk(bytes))]) {
      const error = await refusal(attempt)
      expect(error.message).toMatch(/^HS256 secret refused/)
      expect(error.message).toContain('openssl rand -base64 32')
      expect(error.message).not.toContain(phrase)
    }
  })

  it.each(PHRASES)('never lets an HS256 deployment configured with %j accept a token forged for sub=admin', async (phrase) => {
    // The attacker guesses the phrase and signs their own token; the deployment must not exist.
    const now = Math.floor(Date.now() / 1000)
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const input = `${b64({ alg: 'HS256', kid: 'hs', typ: 'at+jwt' })}.${b64({
      iss: 'https://i', aud: 'https://a', sub: 'admin', sid: 's', jti: 'j', iat: now, exp: now + 60, ver: 0,
    })}`
    const forged = `${input}.${createHmac('sha256', phrase).update(input).digest('base64url')}`
    const verified = importHmacSecret(phrase, { kid: 'hs' }).then((key) =>
      createVerifier({ issuer: 'https://i', audience: 'https://a', jwks: createKeySet([key]) }).verify(forged),
    )
    await expect(verified).rejects.toBeInstanceOf(TypeError)
  })

  it.each<[string, () => string | Uint8Array]>([
    ['`openssl rand -base64 32` output (standard base64, padded)', () => randomBytes(32).toString('base64')],
    ['base64url of 32 random bytes', () => randomBytes(32).toString('base64url')],
    ['lower-case hex of 32 random bytes', () => randomBytes(32).toString('hex')],
    ['upper-case hex of 32 random bytes', () => randomBytes(32).toString('hex').toUpperCase()],
    ['base64 of 48 random bytes', () => randomBytes(48).toString('base64')],
    ['the UTF-8 bytes of a base64 secret (Buffer.from(process.env.SECRET))', () => new Uint8Array(Buffer.from(randomBytes(32).toString('base64')))],
    ['32 random bytes', () => new Uint8Array(randomBytes(32))],
  ])('accepts %s, 100 times over, keeping a string as its UTF-8 bytes', async (_name, make) => {
    for (let i = 0; i < 100; i++) {
      const secret = make()
      const key = await importHmacSecret(secret)
      const expected = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret)
      expect(Buffer.from(key.secret()!).equals(expected)).toBe(true)
    }
  })

  it.each<[string, string | Uint8Array, RegExp]>([
    ['base64 of 31 random bytes', randomBytes(31).toString('base64'), /encoding of 31 bytes/],
    ['hex of 31 random bytes', randomBytes(31).toString('hex'), /encoding of 31 bytes/],
    ['base64 of 32 zero bytes', Buffer.alloc(32).toString('base64'), /plain text/],
    ['hex of 32 copies of one byte', '5a'.repeat(32), /entropy/],
    ['hex of one byte repeated', 'ab'.repeat(40), /entropy|plain text/],
    ['a base64 secret with a trailing newline', `${randomBytes(32).toString('base64')}\n`, /whitespace/],
    ['a base64 secret wrapped over two lines', `${randomBytes(48).toString('base64').slice(0, 32)}\n${randomBytes(48).toString('base64').slice(32)}`, /whitespace/],
    ['the UTF-8 bytes of a phrase followed by a newline', new TextEncoder().encode('The quick brown fox jumps over the lazy dog\n'), /whitespace|plain text/],
    ['a mix of base64 and base64url alphabets', `${randomBytes(32).toString('base64url').slice(0, 40)}+_A`, /plain text/],
    ['a long lower-case word salad in the base64url alphabet', 'correct-horse-battery-staple-correct-horse-battery', /plain text/],
    ['a passphrase with non-ASCII letters', 'пароль-для-подписи-токенов-в-продакшене', /plain text/],
  ])('refuses %s', async (_name, secret, message) => {
    const error = await refusal(importHmacSecret(secret))
    expect(error.message).toMatch(message)
    expect(error.message).toContain('openssl rand -base64 32')
  })

  it('refuses a value that is neither a string nor bytes', async () => {
    for (const value of [42, null, undefined, {}, [1, 2, 3]]) await refusal(importHmacSecret(value as unknown as string))
  })
})
