/**
 * Why a token is refused: every stage of the pipeline names itself in `reason` (the AuthError
 * field for logs), and a stage that a later one would also catch still answers first, before any
 * crypto where it says so.
 */
import { createHmac } from 'node:crypto'
import { type AuthKey, createKeySet, createVerifier, type CreateVerifierOptions, generateKey, type SignatureBackend } from '@auth/core'
import { nodeCryptoBackend } from '@auth/core/node'
import { beforeAll, describe, expect, it } from 'vitest'

const ISSUER = 'https://auth.example.test'
const AUDIENCE = 'https://api.example.test'
const T = 1_800_000_000
const b64 = (text: string) => Buffer.from(text).toString('base64url')

let key: AuthKey
beforeAll(async () => {
  key = await generateKey({ alg: 'HS256', kid: 'k' })
})

const header = (extra: Record<string, unknown> = {}) => b64(JSON.stringify({ alg: 'HS256', kid: 'k', typ: 'at+jwt', ...extra }))
const claims = () => b64(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'u', sid: 's', jti: 'j', iat: T, exp: T + 900, ver: 0 }))
/** Signs exactly the given header and payload segments with the key. */
const signed = (h: string, p: string) => `${h}.${p}.${createHmac('sha256', key.secret()!).update(`${h}.${p}`).digest('base64url')}`

function counting(inner: SignatureBackend = nodeCryptoBackend) {
  const counts = { verify: 0 }
  const backend: SignatureBackend = {
    name: 'counting',
    prepare: (k) => inner.prepare(k),
    decodeText: (t, s, e) => inner.decodeText(t, s, e),
    verify(...args) {
      counts.verify++
      return inner.verify(...args)
    },
  }
  return { backend, counts }
}

function verifier(options: Partial<CreateVerifierOptions> = {}) {
  return createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: createKeySet([key]), clock: () => T * 1000, backend: nodeCryptoBackend, ...options })
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: string | undefined; cause?: unknown }> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal')
    },
    (e: unknown) => e as { code: string; reason?: string; cause?: unknown },
  )
  return { code: error.code, reason: error.reason, ...(error.cause === undefined ? {} : { cause: error.cause }) }
}

describe('verification refusals and their reasons', () => {
  it.each([
    ['a number', () => 123, 'token_missing', undefined],
    ['the empty string', () => '', 'token_missing', undefined],
    ['no dot', () => 'abcd', 'token_invalid', 'shape'],
    ['one dot', () => 'abcd.efgh', 'token_invalid', 'shape'],
    ['four segments', () => 'ab.cd.ef.gh', 'token_invalid', 'shape'],
    ['an empty signature', () => `${header()}.${claims()}.`, 'token_invalid', 'signature'],
    ['an empty signature and an unknown kid', () => `${header({ kid: 'nope' })}.${claims()}.`, 'token_invalid', 'signature'],
    ['an empty header', () => `.${claims()}.AAAA`, 'token_invalid', 'encoding'],
    ['a header with a set unused bit', () => `${header()}R.${claims()}.AAAA`, 'token_invalid', 'encoding'],
    ['a header with padding', () => `${header()}=.${claims()}.AAAA`, 'token_invalid', 'encoding'],
    ['a payload of impossible length (1 mod 4)', () => `${header()}.${claims().padEnd(claims().length + ((5 - (claims().length % 4)) % 4), 'A')}.AAAA`, 'token_invalid', 'encoding'],
    ['a signature with a set unused bit', () => `${header()}.${claims()}.AB`, 'token_invalid', 'encoding'],
    ['an unknown kid', () => signed(header({ kid: 'nope' }), claims()), 'token_invalid', 'kid'],
    ['another alg than the key’s', () => signed(header({ alg: 'ES256' }), claims()), 'token_invalid', 'alg'],
    ['a signature of the wrong length', () => `${header()}.${claims()}.${'A'.repeat(42)}`, 'token_invalid', 'signature'],
    ['a wrong signature', () => `${header()}.${claims()}.${'A'.repeat(43)}`, 'token_invalid', 'signature'],
    ['a signed payload with a character outside base64url', () => signed(header(), `${claims().slice(0, 8)}*${claims().slice(9)}`), 'token_invalid', 'encoding'],
    ['a signed payload that is not JSON', () => signed(header(), b64('{"iss":')), 'token_invalid', 'payload'],
    ['a signed JSON array payload', () => signed(header(), b64('[1]')), 'token_invalid', 'payload'],
    ['a signed JSON null payload', () => signed(header(), b64('null')), 'token_invalid', 'payload'],
    ['a signed JSON string payload', () => signed(header(), b64('"claims"')), 'token_invalid', 'payload'],
    ['a signed JSON number payload', () => signed(header(), b64('1')), 'token_invalid', 'payload'],
  ])('refuses %s', async (_name, make, code, reason) => {
    expect(await refusal(verifier().verify(make() as string))).toEqual({ code, reason })
  })

  it('gates on length before anything else: exactly the maximum is parsed, one more is too_large', async () => {
    expect(await refusal(verifier().verify('a'.repeat(8192)))).toEqual({ code: 'token_invalid', reason: 'shape' })
    expect(await refusal(verifier().verify('a'.repeat(8193)))).toEqual({ code: 'token_invalid', reason: 'too_large' })
    expect(await refusal(verifier({ maxTokenLength: 300 }).verify('a'.repeat(301)))).toEqual({ code: 'token_invalid', reason: 'too_large' })
    expect(await refusal(verifier({ maxTokenLength: 300 }).verify('a'.repeat(300)))).toEqual({ code: 'token_invalid', reason: 'shape' })
  })

  it('refuses a signature of the wrong length without any crypto', async () => {
    const { backend, counts } = counting()
    await refusal(verifier({ backend }).verify(`${header()}.${claims()}.${'A'.repeat(42)}`))
    await refusal(verifier({ backend }).verify(`${header()}.${claims()}.${'A'.repeat(44)}`))
    expect(counts.verify).toBe(0)
  })

  it('caches nothing with cacheSize 0: every call checks the signature', async () => {
    const { backend, counts } = counting()
    const v = verifier({ backend, cacheSize: 0 })
    const token = signed(header(), claims())
    for (let i = 0; i < 4; i++) await v.verify(token)
    expect(counts.verify).toBe(4)
  })

  it('refuses a header the backend cannot decode (encoding)', async () => {
    const inner = counting().backend
    const backend: SignatureBackend = { ...inner, decodeText: (t, s, e) => (s === 0 ? undefined : inner.decodeText(t, s, e)) }
    expect(await refusal(verifier({ backend }).verify(signed(header(), claims())))).toEqual({ code: 'token_invalid', reason: 'encoding' })
  })

  it('answers token_invalid (key) with the cause when the key cannot be prepared', async () => {
    const cause = new Error('import failed')
    const backend: SignatureBackend = { ...counting().backend, prepare: () => Promise.reject(cause) }
    expect(await refusal(verifier({ backend }).verify(signed(header(), claims())))).toEqual({ code: 'token_invalid', reason: 'key', cause })
  })

  it.each([
    ['throws', () => { throw new Error('boom') }],
    ['rejects', () => Promise.reject(new Error('boom'))],
  ])('answers token_invalid (internal), never a raw error, when the backend %s', async (_name, verify) => {
    const backend: SignatureBackend = { ...counting().backend, verify: verify as SignatureBackend['verify'] }
    const error = await refusal(verifier({ backend }).verify(signed(header(), claims())))
    expect(error).toMatchObject({ code: 'token_invalid', reason: 'internal' })
    expect(error.cause).toBeInstanceOf(Error)
  })
})
