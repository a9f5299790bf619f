/**
 * The `describeAdapter` contract served by a plain `node:http` server over the Node bridge
 * (`'@auth/core/node'`) with a hand-written router: what an adapter does, with nothing but the
 * bridge. Express and Koa adapters do the same in their own idiom.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { AuthError, type AuthHttp, type AuthHttpResponse, type AuthPrincipal, type RequireAuthOptions } from '@auth/core'
import { applyNodeHeaders, createNodeHandler, fromNodeRequest, sendNodeResponse } from '@auth/core/node'
import type { AdapterTestApp, AdapterTestSetup } from '@auth/core/testing'
import { serveLoopback } from './serve-loopback.js'

export async function startNodeApp({ http }: AdapterTestSetup): Promise<AdapterTestApp> {
  const handleAuthRoute = createNodeHandler(http)
  return serveLoopback((req, res) => serve(http, handleAuthRoute, req, res))
}

async function serve(
  http: AuthHttp,
  handleAuthRoute: ReturnType<typeof createNodeHandler>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (await handleAuthRoute(req, res)) return
  // The middleware: every request is authenticated; a malformed one or a store outage is answered now.
  const request = fromNodeRequest(req)
  const result = await http.authenticate(request)
  if (result.answerNow) return sendNodeResponse(res, http.errorResponse(result.error, result), req.method)
  applyNodeHeaders(res, { headers: {}, cookies: result.cookies })
  const reply = (response: AuthHttpResponse) => sendNodeResponse(res, response, req.method)
  const json = (body: unknown) => reply({ status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, cookies: [], body })
  const guarded = (guard: RequireAuthOptions, answer: (principal: AuthPrincipal) => void) => {
    const refusal = http.authorize(result, guard)
    if (refusal) reply(refusal)
    else answer(result.principal!)
  }

  const path = (req.url ?? '/').split('?')[0]
  switch (`${req.method} ${path}`) {
    case 'POST /auth/login': {
      const body = await readLogin(request.readBody!)
      if (body instanceof AuthError) return reply(http.errorResponse(body))
      return reply(await http.login(request, body))
    }
    case 'GET /api/me':
    case 'HEAD /api/me':
    case 'POST /api/me':
      return guarded({}, ({ sub, sid, transport }) => json({ sub, sid, transport }))
    case 'GET /api/admin':
      return guarded({ roles: ['admin'] }, () => json({ ok: true }))
    case 'GET /api/public':
      return json({ sub: result.principal?.sub ?? null })
    default:
      res.statusCode = 404
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'Not found.' } }))
  }
}

/** The login body: `{ sub, transport, data? }`, the application's own concern. */
async function readLogin(readBody: (max: number) => Promise<string>): Promise<AuthError | { sub: string; transport: 'cookie' | 'bearer' | 'session'; data?: Record<string, unknown> }> {
  try {
    const body = JSON.parse(await readBody(16 * 1024)) as Record<string, unknown>
    if (typeof body?.sub !== 'string' || body.sub === '') return new AuthError('bad_request', { reason: 'body' })
    return body as { sub: string; transport: 'cookie' | 'bearer' | 'session'; data?: Record<string, unknown> }
  } catch (error) {
    return error instanceof AuthError ? error : new AuthError('bad_request', { reason: 'json' })
  }
}
