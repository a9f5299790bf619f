import { describe, expect, it } from 'vitest'
import { parseCookieHeader } from './cookie-header.js'
import { type SerializeCookieOptions, serializeClearCookie, serializeCookie } from './set-cookie.js'

const base: SerializeCookieOptions = { name: 'sid', value: 'abc', sameSite: 'Lax' }

describe('serializeCookie', () => {
  it.each<[string, Partial<SerializeCookieOptions>, string]>([
    ['defaults: Path=/, Secure, HttpOnly, explicit SameSite', {}, 'sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax'],
    ['Max-Age in seconds', { maxAgeSeconds: 900 }, 'sid=abc; Max-Age=900; Path=/; Secure; HttpOnly; SameSite=Lax'],
    ['Max-Age=0', { maxAgeSeconds: 0 }, 'sid=abc; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax'],
    [
      'Expires as an IMF-fixdate',
      { expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)) },
      'sid=abc; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Path=/; Secure; HttpOnly; SameSite=Lax',
    ],
    ['a domain, lowercased', { domain: 'Example.COM' }, 'sid=abc; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax'],
    ['a path', { path: '/auth/refresh' }, 'sid=abc; Path=/auth/refresh; Secure; HttpOnly; SameSite=Lax'],
    ['SameSite=Strict', { sameSite: 'Strict' }, 'sid=abc; Path=/; Secure; HttpOnly; SameSite=Strict'],
    ['SameSite=None with Secure', { sameSite: 'None' }, 'sid=abc; Path=/; Secure; HttpOnly; SameSite=None'],
    ['not HttpOnly', { httpOnly: false }, 'sid=abc; Path=/; Secure; SameSite=Lax'],
    ['not Secure (no prefix, Lax)', { secure: false }, 'sid=abc; Path=/; HttpOnly; SameSite=Lax'],
    ['an empty value', { value: '' }, 'sid=; Path=/; Secure; HttpOnly; SameSite=Lax'],
    ['a literal "%" stays as is', { value: 'a%3Bb' }, 'sid=a%3Bb; Path=/; Secure; HttpOnly; SameSite=Lax'],
    ['__Host- with Secure, Path=/, no Domain', { name: '__Host-at' }, '__Host-at=abc; Path=/; Secure; HttpOnly; SameSite=Lax'],
    [
      '__Secure- with a domain and a path',
      { name: '__Secure-rt', domain: 'example.com', path: '/auth/refresh' },
      '__Secure-rt=abc; Domain=example.com; Path=/auth/refresh; Secure; HttpOnly; SameSite=Lax',
    ],
  ])('writes %s', (_, options, expected) => {
    expect(serializeCookie({ ...base, ...options })).toBe(expected)
  })

  it.each<[string, Partial<SerializeCookieOptions>, RegExp]>([
    // injection through the value
    ['";" in the value (attribute injection)', { value: 'x; Domain=evil.test' }, /cookie-octets/],
    ['"," in the value', { value: 'x,y' }, /cookie-octets/],
    ['CR LF in the value (header injection)', { value: 'x\r\nSet-Cookie: a=b' }, /cookie-octets/],
    ['a space in the value', { value: 'x y' }, /cookie-octets/],
    ['a DQUOTE in the value', { value: '"x"' }, /cookie-octets/],
    ['a backslash in the value', { value: 'x\\y' }, /cookie-octets/],
    ['non-ASCII in the value', { value: 'caf\u00e9' }, /cookie-octets/],
    ['a non-string value', { value: 42 as never }, /cookie-octets/],
    // names
    ['an empty name', { name: '' }, /not an RFC 9110 token/],
    ['"=" in the name', { name: 'a=b' }, /not an RFC 9110 token/],
    ['";" in the name', { name: 'a;b' }, /not an RFC 9110 token/],
    ['a space in the name', { name: 'a b' }, /not an RFC 9110 token/],
    ['CR LF in the name', { name: 'a\r\nb' }, /not an RFC 9110 token/],
    // size
    ['name plus value over 4096', { value: 'x'.repeat(4094) }, /over 4096/],
    // prefixes
    ['__Secure- without Secure', { name: '__Secure-rt', secure: false }, /__Secure- prefix, which needs Secure/],
    ['__Host- without Secure', { name: '__Host-at', secure: false }, /__Host- prefix, which needs Secure/],
    ['__Host- with a path', { name: '__Host-at', path: '/auth' }, /needs Path=\//],
    ['__Host- with a domain', { name: '__Host-at', domain: 'example.com' }, /forbids Domain/],
    ['__HOST- (prefixes ignore case) with a domain', { name: '__HOST-at', domain: 'example.com' }, /forbids Domain/],
    ['__secure- (prefixes ignore case) without Secure', { name: '__secure-rt', secure: false }, /needs Secure/],
    // SameSite
    ['SameSite=None without Secure', { sameSite: 'None', secure: false }, /SameSite=None, which needs Secure/],
    ['SameSite missing', { sameSite: undefined as never }, /sameSite/],
    ['SameSite lowercase', { sameSite: 'lax' as never }, /sameSite/],
    // attributes
    ['a domain with a leading dot', { domain: '.example.com' }, /domain/],
    ['a domain with a port', { domain: 'example.com:443' }, /domain/],
    ['a single-label domain', { domain: 'localhost' }, /domain/],
    ['an IPv4 domain', { domain: '127.0.0.1' }, /domain/],
    ['a domain with ";"', { domain: 'a.test; Secure' }, /domain/],
    ['a wildcard domain', { domain: '*.example.com' }, /domain/],
    ['a relative path', { path: 'auth' }, /path/],
    ['a path with ";"', { path: '/a;Domain=evil.test' }, /path/],
    ['a path with CR LF', { path: '/a\r\nX: y' }, /path/],
    ['a path with a query', { path: '/a?b' }, /path/],
    ['a negative Max-Age', { maxAgeSeconds: -1 }, /non-negative integer/],
    ['a fractional Max-Age', { maxAgeSeconds: 1.5 }, /non-negative integer/],
    ['a NaN Max-Age', { maxAgeSeconds: Number.NaN }, /non-negative integer/],
    ['an infinite Max-Age', { maxAgeSeconds: Number.POSITIVE_INFINITY }, /non-negative integer/],
    ['an invalid Date', { expires: new Date(Number.NaN) }, /valid Date/],
    ['a non-boolean httpOnly', { httpOnly: 'yes' as never }, /booleans/],
  ])('refuses %s with a TypeError', (_, options, message) => {
    expect(() => serializeCookie({ ...base, ...options })).toThrowError(TypeError)
    expect(() => serializeCookie({ ...base, ...options })).toThrowError(message)
  })

  it('never puts the value into an error message', () => {
    expect(() => serializeCookie({ ...base, value: 'secret token' })).toThrowError(/^(?!.*secret token)/s)
  })

  it('accepts name plus value of exactly 4096 characters', () => {
    expect(() => serializeCookie({ ...base, value: 'x'.repeat(4093) })).not.toThrow()
  })

  it('writes what parseCookieHeader reads back unchanged', () => {
    const value = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln-_~!#$%&\'()*+/:<=>?@[]^`{|}'
    const written = serializeCookie({ ...base, value })
    const pair = written.slice(0, written.indexOf(';'))
    const parsed = parseCookieHeader(pair)
    expect(parsed.ok && parsed.cookies.get('sid')).toBe(value)
  })
})

describe('serializeClearCookie', () => {
  it.each<[string, Omit<SerializeCookieOptions, 'value'>, string]>([
    ['a host cookie', { name: '__Host-at', sameSite: 'Lax' }, '__Host-at=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly; SameSite=Lax'],
    [
      'with the same domain and path',
      { name: '__Secure-rt', sameSite: 'Strict', domain: 'example.com', path: '/auth/refresh' },
      '__Secure-rt=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Domain=example.com; Path=/auth/refresh; Secure; HttpOnly; SameSite=Strict',
    ],
  ])('clears %s: empty value, Max-Age=0, Expires in the past, the same attributes', (_, attributes, expected) => {
    expect(serializeClearCookie(attributes)).toBe(expected)
  })

  it('applies the same prefix rules', () => {
    expect(() => serializeClearCookie({ name: '__Host-at', sameSite: 'Lax', path: '/x' })).toThrowError(TypeError)
  })
})
