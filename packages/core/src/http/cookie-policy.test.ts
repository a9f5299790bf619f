import { describe, expect, it } from 'vitest'
import { type CreateCookiePolicyOptions, createCookiePolicy } from './cookie-policy.js'
import { parseCookieHeader } from './cookie-header.js'

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln'
const EPOCH = 'Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT'

describe('createCookiePolicy: names and attributes', () => {
  it.each<[string, CreateCookiePolicyOptions, Record<string, string>]>([
    ['the defaults', {}, { accessToken: '__Host-auth-at', refreshToken: '__Secure-auth-rt', session: '__Host-auth-session' }],
    ['a base name', { name: 'myapp' }, { accessToken: '__Host-myapp-at', refreshToken: '__Secure-myapp-rt', session: '__Host-myapp-session' }],
    ['a domain: __Secure- for all', { domain: 'example.com' }, { accessToken: '__Secure-auth-at', refreshToken: '__Secure-auth-rt', session: '__Secure-auth-session' }],
    ['a refresh path of "/": __Host- for all', { refreshPath: '/' }, { accessToken: '__Host-auth-at', refreshToken: '__Host-auth-rt', session: '__Host-auth-session' }],
  ])('names: %s', (_, options, names) => {
    expect(createCookiePolicy(options).names).toEqual(names)
  })

  it.each<[string, CreateCookiePolicyOptions, 'accessToken' | 'refreshToken' | 'session', string]>([
    ['access token', {}, 'accessToken', `__Host-auth-at=${TOKEN}; Max-Age=900; Path=/; Secure; HttpOnly; SameSite=Lax`],
    ['refresh token on the refresh path', {}, 'refreshToken', `__Secure-auth-rt=${TOKEN}; Max-Age=900; Path=/auth/refresh; Secure; HttpOnly; SameSite=Lax`],
    ['session', {}, 'session', `__Host-auth-session=${TOKEN}; Max-Age=900; Path=/; Secure; HttpOnly; SameSite=Lax`],
    [
      'refresh token with a domain, a prefix path and Strict',
      { domain: 'example.com', refreshPath: '/api/auth/refresh', sameSite: 'Strict' },
      'refreshToken',
      `__Secure-auth-rt=${TOKEN}; Max-Age=900; Domain=example.com; Path=/api/auth/refresh; Secure; HttpOnly; SameSite=Strict`,
    ],
    ['SameSite=None (always Secure)', { sameSite: 'None' }, 'session', `__Host-auth-session=${TOKEN}; Max-Age=900; Path=/; Secure; HttpOnly; SameSite=None`],
  ])('serialize: %s', (_, options, kind, expected) => {
    expect(createCookiePolicy(options).serialize(kind, TOKEN, 900)).toBe(expected)
  })

  it('omits Max-Age for a browser-session cookie', () => {
    expect(createCookiePolicy().serialize('session', 'x')).toBe('__Host-auth-session=x; Path=/; Secure; HttpOnly; SameSite=Lax')
  })

  it.each<[string, CreateCookiePolicyOptions, 'accessToken' | 'refreshToken' | 'session', string]>([
    ['access token', {}, 'accessToken', `__Host-auth-at=; ${EPOCH}; Path=/; Secure; HttpOnly; SameSite=Lax`],
    ['refresh token, on its own path', {}, 'refreshToken', `__Secure-auth-rt=; ${EPOCH}; Path=/auth/refresh; Secure; HttpOnly; SameSite=Lax`],
    ['session with a domain', { domain: 'example.com' }, 'session', `__Secure-auth-session=; ${EPOCH}; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax`],
  ])('serializeClear: %s, with the attributes it was set with', (_, options, kind, expected) => {
    const policy = createCookiePolicy(options)
    expect(policy.serializeClear(kind)).toBe(expected)
    // The same tail as the cookie it deletes: a browser keys cookies on name, domain and path.
    const set = policy.serialize(kind, TOKEN, 60)
    expect(expected.slice(expected.indexOf('; Max-Age=0') + EPOCH.length + 2)).toBe(set.slice(set.indexOf('; Max-Age=60') + 12))
  })

  it.each([
    ['a semicolon (attribute injection)', 'x; Domain=evil.test'],
    ['CR LF (header injection)', 'x\r\nSet-Cookie: a=b'],
    ['a comma', 'x,y'],
    ['a space', 'x y'],
    ['over 4096 with the name', 'x'.repeat(4096 - '__Host-auth-at'.length + 1)],
  ])('serialize refuses a value with %s', (_, value) => {
    expect(() => createCookiePolicy().serialize('accessToken', value, 60)).toThrowError(TypeError)
  })

  it.each([
    ['a negative Max-Age', -1],
    ['milliseconds as a fraction', 0.5],
  ])('serialize refuses %s', (_, maxAge) => {
    expect(() => createCookiePolicy().serialize('session', 'x', maxAge)).toThrowError(/non-negative integer/)
  })

  it('refuses an unknown kind', () => {
    expect(() => createCookiePolicy().serialize('csrf' as never, 'x')).toThrowError(TypeError)
    expect(() => createCookiePolicy().serializeClear('__proto__' as never)).toThrowError(TypeError)
  })
})

describe('createCookiePolicy: setup errors', () => {
  it.each<[string, unknown, RegExp]>([
    ['a domain with a leading dot', { domain: '.example.com' }, /domain/],
    ['a domain with a scheme', { domain: 'https://example.com' }, /domain/],
    ['an IP domain', { domain: '10.0.0.1' }, /domain/],
    ['a refresh path without a leading slash', { refreshPath: 'auth/refresh' }, /path/],
    ['a refresh path with a trailing slash (never sent to the route)', { refreshPath: '/auth/refresh/' }, /trailing slash/],
    ['a refresh path with ";"', { refreshPath: '/auth;Domain=x' }, /path/],
    ['an unknown SameSite', { sameSite: 'lax' }, /sameSite/],
    ['a prefixed base name', { name: '__Host-auth' }, /name must be/],
    ['a base name with "="', { name: 'a=b' }, /name must be/],
    ['an empty base name', { name: '' }, /name must be/],
    ['secure: false', { secure: false }, /always Secure/],
    ['an explicit prefix', { prefix: '__Host-' }, /follows from domain and path/],
    ['a path', { path: '/app' }, /refreshPath/],
    ['an unknown option', { maxAge: 3600 }, /unknown option "maxAge"/],
    ['null options', null, /must be an object/],
  ])('%s is a TypeError', (_, options, message) => {
    expect(() => createCookiePolicy(options as CreateCookiePolicyOptions)).toThrowError(TypeError)
    expect(() => createCookiePolicy(options as CreateCookiePolicyOptions)).toThrowError(message)
  })
})

describe('CookiePolicy.read', () => {
  const policy = createCookiePolicy()

  it.each<[string, string | undefined, object]>([
    ['no header', undefined, { ok: true, values: {}, malformed: [] }],
    ['other cookies only', 'theme=dark', { ok: true, values: {}, malformed: [] }],
    [
      'all three among others',
      `theme=dark; __Host-auth-at=a1; __Secure-auth-rt=r1; __Host-auth-session=s1`,
      { ok: true, values: { accessToken: 'a1', refreshToken: 'r1', session: 's1' }, malformed: [] },
    ],
    ['an unprefixed look-alike is not ours', 'auth-at=planted; auth-session=planted', { ok: true, values: {}, malformed: [] }],
    ['another case is not ours', '__host-auth-at=planted', { ok: true, values: {}, malformed: [] }],
    ['a malformed auth cookie is reported', '__Host-auth-session=a b', { ok: true, values: {}, malformed: ['session'] }],
    ['a duplicated access token', '__Host-auth-at=a1; __Host-auth-at=a2', { ok: false, reason: 'duplicated', kinds: ['accessToken'] }],
    [
      'a planted refresh cookie (sibling subdomain, Domain=)',
      '__Secure-auth-rt=mine; __Secure-auth-rt=planted; __Host-auth-at=a',
      { ok: false, reason: 'duplicated', kinds: ['refreshToken'] },
    ],
    ['a duplicate with a malformed copy', '__Host-auth-session=s; __Host-auth-session=x y', { ok: false, reason: 'duplicated', kinds: ['session'] }],
    ['a duplicated foreign cookie is not our business', 'theme=a; theme=b; __Host-auth-at=a1', { ok: true, values: { accessToken: 'a1' }, malformed: [] }],
    ['an oversized header', `__Host-auth-at=${'x'.repeat(9000)}`, { ok: false, reason: 'too_large' }],
  ])('%s', (_, header, expected) => {
    expect(policy.read(header)).toEqual(expected)
  })

  it('reads back what serialize wrote, for every kind', () => {
    for (const kind of ['accessToken', 'refreshToken', 'session'] as const) {
      const set = policy.serialize(kind, TOKEN, 60)
      const pair = set.slice(0, set.indexOf(';'))
      expect(parseCookieHeader(pair).ok).toBe(true)
      expect(policy.read(pair)).toEqual({ ok: true, values: { [kind]: TOKEN }, malformed: [] })
    }
  })
})
