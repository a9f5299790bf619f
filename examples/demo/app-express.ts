/**
 * The demo on Express: the page, the login route, the protocol's routes from `@auth/express`,
 * and one guarded route. Everything that is not Express lives in the framework-free modules.
 *
 * @module
 */
import { createServer } from 'node:http'
import { AuthError, type AuthHttp, isAuthError } from '@auth/core'
import { createAuthMiddleware, createAuthRouter, login, requireAuth, sendAuthError } from '@auth/express'
import express, { type ErrorRequestHandler, type Express } from 'express'
import { checkLogin, describeCaller, LOGIN_PATH, ME_PATH } from './demo-api.js'
import { closeServer, listen, type StartDemo } from './node-server.js'
import { CLIENT_PATH, DEMO_CLIENT, DEMO_PAGE } from './page.js'
import { type DemoTestHooks, TEST_HOOKS_PREFIX } from './test-hooks.js'

/** Builds the Express application for a protocol instance (and the test routes, when given). */
export function createExpressApp(http: AuthHttp, testHooks?: DemoTestHooks): Express {
  const app = express()
  app.disable('x-powered-by')
  app.get('/', (_req, res) => {
    res.set(DEMO_PAGE.headers).send(DEMO_PAGE.html)
  })
  app.get(CLIENT_PATH, (_req, res) => {
    res.set(DEMO_CLIENT.headers).send(DEMO_CLIENT.js)
  })
  if (testHooks) {
    app.use((req, res, next) => {
      const reply = req.path.startsWith(TEST_HOOKS_PREFIX) ? testHooks.handle(req.method, req.originalUrl) : null
      if (!reply) return next()
      res.status(reply.status).set(reply.headers).send(reply.body)
    })
  }
  app.use(createAuthRouter(http)) // POST /auth/refresh, /auth/logout, …, GET /.well-known/jwks.json
  app.use(createAuthMiddleware(http)) // req.auth for everything below
  app.post(LOGIN_PATH, express.json({ limit: '16kb' }), async (req, res) => {
    try {
      await login(req, res, checkLogin(req.body))
    } catch (error) {
      if (!isAuthError(error)) throw error
      sendAuthError(req, res, error)
    }
  })
  app.get(ME_PATH, requireAuth(), (req, res) => {
    res.set('cache-control', 'no-store').json(describeCaller(req.auth!))
  })
  app.use((req, res) => sendAuthError(req, res, new AuthError('not_found')))
  app.use(answerError)
  return app
}

/**
 * The body parser's refusals in the protocol's error shape; anything else is a bug: logged, and
 * answered 500 without a stack trace.
 */
const answerError: ErrorRequestHandler = (error, req, res, _next) => {
  const status = typeof error?.status === 'number' ? error.status : 500
  if (status >= 400 && status < 500 && typeof error?.type === 'string') {
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request'
    return sendAuthError(req, res, new AuthError(code))
  }
  console.error(error)
  if (!res.headersSent) res.status(500).json({ error: { code: 'internal_error', message: 'Internal server error.' } })
}

/** Serves the demo with Express. */
export const startExpressDemo: StartDemo = async (demo, config) => {
  const server = createServer(createExpressApp(demo.http, demo.testHooks))
  await listen(server, config)
  return { close: () => closeServer(server) }
}
