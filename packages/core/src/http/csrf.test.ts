import { describe, expect, it } from 'vitest'
import { isAuthError } from '../errors.js'
import { type CreateCsrfPolicyOptions, type CsrfRequest, checkCsrf, createCsrfPolicy } from './csrf.js'

const policy = createCsrfPolicy({
  allowedOrigins: ['https://app.example.com', 'http://localhost:5173', 'https://[2001:db8::1]:8443', 'https://A.Example.NET:443/'],
})
const sameSite = createCsrfPolicy({ allowedOrigins: ['https://app.example.com'], allowSameSite: true })
const lax = createCsrfPolicy({ allowedOrigins: ['https://app.example.com'], unsafeAllowMissingOrigin: true })

const outcome = (result: ReturnType<typeof checkCsrf>) => {
  if (result.ok) return 'ok'
  expect(isAuthError(result.error, 'csrf_rejected')).toBe(true)
  expect(result.error.status).toBe(403)
  return result.error.reason
}

describe('checkCsrf', () => {
  it.each<[string, CsrfRequest, string]>([
    // safe methods
    ['GET without headers', { method: 'GET' }, 'ok'],
    ['HEAD from another site', { method: 'HEAD', origin: 'https://evil.test' }, 'ok'],
    ['OPTIONS cross-site', { method: 'OPTIONS', secFetchSite: 'cross-site' }, 'ok'],
    // unsafe methods, Origin decides
    ['POST from an allowed origin', { method: 'POST', origin: 'https://app.example.com' }, 'ok'],
    ['DELETE from an allowed origin', { method: 'DELETE', origin: 'https://app.example.com' }, 'ok'],
    ['PUT, PATCH are unsafe too', { method: 'PATCH', origin: 'https://evil.test' }, 'origin'],
    ['an unknown method is unsafe', { method: 'PURGE', origin: 'https://evil.test' }, 'origin'],
    ['lowercase "get" is not GET', { method: 'get', origin: 'https://evil.test' }, 'origin'],
    ['POST cross-origin', { method: 'POST', origin: 'https://evil.test' }, 'origin'],
    ['Origin: null (sandboxed frame, file:)', { method: 'POST', origin: 'null' }, 'origin'],
    ['an empty Origin', { method: 'POST', origin: '' }, 'origin'],
    ['an origin with a path', { method: 'POST', origin: 'https://app.example.com/x' }, 'origin'],
    ['an origin with a trailing slash', { method: 'POST', origin: 'https://app.example.com/' }, 'origin'],
    ['an origin with userinfo', { method: 'POST', origin: 'https://user@app.example.com' }, 'origin'],
    ['the right host over http', { method: 'POST', origin: 'http://app.example.com' }, 'origin'],
    ['the right host on another port', { method: 'POST', origin: 'https://app.example.com:8443' }, 'origin'],
    ['a suffix look-alike', { method: 'POST', origin: 'https://app.example.com.evil.test' }, 'origin'],
    ['a prefix look-alike', { method: 'POST', origin: 'https://evilapp.example.com' }, 'origin'],
    ['a sibling subdomain', { method: 'POST', origin: 'https://api.example.com' }, 'origin'],
    ['two Origin values joined', { method: 'POST', origin: 'https://app.example.com, https://evil.test' }, 'origin'],
    ['two Origin values as a list', { method: 'POST', origin: ['https://app.example.com', 'https://app.example.com'] }, 'origin'],
    ['CR LF in Origin', { method: 'POST', origin: 'https://app.example.com\r\n' }, 'origin'],
    ['a port out of range', { method: 'POST', origin: 'https://app.example.com:99999' }, 'origin'],
    ['Origin wins over a same-origin Sec-Fetch-Site', { method: 'POST', origin: 'https://evil.test', secFetchSite: 'same-origin' }, 'origin'],
    // normalization
    ['the default port written out', { method: 'POST', origin: 'https://app.example.com:443' }, 'ok'],
    ['http with its own port', { method: 'POST', origin: 'http://localhost:5173' }, 'ok'],
    ['http on another port', { method: 'POST', origin: 'http://localhost:5174' }, 'origin'],
    ['http with its default port written out is another origin', { method: 'POST', origin: 'http://localhost:80' }, 'origin'],
    ['upper-case scheme and host', { method: 'POST', origin: 'HTTPS://APP.Example.COM' }, 'ok'],
    ['configured with :443, a slash and capitals', { method: 'POST', origin: 'https://a.example.net' }, 'ok'],
    ['IPv6 as configured', { method: 'POST', origin: 'https://[2001:db8::1]:8443' }, 'ok'],
    ['IPv6 in another spelling', { method: 'POST', origin: 'https://[2001:0db8:0:0::1]:8443' }, 'ok'],
    ['IPv6 on another port', { method: 'POST', origin: 'https://[2001:db8::1]' }, 'origin'],
    ['another IPv6 host', { method: 'POST', origin: 'https://[2001:db8::2]:8443' }, 'origin'],
    // no Origin: Sec-Fetch-Site
    ['same-origin', { method: 'POST', secFetchSite: 'same-origin' }, 'ok'],
    ['same-site, not allowed by default', { method: 'POST', secFetchSite: 'same-site' }, 'sec_fetch_site'],
    ['cross-site', { method: 'POST', secFetchSite: 'cross-site' }, 'sec_fetch_site'],
    ['none (a typed URL) on an unsafe method', { method: 'POST', secFetchSite: 'none' }, 'sec_fetch_site'],
    ['an unknown value', { method: 'POST', secFetchSite: 'same-origin-ish' }, 'sec_fetch_site'],
    ['a different case', { method: 'POST', secFetchSite: 'Same-Origin' }, 'sec_fetch_site'],
    ['two values', { method: 'POST', secFetchSite: ['same-origin', 'cross-site'] }, 'sec_fetch_site'],
    // neither
    ['neither header', { method: 'POST' }, 'no_origin'],
    ['neither header (null values)', { method: 'POST', origin: null, secFetchSite: null }, 'no_origin'],
  ])('%s', (_, request, expected) => {
    expect(outcome(checkCsrf(policy, request))).toBe(expected)
  })

  it.each<[string, CsrfRequest, string, string]>([
    ['same-site', { method: 'POST', secFetchSite: 'same-site' }, 'ok', 'sec_fetch_site'],
    ['cross-site stays refused', { method: 'POST', secFetchSite: 'cross-site' }, 'sec_fetch_site', 'sec_fetch_site'],
    ['Origin still decides', { method: 'POST', origin: 'https://api.example.com', secFetchSite: 'same-site' }, 'origin', 'origin'],
  ])('allowSameSite: %s', (_, request, withOption, without) => {
    expect(outcome(checkCsrf(sameSite, request))).toBe(withOption)
    expect(outcome(checkCsrf(policy, request))).toBe(without)
  })

  it.each<[string, CsrfRequest, string]>([
    ['neither header passes', { method: 'POST' }, 'ok'],
    ['a wrong Origin is still refused', { method: 'POST', origin: 'https://evil.test' }, 'origin'],
    ['cross-site is still refused', { method: 'POST', secFetchSite: 'cross-site' }, 'sec_fetch_site'],
  ])('unsafeAllowMissingOrigin: %s', (_, request, expected) => {
    expect(outcome(checkCsrf(lax, request))).toBe(expected)
  })

  it('refuses a policy that did not come from createCsrfPolicy', () => {
    const forged = { allowedOrigins: ['https://evil.test'], allowSameSite: false, unsafeAllowMissingOrigin: false }
    expect(() => checkCsrf(forged, { method: 'POST', origin: 'https://evil.test' })).toThrowError(TypeError)
  })
})

describe('createCsrfPolicy', () => {
  it('normalizes and deduplicates the allowed origins', () => {
    expect(createCsrfPolicy({ allowedOrigins: ['https://A.test:443', 'https://a.test/', 'http://[::1]:80'] }).allowedOrigins).toEqual([
      'https://a.test',
      'http://[::1]',
    ])
  })

  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /must be an object/],
    ['no origins', { allowedOrigins: [] }, /at least one origin/],
    ['origins as a string', { allowedOrigins: 'https://a.test' }, /at least one origin/],
    ['a path', { allowedOrigins: ['https://a.test/app'] }, /is not an origin/],
    ['a path with a trailing slash', { allowedOrigins: ['https://a.test/app/'] }, /is not an origin/],
    ['two trailing slashes', { allowedOrigins: ['https://a.test//'] }, /is not an origin/],
    ['a query', { allowedOrigins: ['https://a.test?x=1'] }, /is not an origin/],
    ['a fragment', { allowedOrigins: ['https://a.test#x'] }, /is not an origin/],
    ['userinfo', { allowedOrigins: ['https://u:p@a.test'] }, /is not an origin/],
    ['a wildcard subdomain', { allowedOrigins: ['https://*.example.com'] }, /wildcard/],
    ['a bare wildcard', { allowedOrigins: ['*'] }, /wildcard/],
    ['no scheme', { allowedOrigins: ['app.example.com'] }, /no scheme/],
    ['host and port without scheme', { allowedOrigins: ['localhost:3000'] }, /no scheme/],
    ['a protocol-relative origin', { allowedOrigins: ['//a.test'] }, /no scheme/],
    ['another scheme', { allowedOrigins: ['chrome-extension://abcdef'] }, /not http or https/],
    ['the null origin', { allowedOrigins: ['null'] }, /opaque origin/],
    ['a port out of range', { allowedOrigins: ['https://a.test:70000'] }, /is not an origin/],
    ['a non-string', { allowedOrigins: [42] }, /not a string/],
    ['a non-boolean allowSameSite', { allowedOrigins: ['https://a.test'], allowSameSite: 'yes' }, /booleans/],
    ['an unknown option', { allowedOrigins: ['https://a.test'], allowMissingOrigin: true }, /unknown option "allowMissingOrigin"/],
  ])('refuses %s with a TypeError', (_, options, message) => {
    expect(() => createCsrfPolicy(options as CreateCsrfPolicyOptions)).toThrowError(TypeError)
    expect(() => createCsrfPolicy(options as CreateCsrfPolicyOptions)).toThrowError(message)
  })
})
