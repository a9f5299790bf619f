/**
 * The demo on Koa: the page, the login route, the protocol's routes from `@auth/koa`, and one
 * guarded route, without a router. Everything that is not Koa lives in the framework-free modules.
 *
 * @module
 */
import { createServer } from 'node:http'
import { AuthError, type AuthHttp, isAuthError } from '@auth/core'
import { createAuthMiddleware, createAuthRoutes, login, requireAuth, sendAuthError } from '@auth/koa'
import { bodyParser } from '@koa/bodyparser'
import Koa from 'koa'
import { checkLogin, describeCaller, LOGIN_PATH, ME_PATH } from './demo-api.js'
import { closeServer, listen, type StartDemo } from './node-server.js'
import { CLIENT_PATH, DEMO_CLIENT, DEMO_PAGE } from './page.js'
import { type DemoTestHooks, TEST_HOOKS_PREFIX } from './test-hooks.js'

/** Builds the Koa application for a protocol instance (and the test routes, when given). */
export function createKoaApp(http: AuthHttp, testHooks?: DemoTestHooks): Koa {
  const app = new Koa()
  const guard = requireAuth()
  const parseJson = bodyParser({ enableTypes: ['json'], jsonLimit: '16kb' })
  app.use(async (ctx, next) => {
    try {
      await next()
    } catch (error) {
      // The body parser's refusals in the protocol's error shape; anything else is a bug.
      const status = (error as { status?: number }).status ?? 500
      if (isAuthError(error)) return sendAuthError(ctx, error)
      if (status >= 500) throw error
      sendAuthError(ctx, new AuthError(status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request'))
    }
  })
  app.use(async (ctx, next) => {
    const served = ctx.method !== 'GET' ? null : ctx.path === '/' ? { ...DEMO_PAGE, body: DEMO_PAGE.html } : ctx.path === CLIENT_PATH ? { ...DEMO_CLIENT, body: DEMO_CLIENT.js } : null
    if (!served) return next()
    ctx.set(served.headers as Record<string, string>)
    ctx.type = served.headers['content-type']!
    ctx.body = served.body
  })
  if (testHooks) {
    app.use(async (ctx, next) => {
      const reply = ctx.path.startsWith(TEST_HOOKS_PREFIX) ? testHooks.handle(ctx.method, ctx.originalUrl) : null
      if (!reply) return next()
      ctx.status = reply.status
      ctx.set(reply.headers as Record<string, string>)
      ctx.body = reply.body
    })
  }
  app.use(createAuthRoutes(http)) // POST /auth/refresh, /auth/logout, …, GET /.well-known/jwks.json
  app.use(createAuthMiddleware(http)) // ctx.state.auth for everything below
  app.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === LOGIN_PATH) {
      await parseJson(ctx, async () => {})
      return login(ctx, checkLogin(ctx.request.body))
    }
    if ((ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.path === ME_PATH) {
      return guard(ctx, async () => {
        ctx.set('cache-control', 'no-store')
        ctx.body = describeCaller(ctx.state.auth!)
      })
    }
    await next()
  })
  app.use((ctx) => sendAuthError(ctx, new AuthError('not_found')))
  return app
}

/** Serves the demo with Koa. */
export const startKoaDemo: StartDemo = async (demo, config) => {
  const server = createServer(createKoaApp(demo.http, demo.testHooks).callback())
  await listen(server, config)
  return { close: () => closeServer(server) }
}
