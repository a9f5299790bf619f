/**
 * Verifier behaviour: the claim rules at their edges, the verified-token cache, key rotation,
 * remote JWKS, the revocation hook and option checks.
 */
import {
  AuthError,
  createKeySet,
  createVerifier,
  generateKey,
  type PublicJWKS,
  signAccessToken,
} from '@auth/core'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import {
  ALGS,
  AUDIENCE,
  type BackendName,
  baseClaims,
  clock,
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

const now = Math.floor(NOW / 1000)

describe.each(['node', 'web'] as BackendName[])('verifier on the %s backend', (backend) => {
  it.each(ALGS)('verifies a fresh %s token and returns its claims and header', async (alg) => {
    const key = await keyFor(alg)
    const verifier = verifierFor(backend, createKeySet([key]))
    const token = await validToken(alg, { claims: { role: 'admin', nested: { a: [1, 2] } } })
    const { claims, header } = await verifier.verify(token)
    expect(header).toEqual({ alg, kid: key.kid, typ: 'at+jwt' })
    expect(claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', sid: 'session-1', ver: 3, role: 'admin' })
    expect(claims.exp - claims.iat).toBe(900)
  })

  it('accepts typ application/at+jwt in any case and an aud list containing the audience', async () => {
    const key = await keyFor('ES256')
    const verifier = verifierFor(backend, createKeySet([key]))
    for (const typ of ['application/at+jwt', 'AT+JWT', 'Application/At+Jwt']) {
      const token = forge(headerFor(key, { typ }), { ...baseClaims(), aud: ['other', AUDIENCE] }, { key })
      await expect(verifier.verify(token)).resolves.toBeDefined()
    }
  })

  it.each([
    ['exp exactly at now - tolerance', { exp: now - 5 }, 'token_expired'],
    ['exp one second inside the tolerance', { exp: now - 4 }, null],
    ['nbf at the edge of the tolerance', { nbf: now + 5 }, null],
    ['nbf one second past the tolerance', { nbf: now + 6 }, 'token_invalid'],
    ['iat at the edge of the tolerance', { iat: now + 5 }, null],
    ['iat one second past the tolerance', { iat: now + 6 }, 'token_invalid'],
    ['age exactly max age + tolerance', { iat: now - 905, exp: now + 100 }, null],
    ['age one second past max age + tolerance', { iat: now - 906, exp: now + 100 }, 'token_expired'],
  ] as const)('time rule: %s', async (_name, overrides, code) => {
    const key = await keyFor('ES256')
    const verifier = verifierFor(backend, createKeySet([key]))
    const token = forge(headerFor(key), { ...baseClaims(), ...overrides }, { key })
    if (code === null) await expect(verifier.verify(token)).resolves.toBeDefined()
    else await expectAuthError(verifier.verify(token), code)
  })

  it('honours a configured clock tolerance and maximum age', async () => {
    const key = await keyFor('ES256')
    const verifier = verifierFor(backend, createKeySet([key]), { clockToleranceMs: 60_000, maxTokenAgeMs: 3_600_000 })
    const ok = forge(headerFor(key), { ...baseClaims(), exp: now - 59, iat: now - 3000 }, { key })
    await expect(verifier.verify(ok)).resolves.toBeDefined()
    const late = forge(headerFor(key), { ...baseClaims(), exp: now - 60 }, { key })
    await expectAuthError(verifier.verify(late), 'token_expired')
  })

  it('re-checks expiry of a cached (warm) token on every call', async () => {
    const key = await keyFor('HS256')
    let time = NOW
    const verifier = verifierFor(backend, createKeySet([key]), { clock: () => time })
    const token = await validToken('HS256')
    for (let i = 0; i < 3; i++) await verifier.verify(token) // admitted on second sight, then warm
    time = NOW + (900 + 5) * 1000
    await expectAuthError(verifier.verify(token), 'token_expired')
    time = NOW
    await expect(verifier.verify(token)).resolves.toBeDefined()
  })

  it('serves a warm token without checking its signature again, and freezes the shared claims', async () => {
    const key = await keyFor('ES256')
    const verifier = verifierFor(backend, createKeySet([key]))
    const token = await validToken('ES256', { claims: { roles: ['a'] } })
    const spy = vi.spyOn(crypto.subtle, 'verify')
    const first = await verifier.verify(token)
    const second = await verifier.verify(token)
    const third = await verifier.verify(token)
    expect(third).toBe(second) // cached from the second sighting on
    expect(first.claims).toEqual(third.claims)
    expect(Object.isFrozen(third.claims)).toBe(true)
    expect(Object.isFrozen(third.claims.roles)).toBe(true)
    expect(() => {
      ;(third.claims as Record<string, unknown>).sub = 'admin'
    }).toThrow(TypeError)
    if (backend === 'web') expect(spy).toHaveBeenCalledTimes(2)
    spy.mockRestore()
  })

  it('never caches a failure: a token rejected by the revocation hook is checked again', async () => {
    const key = await keyFor('ES256')
    let revoked = true
    const revocation = vi.fn(() => {
      if (revoked) throw new AuthError('token_revoked')
    })
    const verifier = verifierFor(backend, createKeySet([key]), {}, revocation)
    const token = await validToken('ES256')
    await expectAuthError(verifier.verify(token), 'token_revoked')
    await expectAuthError(verifier.verify(token), 'token_revoked')
    await expectAuthError(verifier.verify(token), 'token_revoked') // warm by now: the hook still runs
    revoked = false
    await expect(verifier.verify(token)).resolves.toBeDefined()
    expect(revocation).toHaveBeenCalledTimes(4)
  })

  it('supports an asynchronous revocation hook', async () => {
    const key = await keyFor('ES256')
    const verifier = verifierFor(backend, createKeySet([key]), {}, async (claims) => {
      await new Promise((resolve) => setImmediate(resolve))
      if (claims.sub === 'user-1') throw new AuthError('session_revoked')
    })
    await expectAuthError(verifier.verify(await validToken('ES256')), 'session_revoked')
  })

  it('rejects forged tokens every time, even after the real one is cached', async () => {
    const key = await keyFor('HS256')
    const verifier = verifierFor(backend, createKeySet([key]))
    const token = await validToken('HS256')
    for (let i = 0; i < 3; i++) await verifier.verify(token)
    const [h, p] = token.split('.')
    const forged = `${h}.${p}.${'A'.repeat(43)}`
    for (let i = 0; i < 3; i++) await expectAuthError(verifier.verify(forged), 'token_invalid')
  })

  it('rotates keys: tokens of the old key verify until it is dropped from the set', async () => {
    const oldKey = await generateKey({ kid: 'old' })
    const newKey = await generateKey({ kid: 'new' })
    const rotated = createKeySet([newKey, oldKey])
    const before = await signAccessToken(oldKey, { issuer: ISSUER, audience: AUDIENCE, sub: 'u', sid: 's', clock })
    const after = await signAccessToken(rotated, { issuer: ISSUER, audience: AUDIENCE, sub: 'u', sid: 's', clock })
    expect(after.token.split('.')[0]).toContain(Buffer.from('"kid":"new"').toString('base64url').slice(0, 8))
    const verifier = verifierFor(backend, rotated)
    await expect(verifier.verify(before.token)).resolves.toBeDefined()
    await expect(verifier.verify(after.token)).resolves.toBeDefined()
    const retired = verifierFor(backend, createKeySet([newKey]))
    await expectAuthError(retired.verify(before.token), 'token_invalid')
  })

  it('verifies with a public JWKS object and refuses JWKS entries that cannot verify', async () => {
    const keys = await keySetFor('EdDSA')
    const verifier = verifierFor(backend, keys.jwks() as never)
    await expect(verifier.verify(await validToken('EdDSA'))).resolves.toBeDefined()
    const jwk = keys.jwks().keys[0]!
    const make = (jwks: unknown) => createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: jwks as PublicJWKS })
    expect(() => make({ keys: [{ ...jwk, use: 'enc' }] })).toThrow(TypeError)
    expect(() => make({ keys: [{ ...jwk, key_ops: ['sign'] }] })).toThrow(TypeError)
    expect(() => make({ keys: [{ kty: 'oct', k: 'x'.repeat(43) }] })).toThrow(TypeError)
    expect(() => make({ keys: [{ ...jwk, d: 'secret' }] })).toThrow(TypeError)
    expect(() => make({ nokeys: [] })).toThrow(TypeError)
  })
})

describe('remote JWKS', () => {
  async function jwksServer(initial: PublicJWKS) {
    let current = initial
    let fail = false
    const fetch = vi.fn(async () => {
      if (fail) throw new TypeError('network down')
      return new Response(JSON.stringify(current), { status: 200, headers: { 'content-type': 'application/json' } })
    })
    return {
      fetch,
      set(next: PublicJWKS) {
        current = next
      },
      fail(value: boolean) {
        fail = value
      },
    }
  }

  it('fetches the set once, verifies, and refetches for an unknown kid only outside the cooldown', async () => {
    const keys = await keySetFor('ES256')
    const server = await jwksServer(keys.jwks())
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: 'https://auth.example.com/.well-known/jwks.json',
      clock,
      remote: { fetch: server.fetch, cooldownMs: 60_000 },
    })
    await expect(verifier.verify(await validToken('ES256'))).resolves.toBeDefined()
    await expect(verifier.verify(await validToken('ES256', { claims: { n: 2 } }))).resolves.toBeDefined()
    expect(server.fetch).toHaveBeenCalledTimes(1)
    // An unknown kid within the cooldown does not refetch: tokens cannot make us hammer the issuer.
    const stranger = await generateKey({ kid: 'unknown' })
    for (let i = 0; i < 5; i++) {
      await expectAuthError(verifier.verify(forge(headerFor(stranger), baseClaims(), { key: stranger })), 'token_invalid')
    }
    expect(server.fetch).toHaveBeenCalledTimes(1)
  })

  it('picks up a rotated key after the cooldown and drops cached tokens of a removed key', async () => {
    const oldKey = await generateKey({ kid: 'old' })
    const newKey = await generateKey({ kid: 'new' })
    const server = await jwksServer(createKeySet([oldKey]).jwks())
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: new URL('https://auth.example.com/jwks'),
      clock,
      remote: { fetch: server.fetch, cooldownMs: 0 },
    })
    const oldToken = (await signAccessToken(oldKey, { issuer: ISSUER, audience: AUDIENCE, sub: 'u', sid: 's', clock })).token
    for (let i = 0; i < 3; i++) await verifier.verify(oldToken) // cached
    server.set(createKeySet([newKey]).jwks())
    const newToken = (await signAccessToken(newKey, { issuer: ISSUER, audience: AUDIENCE, sub: 'u', sid: 's', clock })).token
    await expect(verifier.verify(newToken)).resolves.toBeDefined() // unknown kid → refetch
    await expectAuthError(verifier.verify(oldToken), 'token_invalid') // the cache does not outlive the key
  })

  it('answers jwks_unavailable (503) when the set cannot be fetched at all', async () => {
    const server = await jwksServer({ keys: [] })
    server.fail(true)
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: 'https://auth.example.com/jwks',
      remote: { fetch: server.fetch },
      clock,
    })
    const error = await expectAuthError(verifier.verify(await validToken('ES256')), 'jwks_unavailable')
    expect(error.status).toBe(503)
  })

  it('refuses a non-https JWKS URL', () => {
    expect(() => createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: 'http://auth.example.com/jwks' })).toThrow(
      TypeError,
    )
  })
})

describe('createVerifier options', () => {
  it.each([
    ['no issuer', { issuer: '' }],
    ['no audience', { audience: undefined }],
    ['negative tolerance', { clockToleranceMs: -1 }],
    ['NaN max age', { maxTokenAgeMs: Number.NaN }],
    ['the old clockTolerance (seconds)', { clockTolerance: 5 }],
    ['an unknown option', { revocation: () => {} }],
    ['tiny max length', { maxTokenLength: 10 }],
    ['negative cache size', { cacheSize: -1 }],
    ['no jwks', { jwks: undefined }],
  ])('refuses %s with a TypeError at construction', async (_name, override) => {
    const jwks = await keySetFor('ES256')
    expect(() => createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, ...(override as object) })).toThrow(TypeError)
  })

  it('names an unknown option, and the new name of an old option in seconds', async () => {
    const jwks = await keySetFor('ES256')
    const attempt = (extra: object) => () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, ...extra })
    expect(attempt({ revocation: () => {} })).toThrow(new TypeError('createVerifier: unknown option revocation'))
    expect(attempt({ clockTolerance: 5 })).toThrow(
      new TypeError('createVerifier: unknown option clockTolerance (durations are milliseconds now: clockToleranceMs)'),
    )
    expect(attempt({ maxTokenAge: 900 })).toThrow(
      new TypeError('createVerifier: unknown option maxTokenAge (durations are milliseconds now: maxTokenAgeMs)'),
    )
  })

  it('works with the cache disabled', async () => {
    const verifier = verifierFor('node', await keySetFor('ES256'), { cacheSize: 0 })
    const token = await validToken('ES256')
    for (let i = 0; i < 3; i++) await expect(verifier.verify(token)).resolves.toBeDefined()
  })

  it('applies a configured maximum token length', async () => {
    const verifier = verifierFor('node', await keySetFor('RS256'), { maxTokenLength: 512 })
    const token = await validToken('RS256')
    expect(token.length).toBeGreaterThan(512)
    const error = await expectAuthError(verifier.verify(token), 'token_invalid')
    expect(error.reason).toBe('too_large')
  })
})

describe('untrusted JSON depth', () => {
  it.each(['node', 'web'] as BackendName[])(
    'verifies a token with a 200 000-level nested claim the same way cold and from the cache (%s backend, no RangeError)',
    async (backend) => {
      const key = await keyFor('ES256')
      const verifier = verifierFor(backend, createKeySet([key]), { maxTokenLength: 1 << 20 })
      const depth = 200_000
      const claims = JSON.stringify(baseClaims()).slice(0, -1)
      const payload = `${claims},"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`
      const token = forge(headerFor(key), payload, { key })
      expect(token.length).toBeLessThan(1 << 20)
      // First sighting (cold), second (admitted: the result is frozen and cached), third (warm).
      for (let i = 0; i < 3; i++) {
        const { claims: verified } = await verifier.verify(token)
        expect(verified.sub).toBe('user-1')
        let level: unknown = verified.deep
        let count = 0
        while (Array.isArray(level) && level.length > 0) {
          level = level[0]
          count++
        }
        expect(count).toBe(depth - 1)
      }
    },
  )
})

describe('a JWKS object: every entry is checked at construction', () => {
  const make = (keys: unknown[]) => () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys } as PublicJWKS, clock })
  // generateKeyPairSync's overloads want a literal type per call; one signature for both kinds here.
  const generatePair = generateKeyPairSync as (type: 'ec' | 'rsa', options: object) => { publicKey: KeyObject }
  const pairJwk = (options: object, type: 'ec' | 'rsa', extra: object) => ({ ...generatePair(type, options).publicKey.export({ format: 'jwk' }), ...extra })

  it.each<[string, () => object, RegExp]>([
    ['an ES384 key', () => pairJwk({ namedCurve: 'P-384' }, 'ec', { kid: 'odd', alg: 'ES384', use: 'sig' }), /ES384/],
    ['an RSA key of 1024 bits', () => pairJwk({ modulusLength: 1024 }, 'rsa', { kid: 'odd', alg: 'RS256' }), /2048 bits/],
    ['an RSA key with e=3', () => pairJwk({ modulusLength: 2048, publicExponent: 3 }, 'rsa', { kid: 'odd' }), /exponent/],
    ['a P-256 key whose alg says RS256', () => pairJwk({ namedCurve: 'P-256' }, 'ec', { kid: 'odd', alg: 'RS256' }), /RS256/],
    ['a key without a kid', () => pairJwk({ namedCurve: 'P-256' }, 'ec', {}), /kid/],
  ])('refuses %s next to a good key with a TypeError that names the entry', async (_name, odd, problem) => {
    const good = (await keySetFor('ES256')).jwks().keys[0]!
    const attempt = make([good, odd()])
    expect(attempt).toThrow(TypeError)
    expect(attempt).toThrow(/jwks\.keys\[1\]/)
    expect(attempt).toThrow(problem)
  })

  it('tells a JWKS object from a KeySet by its get method, not by a member named "jwks"', async () => {
    const jwks = { keys: [(await keyFor('ES256')).publicJwk()!], jwks: 'https://auth.example.com/jwks' } as PublicJWKS
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, clock })
    await expect(verifier.verify(await validToken('ES256'))).resolves.toBeDefined()
  })

  it('refuses two entries with one kid, naming the kid and both entries', async () => {
    const a = (await generateKey({ kid: 'twin' })).publicJwk()!
    const b = (await generateKey({ kid: 'twin' })).publicJwk()!
    const attempt = make([a, b])
    expect(attempt).toThrow(TypeError)
    expect(attempt).toThrow(/"twin".*keys\[0\].*keys\[1\]/)
  })

  it('an entry whose key material fails to import (a point off the curve) fails only its own tokens', async () => {
    const good = await keyFor('ES256')
    const broken = (await generateKey({ kid: 'broken' })).publicJwk()!
    const x = Buffer.from(broken.x!, 'base64url')
    x[31] = x[31]! ^ 1
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: { keys: [{ ...broken, x: x.toString('base64url') }, good.publicJwk()!] },
      clock,
    })
    await expect(verifier.verify(await validToken('ES256'))).resolves.toBeDefined()
    const other = await generateKey({ kid: 'broken' })
    await expectAuthError(verifier.verify(forge(headerFor(other), baseClaims(), { key: other })), 'token_invalid')
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/jwks\.keys\[0\] \(kid "broken"\)/)
    warn.mockRestore()
  })
})
