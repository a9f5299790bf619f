/**
 * The attack battery (issue: foundation): every case is rejected with the right code on both
 * signature backends, and nothing but an AuthError ever escapes.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { type Algorithm, AuthError, type AuthKey, createKeySet, generateKey, importKey } from '@auth/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  AUDIENCE,
  b64,
  BACKENDS,
  type BackendName,
  baseClaims,
  expectAuthError,
  forge,
  headerFor,
  ISSUER,
  keyFor,
  keySetFor,
  NOW,
  validToken,
  verifierFor,
} from './fixtures.js'

interface Case {
  name: string
  code: 'token_invalid' | 'token_expired' | 'token_missing'
  /** Builds the token with the server's own key (the one the verifier trusts). */
  make: (key: AuthKey) => Promise<string> | string
}

const now = Math.floor(NOW / 1000)
const claims = (extra: Record<string, unknown> = {}) => ({ ...baseClaims(), ...extra })
const withoutClaim = (name: string) => {
  const c = claims()
  delete c[name]
  return c
}

/** The server's public key in every encoding an `alg: HS256` confusion attack might use as the secret. */
function publicKeyEncodings(key: AuthKey): Array<[string, string | Uint8Array]> {
  const publicKey = createPublicKey({ key: key.publicJwk() as never, format: 'jwk' })
  const encodings: Array<[string, string | Uint8Array]> = [
    ['SPKI PEM', publicKey.export({ type: 'spki', format: 'pem' }) as string],
    ['SPKI DER', publicKey.export({ type: 'spki', format: 'der' })],
    ['JWK JSON', JSON.stringify(key.publicJwk())],
    ['JWK JSON without kid/alg/use', JSON.stringify(publicKey.export({ format: 'jwk' }))],
  ]
  if (key.alg === 'RS256') {
    encodings.push(['PKCS#1 PEM', publicKey.export({ type: 'pkcs1', format: 'pem' }) as string])
    encodings.push(['PKCS#1 DER', publicKey.export({ type: 'pkcs1', format: 'der' })])
  }
  return encodings
}

function casesFor(alg: Algorithm): Case[] {
  const cases: Case[] = [
    // alg: none, in every spelling, with and without a signature
    ...['none', 'None', 'NONE', 'nOnE'].flatMap((none): Case[] => [
      { name: `alg ${none} without a signature`, code: 'token_invalid', make: (k) => forge(headerFor(k, { alg: none }), claims(), 'none') },
      {
        name: `alg ${none} with a signature`,
        code: 'token_invalid',
        make: (k) => forge(headerFor(k, { alg: none }), claims(), 'none') + b64('signature'),
      },
      {
        name: `alg ${none} with the real signature of another token`,
        code: 'token_invalid',
        make: async (k) => forge(headerFor(k, { alg: none }), claims(), 'none') + (await validToken(k.alg)).split('.')[2],
      },
    ]),
    { name: 'null signature (empty third segment)', code: 'token_invalid', make: (k) => forge(headerFor(k), claims(), 'none') },
    {
      name: 'signature of zero bytes of the right length',
      code: 'token_invalid',
      make: (k) => forge(headerFor(k), claims(), 'none') + b64(new Uint8Array(k.signatureLength)),
    },
    {
      name: 'the valid signature of a different payload',
      code: 'token_invalid',
      make: async (k) => {
        const [, , sig] = (await validToken(k.alg)).split('.')
        return forge(headerFor(k), claims({ sub: 'admin' }), 'none') + sig
      },
    },
    // embedded keys and remote key URLs
    {
      name: 'embedded jwk header signed with the attacker key',
      code: 'token_invalid',
      make: async (k) => {
        const attacker = await generateKey({ alg: k.alg === 'HS256' ? 'ES256' : k.alg, kid: k.kid })
        return forge(headerFor(k, { alg: attacker.alg, jwk: attacker.publicJwk() }), claims(), { key: attacker })
      },
    },
    {
      name: 'embedded jwk header on an otherwise valid token',
      code: 'token_invalid',
      make: (k) => forge(headerFor(k, { jwk: k.publicJwk() ?? { kty: 'oct' } }), claims(), { key: k }),
    },
    { name: 'jku header', code: 'token_invalid', make: (k) => forge(headerFor(k, { jku: 'https://attacker.example/jwks.json' }), claims(), { key: k }) },
    { name: 'x5u header', code: 'token_invalid', make: (k) => forge(headerFor(k, { x5u: 'https://attacker.example/cert.pem' }), claims(), { key: k }) },
    { name: 'x5c header', code: 'token_invalid', make: (k) => forge(headerFor(k, { x5c: ['MIIB'] }), claims(), { key: k }) },
    { name: 'crit header', code: 'token_invalid', make: (k) => forge(headerFor(k, { crit: ['exp'] }), claims(), { key: k }) },
    { name: 'crit with b64=false', code: 'token_invalid', make: (k) => forge(headerFor(k, { crit: ['b64'], b64: false }), claims(), { key: k }) },
    { name: 'empty crit list', code: 'token_invalid', make: (k) => forge(headerFor(k, { crit: [] }), claims(), { key: k }) },
    // kid tricks
    ...[
      ['../../dev/null', '../../dev/null'],
      ['__proto__', '__proto__'],
      ['constructor', 'constructor'],
      ['toString', 'toString'],
      ['hasOwnProperty', 'hasOwnProperty'],
      ['numeric', 12],
      ['null', null],
      ['an object', { kid: 'x' }],
      ['empty', ''],
      ['unknown', 'no-such-key'],
      ['257 characters', 'k'.repeat(257)],
      ['missing', undefined],
    ].map(
      ([label, kid]): Case => ({
        name: `kid ${String(label)}`,
        code: 'token_invalid',
        make: (k) => forge({ ...headerFor(k), kid }, claims(), { key: k }),
      }),
    ),
    // typ
    { name: 'typ missing', code: 'token_invalid', make: (k) => forge({ alg: k.alg, kid: k.kid }, claims(), { key: k }) },
    ...['JWT', 'jwt', 'rt+jwt', 'refresh', 'id_token', 'application/jwt', 'at+jwt ', '', 42].map(
      (typ): Case => ({
        name: `typ ${JSON.stringify(typ)}`,
        code: 'token_invalid',
        make: (k) => forge(headerFor(k, { typ }), claims(), { key: k }),
      }),
    ),
    // header shape
    { name: 'header is an array', code: 'token_invalid', make: (k) => forge([headerFor(k)], claims(), { key: k }) },
    { name: 'header is not JSON', code: 'token_invalid', make: (k) => forge('{"alg":', claims(), { key: k }) },
    { name: 'header is null', code: 'token_invalid', make: (k) => forge('null', claims(), { key: k }) },
    // payload shape
    { name: 'payload is an array', code: 'token_invalid', make: (k) => forge(headerFor(k), [claims()], { key: k }) },
    { name: 'payload is a string', code: 'token_invalid', make: (k) => forge(headerFor(k), '"a string"', { key: k }) },
    { name: 'payload is null', code: 'token_invalid', make: (k) => forge(headerFor(k), 'null', { key: k }) },
    { name: 'payload is a number', code: 'token_invalid', make: (k) => forge(headerFor(k), '42', { key: k }) },
    { name: 'payload is not JSON', code: 'token_invalid', make: (k) => forge(headerFor(k), '{"sub":', { key: k }) },
    { name: 'payload is empty', code: 'token_invalid', make: (k) => forge(headerFor(k), '', { key: k }) },
    // claims
    { name: 'missing exp', code: 'token_invalid', make: (k) => forge(headerFor(k), withoutClaim('exp'), { key: k }) },
    { name: 'string exp', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ exp: String(now + 900) }), { key: k }) },
    { name: 'null exp', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ exp: null }), { key: k }) },
    { name: 'expired by tolerance + 1 s', code: 'token_expired', make: (k) => forge(headerFor(k), claims({ exp: now - 5 - 1 }), { key: k }) },
    { name: 'expired an hour ago', code: 'token_expired', make: (k) => forge(headerFor(k), claims({ iat: now - 4000, exp: now - 3600 }), { key: k }) },
    { name: 'future nbf', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ nbf: now + 60 }), { key: k }) },
    { name: 'string nbf', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ nbf: String(now) }), { key: k }) },
    { name: 'future iat', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ iat: now + 60 }), { key: k }) },
    { name: 'missing iat', code: 'token_invalid', make: (k) => forge(headerFor(k), withoutClaim('iat'), { key: k }) },
    {
      name: 'exp 1e300 with an iat beyond the maximum age',
      code: 'token_expired',
      make: (k) => forge(headerFor(k), claims({ exp: 1e300, iat: now - 900 - 5 - 1 }), { key: k }),
    },
    { name: 'wrong iss', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ iss: 'https://evil.example' }), { key: k }) },
    { name: 'iss as an array', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ iss: [ISSUER] }), { key: k }) },
    { name: 'wrong aud', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ aud: 'https://other.example' }), { key: k }) },
    { name: 'aud list without ours', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ aud: ['a', 'b'] }), { key: k }) },
    { name: 'missing aud', code: 'token_invalid', make: (k) => forge(headerFor(k), withoutClaim('aud'), { key: k }) },
    ...(['sub', 'sid', 'jti', 'ver'] as const).flatMap((name): Case[] => [
      { name: `missing ${name}`, code: 'token_invalid', make: (k) => forge(headerFor(k), withoutClaim(name), { key: k }) },
      {
        name: `${name} of the wrong type`,
        code: 'token_invalid',
        make: (k) => forge(headerFor(k), claims({ [name]: name === 'ver' ? '3' : 3 }), { key: k }),
      },
    ]),
    { name: 'negative ver', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ ver: -1 }), { key: k }) },
    { name: 'fractional ver', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ ver: 1.5 }), { key: k }) },
    { name: 'empty sub', code: 'token_invalid', make: (k) => forge(headerFor(k), claims({ sub: '' }), { key: k }) },
    // shape
    { name: '2 segments', code: 'token_invalid', make: async (k) => (await validToken(k.alg)).split('.').slice(0, 2).join('.') },
    { name: '4 segments', code: 'token_invalid', make: async (k) => `${await validToken(k.alg)}.${b64('x')}` },
    { name: '5 segments (JWE shape)', code: 'token_invalid', make: async (k) => `${await validToken(k.alg)}.a.b` },
    { name: '1 segment', code: 'token_invalid', make: () => b64('{}') },
    { name: 'only dots', code: 'token_invalid', make: () => '..' },
    { name: 'empty header segment', code: 'token_invalid', make: async (k) => `.${(await validToken(k.alg)).split('.').slice(1).join('.')}` },
    { name: 'empty string', code: 'token_missing', make: () => '' },
    // length gate
    { name: '8 KiB + 1', code: 'token_invalid', make: () => 'a'.repeat(8 * 1024 + 1) },
    { name: '64 KiB', code: 'token_invalid', make: () => 'a'.repeat(64 * 1024) },
    { name: '2 MiB token of valid shape', code: 'token_invalid', make: () => `${'a'.repeat(1 << 20)}.${'b'.repeat(1 << 20)}.c` },
    // algorithm confusion: the token names another algorithm than the key's one
    ...(['ES256', 'EdDSA', 'RS256', 'HS256', 'PS256', 'ES384', 'RS512', 'HS512', 'Ed25519'] as const)
      .filter((other) => other !== alg)
      .map(
        (other): Case => ({
          name: `alg ${other} with the ${alg} key's kid`,
          code: 'token_invalid',
          make: async (k) => {
            if (other === 'HS256' && k.secret() === undefined) {
              return forge(headerFor(k, { alg: other }), claims(), { hmac: JSON.stringify(k.publicJwk()) })
            }
            const signer = await keyFor(['ES256', 'EdDSA', 'RS256', 'HS256'].includes(other) ? (other as Algorithm) : 'ES256')
            return forge(headerFor(k, { alg: other }), claims(), { key: signer })
          },
        }),
      ),
  ]
  return cases
}

/** Non-canonical spellings of a valid token: each segment re-spelled so lenient decoders read the same bytes. */
function respellings(token: string): Array<[string, string]> {
  const parts = token.split('.')
  const out: Array<[string, string]> = []
  const names = ['header', 'payload', 'signature']
  parts.forEach((segment, i) => {
    const with_ = (s: string) => parts.map((p, j) => (j === i ? s : p)).join('.')
    const pad = '='.repeat((4 - (segment.length % 4)) % 4) || '===='
    out.push([`${names[i]} padded`, with_(segment + pad)])
    out.push([`${names[i]} with a space`, with_(`${segment.slice(0, 4)} ${segment.slice(4)}`)])
    out.push([`${names[i]} with a newline`, with_(`${segment}\n`)])
    out.push([`${names[i]} in base64 (+/) alphabet`, with_(segment.replace(/-/g, '+').replace(/_/g, '/') + (/[-_]/.test(segment) ? '' : '+'))])
    // U+0100 + c: a character whose low byte is c, which latin1 and lenient decoders read as c
    out.push([`${names[i]} with a non-ASCII look-alike`, with_(String.fromCharCode(0x100 + segment.charCodeAt(0)) + segment.slice(1))])
    const last = segment.at(-1)!
    if (segment.length % 4 !== 0) {
      // flip the lowest (unused) bit of the last character
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const flipped = alphabet[alphabet.indexOf(last) ^ 1]!
      out.push([`${names[i]} with a set unused bit`, with_(segment.slice(0, -1) + flipped)])
    }
  })
  return out
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe.each(['node', 'web'] as BackendName[])('attack battery on the %s backend', (backend) => {
  describe.each(['ES256', 'EdDSA', 'RS256', 'HS256'] as Algorithm[])('with an %s server key', (alg) => {
    it.each(casesFor(alg).map((c) => [c.name, c] as const))('rejects %s', async (_name, testCase) => {
      const key = await keyFor(alg)
      const verifier = verifierFor(backend, createKeySet([key]))
      const fetchSpy = vi.spyOn(globalThis, 'fetch')
      const token = await testCase.make(key)
      await expectAuthError(verifier.verify(token), testCase.code)
      // A token never makes the verifier fetch anything (jku, x5u, anything else).
      expect(fetchSpy).not.toHaveBeenCalled()
    })

    it('rejects HS256 tokens signed with the public key in every encoding', async () => {
      const key = await keyFor(alg)
      if (alg === 'HS256') return expect(key.publicJwk()).toBeUndefined()
      const verifier = verifierFor(backend, createKeySet([key]))
      for (const [label, secret] of publicKeyEncodings(key)) {
        const token = forge(headerFor(key, { alg: 'HS256' }), baseClaims(), { hmac: secret })
        const error = await expectAuthError(verifier.verify(token), 'token_invalid')
        expect(error.reason, label).toBe('alg')
      }
    })

    it('rejects every non-canonical spelling of a valid token, which itself verifies', async () => {
      const verifier = verifierFor(backend, await keySetFor(alg))
      const token = await validToken(alg)
      await expect(verifier.verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
      const spellings = respellings(token)
      expect(spellings.length).toBeGreaterThanOrEqual(15)
      for (const [label, spelling] of spellings) {
        expect(spelling, label).not.toBe(token)
        await expect(verifier.verify(spelling), label).rejects.toMatchObject({ code: 'token_invalid' })
      }
    })
  })

  // Refused by its length alone; how fast is the verify benchmark's business, not a timed test's.
  it('rejects a 2 MiB token by its length, without parsing anything', async () => {
    const verifier = verifierFor(backend, await keySetFor('ES256'))
    const huge = `${b64(JSON.stringify({ alg: 'ES256' }))}.${'a'.repeat(2 * 1024 * 1024)}.sig`
    const parse = vi.spyOn(JSON, 'parse')
    const error = await expectAuthError(verifier.verify(huge), 'token_invalid')
    expect(error.reason).toBe('too_large')
    expect(parse).not.toHaveBeenCalled()
  })

  it('treats non-string input as a missing or invalid credential', async () => {
    const verifier = verifierFor(backend, await keySetFor('ES256'))
    for (const value of [undefined, null, 0, 42, {}, [], true, Symbol('x')]) {
      const promise = verifier.verify(value as unknown as string)
      await expectAuthError(promise, 'token_missing')
    }
  })

  it('rejects tokens whose kid names a key of the right algorithm but another key set', async () => {
    const verifier = verifierFor(backend, await keySetFor('ES256'))
    const stranger = await generateKey({ alg: 'ES256', kid: (await keyFor('ES256')).kid })
    const token = forge(headerFor(stranger), baseClaims(), { key: stranger })
    const error = await expectAuthError(verifier.verify(token), 'token_invalid')
    expect(error.reason).toBe('signature')
  })
})

describe('key import refusals that belong to the battery', () => {
  it('refuses a JWK with use "enc" or key_ops without "verify"', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = privateKey.export({ format: 'jwk' })
    await expect(importKey({ ...jwk, use: 'enc' })).rejects.toBeInstanceOf(TypeError)
    await expect(importKey({ ...jwk, key_ops: ['sign'] })).rejects.toBeInstanceOf(TypeError)
    await expect(importKey({ ...jwk, key_ops: ['encrypt', 'decrypt'] })).rejects.toBeInstanceOf(TypeError)
    await expect(importKey({ ...jwk, key_ops: ['sign', 'verify'] })).resolves.toMatchObject({ alg: 'ES256' })
  })
})

describe('errors', () => {
  it('never carry the token in message or JSON', async () => {
    const verifier = verifierFor('node', await keySetFor('ES256'))
    const token = await validToken('ES256')
    const forged = `${token.slice(0, -4)}AAAA`
    const error = await expectAuthError(verifier.verify(forged), 'token_invalid')
    expect(error).toBeInstanceOf(AuthError)
    expect(error.status).toBe(401)
    const serialized = JSON.stringify(error)
    expect(serialized).toBe(JSON.stringify({ error: { code: 'token_invalid', message: error.message } }))
    expect(`${error.message}${error.stack}`).not.toContain(forged.split('.')[1])
    expect(AUDIENCE).toBeTruthy()
  })
})

export { BACKENDS }
