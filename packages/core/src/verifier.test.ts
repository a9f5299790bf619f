/**
 * createVerifier: the bounds of every option (at the bound accepted, past it refused with a
 * message naming the option), the checks on a JWKS object, and how a remote set is refetched.
 */
import { createHmac } from 'node:crypto'
import {
  type AuthKey,
  createKeySet,
  createVerifier,
  type CreateVerifierOptions,
  generateKey,
  type PublicJWKS,
  type SignatureBackend,
  signAccessToken,
} from '@auth/core'
import { nodeCryptoBackend } from '@auth/core/node'
import { beforeAll, describe, expect, it, vi } from 'vitest'

const ISSUER = 'https://auth.example.test'
const AUDIENCE = 'https://api.example.test'
const T = 1_800_000_000

let hs: AuthKey
let es: AuthKey
beforeAll(async () => {
  hs = await generateKey({ alg: 'HS256', kid: 'hs' })
  es = await generateKey({ alg: 'ES256', kid: 'es' })
})

const make = (options: Partial<CreateVerifierOptions>) =>
  createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: createKeySet([hs]), ...options } as CreateVerifierOptions)

describe('createVerifier: option bounds', () => {
  it.each([
    ['clockToleranceMs', 0, 300_000],
    ['maxTokenAgeMs', 1000, 366 * 86_400_000],
    ['maxTokenLength', 256, 1 << 20],
    ['cacheSize', 0, 10_000_000],
  ] as const)('accepts %s from %d to %d and nothing outside', (name, min, max) => {
    expect(() => make({ [name]: min })).not.toThrow()
    expect(() => make({ [name]: max })).not.toThrow()
    for (const bad of [min - 1, max + 1, Number.NaN, Number.POSITIVE_INFINITY, String(min)]) {
      expect(() => make({ [name]: bad as number })).toThrow(new TypeError(`createVerifier: ${name} must be a number from ${min} to ${max}`))
    }
  })

  it.each([
    ['options', undefined, 'createVerifier: options are required'],
    ['options', null, 'createVerifier: options are required'],
    ['issuer', { issuer: '' }, 'createVerifier: issuer is required'],
    ['issuer', { issuer: 7 }, 'createVerifier: issuer is required'],
    ['audience', { audience: '' }, 'createVerifier: audience is required'],
    ['audience', { audience: undefined }, 'createVerifier: audience is required'],
    ['jwks', { jwks: 'http://auth.example.test/jwks' }, 'createVerifier: a remote JWKS must be an https URL'],
    ['jwks', { jwks: null }, 'createVerifier: jwks is required'],
    ['jwks', { jwks: 42 }, 'createVerifier: jwks is required'],
    ['jwks', { jwks: { keys: 'none' } }, 'createVerifier: jwks must have a "keys" array'],
  ])('refuses a bad %s with a message naming it', (_name, override, message) => {
    const options = override === undefined || override === null ? override : { issuer: ISSUER, audience: AUDIENCE, jwks: createKeySet([hs]), ...override }
    expect(() => createVerifier(options as CreateVerifierOptions)).toThrow(new TypeError(message))
  })
})

describe('createVerifier: JWKS objects', () => {
  it.each([
    ['a null entry', () => null, 'jwks.keys[0]: it is not a JWK object'],
    ['a string entry', () => 'a key', 'jwks.keys[0]: it is not a JWK object'],
    ['an oct key without "k"', () => ({ kty: 'oct' }), 'must not contain symmetric keys'],
    ['a symmetric (oct) key', () => ({ kty: 'oct', k: 'A'.repeat(43) }), 'must not contain symmetric keys'],
    ['a "k" member on an EC key', () => ({ ...es.publicJwk(), k: 'A'.repeat(43) }), 'must not contain symmetric keys'],
    ['a private key', () => ({ ...es.privateJwk() }), 'must not contain private keys'],
    ['use "enc"', () => ({ ...es.publicJwk(), use: 'enc' }), 'the JWK has use "enc"'],
    ['key_ops without "verify"', () => ({ ...es.publicJwk(), key_ops: ['sign'] }), 'key_ops does not allow "verify"'],
    ['key_ops that is not a list', () => ({ ...es.publicJwk(), key_ops: 'verify' }), 'key_ops does not allow "verify"'],
  ])('refuses %s at construction', (_name, entry, message) => {
    expect(() => make({ jwks: { keys: [entry()] } as unknown as PublicJWKS })).toThrow(message)
  })

  it('accepts a JWK without use and key_ops', async () => {
    const { use: _use, ...bare } = es.publicJwk()!
    const verifier = make({ jwks: { keys: [bare] } as unknown as PublicJWKS })
    const { token } = await signAccessToken(es, { issuer: ISSUER, audience: AUDIENCE, sub: 'u', sid: 's', clock: () => Date.now() })
    await expect(verifier.verify(token)).resolves.toMatchObject({ header: { kid: 'es' } })
  })

  it('fails only the tokens of a key of a local JWKS that does not import (token_invalid, kid), with a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const broken = { ...es.publicJwk()!, x: es.publicJwk()!.y } // not a point on the curve
    const verifier = make({ jwks: { keys: [broken] } as unknown as PublicJWKS })
    const { token } = await signAccessToken(es, { issuer: ISSUER, audience: AUDIENCE, sub: 'u', sid: 's', clock: () => Date.now() })
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_invalid', reason: 'kid' })
    expect(warn).toHaveBeenCalled()
    warn.mockRestore()
  })

  it('accepts use "sig" and key_ops containing "verify", and verifies with them', async () => {
    const verifier = make({ jwks: { keys: [{ ...es.publicJwk()!, use: 'sig', key_ops: ['verify'] }] } as unknown as PublicJWKS })
    const { token } = await signAccessToken(es, { issuer: ISSUER, audience: AUDIENCE, sub: 'u', sid: 's', clock: () => Date.now() })
    await expect(verifier.verify(token)).resolves.toMatchObject({ header: { kid: 'es' } })
  })
})

describe('createVerifier: remote JWKS', () => {
  function remote(initial: PublicJWKS, options: { cooldownMs?: number; cacheMaxAgeMs?: number } = {}) {
    let current: PublicJWKS | 'fail' = initial
    let nowMs = T * 1000
    const fetch = vi.fn(async () => {
      if (current === 'fail') throw new TypeError('network down')
      return new Response(JSON.stringify(current), { status: 200, headers: { 'content-type': 'application/json' } })
    })
    const counts = { verify: 0 }
    const backend: SignatureBackend = {
      ...nodeCryptoBackend,
      name: 'counting',
      prepare: (k) => nodeCryptoBackend.prepare(k),
      decodeText: (t, s, e) => nodeCryptoBackend.decodeText(t, s, e),
      verify(...args) {
        counts.verify++
        return nodeCryptoBackend.verify(...args)
      },
    }
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: 'https://auth.example.test/jwks',
      clock: () => nowMs,
      backend,
      remote: { fetch, cooldownMs: 0, ...options },
    })
    const advance = (ms: number) => void (nowMs += ms)
    return { verifier, fetch, counts, advance, set: (next: PublicJWKS | 'fail') => void (current = next) }
  }

  const signed = async (key: AuthKey, jti: string) => {
    return (await signAccessToken(key, { issuer: ISSUER, audience: AUDIENCE, sub: 'u', sid: 's', clock: () => T * 1000, claims: { n: jti } })).token
  }

  it('keeps cached tokens warm when a refetch brings the very same set', async () => {
    const r = remote(createKeySet([es]).jwks())
    const token = await signed(es, 'a')
    for (let i = 0; i < 3; i++) await r.verifier.verify(token)
    expect(r.counts.verify).toBe(2)
    const stranger = await generateKey({ kid: 'stranger' })
    await expect(r.verifier.verify(await signed(stranger, 'b'))).rejects.toMatchObject({ code: 'token_invalid', reason: 'kid' })
    expect(r.fetch).toHaveBeenCalledTimes(2)
    await r.verifier.verify(token)
    expect(r.counts.verify).toBe(2) // still warm: the set did not change
  })

  it('answers jwks_unavailable (the key may exist) for an unknown kid when the refetch fails after a successful load', async () => {
    const r = remote(createKeySet([es]).jwks())
    await r.verifier.verify(await signed(es, 'a'))
    r.set('fail')
    const stranger = await generateKey({ kid: 'stranger' })
    await expect(r.verifier.verify(await signed(stranger, 'b'))).rejects.toMatchObject({ code: 'jwks_unavailable', status: 503, reason: 'jwks_network' })
    // the known key keeps working meanwhile
    await expect(r.verifier.verify(await signed(es, 'c'))).resolves.toBeDefined()
  })

  it('does not refetch for an unknown kid within the cooldown, but does after it', async () => {
    const r = remote(createKeySet([es]).jwks(), { cooldownMs: 60_000 })
    await r.verifier.verify(await signed(es, 'a'))
    const stranger = await generateKey({ kid: 'stranger' })
    await expect(r.verifier.verify(await signed(stranger, 'b'))).rejects.toMatchObject({ reason: 'kid' })
    expect(r.fetch).toHaveBeenCalledTimes(1)
  })

  it('refetches a set past its max age in the background, while verifying with the one it has', async () => {
    const r = remote(createKeySet([es]).jwks(), { cacheMaxAgeMs: 1000 })
    await r.verifier.verify(await signed(es, 'a'))
    expect(r.fetch).toHaveBeenCalledTimes(1)
    r.advance(999)
    await r.verifier.verify(await signed(es, 'b'))
    expect(r.fetch).toHaveBeenCalledTimes(1) // not yet past its max age (the verifier's clock)
    r.advance(1)
    await r.verifier.verify(await signed(es, 'c'))
    await vi.waitFor(() => expect(r.fetch).toHaveBeenCalledTimes(2))
  })

  it('answers jwks_unavailable with a retry hint of the backoff (1 s after a first failure) and the cause when the first fetch fails', async () => {
    const r = remote(createKeySet([es]).jwks())
    r.set('fail')
    const error = await r.verifier.verify(await signed(es, 'a')).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'jwks_unavailable', retryAfter: 1 })
    expect((error as Error).cause).toBeInstanceOf(Error)
  })

  it('gives up a JWKS request after timeoutMs', async () => {
    const fetch = vi.fn(
      (_url: string, init?: { signal?: AbortSignal }) =>
        new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
    )
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: 'https://auth.example.test/jwks',
      remote: { fetch: fetch as never, timeoutMs: 20 },
    })
    const started = performance.now()
    await expect(verifier.verify(await signed(es, 'a'))).rejects.toMatchObject({ code: 'jwks_unavailable' })
    expect(performance.now() - started).toBeLessThan(2000) // not the 5 s default
  })

  it('never takes a symmetric key from a remote set, even a strong one: a token MACed with it is refused', async () => {
    const secret = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 73 + 41) % 256))
    const r = remote({ keys: [{ kty: 'oct', k: secret.toString('base64url'), kid: 'sym', alg: 'HS256' }, es.publicJwk()] } as unknown as PublicJWKS)
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const input = `${b64({ alg: 'HS256', kid: 'sym', typ: 'at+jwt' })}.${b64({ iss: ISSUER, aud: AUDIENCE, sub: 'u', sid: 's', jti: 'j', iat: T, exp: T + 900, ver: 0 })}`
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
    await expect(r.verifier.verify(token)).rejects.toMatchObject({ code: 'token_invalid', reason: 'kid' })
    await expect(r.verifier.verify(await signed(es, 'a'))).resolves.toBeDefined()
  })

  it('skips entries of a remote set it cannot use, and uses the others', async () => {
    const jwks = { keys: [{ kty: 'oct', k: 'A'.repeat(43), kid: 'sym' }, { ...es.publicJwk()!, use: 'enc', kid: 'enc' }, es.publicJwk()] } as unknown as PublicJWKS
    const r = remote(jwks)
    await expect(r.verifier.verify(await signed(es, 'a'))).resolves.toBeDefined()
  })
})
