/**
 * The Koa 3 bench servers: `GET /me` answering `{ ok: true, sub }` through `@koa/router`, bare or
 * behind one authentication set-up (see `ServerKind`).
 */
import { createServer } from 'node:http'
import { createAuthMiddleware, login, requireAuth } from '@auth/koa'
import Router from '@koa/router'
import Koa from 'koa'
import koaJwt from 'koa-jwt'
import { BARE_SUB, LOGIN_ROUTE, ROUTE, type ServerInit } from '../lib/http-protocol.js'
import { type BenchApp, type Closer, createOurHttp, JSONWEBTOKEN_RULES, listenOnLoopback, publicKeyOf } from './common.js'

/** Builds the app for `init.server`. */
export async function createKoaApp(init: ServerInit): Promise<BenchApp> {
  const app = new Koa()
  const router = new Router()
  let close: Closer = async () => {}
  const server = init.server
  switch (server.kind) {
    case 'bare':
      router.get(ROUTE, (ctx) => {
        ctx.body = { ok: true, sub: BARE_SUB }
      })
      break
    case 'bare-layers':
      // Where ours has `app.use(createAuthMiddleware(http))` and `requireAuth()`: the same two layers, doing nothing.
      app.use((_ctx, next) => next())
      router.get(
        ROUTE,
        (_ctx, next) => next(),
        (ctx) => {
          ctx.body = { ok: true, sub: BARE_SUB }
        },
      )
      break
    case 'ours-bearer':
    case 'ours-session': {
      const ours = await createOurHttp(init)
      close = ours.close
      app.use(createAuthMiddleware(ours.http))
      if (server.kind === 'ours-session') router.post(LOGIN_ROUTE, (ctx) => login(ctx, { sub: BARE_SUB, transport: 'session' }))
      router.get(ROUTE, requireAuth(), (ctx) => {
        ctx.body = { ok: true, sub: ctx.state.auth!.sub }
      })
      break
    }
    case 'koa-jwt':
      // koa-jwt hands its options to jsonwebtoken.verify; the key is a prepared KeyObject.
      app.use(koaJwt({ secret: publicKeyOf(init) as unknown as string, ...JSONWEBTOKEN_RULES }))
      router.get(ROUTE, (ctx) => {
        ctx.body = { ok: true, sub: (ctx.state.user as { sub: string }).sub }
      })
      break
    default:
      throw new Error(`no ${server.kind} server for Koa`)
  }
  app.use(router.routes())
  return { listen: () => listenOnLoopback(createServer(app.callback())), close }
}
