/**
 * The orders API's verification on an edge runtime (Cloudflare Workers, Vercel Edge, Deno Deploy):
 * the same `createVerifier`, from `@auth/core`, which imports no `node:` module and verifies with
 * WebCrypto. A Workers-style module: `export default { fetch(request, env) }`.
 *
 * Locally, `edge-host.ts` bundles this file and runs it inside `@edge-runtime/vm`.
 */
import { createVerifier, isAuthError, type Verifier } from '@auth/core'

/** The worker's bindings (in wrangler.toml `[vars]`, or the platform's environment settings). */
export interface Env {
  /** The auth service, e.g. `https://auth.example.com`. */
  ISSUER: string
  /** Its JWKS, e.g. `https://auth.example.com/.well-known/jwks.json`. */
  JWKS_URL: string
}

// One verifier per isolate: its JWKS and its cache of verified tokens outlive a request.
let verifier: Verifier | undefined

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    verifier ??= createVerifier({ issuer: env.ISSUER, audience: 'orders-api', jwks: env.JWKS_URL })
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } })
    if (new URL(request.url).pathname !== '/orders') return json(404, { error: { code: 'not_found', message: 'Not found.' } })
    const token = /^Bearer ([^\s]+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
    if (!token) return json(401, { error: { code: 'token_missing', message: 'No access token.' } }, { 'www-authenticate': 'Bearer' })
    try {
      const { claims } = await verifier.verify(token)
      return json(200, { sub: claims.sub, verifiedOn: 'edge' })
    } catch (error) {
      if (!isAuthError(error)) throw error
      const headers: Record<string, string> = error.status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {}
      if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter)
      return json(error.status, error.toJSON(), headers)
    }
  },
}
