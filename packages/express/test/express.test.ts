/** The protocol over Express 4 and 5: core's `describeAdapter`. */
import type { AddressInfo } from 'node:net'
import { describeAdapter } from '@auth/core/testing'
import { createMemoryStore } from '@auth/store-memory'
import express5 from 'express'
import express4 from 'express4'
import { createAuthMiddleware, createAuthRouter, login, requireAuth } from '../src/index.js'

for (const [name, express] of Object.entries({ 'Express 4': express4, 'Express 5': express5 })) {
  describeAdapter(name, {
    createStore: () => createMemoryStore(),
    async start({ http }) {
      const app = (express as typeof express5)()
      app.use(createAuthRouter(http))
      app.use(createAuthMiddleware(http))
      app.post('/auth/login', (express as typeof express5).json(), (req, res, next) => {
        const { sub, transport, data } = req.body
        login(req, res, { sub, transport, data }).catch(next)
      })
      app.all('/api/me', requireAuth(), (req, res) => {
        const { sub, sid, transport } = req.auth!
        res.json({ sub, sid, transport })
      })
      app.get('/api/admin', requireAuth({ roles: ['admin'] }), (_req, res) => {
        res.json({ ok: true })
      })
      app.get('/api/public', (req, res) => {
        res.json({ sub: req.auth?.sub ?? null })
      })
      const server = app.listen(0, '127.0.0.1')
      await new Promise((resolve) => server.once('listening', resolve))
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      }
    },
  })
}
