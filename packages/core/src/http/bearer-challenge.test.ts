import { describe, expect, it } from 'vitest'
import type { AuthErrorCode } from '../errors.js'
import { HTTP_STATUS_BY_CODE } from '../errors.js'
import { type FormatBearerChallengeOptions, formatBearerChallenge, toBearerError } from './bearer-challenge.js'

describe('formatBearerChallenge', () => {
  it.each<[string, FormatBearerChallengeOptions, string]>([
    ['nothing', {}, 'Bearer'],
    ['a realm only (no credential sent)', { realm: 'api' }, 'Bearer realm="api"'],
    ['invalid_token', { realm: 'api', error: 'invalid_token' }, 'Bearer realm="api", error="invalid_token"'],
    ['invalid_request without a realm', { error: 'invalid_request' }, 'Bearer error="invalid_request"'],
    [
      'a description',
      { realm: 'api', error: 'invalid_token', errorDescription: 'The access token expired' },
      'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
    ],
    [
      'insufficient_scope with a scope, in RFC order',
      { realm: 'api', error: 'insufficient_scope', scope: 'read:me write:me' },
      'Bearer realm="api", scope="read:me write:me", error="insufficient_scope"',
    ],
    ['a realm with a quote and a backslash, escaped', { realm: 'my "api" \\ v2' }, 'Bearer realm="my \\"api\\" \\\\ v2"'],
    ['an empty realm', { realm: '' }, 'Bearer realm=""'],
  ])('writes %s', (_, options, expected) => {
    expect(formatBearerChallenge(options)).toBe(expected)
  })

  it.each<[string, FormatBearerChallengeOptions, RegExp]>([
    ['CR LF in the realm (header injection)', { realm: 'api\r\nSet-Cookie: a=b' }, /realm/],
    ['a NUL in the realm', { realm: 'a\u0000' }, /realm/],
    ['non-ASCII in the realm', { realm: 'caf\u00e9' }, /realm/],
    ['a quote in the description', { error: 'invalid_token', errorDescription: 'say "hi"' }, /errorDescription/],
    ['a backslash in the description', { error: 'invalid_token', errorDescription: 'a\\b' }, /errorDescription/],
    ['CR LF in the description', { error: 'invalid_token', errorDescription: 'a\r\nb' }, /errorDescription/],
    ['a description without an error', { errorDescription: 'oops' }, /needs an error/],
    ['an unknown error', { error: 'expired' as never }, /error must be/],
    ['a scope with two spaces', { error: 'insufficient_scope', scope: 'a  b' }, /scope/],
    ['an empty scope', { error: 'insufficient_scope', scope: '' }, /scope/],
    ['a scope with a quote', { error: 'insufficient_scope', scope: 'a"b' }, /scope/],
  ])('refuses %s with a TypeError', (_, options, message) => {
    expect(() => formatBearerChallenge(options)).toThrowError(TypeError)
    expect(() => formatBearerChallenge(options)).toThrowError(message)
  })
})

describe('toBearerError', () => {
  it.each<[Parameters<typeof toBearerError>[0], string | undefined]>([
    ['missing', undefined],
    ['scheme', undefined],
    ['token_missing', undefined],
    ['malformed', 'invalid_request'],
    ['token_invalid', 'invalid_token'],
    ['token_expired', 'invalid_token'],
    ['token_revoked', 'invalid_token'],
    ['session_revoked', 'invalid_token'],
    ['session_expired', 'invalid_token'],
    ['refresh_invalid', 'invalid_token'],
    ['refresh_reused', 'invalid_token'],
    ['csrf_rejected', undefined],
    ['forbidden', undefined],
    ['payload_too_large', undefined],
    ['store_unavailable', undefined],
    ['jwks_unavailable', undefined],
    ['toString' as never, undefined],
  ])('%s → %s', (failure, expected) => {
    expect(toBearerError(failure)).toBe(expected)
  })

  it('gives invalid_token for exactly the 401 codes a credential was refused with', () => {
    const codes = Object.keys(HTTP_STATUS_BY_CODE) as AuthErrorCode[]
    const withError = codes.filter((code) => toBearerError(code) === 'invalid_token')
    expect(withError.sort()).toEqual(codes.filter((code) => HTTP_STATUS_BY_CODE[code] === 401 && code !== 'token_missing').sort())
  })
})
