/**
 * Differential and property tests: the `node:crypto` and WebCrypto backends give the same
 * verdict on every input, random mutations of a valid token never verify, and nothing but an
 * AuthError ever escapes.
 */
import { type Algorithm, AuthError, createKeySet, type Verifier } from '@auth/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ALGS, baseClaims, forge, headerFor, keyFor, validToken, verifierFor } from './fixtures.js'

type Verdict = { ok: true; sub: unknown } | { ok: false; code: string; reason: string | undefined }

async function verdict(verifier: Verifier, token: string): Promise<Verdict> {
  try {
    const { claims } = await verifier.verify(token)
    return { ok: true, sub: claims.sub }
  } catch (error) {
    if (!(error instanceof AuthError)) throw new Error(`a non-AuthError escaped: ${String(error)}`)
    return { ok: false, code: error.code, reason: error.reason }
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const mutationChar = fc.oneof(
  fc.constantFrom(...ALPHABET.split('')),
  fc.constantFrom('.', '=', '+', '/', ' ', '\n', '\u0000', '\u0141', '\u00e9', '"', '{'),
  fc.string({ minLength: 1, maxLength: 1 }),
)

/** A random edit of a token string. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: mutationChar }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: mutationChar }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('bitflip' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.integer({ min: 0, max: 2 }), b: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
)

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never

function applyMutation(token: string, m: Mutation): string {
  const at = 'at' in m ? m.at % (token.length + 1) : 0
  switch (m.kind) {
    case 'replace':
      return token.slice(0, at) + m.char + token.slice(at + 1)
    case 'insert':
      return token.slice(0, at) + m.char + token.slice(at)
    case 'delete':
      return token.slice(0, at) + token.slice(at + m.count)
    case 'bitflip': {
      const i = at % token.length
      const index = ALPHABET.indexOf(token[i]!)
      const flipped = index < 0 ? token[i]! : ALPHABET[index ^ (1 << (at % 6))]!
      return token.slice(0, i) + flipped + token.slice(i + 1)
    }
    case 'swap': {
      const parts = token.split('.')
      const a = m.a
      const b = m.b
      ;[parts[a], parts[b]] = [parts[b]!, parts[a]!]
      return parts.join('.')
    }
    case 'truncate':
      return token.slice(0, at)
  }
}

describe.each(ALGS)('%s', (alg: Algorithm) => {
  it('random mutations of a valid token never verify, on either backend, with the same code', async () => {
    const key = await keyFor(alg)
    const keys = createKeySet([key])
    const node = verifierFor('node', keys)
    const web = verifierFor('web', keys)
    const token = await validToken(alg)
    // Warm both caches with the real token: a mutation must not ride on a cache entry.
    for (let i = 0; i < 3; i++) {
      await node.verify(token)
      await web.verify(token)
    }
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const mutated = mutations.reduce((t, m) => applyMutation(t, m), token)
        fc.pre(mutated !== token)
        const a = await verdict(node, mutated)
        const b = await verdict(web, mutated)
        expect(a.ok).toBe(false)
        expect(b).toEqual(a)
      }),
      { numRuns: alg === 'RS256' ? 300 : 500 },
    )
  })

  it('validly signed random headers and payloads get the same verdict on both backends', async () => {
    const key = await keyFor(alg)
    const keys = createKeySet([key])
    const node = verifierFor('node', keys, { cacheSize: 0 })
    const web = verifierFor('web', keys, { cacheSize: 0 })
    let accepted = 0
    let rejected = 0
    const base = baseClaims()
    const claimValue = fc.oneof(fc.jsonValue(), fc.constantFrom(...Object.values(base)), fc.double(), fc.constant(undefined))
    const claims = fc.record(
      Object.fromEntries(
        Object.keys(base).map((name) => [name, fc.oneof({ arbitrary: fc.constant(base[name]), weight: 12 }, { arbitrary: claimValue, weight: 1 })]),
      ),
      { requiredKeys: [] },
    )
    const header = fc.record(
      {
        alg: fc.oneof({ arbitrary: fc.constant(key.alg), weight: 12 }, fc.constantFrom('none', 'HS256', 'ES256', 'EdDSA', 'RS256'), fc.jsonValue()),
        kid: fc.oneof({ arbitrary: fc.constant(key.kid), weight: 12 }, fc.string(), fc.jsonValue()),
        typ: fc.oneof({ arbitrary: fc.constantFrom('at+jwt', 'application/at+jwt'), weight: 12 }, fc.constant('JWT'), fc.jsonValue()),
        extra: fc.dictionary(fc.constantFrom('jku', 'x5u', 'jwk', 'x5c', 'crit', 'cty', 'x5t', 'zip', 'foo'), fc.jsonValue(), {
          maxKeys: 2,
        }),
      },
      { requiredKeys: ['alg', 'kid', 'typ'] },
    )
    await fc.assert(
      fc.asyncProperty(header, claims, fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }), async (h, c, extra) => {
        const { extra: headerExtra, ...headerFields } = h as Record<string, unknown>
        const token = forge({ ...(headerExtra as object), ...headerFields }, { ...extra, ...c }, { key })
        const a = await verdict(node, token)
        const b = await verdict(web, token)
        expect(b).toEqual(a)
        if (a.ok) accepted++
        else rejected++
      }),
      { numRuns: alg === 'RS256' ? 200 : 400 },
    )
    // Both outcomes occurred, so the comparison covered accepting and rejecting paths.
    expect(accepted).toBeGreaterThan(0)
    expect(rejected).toBeGreaterThan(0)
  })

  it('the base token of the property above verifies on both backends (the property can pass)', async () => {
    const key = await keyFor(alg)
    const keys = createKeySet([key])
    const token = forge(headerFor(key), baseClaims(), { key })
    expect(await verdict(verifierFor('node', keys), token)).toEqual({ ok: true, sub: 'user-1' })
    expect(await verdict(verifierFor('web', keys), token)).toEqual({ ok: true, sub: 'user-1' })
  })
})
