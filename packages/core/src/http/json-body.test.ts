import { describe, expect, it } from 'vitest'
import { AuthError } from '../errors.js'
import type { AuthHttpRequest } from './exchange.js'
import { readJsonObject } from './json-body.js'

function request(headers: Record<string, string>, body?: string, parsedBody?: unknown): AuthHttpRequest & { reads: number } {
  const r = {
    method: 'POST',
    url: '/auth/refresh',
    reads: 0,
    header: (name: string) => headers[name],
    readBody: async (maxBytes: number) => {
      r.reads++
      if (body !== undefined && new TextEncoder().encode(body).length > maxBytes) throw new AuthError('payload_too_large', { reason: 'body' })
      return body ?? ''
    },
    ...(parsedBody === undefined ? {} : { parsedBody }),
  }
  return r
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: AuthError) => `${error.code}:${String(error.reason)}`)

describe('readJsonObject', () => {
  it('reads a JSON object of application/json (any parameters, any +json type)', async () => {
    expect(await readJsonObject(request({ 'content-type': 'application/json' }, '{"a":1}'), 100)).toEqual({ a: 1 })
    expect(await readJsonObject(request({ 'content-type': 'Application/JSON; charset=utf-8' }, '{"a":2}'), 100)).toEqual({ a: 2 })
    expect(await readJsonObject(request({ 'content-type': 'application/vnd.api+json' }, '{"a":3}'), 100)).toEqual({ a: 3 })
  })

  it('answers undefined for a request without a body, without reading', async () => {
    const r = request({})
    expect(await readJsonObject(r, 100)).toBeUndefined()
    expect(r.reads).toBe(0)
    expect(await readJsonObject(request({ 'content-length': '0' }), 100)).toBeUndefined()
    expect(await readJsonObject(request({ 'content-type': 'application/json' }, '  '), 100)).toBeUndefined()
  })

  it('refuses another content type (415), also for a chunked body without one', async () => {
    expect(await codeOf(readJsonObject(request({ 'content-type': 'text/plain' }, '{}'), 100))).toBe('unsupported_media_type:undefined')
    expect(await codeOf(readJsonObject(request({ 'content-type': 'application/jsonx' }, '{}'), 100))).toBe('unsupported_media_type:undefined')
    expect(await codeOf(readJsonObject(request({ 'transfer-encoding': 'chunked' }, '{}'), 100))).toBe('unsupported_media_type:undefined')
    expect(await codeOf(readJsonObject(request({ 'content-length': '2' }, '{}'), 100))).toBe('unsupported_media_type:undefined')
  })

  it('refuses a declared length over the limit before reading, and a body that turns out longer while reading', async () => {
    const declared = request({ 'content-type': 'application/json', 'content-length': '101' }, '{}')
    expect(await codeOf(readJsonObject(declared, 100))).toBe('payload_too_large:body')
    expect(declared.reads).toBe(0)
    expect(await codeOf(readJsonObject(request({ 'content-type': 'application/json', 'content-length': '100' }, '{}'), 100))).toBe('ok')
    expect(await codeOf(readJsonObject(request({ 'content-type': 'application/json' }, `{"a":"${'x'.repeat(100)}"}`), 100))).toBe('payload_too_large:body')
  })

  it('refuses text that is not JSON, and JSON that is not an object', async () => {
    expect(await codeOf(readJsonObject(request({ 'content-type': 'application/json' }, '{"a":'), 100))).toBe('bad_request:json')
    for (const body of ['[]', '"x"', '1', 'null', 'true']) {
      expect(await codeOf(readJsonObject(request({ 'content-type': 'application/json' }, body), 100))).toBe('bad_request:body')
    }
  })

  it('takes a body the framework parsed as it is, still refusing a non-object', async () => {
    const r = request({ 'content-type': 'application/json' }, 'ignored', { refreshToken: 't' })
    expect(await readJsonObject(r, 100)).toEqual({ refreshToken: 't' })
    expect(r.reads).toBe(0)
    expect(await codeOf(readJsonObject(request({}, undefined, ['t']), 100))).toBe('bad_request:body')
  })
})
