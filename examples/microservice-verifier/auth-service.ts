/**
 * Service A of docs/guides/microservice-verifier.md: the auth service. It logs users in, issues
 * access tokens for the orders service (`aud: orders-api`), and publishes its public keys at
 * `GET /.well-known/jwks.json`, which other services fetch to verify those tokens.
 *
 * `createVerifier` fetches a JWKS over https only, so this service serves https when given a
 * certificate (`TLS_CERT_FILE`, `TLS_KEY_FILE`); in production it usually sits behind a proxy that
 * terminates TLS. Run it: see the guide.
 */
import { readFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { pathToFileURL } from 'node:url'
import { type Auth, AuthError, createAuthHttp, generateKeySet, type KeySet } from '@auth/core'
import { createAuth } from '@auth/core/node'
import { createAuthMiddleware, createAuthRouter, login, requireAuth, sendAuthError } from '@auth/express'
import { createMemoryStore } from '@auth/store-memory'
import express, { type Express } from 'express'

/** The audience of the tokens this service issues: the API that accepts them. */
export const ORDERS_AUDIENCE = 'orders-api'

/** The one user of this example; yours come from your database, with hashed passwords. */
const USER = { id: 'user-1', email: 'demo@example.com', password: 'demo-password' }

export interface AuthService {
  readonly app: Express
  readonly auth: Auth
  /** The signing keys (private): the test signs forged and expired tokens with them. */
  readonly keys: KeySet
  close(): Promise<void>
}

/** `issuer`: this service's public URL, e.g. `https://auth.example.com`; every verifier checks it. */
export async function createAuthService(issuer: string): Promise<AuthService> {
  const store = createMemoryStore()
  const keys = await generateKeySet() // ES256: verifiers need only the public key
  const auth = createAuth({
    store,
    keys,
    issuer,
    audience: ORDERS_AUDIENCE,
    secret: process.env.AUTH_SECRET, // 32+ random bytes: openssl rand -base64 32
    claims: () => ({ roles: ['customer'] }), // application claims, signed into every access token
  })
  const http = createAuthHttp(auth, { allowedOrigins: [issuer], transports: ['bearer'] })

  const app = express()
  app.use(createAuthRouter(http)) // GET /.well-known/jwks.json, POST /auth/refresh, /auth/logout, …
  app.use(createAuthMiddleware(http))
  app.post('/auth/login', express.json(), async (req, res) => {
    const { email, password } = (req.body ?? {}) as Record<string, unknown>
    if (email !== USER.email || password !== USER.password) return sendAuthError(req, res, new AuthError('invalid_credentials'))
    await login(req, res, { sub: USER.id, transport: 'bearer' })
  })
  app.get('/api/me', requireAuth(), (req, res) => res.json({ sub: req.auth!.sub }))

  return {
    app,
    auth,
    keys,
    async close() {
      await auth.close()
      await store.close()
    },
  }
}

// Started directly (not imported by the test): https on PORT (default 3000) with the given certificate.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000)
  const { app } = await createAuthService(process.env.ISSUER ?? `https://localhost:${port}`)
  const tls = { cert: readFileSync(process.env.TLS_CERT_FILE ?? 'localhost-cert.pem'), key: readFileSync(process.env.TLS_KEY_FILE ?? 'localhost-key.pem') }
  createHttpsServer(tls, app).listen(port, () => console.log(`auth service on https://localhost:${port}`))
}
