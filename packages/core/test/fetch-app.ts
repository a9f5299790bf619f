/**
 * The `describeAdapter` contract served by the Fetch bridge (`createFetchHandler`), as Hono, a
 * Next.js route handler, Bun or a Worker would serve it, behind a minimal `node:http` → Fetch
 * shim (the part a runtime provides: `Request` in, `Response` out, every `Set-Cookie` kept).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { AuthError, type AuthHttp, createFetchHandler, type RequireAuthOptions, toFetchResponse } from '@auth/core'
import type { AdapterTestApp, AdapterTestSetup } from '@auth/core/testing'
import { serveLoopback } from './serve-loopback.js'

export async function startFetchApp({ http }: AdapterTestSetup): Promise<AdapterTestApp> {
  const app = createFetchApp(http)
  return serveLoopback((req, res) => serveFetch(app, req, res))
}

/** The application, in Fetch terms only. */
function createFetchApp(http: AuthHttp): (request: Request) => Promise<Response> {
  const auth = createFetchHandler(http)
  return async function app(request) {
    const answered = await auth.handle(request)
    if (answered) return answered
    // The middleware: every request is authenticated; a malformed one or a store outage is answered now.
    const { result, response } = await auth.authenticate(request)
    if (response) return response
    // The middleware's cookies (a dead session cookie cleared) go first: a login's new cookie of
    // the same name, set by the route, must come after the clearing, or the browser drops it.
    const withCookies = (reply: Response) => {
      if (result.cookies.length === 0) return reply
      const headers = new Headers(reply.headers)
      headers.delete('set-cookie')
      for (const cookie of [...result.cookies, ...reply.headers.getSetCookie()]) headers.append('set-cookie', cookie)
      return new Response(reply.body, { status: reply.status, headers })
    }
    const guarded = (guard: RequireAuthOptions, answer: () => unknown) => {
      const refusal = http.authorize(result, guard)
      return withCookies(refusal ? toFetchResponse(refusal, request.method) : Response.json(answer(), { headers: { 'cache-control': 'no-store' } }))
    }
    const route = `${request.method} ${new URL(request.url).pathname}`
    switch (route) {
      case 'POST /auth/login': {
        let body: { sub?: unknown; transport?: 'cookie' | 'bearer' | 'session'; data?: Record<string, unknown> }
        try {
          body = (await request.json()) as typeof body
        } catch {
          return auth.error(new AuthError('bad_request', { reason: 'json' }), request)
        }
        if (typeof body?.sub !== 'string' || body.sub === '') return auth.error(new AuthError('bad_request', { reason: 'body' }), request)
        return withCookies(await auth.login(request, { sub: body.sub, ...(body.transport ? { transport: body.transport } : {}), ...(body.data ? { data: body.data } : {}) }))
      }
      case 'GET /api/me':
      case 'HEAD /api/me':
      case 'POST /api/me':
        return guarded({}, () => {
          const { sub, sid, transport } = result.principal!
          return { sub, sid, transport }
        })
      case 'GET /api/admin':
        return guarded({ roles: ['admin'] }, () => ({ ok: true }))
      case 'GET /api/public':
        return withCookies(Response.json({ sub: result.principal?.sub ?? null }))
      default:
        return withCookies(Response.json({ error: { code: 'not_found', message: 'Not found.' } }, { status: 404 }))
    }
  }
}

/** The shim: `IncomingMessage` → `Request`, `Response` → `ServerResponse`. */
async function serveFetch(app: (request: Request) => Promise<Response>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit)
  const response = await app(request)
  res.statusCode = response.status
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value)
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  if (!response.body || method === 'HEAD') {
    res.end()
    return
  }
  for await (const chunk of Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>)) res.write(chunk)
  res.end()
}
