// The mobile/API guide's example over real HTTP on loopback: the Koa API, and the client a mobile
// app runs (`@auth/client`, bearer, with a TokenStorage). The server's and the client's clocks are
// moved forward instead of sleeping.
import { type AuthClient, createMemoryTokenStorage, type TokenStorage } from '@auth/client'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serve } from '../guide-testing/http.js'
import { createApiClient, createFileTokenStorage } from './mobile-client.js'
import { createMobileApi, type MobileApi } from './server.js'

const MINUTE = 60_000

describe('guide: mobile/API client with Bearer tokens on Koa', () => {
  let api: MobileApi
  let base: string
  let close: () => Promise<void>
  let serverOffset = 0
  let clientOffset = 0
  const clients: AuthClient[] = []
  const requests: string[] = []

  beforeAll(async () => {
    api = await createMobileApi({ issuer: 'https://api.example.test', clock: () => Date.now() + serverOffset })
    const callback = api.app.callback()
    const served = await serve((req, res) => {
      requests.push(`${req.method} ${req.url}`)
      return callback(req, res)
    })
    base = `http://127.0.0.1:${served.port}`
    close = served.close
  })
  afterAll(async () => {
    for (const client of clients) client.destroy()
    await close?.()
    await api?.close()
  })

  function newClient(storage: TokenStorage = createMemoryTokenStorage()) {
    const client = createApiClient(base, storage, { clock: () => Date.now() + clientOffset })
    clients.push(client.auth)
    return client
  }
  async function stored(storage: TokenStorage) {
    return storage.load()
  }
  async function rawRefresh(refreshToken: string) {
    const response = await fetch(`${base}/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) })
    return { status: response.status, body: (await response.json()) as Record<string, any> }
  }

  it('refuses a wrong password with 401 invalid_credentials', async () => {
    const response = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"demo@example.com","password":"x"}' })
    expect(response.status).toBe(401)
    expect((await response.json()).error.code).toBe('invalid_credentials')
  })

  it('logs in with tokens in the JSON body and no cookie; the client calls the API with Authorization: Bearer', async () => {
    const response = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"demo@example.com","password":"demo-password"}' })
    expect(response.headers.getSetCookie()).toEqual([])
    expect(await response.json()).toMatchObject({ transport: 'bearer', accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900 })

    const storage = createMemoryTokenStorage()
    const client = newClient(storage)
    expect(await client.signIn('demo@example.com', 'demo-password', 'test phone')).toBe(true)
    expect(await client.me()).toMatchObject({ sub: 'user-1', sid: expect.any(String) })
    expect(await stored(storage)).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), user: 'demo@example.com' })
    // Without the header: 401 with a Bearer challenge.
    const anonymous = await fetch(`${base}/api/me`)
    expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, 'Bearer'])
  })

  it('refreshes before a request when its access token is about to expire (client clock)', async () => {
    const storage = createMemoryTokenStorage()
    const client = newClient(storage)
    await client.signIn('demo@example.com', 'demo-password', 'test phone')
    const before = (await stored(storage))!
    clientOffset = 14.9 * MINUTE // within the 30 s margin before the 15-minute expiry
    try {
      requests.length = 0
      expect(await client.me()).toMatchObject({ sub: 'user-1' })
      expect(requests).toEqual(['POST /auth/refresh', 'GET /api/me'])
      const after = (await stored(storage))!
      expect(after.refreshToken).not.toBe(before.refreshToken)
      expect(after.accessToken).not.toBe(before.accessToken)
      // The rotated-away refresh token, within the 10 s grace window, still gets the same successor.
      const retry = await rawRefresh(before.refreshToken)
      expect([retry.status, retry.body.refreshToken]).toEqual([200, after.refreshToken])
    } finally {
      clientOffset = 0
    }
  })

  it('refreshes once and retries after a 401 token_expired it did not see coming (server clock)', async () => {
    const storage = createMemoryTokenStorage()
    const client = newClient(storage)
    await client.signIn('demo@example.com', 'demo-password', 'test phone')
    const before = (await stored(storage))!
    serverOffset += 16 * MINUTE
    requests.length = 0
    expect(await client.me()).toMatchObject({ sub: 'user-1' })
    expect(requests).toEqual(['GET /api/me', 'POST /auth/refresh', 'GET /api/me'])
    expect((await stored(storage))!.refreshToken).not.toBe(before.refreshToken)
  })

  it('keeps the tokens in its TokenStorage across restarts (a file, owner-only)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-guide-mobile-'))
    try {
      const path = join(dir, 'tokens.json')
      const first = newClient(createFileTokenStorage(path))
      expect(await first.isSignedIn()).toBe(false)
      await first.signIn('demo@example.com', 'demo-password', 'test CLI')
      const { sid } = (await first.me())!
      await new Promise((resolve) => setTimeout(resolve, 50)) // the save is asynchronous
      expect(statSync(path).mode & 0o777).toBe(0o600)
      first.auth.destroy()
      const second = newClient(createFileTokenStorage(path))
      expect(await second.isSignedIn()).toBe(true)
      expect(await second.me()).toEqual({ sub: 'user-1', sid })
      await second.signOut()
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(() => statSync(path)).toThrow()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a stolen refresh token replayed after the grace window ends the session, for the thief and the owner', async () => {
    const storage = createMemoryTokenStorage()
    const client = newClient(storage)
    const signedOut: string[] = []
    client.auth.on('loggedOut', ({ reason }) => signedOut.push(reason))
    await client.signIn('demo@example.com', 'demo-password', 'test phone')
    const stolen = (await stored(storage))!.refreshToken
    await client.auth.refresh() // the owner rotates
    serverOffset += 11_000 // past the 10 s grace window
    const replay = await rawRefresh(stolen)
    expect([replay.status, replay.body.error.code]).toEqual([401, 'refresh_reused'])
    // The owner's current tokens died with the session: its next call is refused (401
    // session_revoked), its refresh too (refresh_invalid: a token of an ended session): signed out.
    requests.length = 0
    expect(await client.me()).toBeNull()
    expect(requests).toEqual(['GET /api/me', 'POST /auth/refresh'])
    expect(client.auth.getState().status).toBe('signedOut')
    expect(signedOut).toEqual(['refresh_invalid'])
    expect(await stored(storage)).toBeNull()
  })

  it('"log out everywhere" from one device signs the others out at their next request', async () => {
    const phone = newClient()
    const tablet = newClient()
    await phone.signIn('demo@example.com', 'demo-password', 'phone')
    await tablet.signIn('demo@example.com', 'demo-password', 'tablet')
    expect(await tablet.me()).not.toBeNull()
    await phone.signOut(true)
    expect(await tablet.me()).toBeNull()
    expect(await api.auth.listSessions('user-1')).toEqual([])
  })
})
