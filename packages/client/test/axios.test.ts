/**
 * `@auth/client/axios` against real axios: over real HTTP on loopback (node:http speaking the
 * protocol, bearer transport), and through a recording adapter where only the request config
 * matters (cookie transport: Node's http has no cookie jar).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import axios, { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { addAuthInterceptors } from '../src/axios.js'
import { type AuthClient, AuthClientError, createAuthClient, type TokenResponse } from '../src/index.js'

/** The protocol's server side, in memory behind a real HTTP listener. */
async function startProtocolServer() {
  let n = 0
  let access = ''
  let refresh = ''
  const state = {
    url: '',
    refreshCalls: 0,
    apiCalls: 0,
    /** How long the refresh answer takes (ms): long enough for concurrent 401s to meet it in flight. */
    refreshDelayMs: 0,
    /** The next refresh answers this status instead of rotating. */
    refreshStatus: 200,
    alwaysUnauthorized: false,
    /** Authorization headers the API saw, in order. */
    seen: [] as (string | undefined)[],
    /** Runs before the API answers (the test can change the client's state meanwhile). */
    beforeApiAnswer: null as null | (() => Promise<void>),
    issue(): TokenResponse {
      n++
      access = `access-${n}`
      refresh = `refresh-${n}`
      return { transport: 'bearer', accessToken: access, refreshToken: refresh, expiresIn: 600, sessionId: 'sid-1' }
    },
    invalidateAccess: () => void (access = 'gone'),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const readBody = async (req: IncomingMessage) => {
    let text = ''
    for await (const chunk of req) text += String(chunk)
    return text
  }
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req)
    if (req.url === '/auth/refresh' && req.method === 'POST') {
      state.refreshCalls++
      await new Promise((resolve) => setTimeout(resolve, state.refreshDelayMs))
      const status = state.refreshStatus
      state.refreshStatus = 200
      if (status !== 200) return send(res, status, { error: { code: status === 401 ? 'session_revoked' : 'store_unavailable', message: 'no' } })
      const presented = (JSON.parse(body) as { refreshToken?: string }).refreshToken
      if (presented !== refresh) return send(res, 401, { error: { code: 'refresh_reused', message: 'reused' } })
      return send(res, 200, state.issue())
    }
    if (req.url === '/auth/login') return send(res, 401, { error: { code: 'invalid_credentials', message: 'no' } })
    state.apiCalls++
    state.seen.push(req.headers.authorization)
    if (state.beforeApiAnswer) {
      const hook = state.beforeApiAnswer
      state.beforeApiAnswer = null
      await hook()
      return send(res, 401, { error: { code: 'token_expired', message: 'expired' } })
    }
    if (state.alwaysUnauthorized || req.headers.authorization !== `Bearer ${access}`) return send(res, 401, { error: { code: 'token_expired', message: 'expired' } })
    return send(res, 200, { ok: true, path: req.url, body })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}

describe('addAuthInterceptors over HTTP (bearer)', () => {
  let server: Awaited<ReturnType<typeof startProtocolServer>>
  let client: AuthClient

  beforeEach(async () => {
    server = await startProtocolServer()
    client = createAuthClient({ transport: 'bearer', baseUrl: server.url, proactive: false })
    client.setSession(server.issue())
  })
  afterEach(async () => {
    client.destroy()
    await server.close()
  })

  const api = () => {
    const instance = axios.create({ baseURL: `${server.url}/api` })
    addAuthInterceptors(instance, client)
    return instance
  }

  it('sends the access token from memory', async () => {
    const { data } = await api().post('/items', { a: 1 })
    expect(data).toEqual({ ok: true, path: '/api/items', body: '{"a":1}' })
    expect(server.seen).toEqual(['Bearer access-1'])
  })

  it('refreshes once and retries once after a 401 under the current token', async () => {
    server.invalidateAccess()
    const { data } = await api().post('/items', { a: 1 })
    expect(data.body).toBe('{"a":1}')
    expect(server.refreshCalls).toBe(1)
    expect(server.seen).toEqual(['Bearer access-1', 'Bearer access-2'])
    expect(client.getState().generation).toBe(2)
  })

  it('meets concurrent 401s, from axios and client.fetch alike, with one refresh', async () => {
    server.invalidateAccess()
    server.refreshDelayMs = 100
    const instance = api()
    const results = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => instance.get(`/item/${i}`).then((response) => response.status)),
      client.fetch(`${server.url}/api/me`).then((response) => response.status),
    ])
    expect(results).toEqual([200, 200, 200, 200, 200, 200])
    expect(server.refreshCalls).toBe(1)
    expect(server.apiCalls).toBe(12)
    expect(server.seen.filter((header) => header === 'Bearer access-2')).toHaveLength(6)
  })

  it('only retries, without a refresh, when the token was replaced while the request was out', async () => {
    server.beforeApiAnswer = () => client.refresh()
    const { status } = await api().get('/me')
    expect(status).toBe(200)
    expect(server.refreshCalls).toBe(1)
    expect(server.seen).toEqual(['Bearer access-1', 'Bearer access-2'])
  })

  it('retries each request at most once', async () => {
    server.alwaysUnauthorized = true
    const failure = await api().get('/me').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(AxiosError)
    expect((failure as AxiosError).response?.status).toBe(401)
    expect(server.apiCalls).toBe(2)
    expect(server.refreshCalls).toBe(1)
  })

  it('sends a request with skipAuth: true untouched: no credential, no refresh, no retry', async () => {
    server.invalidateAccess()
    const failure = await api().get('/me', { skipAuth: true }).catch((error: unknown) => error)
    expect((failure as AxiosError).response?.status).toBe(401)
    expect(server.seen).toEqual([undefined])
    expect(server.refreshCalls).toBe(0)
  })

  it('never sends the token to another origin', async () => {
    const other = server.url.replace('127.0.0.1', 'localhost')
    const instance = axios.create()
    addAuthInterceptors(instance, client)
    const failure = await instance.get(`${other}/api/me`).catch((error: unknown) => error)
    expect((failure as AxiosError).response?.status).toBe(401)
    expect(server.seen).toEqual([undefined])
    expect(server.refreshCalls).toBe(0)
  })

  it('does not refresh after a refused login', async () => {
    const instance = axios.create({ baseURL: server.url })
    addAuthInterceptors(instance, client)
    const failure = await instance.post('/auth/login', { email: 'a' }).catch((error: unknown) => error)
    expect((failure as AxiosError).response?.status).toBe(401)
    expect(server.refreshCalls).toBe(0)
  })

  it('rejects with the original 401 when the refresh is refused, and the session ends', async () => {
    server.invalidateAccess()
    server.refreshStatus = 401
    const failure = await api().get('/me').catch((error: unknown) => error)
    expect((failure as AxiosError).response?.status).toBe(401)
    expect(client.getState().status).toBe('signedOut')
  })

  it('rejects with refresh_failed, and stays signed in, when the refresh gets a 503', async () => {
    server.invalidateAccess()
    server.refreshStatus = 503
    const failure = await api().get('/me').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(AuthClientError)
    expect((failure as AuthClientError).code).toBe('refresh_failed')
    expect(client.getState().status).toBe('active')
  })

  it('returns the function that ejects both interceptors', async () => {
    const instance = axios.create({ baseURL: `${server.url}/api` })
    const eject = addAuthInterceptors(instance, client)
    eject()
    server.invalidateAccess()
    await instance.get('/me').catch(() => undefined)
    expect(server.seen).toEqual([undefined])
    expect(server.refreshCalls).toBe(0)
  })
})

describe('addAuthInterceptors (cookie transport, recording adapter)', () => {
  /** An axios adapter that records each config and answers from `answers` (default 200). */
  function recordingAdapter(answers: number[] = []) {
    const configs: InternalAxiosRequestConfig[] = []
    const adapter = async (config: InternalAxiosRequestConfig) => {
      configs.push(config)
      const status = answers.shift() ?? 200
      const response = { data: status === 200 ? { ok: true } : { error: { code: 'token_expired' } }, status, statusText: '', headers: new AxiosHeaders(), config }
      if (status >= 400) throw new AxiosError('failed', AxiosError.ERR_BAD_REQUEST, config, null, response)
      return response
    }
    return { configs, adapter }
  }

  it('sends credentials, keeps an explicit choice, and never sets Authorization', async () => {
    const client = createAuthClient({ transport: 'cookie', proactive: false, fetch: async () => new Response(null, { status: 500 }) })
    const { configs, adapter } = recordingAdapter()
    const instance = axios.create({ adapter })
    addAuthInterceptors(instance, client)
    await instance.get('/api/me')
    await instance.get('/api/me', { withCredentials: false })
    expect(configs.map((config) => config.withCredentials)).toEqual([true, false])
    expect(configs[0]!.headers.has('Authorization')).toBe(false)
    client.destroy()
  })

  it('after a 401 refreshes through the client, then sends the request once more', async () => {
    const refreshes: RequestInit[] = []
    const client = createAuthClient({
      transport: 'cookie',
      proactive: false,
      fetch: async (_input, init) => (refreshes.push(init!), Response.json({ transport: 'cookie', expiresIn: 600 })),
    })
    const { configs, adapter } = recordingAdapter([401])
    const instance = axios.create({ adapter })
    addAuthInterceptors(instance, client)
    const { status } = await instance.get('/api/me')
    expect(status).toBe(200)
    expect(configs).toHaveLength(2)
    expect(refreshes).toHaveLength(1)
    expect(refreshes[0]!.credentials).toBe('include')
    expect(client.getState().status).toBe('active')
    client.destroy()
  })

  it('refuses an object that is not a client', () => {
    expect(() => addAuthInterceptors(axios.create(), {} as AuthClient)).toThrow(TypeError)
  })
})
