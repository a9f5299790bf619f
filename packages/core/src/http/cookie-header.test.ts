import { describe, expect, it } from 'vitest'
import { MAX_COOKIE_HEADER_LENGTH, parseCookieHeader } from './cookie-header.js'

const parse = (header: Parameters<typeof parseCookieHeader>[0]) => {
  const result = parseCookieHeader(header)
  if (!result.ok) throw new Error(`unexpected ${result.reason}`)
  return { cookies: Object.fromEntries(result.cookies), duplicates: result.duplicates, malformed: result.malformed }
}

describe('parseCookieHeader', () => {
  it.each([
    ['one pair', 'a=1', { a: '1' }],
    ['RFC 6265 separator "; "', 'a=1; b=2', { a: '1', b: '2' }],
    ['no space after ";"', 'a=1;b=2', { a: '1', b: '2' }],
    ['tabs and spaces around pairs', ' \ta=1 ;\t b=2\t', { a: '1', b: '2' }],
    ['an empty value', 'a=', { a: '' }],
    ['a quoted value loses its quotes', 'a="xyz"', { a: 'xyz' }],
    ['a lone DQUOTE is no quoting', 'a="', {}],
    ['base64url and dots as written', 'at=eyJh.eyJz-_.sig', { at: 'eyJh.eyJz-_.sig' }],
    ['"=" inside a value (cookie-octet)', 'a=b=c', { a: 'b=c' }],
    ['percent-encoding is not decoded', 'a=%3B%0D%0Ax', { a: '%3B%0D%0Ax' }],
    ['a stray "%" does not throw', 'a=%E0%A4%A', { a: '%E0%A4%A' }],
    ['names are case-sensitive', 'A=1; a=2', { A: '1', a: '2' }],
    ['"__proto__" is an ordinary name', '__proto__=x; constructor=y', Object.fromEntries([['__proto__', 'x'], ['constructor', 'y']])],
    ['empty pieces are skipped', ';; a=1;;', { a: '1' }],
    ['a pair without "=" is skipped', 'flag; a=1', { a: '1' }],
    ['an empty name is skipped', '=x; a=1', { a: '1' }],
    ['a name with a space is skipped', 'a b=1; c=2', { c: '2' }],
    ['a name with a separator is skipped', 'a(b)=1; a@b=2; c=3', { c: '3' }],
    ['the empty header', '', {}],
  ])('%s', (_, header, cookies) => {
    expect(parse(header).cookies).toEqual(cookies)
  })

  it.each([
    ['a comma does not separate (RFC 2965 style)', 'a=1,b=2', 'a'],
    ['a space inside the value', 'a=x y', 'a'],
    ['a space after "="', 'a= x', 'a'],
    ['CR LF in a value (header injection)', 'a=x\r\nSet-Cookie: b=2', 'a'],
    ['a NUL in a value', 'a=x\u0000y', 'a'],
    ['a backslash', 'a=x\\y', 'a'],
    ['a DQUOTE inside', 'a=x"y', 'a'],
    ['non-ASCII', 'a=caf\u00e9', 'a'],
    ['unbalanced quotes', 'a="x', 'a'],
  ])('reports a malformed value: %s', (_, header, name) => {
    const result = parse(header)
    expect(result.cookies).not.toHaveProperty(name)
    expect(result.malformed).toEqual([name])
  })

  it.each([
    ['the same name twice', 'a=1; a=2', { a: '1' }, ['a']],
    ['three times: listed once', 'a=1; a=2; a=3', { a: '1' }, ['a']],
    ['two names duplicated', 'a=1; b=1; b=2; a=2', { a: '1', b: '1' }, ['b', 'a']],
    ['a duplicate with an empty value', '__Host-auth-at=tok; __Host-auth-at=', { '__Host-auth-at': 'tok' }, ['__Host-auth-at']],
    ['a malformed first occurrence still counts', 'a=x y; a=2', { a: '2' }, ['a']],
    ['quoted and unquoted spellings', 'a="1"; a=1', { a: '1' }, ['a']],
  ])('reports duplicated names: %s', (_, header, cookies, duplicates) => {
    const result = parse(header)
    expect(result.cookies).toEqual(cookies)
    expect(result.duplicates).toEqual(duplicates)
  })

  it('treats names differing in case as distinct, not duplicates', () => {
    expect(parse('__Host-auth-at=1; __host-auth-at=2').duplicates).toEqual([])
  })

  it.each([
    ['exactly the limit', MAX_COOKIE_HEADER_LENGTH, true],
    ['one over the limit', MAX_COOKIE_HEADER_LENGTH + 1, false],
  ])('length %s', (_, length, ok) => {
    const header = `a=${'x'.repeat(length - 2)}`
    expect(header).toHaveLength(length)
    expect(parseCookieHeader(header).ok).toBe(ok)
  })

  it('answers too_large for an oversized header without parsing it', () => {
    expect(parseCookieHeader('a=1; '.repeat(2000))).toEqual({ ok: false, reason: 'too_large' })
  })

  it('joins a list of headers with "; " and applies the limit to the whole', () => {
    expect(parse(['a=1', 'b=2; a=3'])).toEqual({ cookies: { a: '1', b: '2' }, duplicates: ['a'], malformed: [] })
    const half = `a=${'x'.repeat(MAX_COOKIE_HEADER_LENGTH / 2)}`
    expect(parseCookieHeader([half, half]).ok).toBe(false)
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { a: '1' }],
    ['a list with a non-string', ['a=1', 2]],
  ])('answers no cookies for %s, without throwing', (_, header) => {
    expect(parse(header as never)).toEqual({ cookies: {}, duplicates: [], malformed: [] })
  })
})
