/**
 * The app the edge test bundles and runs inside `EdgeVM`: `@auth/core`'s default entry, the
 * Fetch bridge and the test store, and nothing from Node. `globalThis.__app(json)` takes a request
 * as a JSON string and answers the response as one (objects do not cross the realm boundary).
 */
import { AuthError, createAuth, createAuthHttp, createFetchHandler, generateKeySet } from '../../src/index.js'
import { createTinyStore } from '../tiny-store.js'

interface WireRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
}

const store = createTinyStore()
const ready = (async () => {
  const auth = createAuth({ store, keys: await generateKeySet(), issuer: 'https://edge.test', audience: 'https://edge.test' })
  return createFetchHandler(createAuthHttp(auth, { allowedOrigins: ['https://edge.test'] }))
})()

async function route(request: Request): Promise<Response> {
  const handler = await ready
  const answered = await handler.handle(request)
  if (answered) return answered
  const path = new URL(request.url).pathname
  if (path === '/auth/login' && request.method === 'POST') {
    const body = (await request.json()) as { sub?: string; transport?: 'cookie' | 'bearer' | 'session' }
    if (!body.sub) return handler.error(new AuthError('invalid_credentials'), request)
    return handler.login(request, { sub: body.sub, ...(body.transport ? { transport: body.transport } : {}) }, body)
  }
  if (path === '/api/me') {
    const { result, response } = await handler.authenticate(request, {})
    if (response) return response
    const principal = result.principal!
    return Response.json({ sub: principal.sub, sid: principal.sid, transport: principal.transport })
  }
  return Response.json({ error: { code: 'not_found' } }, { status: 404 })
}

;(globalThis as Record<string, unknown>).__app = async (json: string): Promise<string> => {
  const wire = JSON.parse(json) as WireRequest
  const init: RequestInit = { method: wire.method, headers: wire.headers }
  if (wire.body !== undefined) init.body = wire.body
  const response = await route(new Request(`https://edge.test${wire.url}`, init))
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  return JSON.stringify({ status: response.status, headers, cookies: response.headers.getSetCookie(), body: await response.text() })
}
;(globalThis as Record<string, unknown>).__storeDown = (down: boolean) => {
  for (const name of ['getSession', 'updateSession', 'createSession', 'getRevocationState', 'endSession'] as const) {
    if (down) store.failing.add(name)
    else store.failing.delete(name)
  }
}
