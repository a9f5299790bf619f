/**
 * BEFORE the migration (docs/migration.md): an Express API on jsonwebtoken, with the bearer
 * middleware express-jwt gives you (`expressjwt({ secret, algorithms })`): a 7-day token signed at
 * login, verified with a secret (HS256) or a public key (RS256, ES256) on every request, the
 * claims on `req.auth`. `after.ts` is the same API on `@auth/express`; `diff before.ts after.ts` is
 * the migration.
 */
import express, { type Express, type Request, type RequestHandler } from 'express'
import jsonwebtoken, { type Algorithm, type JwtPayload, type Secret } from 'jsonwebtoken'

/** The one user of this example; yours come from your database, with hashed passwords. */
const USER = { id: 'user-1', email: 'demo@example.com', password: 'demo-password', role: 'editor' }

export interface MigrationApp {
  readonly app: Express
  close(): Promise<void>
}

export interface AppOptions {
  /** Signs the tokens: the secret (HS256) or the private key (RS256, ES256). */
  readonly signingKey: Secret
  /** Verifies them: the same secret, or the public key. */
  readonly verifyKey: Secret
  readonly algorithm: Algorithm
}

export async function createApp(options: AppOptions): Promise<MigrationApp> {
  const app = express()

  app.post('/login', express.json({ limit: '4kb' }), (req, res) => {
    const { email, password } = (req.body ?? {}) as Record<string, unknown>
    if (email !== USER.email || password !== USER.password) return res.status(401).json({ error: 'wrong email or password' })
    const token = jsonwebtoken.sign({ role: USER.role }, options.signingKey, { algorithm: options.algorithm, subject: USER.id, expiresIn: '7d' })
    res.json({ token })
  })

  app.get('/api/me', verifyJwt({ key: options.verifyKey, algorithms: [options.algorithm] }), (req, res) => {
    const { sub, role } = claimsOf(req)
    res.json({ sub, role })
  })

  return { app, close: async () => {} }
}

/** What `expressjwt({ secret, algorithms })` does: the bearer token verified, its claims on `req.auth`, else 401. */
function verifyJwt(options: { key: Secret; algorithms: Algorithm[] }): RequestHandler {
  return function verifyJwt(req, res, next) {
    const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (!token) return res.status(401).json({ error: 'No authorization token was found' })
    try {
      Object.assign(req, { auth: jsonwebtoken.verify(token, options.key, { algorithms: options.algorithms }) })
      next()
    } catch (error) {
      res.status(401).json({ error: (error as Error).message }) // express-jwt's UnauthorizedError: 'jwt expired', 'invalid signature'…
    }
  }
}

/** express-jwt's `req.auth`. (In this repository `@auth/express` types `req.auth` as its own, hence the cast.) */
const claimsOf = (req: Request) => (req as unknown as { auth: JwtPayload }).auth
