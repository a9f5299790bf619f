/**
 * Service B of docs/guides/microservice-verifier.md: an API that accepts the auth service's
 * access tokens. It has no store, no secret and no signing key: only the issuer's URL, its own
 * audience, and the issuer's public JWKS, fetched over https and cached.
 *
 * Environment: `ISSUER` (the auth service, e.g. https://localhost:3000), `JWKS_URL` (default
 * `$ISSUER/.well-known/jwks.json`), `PORT` (default 3001).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { isAuthError } from '@auth/core'
import { createVerifier } from '@auth/core/node' // the node:crypto backend; '@auth/core' has the same API on WebCrypto

export function createOrdersService(options: { issuer: string; jwksUrl: string }): Server {
  const verifier = createVerifier({
    issuer: options.issuer,
    audience: 'orders-api', // a token issued for another service is refused here
    jwks: options.jwksUrl, // fetched on the first token, cached, refetched in the background every 10 minutes
  })

  return createServer(async (req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
      res.end(JSON.stringify(body))
    }
    if (req.method !== 'GET' || req.url !== '/orders') return send(404, { error: { code: 'not_found', message: 'Not found.' } })
    const token = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (!token) return send(401, { error: { code: 'token_missing', message: 'No access token.' } }, { 'www-authenticate': 'Bearer' })
    try {
      const { claims } = await verifier.verify<{ roles?: string[] }>(token)
      send(200, { sub: claims.sub, roles: claims.roles ?? [], orders: [{ id: 'order-1', sub: claims.sub }] })
    } catch (error) {
      if (!isAuthError(error)) throw error
      // 401 token_invalid / token_expired; 503 jwks_unavailable (with Retry-After) while the issuer's keys cannot be fetched.
      const headers: Record<string, string> = error.status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {}
      if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter)
      send(error.status, error.toJSON(), headers)
    }
  })
}

// Started directly: listen on PORT (default 3001) and print the URL.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const issuer = process.env.ISSUER ?? 'https://localhost:3000'
  const port = Number(process.env.PORT ?? 3001)
  const server = createOrdersService({ issuer, jwksUrl: process.env.JWKS_URL ?? `${issuer}/.well-known/jwks.json` })
  server.listen(port, '127.0.0.1', () => console.log(`orders service on http://127.0.0.1:${(server.address() as AddressInfo).port}`))
}
