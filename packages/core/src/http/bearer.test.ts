import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseBearer } from './bearer.js'

const JWT = 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl'

describe('parseBearer', () => {
  it.each([
    ['a JWT', `Bearer ${JWT}`, JWT],
    ['lowercase scheme', `bearer ${JWT}`, JWT],
    ['uppercase scheme', `BEARER ${JWT}`, JWT],
    ['mixed-case scheme', `bEaReR ${JWT}`, JWT],
    ['every b64token character', 'Bearer AZaz09-._~+/', 'AZaz09-._~+/'],
    ['trailing "=" padding', 'Bearer abc==', 'abc=='],
    ['a one-element list', [`Bearer ${JWT}`], JWT],
  ])('reads the token: %s', (_, header, token) => {
    expect(parseBearer(header)).toEqual({ ok: true, token })
  })

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['the empty string', ''],
    ['an empty list', []],
  ])('answers missing for %s', (_, header) => {
    expect(parseBearer(header as never)).toEqual({ ok: false, reason: 'missing' })
  })

  it.each([
    ['Basic', 'Basic dXNlcjpwYXNz'],
    ['Token', `Token ${JWT}`],
    ['a scheme alone', 'Negotiate'],
    ['a scheme that only starts with Bearer', `BearerX ${JWT}`],
    ['DPoP', `DPoP ${JWT}`],
    ['a token glued to the scheme (one longer scheme name)', `Bearer${JWT}`],
  ])('answers scheme for another scheme: %s', (_, header) => {
    expect(parseBearer(header)).toEqual({ ok: false, reason: 'scheme' })
  })

  it.each<[string, unknown]>([
    ['Bearer alone', 'Bearer'],
    ['Bearer and a space', 'Bearer '],
    ['two spaces', `Bearer  ${JWT}`],
    ['a tab instead of a space', `Bearer\t${JWT}`],
    ['a leading space', ` Bearer ${JWT}`],
    ['a trailing space', `Bearer ${JWT} `],
    ['two tokens', `Bearer ${JWT} ${JWT}`],
    ['two credentials joined by Fetch', `Bearer ${JWT}, Bearer ${JWT}`],
    ['two header values (Node list)', [`Bearer ${JWT}`, `Bearer ${JWT}`]],
    ['a comma in the token', 'Bearer abc,def'],
    ['a quoted token', 'Bearer "abc"'],
    ['"=" inside the token', 'Bearer ab=c'],
    ['only padding', 'Bearer ='],
    ['base64url is fine, but "%" is not', 'Bearer abc%2F'],
    ['a CR LF (header injection)', `Bearer ${JWT}\r\nX-Admin: 1`],
    ['a NUL', `Bearer abc\u0000def`],
    ['non-ASCII', 'Bearer t\u00f6ken'],
    ['auth-param syntax', 'Bearer token="abc"'],
    ['a number', 42],
    ['a list with a non-string', [42]],
  ])('answers malformed for %s', (_, header) => {
    expect(parseBearer(header as never)).toEqual({ ok: false, reason: 'malformed' })
  })

  it('answers as the two regular expressions of RFC 6750 §2.1 do, for any header (the fast path included)', () => {
    // The reference: the grammar as two regular expressions, as parseBearer read it before its fast path.
    const reference = (value: string) => {
      if (value === '') return { ok: false, reason: 'missing' }
      const scheme = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?= |$)/.exec(value)
      if (!scheme) return { ok: false, reason: 'malformed' }
      if (scheme[0].toLowerCase() !== 'bearer') return { ok: false, reason: 'scheme' }
      const credentials = /^bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(value)
      return credentials ? { ok: true, token: credentials[1] } : { ok: false, reason: 'malformed' }
    }
    const piece = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'bEaReR', 'Bearer ', ' ', '  ', '=', '==', 'a', 'Z9', '-._~+/', ',', '"', '\t', '\r\n', '\u00f6', 'B\u00e9arer', 'Basic ', JWT, '%')
    const header = fc.oneof(fc.array(piece, { maxLength: 6 }).map((parts) => parts.join('')), fc.string({ maxLength: 24 }), fc.string({ maxLength: 12 }).map((tail) => `Bearer ${tail}`))
    fc.assert(fc.property(header, (value) => {
      expect(parseBearer(value)).toEqual(reference(value))
    }), { numRuns: 5000 })
  })
})
