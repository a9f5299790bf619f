/**
 * importKey's refusals, each with the message that names its problem (the API promises a
 * TypeError "with a message that names the problem"): a check that a later one would also catch
 * still has to say what is wrong.
 */
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { checkJwk, importHmacSecret, importKey } from './import.js'

const pair = (kind: 'ec' | 'ed25519' | 'rsa'): { privateKey: KeyObject; publicKey: KeyObject } =>
  kind === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ed25519')
const EC = pair('ec')
const ED = pair('ed25519')
const RSA = pair('rsa')
const P384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
const X25519 = generateKeyPairSync('x25519')
const jwkOf = (key: KeyObject) => key.export({ format: 'jwk' }) as JWK
const SECRET_K = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 73 + 41) % 256)).toString('base64url')
const b64 = (text: string) => Buffer.from(text).toString('base64url')

async function messageOf(attempt: Promise<unknown>): Promise<string> {
  try {
    await attempt
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
    return (error as TypeError).message
  }
  throw new Error('expected a TypeError, but the import succeeded')
}

describe('importKey: what is refused, and the message that says why', () => {
  it.each([
    ['null', null],
    ['an array', []],
    ['a number', 42],
    ['undefined', undefined],
  ])('refuses %s as input', async (_name, input) => {
    expect(await messageOf(importKey(input as never))).toBe('importKey: expected a JWK object, a PEM string or an exported key string')
  })

  it.each([
    ['text that is not base64', 'not base64 at all!'],
    ['base64 of text that is not JSON', b64('{"kty": EC')],
    ['JSON text that does not parse', '{"kty":'],
  ])('refuses %s', async (_name, input) => {
    expect(await messageOf(importKey(input))).toBe('importKey: the string is neither PEM, JWK JSON nor an exported key string')
  })

  it.each([
    ['a JSON array', b64('[1]')],
    ['a JSON string', b64('"EC"')],
    ['JSON null', b64('null')],
  ])('refuses an exported string that decodes to %s', async (_name, input) => {
    expect(await messageOf(importKey(input))).toBe('importKey: the decoded value is not a JWK object')
  })

  it('reads the env-friendly form in base64url, "-" and "_" included', async () => {
    const jwk = { ...jwkOf(EC.publicKey), kid: '>>>???>>>' } // these bytes encode to "-" and "_"
    const text = b64(JSON.stringify(jwk))
    expect(text).toMatch(/-/)
    expect(text).toMatch(/_/)
    expect((await importKey(text)).kid).toBe('>>>???>>>')
  })

  it.each([
    ['EC PRIVATE KEY', '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----', 'PEM "EC PRIVATE KEY" is not supported'],
    ['an unreadable label', '-----BEGIN rsa key-----\nAAAA\n-----END rsa key-----', 'PEM "unknown" is not supported'],
  ])('refuses a PEM of %s, naming its label', async (_name, pem, message) => {
    expect(await messageOf(importKey(pem))).toContain(message)
  })

  it.each([
    ['a P-384 PKCS#8 key', () => P384.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, {}],
    ['an X25519 SPKI key', () => X25519.publicKey.export({ type: 'spki', format: 'pem' }) as string, {}],
    ['an EC key asked for as RS256', () => EC.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { alg: 'RS256' as const }],
    ['an EC key asked for as HS256', () => EC.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { alg: 'HS256' as const }],
  ])('refuses %s in PEM', async (_name, pem, options) => {
    expect(await messageOf(importKey(pem(), options))).toBe(
      'importKey: the PEM key is not a P-256, Ed25519 or RSA key of the expected algorithm',
    )
  })

  it.each([
    ['an OKP key as ES256', () => jwkOf(ED.publicKey), 'ES256', 'importKey: a OKP key cannot be used with ES256'],
    ['an EC key as EdDSA', () => jwkOf(EC.publicKey), 'EdDSA', 'importKey: a EC key cannot be used with EdDSA'],
    ['an EC key as RS256', () => jwkOf(EC.publicKey), 'RS256', 'importKey: a EC key cannot be used with RS256'],
    ['an RSA key as HS256', () => jwkOf(RSA.publicKey), 'HS256', 'importKey: a RSA key cannot be used with HS256'],
    ['an oct key as ES256', () => ({ kty: 'oct', k: SECRET_K }), 'ES256', 'importKey: a oct key cannot be used with ES256'],
  ])('refuses %s', async (_name, jwk, alg, message) => {
    expect(await messageOf(importKey(jwk(), { alg: alg as never }))).toBe(message)
  })

  it.each([
    ['a P-384 key as ES256', () => ({ ...jwkOf(P384.publicKey) }), 'importKey: ES256 needs a P-256 key'],
    ['an X25519 key as EdDSA', () => ({ ...jwkOf(X25519.publicKey) }), 'importKey: EdDSA needs an Ed25519 key'],
  ])('refuses %s', async (_name, jwk, message) => {
    expect(await messageOf(importKey(jwk()))).toBe(message)
  })

  it('refuses an RSA modulus with a leading zero byte, and one under 2048 bits, each with its message', async () => {
    const jwk = jwkOf(RSA.publicKey)
    const n = Buffer.from(jwk.n!, 'base64url')
    expect(await messageOf(importKey({ ...jwk, n: Buffer.concat([Buffer.from([0]), n]).toString('base64url') }))).toBe(
      'importKey: the RSA modulus "n" has a leading zero byte',
    )
    expect(await messageOf(importKey({ ...jwk, n: n.subarray(1).toString('base64url') }))).toBe(
      'importKey: RSA keys need a modulus of at least 2048 bits',
    )
    expect(await messageOf(importKey({ ...jwk, n: undefined }))).toBe('importKey: RSA keys need a modulus of at least 2048 bits')
  })

  // The exponent is named when it is a small number; otherwise its shape is (never a long value).
  it.each([
    ['e=1', 'AQ', '1'],
    ['e=3', 'Aw', '3'],
    ['e=65537 with a leading zero byte', 'AAEAAQ', 'not in its minimal form (a leading zero byte)'],
    ['no e', undefined, 'missing'],
    ['an e of 8 characters (6 bytes: 0x010001010001)', 'AQABAQAB', '1099528470529'],
    ['an e of 10 characters (7 bytes)', 'AQABAQABAQ', 'not 65537'],
    ['an empty e', '', 'not 65537'],
    ['a padded e', 'AQAB=', 'not 65537'],
  ])('refuses an RSA key with %s, naming the exponent', async (_name, e, named) => {
    expect(await messageOf(importKey({ ...jwkOf(RSA.publicKey), e } as JWK))).toBe(
      `importKey: the RSA public exponent is ${named}; only 65537 ("e": "AQAB") is accepted`,
    )
  })

  it('refuses a JWK whose material is not a valid key, keeping the cause', async () => {
    const jwk = { ...jwkOf(EC.publicKey), x: jwkOf(P384.publicKey).x!.slice(0, 43) }
    let error: unknown
    await importKey(jwk).catch((e: unknown) => (error = e))
    expect(error).toBeInstanceOf(TypeError)
    expect((error as TypeError).message).toBe('importKey: the JWK is not a valid ES256 key')
    expect((error as TypeError).cause).toBeDefined()
  })

  it('checks the private part against the public part only when there is one', async () => {
    const publicOnly = await importKey(jwkOf(EC.publicKey))
    expect(publicOnly.privateJwk()).toBeUndefined()
    const mismatched = { ...jwkOf(EC.privateKey), d: jwkOf(pair('ec').privateKey).d }
    expect(await messageOf(importKey(mismatched))).toBe('importKey: the JWK is not a valid ES256 key')
  })

  it.each([
    ['an unknown JWK alg', { alg: 'PS256' }, undefined, 'importKey: algorithm "PS256" is not supported (ES256, EdDSA, RS256, HS256)'],
    ['an unknown requested alg', {}, 'none', 'importKey: algorithm "none" is not supported (ES256, EdDSA, RS256, HS256)'],
    ['a JWK alg other than the requested one', { alg: 'ES256' }, 'EdDSA', 'importKey: the JWK is for ES256, not EdDSA; a key has exactly one algorithm'],
  ])('refuses %s', async (_name, extra, alg, message) => {
    expect(await messageOf(importKey({ ...jwkOf(EC.publicKey), ...extra } as JWK, alg === undefined ? {} : { alg: alg as never }))).toBe(message)
  })

  it('accepts a JWK alg equal to the requested one', async () => {
    expect((await importKey({ ...jwkOf(EC.publicKey), alg: 'ES256' }, { alg: 'ES256' })).alg).toBe('ES256')
  })

  it.each([
    ['an unknown kty', { kty: 'XYZ' }, 'importKey: key type "XYZ" is not supported'],
    ['no kty', { kty: undefined }, 'importKey: key type "undefined" is not supported'],
  ])('refuses %s', async (_name, extra, message) => {
    expect(await messageOf(importKey({ ...jwkOf(EC.publicKey), ...extra } as JWK))).toBe(message)
  })

  it('refuses options.kid that differs from the JWK kid, and accepts an equal one', async () => {
    expect(await messageOf(importKey({ ...jwkOf(EC.publicKey), kid: 'a' }, { kid: 'b' }))).toBe('importKey: options.kid differs from the JWK kid')
    expect((await importKey({ ...jwkOf(EC.publicKey), kid: 'a' }, { kid: 'a' })).kid).toBe('a')
    expect((await importKey({ kty: 'oct', k: SECRET_K, kid: 'a' }, { kid: 'a' })).kid).toBe('a')
  })

  it('refuses key_ops without "verify"', async () => {
    expect(await messageOf(importKey({ ...jwkOf(EC.publicKey), key_ops: ['sign'] }))).toBe('importKey: the JWK key_ops does not allow "verify"')
  })

  it.each([
    ['no "k"', { kty: 'oct' }, 'importKey: the oct JWK has no "k"'],
    ['a non-canonical "k"', { kty: 'oct', k: `${SECRET_K}=` }, 'importKey: a JWK member is not canonical base64url'],
  ])('refuses an oct JWK with %s', async (_name, jwk, message) => {
    expect(await messageOf(importKey(jwk as JWK))).toBe(message)
  })

  it('decodes "k" of every length mod 4 exactly (no bytes lost or added by the padding)', async () => {
    for (const extra of [0, 1, 2]) {
      const bytes = Buffer.from(Array.from({ length: 32 + extra }, (_, i) => (i * 97 + 13) % 256))
      const key = await importKey({ kty: 'oct', k: bytes.toString('base64url') })
      expect(Buffer.from(key.secret()!)).toEqual(bytes)
    }
  })

  it('refuses a kid that is empty or over 256 characters, with its message', async () => {
    expect(await messageOf(importKey({ ...jwkOf(EC.publicKey), kid: '' }))).toBe('importKey: kid must be a non-empty string of at most 256 characters')
    expect(await messageOf(importHmacSecret(Buffer.from(SECRET_K, 'base64url'), { kid: 'k'.repeat(257) }))).toBe(
      'importKey: kid must be a non-empty string of at most 256 characters',
    )
  })

  it('checks the kid among the checks that need no crypto (checkJwk, also run on a JWKS given to createVerifier)', () => {
    const message = 'importKey: kid must be a non-empty string of at most 256 characters'
    expect(() => checkJwk({ ...jwkOf(EC.publicKey), kid: '' })).toThrow(new TypeError(message))
    expect(() => checkJwk(jwkOf(EC.publicKey), { kid: 'k'.repeat(257) })).toThrow(new TypeError(message))
    expect(() => checkJwk({ kty: 'oct', kid: '' })).toThrow(new TypeError(message)) // before the missing "k"
  })

  it.each([
    ['a number', 42],
    ['null', null],
    ['an ArrayBuffer', new ArrayBuffer(32)],
    ['an array of bytes', Array.from({ length: 32 }, (_, i) => i * 7)],
  ])('refuses %s as an HMAC secret, saying what a secret is', async (_name, secret) => {
    expect(await messageOf(importHmacSecret(secret as never))).toBe(
      'HS256 secret refused: expected random bytes (a Uint8Array) or a string that encodes them. ' +
        "Generate one with `openssl rand -base64 32`, or an HS256 key with generateKey({ alg: 'HS256' }).",
    )
  })

  it('accepts a secret estimated at exactly the 128-bit minimum, and refuses one just under it', async () => {
    // 16 symbols twice each, not periodic: 32 × log2(16) = 128 bits exactly.
    const exact = Uint8Array.from([...Array.from({ length: 16 }, (_, i) => i * 16), ...Array.from({ length: 16 }, (_, i) => (15 - i) * 16)])
    expect((await importHmacSecret(exact)).alg).toBe('HS256')
    const under = exact.slice()
    under[31] = under[30]! // 15 symbols: under 128 bits
    expect(await messageOf(importHmacSecret(under))).toMatch(/^HS256 secret refused: its bytes are not random \(estimated 12\d bits/)
  })

  it('derives the kid of a secret as HMAC(secret, "@auth/core key id") cut to 128 bits, base64url', async () => {
    const bytes = Buffer.from(SECRET_K, 'base64url')
    const expected = createHmac('sha256', bytes).update('@auth/core key id').digest().subarray(0, 16).toString('base64url')
    expect((await importHmacSecret(bytes)).kid).toBe(expected)
  })

  it('gives an oct JWK without kid the kid importHmacSecret derives', async () => {
    const bytes = Buffer.from(SECRET_K, 'base64url')
    expect((await importKey({ kty: 'oct', k: SECRET_K })).kid).toBe((await importHmacSecret(bytes)).kid)
  })
})
