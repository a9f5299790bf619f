/**
 * The Express 5 bench servers: `GET /me` answering `{ ok: true, sub }`, bare or behind one
 * authentication set-up (see `ServerKind`). Express' defaults are kept (`res.json` with its ETag).
 */
import { createServer } from 'node:http'
import { createAuthMiddleware, login, requireAuth } from '@auth/express'
import express, { type RequestHandler } from 'express'
import session from 'express-session'
import jsonwebtoken, { type JwtPayload } from 'jsonwebtoken'
import { BARE_SUB, LOGIN_ROUTE, ROUTE, type ServerInit } from '../lib/http-protocol.js'
import { type BenchApp, type Closer, createOurHttp, createPeerSessionStore, JSONWEBTOKEN_RULES, listenOnLoopback, peerSessionSecret, publicKeyOf } from './common.js'

declare module 'express-session' {
  interface SessionData {
    sub: string
  }
}

const unauthorized = { error: 'unauthorized' }

/** Builds the app for `init.server`. */
export async function createExpressApp(init: ServerInit): Promise<BenchApp> {
  const app = express()
  let close: Closer = async () => {}
  const server = init.server
  switch (server.kind) {
    case 'bare':
      app.get(ROUTE, (_req, res) => {
        res.json({ ok: true, sub: BARE_SUB })
      })
      break
    case 'bare-layers':
      // Where ours has `app.use(createAuthMiddleware(http))` and `requireAuth()`: the same two layers, doing nothing.
      app.use((_req, _res, next) => next())
      app.get(
        ROUTE,
        (_req, _res, next) => next(),
        (_req, res) => {
          res.json({ ok: true, sub: BARE_SUB })
        },
      )
      break
    case 'ours-bearer':
    case 'ours-session': {
      const ours = await createOurHttp(init)
      close = ours.close
      app.use(createAuthMiddleware(ours.http))
      if (server.kind === 'ours-session') {
        app.post(LOGIN_ROUTE, (req, res, next) => {
          login(req, res, { sub: BARE_SUB, transport: 'session' }).catch(next)
        })
      }
      app.get(ROUTE, requireAuth(), (req, res) => {
        res.json({ ok: true, sub: req.auth!.sub })
      })
      break
    }
    case 'jsonwebtoken':
      app.get(ROUTE, jsonwebtokenBearer(publicKeyOf(init)), (req, res) => {
        res.json({ ok: true, sub: (req as { jwt?: JwtPayload }).jwt!.sub })
      })
      break
    case 'peer-session': {
      const peer = await createPeerSessionStore(init)
      close = peer.close
      app.use(session({ store: peer.store, secret: peerSessionSecret(init), resave: false, saveUninitialized: false }))
      app.post(LOGIN_ROUTE, (req, res) => {
        req.session.sub = BARE_SUB
        res.json({ ok: true })
      })
      app.get(ROUTE, (req, res) => {
        const sub = req.session.sub
        if (sub === undefined) res.status(401).json(unauthorized)
        else res.json({ ok: true, sub })
      })
      break
    }
    default:
      throw new Error(`no ${server.kind} server for Express`)
  }
  return { listen: () => listenOnLoopback(createServer(app)), close }
}

/**
 * A bearer check the way express-jwt does it with jsonwebtoken: the token from
 * `Authorization: Bearer`, `jsonwebtoken.decode(token, { complete: true })`, then
 * `jsonwebtoken.verify` with the public key (a prepared `KeyObject`) and the rules; 401 otherwise.
 */
function jsonwebtokenBearer(key: ReturnType<typeof publicKeyOf>): RequestHandler {
  return function jwtBearer(req, res, next) {
    const header = req.headers.authorization
    const parts = header?.split(' ')
    const token = parts?.length === 2 && /^Bearer$/i.test(parts[0]!) ? parts[1]! : undefined
    if (token === undefined) return void res.status(401).json(unauthorized)
    try {
      const decoded = jsonwebtoken.decode(token, { complete: true })
      if (!decoded) throw new Error('malformed')
      jsonwebtoken.verify(token, key, JSONWEBTOKEN_RULES)
      ;(req as { jwt?: JwtPayload }).jwt = decoded.payload as JwtPayload
    } catch {
      return void res.status(401).json(unauthorized)
    }
    next()
  }
}
