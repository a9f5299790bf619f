/**
 * The server of docs/guides/spa-fastify-client.md: Fastify with `@auth/fastify` on the cookie
 * transport, serving the single-page app (`index.html`, and `app.ts` bundled for the browser).
 *
 * Run it: `npx tsx --conditions=@auth/source examples/spa-fastify-client/server.ts`, then open
 * http://localhost:3000 and sign in as demo@example.com / demo-password.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type Auth, AuthError, createAuthHttp, generateKeySet, loginResponseSchema } from '@auth/core'
import { createAuth } from '@auth/core/node'
import { authPlugin, login, requireAuth, sendAuthError } from '@auth/fastify'
import { createMemoryStore } from '@auth/store-memory'
import { build } from 'esbuild'
import Fastify, { type FastifyInstance } from 'fastify'

/** The one user of this example; yours come from your database, with hashed passwords. */
const USER = { id: 'user-1', email: 'demo@example.com', password: 'demo-password' }

/** Only this origin's scripts run on the page; requests go to this origin only. */
const CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

export interface SpaServer {
  readonly app: FastifyInstance
  readonly auth: Auth
  close(): Promise<void>
}

/** `origin`: where the browser loads the page from, e.g. `http://localhost:3000`. */
export async function createSpaServer(origin: string): Promise<SpaServer> {
  const store = createMemoryStore()
  const auth = createAuth({
    store,
    keys: await generateKeySet(),
    issuer: origin,
    audience: origin,
    secret: process.env.AUTH_SECRET, // 32+ random bytes: openssl rand -base64 32
    revocation: 'strict', // the default: a logout is seen by the very next request
  })
  const http = createAuthHttp(auth, { allowedOrigins: [origin], transports: ['cookie'] })

  const app = Fastify()
  // request.auth; POST /auth/refresh, /auth/logout, /auth/logout-all; GET /auth/sessions; GET /.well-known/jwks.json
  await app.register(authPlugin, { http })

  app.post<{ Body: { email?: unknown; password?: unknown } }>('/auth/login', { schema: { response: loginResponseSchema() } }, async (request, reply) => {
    const { email, password } = request.body ?? {}
    if (email !== USER.email || password !== USER.password) {
      return sendAuthError(request, reply, new AuthError('invalid_credentials'))
    }
    // Sets __Host-auth-at (the access token) and __Secure-auth-rt (the refresh token, Path=/auth/refresh),
    // both HttpOnly; answers only their expiry. Refused with 403 csrf_rejected from another origin.
    return login(request, reply, { sub: USER.id, transport: 'cookie' })
  })
  app.get('/api/me', { preHandler: requireAuth() }, async (request) => ({ sub: request.auth!.sub }))

  // The single-page app: the HTML, and the client code bundled for the browser.
  const html = await readFile(new URL('./index.html', import.meta.url), 'utf8')
  const bundle = await bundleApp()
  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(html))
  app.get('/app.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').send(bundle))

  return {
    app,
    auth,
    async close() {
      await app.close()
      await auth.close()
      await store.close()
    },
  }
}

async function bundleApp(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./app.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@auth/source'], // this repository's sources; an installed @auth/client needs no condition
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

// Started directly (not imported by the test): listen on PORT, default 3000.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000)
  const { app } = await createSpaServer(`http://localhost:${port}`)
  await app.listen({ port, host: 'localhost' })
  console.log(`http://localhost:${port}  (demo@example.com / demo-password)`)
}
