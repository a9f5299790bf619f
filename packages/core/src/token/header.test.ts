/** The header rules on their own, each refusal with its `reason`. */
import { describe, expect, it } from 'vitest'
import { AuthError } from '@auth/core'
import { checkHeader } from './header.js'

function outcome(json: string): string {
  try {
    return JSON.stringify(checkHeader(json))
  } catch (error) {
    if (!(error instanceof AuthError)) throw error
    return `${error.code}/${error.reason}`
  }
}
const header = (fields: Record<string, unknown>) => JSON.stringify({ alg: 'ES256', kid: 'k1', typ: 'at+jwt', ...fields })

describe('access-token header rules', () => {
  it.each([
    ['not JSON', '{"alg":', 'token_invalid/header'],
    ['JSON null', 'null', 'token_invalid/header'],
    ['a JSON array', '[]', 'token_invalid/header'],
    ['a JSON string', '"at+jwt"', 'token_invalid/header'],
    ['no typ', header({ typ: undefined }), 'token_invalid/typ'],
    ['typ JWT', header({ typ: 'JWT' }), 'token_invalid/typ'],
    ['typ as a number', header({ typ: 1 }), 'token_invalid/typ'],
    ['typ with a suffix', header({ typ: 'at+jwt2' }), 'token_invalid/typ'],
    ['alg none', header({ alg: 'none' }), 'token_invalid/alg'],
    ['alg HS512', header({ alg: 'HS512' }), 'token_invalid/alg'],
    ['no kid', header({ kid: undefined }), 'token_invalid/kid'],
    ['an empty kid', header({ kid: '' }), 'token_invalid/kid'],
    ['a numeric kid', header({ kid: 7 }), 'token_invalid/kid'],
    ['a kid of 257 characters', header({ kid: 'k'.repeat(257) }), 'token_invalid/kid'],
  ])('refuses %s', (_name, json, expected) => {
    expect(outcome(json)).toBe(expected)
  })

  it.each(['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64', 'zip', 'enc'])('refuses a header carrying "%s", even with a null value', (name) => {
    expect(outcome(header({ [name]: null }))).toBe(`token_invalid/${name}`)
    expect(outcome(header({ [name]: 'https://evil.example/keys' }))).toBe(`token_invalid/${name}`)
  })

  it.each([
    ['at+jwt', 'ES256'],
    ['application/at+jwt', 'EdDSA'],
    ['AT+JWT', 'RS256'],
    ['Application/At+Jwt', 'HS256'],
  ])('accepts typ %s (alg %s) and answers a frozen { alg, kid, typ } with the typ as written', (typ, alg) => {
    const checked = checkHeader(header({ typ, alg, extra: 1 }))
    expect(checked).toEqual({ alg, kid: 'k1', typ })
    expect(Object.isFrozen(checked)).toBe(true)
  })

  it('accepts a kid of exactly 256 characters', () => {
    expect(checkHeader(header({ kid: 'k'.repeat(256) })).kid).toHaveLength(256)
  })

  it('ignores forbidden names inherited from the prototype', () => {
    expect(outcome('{"alg":"ES256","kid":"k1","typ":"at+jwt","__proto__":{"jku":"x"}}')).toContain('"kid":"k1"')
  })
})
