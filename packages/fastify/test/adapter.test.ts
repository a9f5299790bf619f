/**
 * What is Fastify-specific in the plugin, on Fastify 4 and 5: the decoration, the guard as a
 * route option, the login helper with Fastify's own body parsing, the plugin's metadata, the
 * protocol's routes in their own context (the application's content-type parsers untouched), and
 * setup errors. The protocol itself is `describeAdapter`'s (fastify.test.ts).
 */
import { AuthError, createAuth, createAuthHttp, generateKeySet, loginResponseSchema } from '@auth/core'
import { createMemoryStore } from '@auth/store-memory'
import fastify5 from 'fastify'
import fastify4 from 'fastify4'
import { describe, expect, it } from 'vitest'
import { authPlugin, login, requireAuth, sendAuthError } from '../src/index.js'

const majors = { 'Fastify 4': fastify4, 'Fastify 5': fastify5 } as const
const ORIGIN = 'http://app.test'

async function setup() {
  const auth = createAuth({ store: createMemoryStore(), keys: await generateKeySet(), issuer: 'https://i.test', audience: 'https://a.test' })
  return createAuthHttp(auth, { allowedOrigins: [ORIGIN] })
}

describe.each(Object.entries(majors))('%s', (_name, fastify) => {
  it('decorates request.auth, guards routes, logs in with a parsed body, answers application AuthErrors', async () => {
    const app = fastify()
    await app.register(authPlugin, { http: await setup() })
    app.post<{ Body: { password?: string } }>('/login', { schema: { response: loginResponseSchema() } }, async (request, reply) => {
      if (request.body.password !== 'right') return sendAuthError(request, reply, new AuthError('invalid_credentials'))
      return login(request, reply, { sub: 'alice', transport: 'bearer' })
    })
    app.get('/whoami', async (request) => ({ auth: request.auth && { sub: request.auth.sub, transport: request.auth.transport } }))
    app.get('/guarded', { preHandler: requireAuth({ roles: ['admin'] }) }, async () => ({ ok: true }))
    const refused = await app.inject({ method: 'POST', url: '/login', payload: { password: 'wrong' } })
    expect([refused.statusCode, refused.json()]).toEqual([401, { error: { code: 'invalid_credentials', message: 'The credentials are invalid.' } }])
    const ok = await app.inject({ method: 'POST', url: '/login', payload: { password: 'right' } })
    const { accessToken, refreshToken } = ok.json() as { accessToken: string; refreshToken: string }
    expect(refreshToken).toEqual(expect.any(String)) // not dropped by the response schema
    expect((await app.inject({ url: '/whoami' })).json()).toEqual({ auth: null })
    const authorization = `Bearer ${accessToken}`
    expect((await app.inject({ url: '/whoami', headers: { authorization } })).json()).toEqual({ auth: { sub: 'alice', transport: 'bearer' } })
    const forbidden = await app.inject({ url: '/guarded', headers: { authorization } })
    expect([forbidden.statusCode, forbidden.json().error.code, forbidden.headers['www-authenticate']]).toEqual([403, 'forbidden', 'Bearer error="insufficient_scope"'])
    await app.close()
  })

  it('serves the protocol routes through their schemas, leaving the application\'s parsers alone', async () => {
    const app = fastify()
    await app.register(authPlugin, { http: await setup() })
    app.post('/echo', async (request) => ({ body: request.body }))
    await app.ready()
    const bad = await app.inject({ method: 'POST', url: '/auth/refresh', headers: { 'content-type': 'text/plain' }, payload: 'x' })
    expect([bad.statusCode, bad.json().error.code]).toEqual([415, 'unsupported_media_type'])
    const malformed = await app.inject({ method: 'POST', url: '/auth/refresh', headers: { 'content-type': 'application/json' }, payload: '{' })
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, 'bad_request'])
    expect((await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } })).json()).toEqual({ body: { a: 1 } })
    const notAllowed = await app.inject({ method: 'GET', url: '/auth/logout' })
    expect([notAllowed.statusCode, notAllowed.headers.allow]).toEqual([405, 'POST'])
    const jwks = await app.inject({ url: '/.well-known/jwks.json' })
    expect(jwks.json().keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: expect.any(String), x: expect.any(String), y: expect.any(String) })
    expect((await app.inject({ method: 'POST', url: '/auth/sessions/a/b' })).statusCode).toBe(404)
    await app.close()
  })

  it('answers an AuthError thrown by a route like the protocol; other errors reach your own error handler, with no warning', async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error & { code?: string }) => warnings.push(String(warning.code ?? warning.name))
    process.on('warning', onWarning)
    try {
      const app = fastify()
      await app.register(authPlugin, { http: await setup() })
      app.setErrorHandler((error, _request, reply) => reply.code(500).send({ mine: (error as Error).message }))
      app.get('/throws', async () => {
        throw new AuthError('token_expired')
      })
      app.get('/bug', async () => {
        throw new RangeError('bug')
      })
      app.get('/own', { errorHandler: (_error, _request, reply) => reply.code(418).send({ own: true }) }, async () => {
        throw new RangeError('teapot')
      })
      const thrown = await app.inject({ url: '/throws' })
      expect([thrown.statusCode, thrown.json(), thrown.headers['www-authenticate'], thrown.headers['cache-control']]).toEqual([401, { error: { code: 'token_expired', message: 'The access token has expired.' } }, 'Bearer', 'no-store'])
      expect((await app.inject({ url: '/bug' })).json()).toEqual({ mine: 'bug' })
      expect((await app.inject({ url: '/own' })).json()).toEqual({ own: true })
      await new Promise((resolve) => setImmediate(resolve))
      expect(warnings).not.toContain('FSTWRN004')
    } finally {
      process.off('warning', onWarning)
    }
    const plain = fastify()
    await plain.register(authPlugin, { http: await setup(), errorHandler: false })
    plain.get('/throws', async () => {
      throw new AuthError('token_expired')
    })
    const untouched = await plain.inject({ url: '/throws' })
    expect([untouched.statusCode, untouched.json().code]).toEqual([401, 'token_expired']) // Fastify's body: { statusCode, code, error, message }
  })

  it("records the address Fastify reports (request.ip, with trustProxy) in a login's session metadata", async () => {
    const http = await setup()
    const app = fastify({ trustProxy: true })
    await app.register(authPlugin, { http })
    app.post('/login', (request, reply) => login(request, reply, { sub: 'alice', transport: 'bearer' }))
    const response = await app.inject({ method: 'POST', url: '/login', headers: { 'x-forwarded-for': '203.0.113.7' } })
    expect(response.statusCode).toBe(200)
    expect((await http.auth.listSessions('alice')).map((session) => session.metadata.ip)).toEqual(['203.0.113.7'])
    await app.close()
  })

  it('names itself for fastify-plugin, fails loudly without registration, refuses a non-protocol', async () => {
    expect((authPlugin as unknown as Record<symbol, unknown>)[Symbol.for('plugin-meta')]).toMatchObject({ name: '@auth/fastify', fastify: '4.x || 5.x' })
    const bare = fastify()
    bare.get('/x', { preHandler: requireAuth() }, async () => ({ ok: true }))
    const response = await bare.inject({ url: '/x' })
    expect([response.statusCode, response.json().message]).toEqual([500, '@auth/fastify: requireAuth needs the authPlugin registered'])
    const app = fastify()
    await expect(app.register(authPlugin, {} as never).ready()).rejects.toThrow(/createAuthHttp/)
  })
})
