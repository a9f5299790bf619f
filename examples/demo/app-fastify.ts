/**
 * The demo on Fastify: the page, the login route, the protocol's routes from `@auth/fastify`, and
 * one guarded route. Everything that is not Fastify lives in the framework-free modules.
 *
 * @module
 */
import { AuthError, type AuthHttp, isAuthError, loginResponseSchema } from '@auth/core'
import { authPlugin, login, requireAuth, sendAuthError } from '@auth/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import type { DemoConfig } from './config.js'
import { checkLogin, describeCaller, LOGIN_PATH, ME_PATH } from './demo-api.js'
import type { StartDemo } from './node-server.js'
import { CLIENT_PATH, DEMO_CLIENT, DEMO_PAGE } from './page.js'
import { type DemoTestHooks, TEST_HOOKS_PREFIX } from './test-hooks.js'

/** Builds the Fastify application for a protocol instance (and the test routes, when given). */
export async function createFastifyApp(http: AuthHttp, testHooks?: DemoTestHooks): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: 16 * 1024, forceCloseConnections: 'idle' })
  await app.register(authPlugin, { http }) // request.auth, POST /auth/refresh, …, GET /.well-known/jwks.json
  app.get('/', async (_request, reply) => reply.headers(DEMO_PAGE.headers).type('text/html; charset=utf-8').send(DEMO_PAGE.html))
  app.get(CLIENT_PATH, async (_request, reply) => reply.headers(DEMO_CLIENT.headers).type(DEMO_CLIENT.headers['content-type']!).send(DEMO_CLIENT.js))
  if (testHooks) {
    app.all(`${TEST_HOOKS_PREFIX}*`, async (request, reply) => {
      const answer = testHooks.handle(request.method, request.url)
      if (!answer) return sendAuthError(request, reply, new AuthError('not_found'))
      return reply.code(answer.status).headers(answer.headers).send(answer.body)
    })
  }
  app.post(LOGIN_PATH, { schema: { response: loginResponseSchema() } }, async (request, reply) => {
    try {
      return await login(request, reply, checkLogin(request.body))
    } catch (error) {
      if (!isAuthError(error)) throw error
      return sendAuthError(request, reply, error)
    }
  })
  app.get(ME_PATH, { preHandler: requireAuth() }, async (request, reply) => reply.header('cache-control', 'no-store').send(describeCaller(request.auth!)))
  app.setNotFoundHandler((request, reply) => sendAuthError(request, reply, new AuthError('not_found')))
  // Fastify's own refusals (a body that is not JSON, over the limit) in the protocol's error shape.
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500
    if (status >= 500) {
      request.log.error(error)
      return reply.code(500).send({ error: { code: 'internal_error', message: 'Internal server error.' } })
    }
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request'
    return sendAuthError(request, reply, new AuthError(code))
  })
  return app
}

/** Serves the demo with Fastify. */
export const startFastifyDemo: StartDemo = async (demo, config: DemoConfig) => {
  const app = await createFastifyApp(demo.http, demo.testHooks)
  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `port ${config.port} is in use; set PORT to another one` : (error as Error).message
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${why}`)
  }
  return { close: () => app.close() }
}
