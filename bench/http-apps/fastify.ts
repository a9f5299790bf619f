/**
 * The Fastify 5 bench servers: `GET /me` answering `{ ok: true, sub }`, bare or behind one
 * authentication set-up (see `ServerKind`). No response schema on any of them (the same
 * serialization for every row).
 */
import fastifyCookie from '@fastify/cookie'
import fastifyJwt from '@fastify/jwt'
import fastifySession from '@fastify/session'
import { authPlugin, login, requireAuth } from '@auth/fastify'
import Fastify from 'fastify'
import { BARE_SUB, LOGIN_ROUTE, ROUTE, type ServerInit } from '../lib/http-protocol.js'
import { type BenchApp, type Closer, createFloorRead, createOurHttp, createPeerSessionStore, fastifyJwtRules, peerSessionSecret } from './common.js'

declare module 'fastify' {
  interface Session {
    sub?: string
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    user: { sub: string }
  }
}

const unauthorized = { error: 'unauthorized' }

/** Builds the app for `init.server`. */
export async function createFastifyApp(init: ServerInit): Promise<BenchApp> {
  const app = Fastify()
  let close: Closer = async () => {}
  const server = init.server
  switch (server.kind) {
    case 'bare':
      app.get(ROUTE, async () => ({ ok: true, sub: BARE_SUB }))
      break
    case 'ours-bearer':
    case 'ours-session': {
      const ours = await createOurHttp(init)
      close = ours.close
      await app.register(authPlugin, { http: ours.http })
      if (server.kind === 'ours-session') {
        app.post(LOGIN_ROUTE, (request, reply) => login(request, reply, { sub: BARE_SUB, transport: 'session' }))
      }
      app.get(ROUTE, { preHandler: requireAuth() }, async (request) => ({ ok: true, sub: request.auth!.sub }))
      break
    }
    case 'fastify-jwt': {
      // fast-jwt's cache stays off (@fastify/jwt's default).
      const secret = server.alg === 'HS256' ? init.hs256Secret : { public: init.publicPem }
      await app.register(fastifyJwt, { secret, verify: fastifyJwtRules(server.alg) })
      app.get(
        ROUTE,
        {
          onRequest: async (request, reply) => {
            try {
              await request.jwtVerify()
            } catch {
              return reply.code(401).send(unauthorized)
            }
          },
        },
        async (request) => ({ ok: true, sub: request.user.sub }),
      )
      break
    }
    case 'peer-session': {
      const peer = await createPeerSessionStore(init)
      close = peer.close
      await app.register(fastifyCookie)
      // Plain HTTP here, so `secure: false`: with the default `secure: true` @fastify/session would
      // skip its save over HTTP, which a deployment (over HTTPS) does not.
      await app.register(fastifySession, { secret: peerSessionSecret(init), store: peer.store, saveUninitialized: false, cookie: { secure: false } })
      app.post(LOGIN_ROUTE, async (request) => {
        request.session.set('sub', BARE_SUB)
        return { ok: true }
      })
      app.get(ROUTE, async (request, reply) => {
        const sub = request.session.get('sub')
        if (sub === undefined) return reply.code(401).send(unauthorized)
        return { ok: true, sub }
      })
      break
    }
    case 'floor-redis-get': {
      const floor = await createFloorRead(init, server.client)
      close = floor.close
      // A callback-style hook, as @auth/fastify's: no async function's Promise of its own.
      app.get(
        ROUTE,
        {
          onRequest: (_request, reply, done) => {
            floor.get().then(
              (value) => (value === null ? reply.code(401).send(unauthorized) : done()),
              (error: unknown) => done(error as Error),
            )
          },
        },
        async () => ({ ok: true, sub: BARE_SUB }),
      )
      break
    }
    default:
      throw new Error(`no ${server.kind} server for Fastify`)
  }
  return {
    listen: async () => {
      await app.listen({ port: 0, host: '127.0.0.1' })
      const address = app.server.address()
      if (address === null || typeof address === 'string') throw new Error('no port')
      return address.port
    },
    close,
  }
}
