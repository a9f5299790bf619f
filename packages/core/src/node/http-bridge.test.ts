/**
 * The Node bridge's request view on a real `IncomingMessage`: headers read by name from the raw
 * list (as `headersDistinct` gives them), the body reader, the lazy address.
 */
import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createNodeRequestMapper, fromNodeRequest } from './http-bridge.js'

function incoming(rawHeaders: string[], method = 'GET'): IncomingMessage {
  const req = new IncomingMessage(new Socket())
  req.method = method
  req.url = '/me?x=1'
  // What Node's parser calls: sets the raw list and its count, from which `headers` and `headersDistinct` are built.
  ;(req as unknown as { _addHeaderLines(headers: string[], n: number): void })._addHeaderLines(rawHeaders, rawHeaders.length)
  return req
}

describe('fromNodeRequest', () => {
  it('reads a header by its lower-case name in any case, every occurrence in order, as headersDistinct does', () => {
    const raw = ['Host', 'a.test', 'AUTHORIZATION', 'Bearer x', 'Cookie', 'a=1', 'authorization', 'Bearer y', 'cookie', 'b=2', 'X-Authorization', 'no']
    const req = incoming(raw)
    const view = fromNodeRequest(req)
    expect(view.header('authorization')).toEqual(['Bearer x', 'Bearer y'])
    expect(view.header('cookie')).toEqual(['a=1', 'b=2'])
    expect(view.header('host')).toBe('a.test')
    expect(view.header('origin')).toBeUndefined()
    for (const name of ['authorization', 'cookie', 'host', 'x-authorization']) {
      const distinct = req.headersDistinct[name]!
      expect(view.header(name), name).toEqual(distinct.length === 1 ? distinct[0] : distinct)
    }
    expect([view.method, view.url]).toEqual(['GET', '/me?x=1'])
  })

  it('falls back to the parsed headers when the raw list is missing (injected requests)', () => {
    const req = { method: 'GET', url: '/', headers: { authorization: 'Bearer x', cookie: 'a=1; b=2' } } as unknown as IncomingMessage
    expect([fromNodeRequest(req).header('authorization'), fromNodeRequest(req).header('cookie'), fromNodeRequest(req).header('origin')]).toEqual(['Bearer x', 'a=1; b=2', undefined])
  })

  it('reads the body through a reader that works detached, or takes the parsed body once the stream is consumed', async () => {
    const req = Object.assign(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), { method: 'POST', url: '/', rawHeaders: [], headers: {} }) as unknown as IncomingMessage
    const { readBody } = fromNodeRequest(req)
    expect(await readBody!(1024)).toBe('{"a":1}')
    const consumed = Object.assign(Readable.from([]), { method: 'POST', url: '/', rawHeaders: [], headers: {} }) as unknown as IncomingMessage
    for await (const _ of consumed) void _ // a body parser read it
    const view = fromNodeRequest(consumed, { parsedBody: { a: 1 } })
    expect([view.parsedBody, view.readBody]).toEqual([{ a: 1 }, undefined])
    expect(fromNodeRequest(req).parsedBody).toBeUndefined()
  })

  it('reads the address only when asked: the option (a value or a function) first, else the socket', () => {
    const req = incoming([])
    let reads = 0
    const view = fromNodeRequest(req, { ip: () => (reads++, '203.0.113.9') })
    expect(reads).toBe(0)
    expect([view.ip, reads]).toEqual(['203.0.113.9', 1])
    expect(fromNodeRequest(req, { ip: '198.51.100.4' }).ip).toBe('198.51.100.4')
    expect(fromNodeRequest(req, { ip: () => undefined }).ip).toBe(req.socket.remoteAddress)
    expect(fromNodeRequest(req).ip).toBe(req.socket.remoteAddress)
  })
})

describe('createNodeRequestMapper', () => {
  interface Ctx { readonly req: IncomingMessage; readonly originalUrl: string; readonly ip: string; readonly body?: unknown }
  const reads: string[] = []
  const exchangeOf = createNodeRequestMapper<Ctx>({
    req: (ctx) => ctx.req,
    url: (ctx) => (reads.push('url'), ctx.originalUrl),
    ip: (ctx) => (reads.push('ip'), ctx.ip),
    parsedBody: (ctx) => (reads.push('body'), ctx.body),
  })

  it('maps a framework object through its readers: the URL at once, the address and the body only when asked', () => {
    reads.length = 0
    const req = incoming(['Authorization', 'Bearer x'])
    const view = exchangeOf({ req, originalUrl: '/mounted/me', ip: '203.0.113.9' })
    expect([view.method, view.url, view.header('authorization'), reads]).toEqual(['GET', '/mounted/me', 'Bearer x', ['url']])
    expect([view.ip, reads]).toEqual(['203.0.113.9', ['url', 'ip']])
  })

  it('takes the parsed body once the stream is consumed, and the stream otherwise', async () => {
    const consumed = Object.assign(Readable.from([]), { method: 'POST', url: '/', rawHeaders: [], headers: {} }) as unknown as IncomingMessage
    for await (const _ of consumed) void _
    const view = exchangeOf({ req: consumed, originalUrl: '/', ip: '::1', body: { a: 1 } })
    expect([view.parsedBody, view.readBody]).toEqual([{ a: 1 }, undefined])
    const unread = Object.assign(Readable.from([Buffer.from('{"b":2}')]), { method: 'POST', url: '/', rawHeaders: [], headers: {} }) as unknown as IncomingMessage
    const fresh = exchangeOf({ req: unread, originalUrl: '/', ip: '::1' })
    expect(fresh.parsedBody).toBeUndefined()
    expect(await fresh.readBody!(1024)).toBe('{"b":2}')
  })

  it('defaults to the object as the Node request, its url and its socket address', () => {
    const req = incoming([])
    const view = createNodeRequestMapper({})(req)
    expect([view.url, view.ip]).toEqual(['/me?x=1', req.socket.remoteAddress])
  })
})
