/** The protocol over Koa 2 and 3: core's `describeAdapter`. */
import type { AddressInfo } from 'node:net'
import { describeAdapter } from '@auth/core/testing'
import { createMemoryStore } from '@auth/store-memory'
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import { createAuthMiddleware, createAuthRoutes, login, requireAuth } from '../src/index.js'

for (const [name, Koa] of Object.entries({ 'Koa 2': Koa2, 'Koa 3': Koa3 })) {
  describeAdapter(name, {
    createStore: () => createMemoryStore(),
    async start({ http }) {
      const app = new (Koa as typeof Koa3)()
      const router = new Router()
      router.post('/auth/login', bodyParser(), async (ctx) => {
        const { sub, transport, data } = ctx.request.body as { sub: string; transport: 'cookie' | 'bearer' | 'session'; data?: Record<string, unknown> }
        await login(ctx, { sub, transport, ...(data ? { data } : {}) })
      })
      const me = (ctx: { state: { auth?: { sub: string; sid: string; transport: string } | null }; body: unknown }) => {
        const { sub, sid, transport } = ctx.state.auth!
        ctx.body = { sub, sid, transport }
      }
      router.get('/api/me', requireAuth(), me)
      router.post('/api/me', requireAuth(), me)
      router.get('/api/admin', requireAuth({ roles: ['admin'] }), (ctx) => {
        ctx.body = { ok: true }
      })
      router.get('/api/public', (ctx) => {
        ctx.body = { sub: ctx.state.auth?.sub ?? null }
      })
      app.use(createAuthRoutes(http)).use(createAuthMiddleware(http)).use(router.routes())
      const server = app.listen(0, '127.0.0.1')
      await new Promise((resolve) => server.once('listening', resolve))
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      }
    },
  })
}
