import { describe, expect, it } from 'vitest'
import { AuthError } from '../errors.js'
import { errorResponse, jsonResponse } from './reply.js'

describe('errorResponse', () => {
  it('answers the status of the code, the fixed body, and never caches', () => {
    const response = errorResponse(new AuthError('token_expired', { reason: 'exp' }), { credential: 'cookie' })
    expect(response).toEqual({
      status: 401,
      headers: { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' },
      cookies: [],
      body: { error: { code: 'token_expired', message: 'The access token has expired.' } },
    })
  })

  it('challenges a refused bearer token with invalid_token, a missing one without an error attribute (RFC 6750 §3.1)', () => {
    expect(errorResponse(new AuthError('token_invalid'), { credential: 'bearer', realm: 'api' }).headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"')
    expect(errorResponse(new AuthError('token_missing'), { credential: 'bearer' }).headers['www-authenticate']).toBe('Bearer')
    expect(errorResponse(new AuthError('session_revoked'), { credential: 'none' }).headers['www-authenticate']).toBe('Bearer')
  })

  it('answers a malformed Authorization with invalid_request, and a bearer caller without the role with insufficient_scope', () => {
    expect(errorResponse(new AuthError('bad_request', { reason: 'authorization' })).headers['www-authenticate']).toBe('Bearer error="invalid_request"')
    expect(errorResponse(new AuthError('bad_request', { reason: 'header_too_large' })).headers['www-authenticate']).toBe('Bearer error="invalid_request"')
    expect(errorResponse(new AuthError('bad_request', { reason: 'json' })).headers['www-authenticate']).toBeUndefined()
    expect(errorResponse(new AuthError('forbidden'), { credential: 'bearer' }).headers['www-authenticate']).toBe('Bearer error="insufficient_scope"')
    expect(errorResponse(new AuthError('forbidden'), { credential: 'cookie' }).headers['www-authenticate']).toBeUndefined()
  })

  it('tells when to retry a 503, and which methods a 405 route takes', () => {
    expect(errorResponse(new AuthError('store_unavailable')).headers['retry-after']).toBe('1')
    expect(errorResponse(new AuthError('jwks_unavailable')).headers['retry-after']).toBe('5')
    expect(errorResponse(new AuthError('conflict')).headers['retry-after']).toBeUndefined()
    const notAllowed = errorResponse(new AuthError('method_not_allowed'), { allow: 'POST' })
    expect([notAllowed.status, notAllowed.headers.allow]).toEqual([405, 'POST'])
    expect(errorResponse(new AuthError('not_found'), { allow: 'POST' }).headers.allow).toBeUndefined()
  })

  it('carries the cookies it is given, and rethrows what is not an AuthError', () => {
    expect(errorResponse(new AuthError('refresh_reused'), { cookies: ['a=; Max-Age=0'] }).cookies).toEqual(['a=; Max-Age=0'])
    const bug = new RangeError('bug')
    expect(() => errorResponse(bug)).toThrow(bug)
  })
})

describe('jsonResponse', () => {
  it('lets a route override the cache policy', () => {
    expect(jsonResponse(200, {}, [], { 'cache-control': 'public, max-age=300' }).headers['cache-control']).toBe('public, max-age=300')
  })
})
