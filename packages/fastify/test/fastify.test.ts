/** The protocol over Fastify 4 and 5: core's `describeAdapter`. */
import type { AddressInfo } from 'node:net'
import { loginResponseSchema } from '@auth/core'
import { describeAdapter } from '@auth/core/testing'
import { createMemoryStore } from '@auth/store-memory'
import fastify5 from 'fastify'
import fastify4 from 'fastify4'
import { authPlugin, login, requireAuth } from '../src/index.js'

type LoginBody = { sub: string; transport: 'cookie' | 'bearer' | 'session'; data?: Record<string, unknown> }

for (const [name, fastify] of Object.entries({ 'Fastify 4': fastify4, 'Fastify 5': fastify5 })) {
  describeAdapter(name, {
    createStore: () => createMemoryStore(),
    async start({ http }) {
      const app = (fastify as typeof fastify5)()
      await app.register(authPlugin, { http })
      app.post<{ Body: LoginBody }>('/auth/login', { schema: { response: loginResponseSchema() } }, async (request, reply) => {
        const { sub, transport, data } = request.body
        return login(request, reply, { sub, transport, ...(data ? { data } : {}) })
      })
      const me = async (request: { auth: { sub: string; sid: string; transport: string } | null }) => {
        const { sub, sid, transport } = request.auth!
        return { sub, sid, transport }
      }
      app.get('/api/me', { preHandler: requireAuth() }, me)
      app.post('/api/me', { preHandler: requireAuth() }, me)
      app.get('/api/admin', { preHandler: requireAuth({ roles: ['admin'] }) }, async () => ({ ok: true }))
      app.get('/api/public', async (request) => ({ sub: request.auth?.sub ?? null }))
      await app.listen({ port: 0, host: '127.0.0.1' })
      return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() }
    },
  })
}
