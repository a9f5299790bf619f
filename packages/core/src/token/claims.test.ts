/**
 * The claim rules on their own: each rule refuses with its own `reason` (the AuthError field that
 * tells logs which check failed), and each time rule is pinned at its boundary.
 */
import { describe, expect, it } from 'vitest'
import { AuthError } from '@auth/core'
import { checkStaticClaims, checkTimeClaims, type ClaimRules, RESERVED_CLAIMS } from './claims.js'

const NOW = 1_800_000_000
const RULES: ClaimRules = { issuer: 'https://auth.example.test', audience: 'https://api.example.test', clockToleranceSeconds: 5, maxTokenAgeSeconds: 900 }
const valid = () => ({ iss: RULES.issuer, aud: RULES.audience, sub: 'alice', sid: 'sid-1', jti: 'jti-1', iat: NOW, exp: NOW + 900, ver: 0 })

function outcome(run: () => void): string {
  try {
    run()
    return 'ok'
  } catch (error) {
    if (!(error instanceof AuthError)) throw error
    return `${error.code}/${error.reason}`
  }
}

describe('static claim rules', () => {
  it.each([
    ['a valid payload', {}, 'ok'],
    ['another issuer', { iss: 'https://evil.example' }, 'token_invalid/iss'],
    ['no issuer', { iss: undefined }, 'token_invalid/iss'],
    ['another audience', { aud: 'https://other.example' }, 'token_invalid/aud'],
    ['an audience list with ours', { aud: ['x', RULES.audience] }, 'ok'],
    ['an audience list without ours', { aud: ['x', 'y'] }, 'token_invalid/aud'],
    ['an audience object that "includes" ours', { aud: { includes: () => true } }, 'token_invalid/aud'],
    ['a string exp', { exp: String(NOW + 900) }, 'token_invalid/exp'],
    ['an infinite exp', { exp: Number.POSITIVE_INFINITY }, 'token_invalid/exp'],
    ['a NaN exp', { exp: Number.NaN }, 'token_invalid/exp'],
    ['a string iat', { iat: String(NOW) }, 'token_invalid/iat'],
    ['an infinite iat', { iat: Number.NEGATIVE_INFINITY }, 'token_invalid/iat'],
    ['a numeric nbf', { nbf: NOW }, 'ok'],
    ['a string nbf', { nbf: String(NOW) }, 'token_invalid/nbf'],
    ['a null nbf', { nbf: null }, 'token_invalid/nbf'],
    ['an infinite nbf', { nbf: Number.POSITIVE_INFINITY }, 'token_invalid/nbf'],
    ['an empty sub', { sub: '' }, 'token_invalid/sub'],
    ['a numeric sub', { sub: 42 }, 'token_invalid/sub'],
    ['an empty sid', { sid: '' }, 'token_invalid/sid'],
    ['a numeric sid', { sid: 1 }, 'token_invalid/sid'],
    ['an empty jti', { jti: '' }, 'token_invalid/jti'],
    ['a numeric jti', { jti: 1 }, 'token_invalid/jti'],
    ['ver 0', { ver: 0 }, 'ok'],
    ['a large safe ver', { ver: Number.MAX_SAFE_INTEGER }, 'ok'],
    ['a negative ver', { ver: -1 }, 'token_invalid/ver'],
    ['a fractional ver', { ver: 0.5 }, 'token_invalid/ver'],
    ['an unsafe ver', { ver: 2 ** 53 }, 'token_invalid/ver'],
    ['a string ver', { ver: '1' }, 'token_invalid/ver'],
  ])('%s → %s', (_name, overrides, expected) => {
    expect(outcome(() => checkStaticClaims({ ...valid(), ...overrides }, RULES))).toBe(expected)
  })
})

describe('time claim rules (tolerance 5 s, maximum age 900 s)', () => {
  const at = (claims: Record<string, unknown>, now = NOW) =>
    outcome(() => checkTimeClaims({ ...valid(), ...claims } as never, RULES, now))
  it.each([
    ['exp 6 s before now', { exp: NOW - 6 }, 'token_expired/exp'],
    ['exp exactly tolerance before now', { exp: NOW - 5 }, 'token_expired/exp'],
    ['exp 4 s before now', { exp: NOW - 4, iat: NOW - 100 }, 'ok'],
    ['age exactly max age + tolerance', { iat: NOW - 905, exp: NOW + 100 }, 'ok'],
    ['age 1 s past max age + tolerance', { iat: NOW - 906, exp: NOW + 100 }, 'token_expired/max_age'],
    ['iat exactly tolerance ahead', { iat: NOW + 5 }, 'ok'],
    ['iat 1 s past tolerance ahead', { iat: NOW + 6 }, 'token_invalid/iat'],
    ['nbf exactly tolerance ahead', { nbf: NOW + 5 }, 'ok'],
    ['nbf 1 s past tolerance ahead', { nbf: NOW + 6 }, 'token_invalid/nbf'],
  ])('%s → %s', (_name, claims, expected) => {
    expect(at(claims)).toBe(expected)
  })

  it('reports expiry before age, and age before a future iat', () => {
    expect(at({ exp: NOW - 10, iat: NOW - 2000 })).toBe('token_expired/exp')
    expect(at({ iat: NOW - 2000, nbf: NOW + 60 })).toBe('token_expired/max_age')
  })

  it('applies the configured tolerance, not a fixed one', () => {
    const strict = { ...RULES, clockToleranceSeconds: 0 }
    expect(outcome(() => checkTimeClaims({ ...valid(), exp: NOW } as never, strict, NOW))).toBe('token_expired/exp')
    expect(outcome(() => checkTimeClaims({ ...valid(), nbf: NOW + 1 } as never, strict, NOW))).toBe('token_invalid/nbf')
    expect(outcome(() => checkTimeClaims({ ...valid(), iat: NOW - 901, exp: NOW + 10 } as never, strict, NOW))).toBe('token_expired/max_age')
  })
})

describe('reserved claims', () => {
  it('are exactly the registered claims the SDK owns', () => {
    expect([...RESERVED_CLAIMS].sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'sid', 'sub', 'ver'])
  })
})
