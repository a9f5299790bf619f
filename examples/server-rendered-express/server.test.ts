// The server-rendered guide's example over real HTTP on loopback: the forms a browser posts, the
// session cookie it keeps, and what changes for every device after "log out everywhere".
import type { RequestListener } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CookieJar, serve } from '../guide-testing/http.js'
import { createServerRenderedApp, type ServerRenderedApp } from './server.js'

describe('guide: server-rendered Express app (session cookie)', () => {
  let example: ServerRenderedApp
  let origin: string
  let close: () => Promise<void>

  beforeAll(async () => {
    let handler: RequestListener = (_req, res) => res.end()
    const served = await serve((req, res) => handler(req, res))
    origin = `http://127.0.0.1:${served.port}`
    example = await createServerRenderedApp(origin)
    handler = example.app
    close = served.close
  })
  afterAll(async () => {
    await close?.()
    await example?.close()
  })

  /** A form post as a browser sends it from the page: urlencoded, with `Origin`. */
  async function post(jar: CookieJar, path: string, form: Record<string, string> = {}, headers: Record<string, string> = { origin }) {
    const response = await fetch(origin + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'guide-test', ...headers, ...jar.header() },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    })
    jar.take(response)
    return response
  }
  async function home(jar: CookieJar): Promise<string> {
    const response = await fetch(origin + '/', { headers: jar.header() })
    jar.take(response)
    expect(response.status).toBe(200)
    return response.text()
  }
  async function signIn(): Promise<CookieJar> {
    const jar = new CookieJar()
    const response = await post(jar, '/login', { email: 'demo@example.com', password: 'demo-password' })
    expect([response.status, response.headers.get('location')]).toEqual([303, '/'])
    return jar
  }

  it('shows the login form to a visitor and refuses a wrong password without setting a cookie', async () => {
    const jar = new CookieJar()
    expect(await home(jar)).toContain('<form id="login"')
    const refused = await post(jar, '/login', { email: 'demo@example.com', password: 'nope' })
    expect(refused.status).toBe(401)
    expect(await refused.text()).toContain('Wrong email or password.')
    expect(jar.names()).toEqual([])
  })

  it('signs in with one HttpOnly Secure __Host- session cookie, and keeps session data across requests', async () => {
    const jar = new CookieJar()
    const response = await post(jar, '/login', { email: 'demo@example.com', password: 'demo-password' })
    expect(response.status).toBe(303)
    const [cookie] = response.headers.getSetCookie()
    expect(cookie).toMatch(/^__Host-auth-session=[^;]+; Max-Age=\d+; Path=\/; Secure; HttpOnly; SameSite=Lax$/)
    expect(jar.names()).toEqual(['__Host-auth-session'])
    const first = await home(jar)
    expect(first).toContain('Signed in as demo@example.com')
    expect(first).toContain('<span id="views">1</span>')
    expect(await home(jar)).toContain('<span id="views">2</span>')
  })

  it('refuses a login posted from another site (login CSRF): 403, no cookie', async () => {
    const jar = new CookieJar()
    const response = await post(jar, '/login', { email: 'demo@example.com', password: 'demo-password' }, { origin: 'https://evil.example' })
    expect(response.status).toBe(403)
    expect(jar.names()).toEqual([])
  })

  it('logs out: the cookie is cleared and the old session token no longer works', async () => {
    const jar = await signIn()
    const stolen = jar.copy()
    const response = await post(jar, '/logout')
    expect([response.status, response.headers.get('location')]).toEqual([303, '/'])
    expect(jar.names()).toEqual([])
    // Replaying the old cookie: the session is over in the store, whoever holds the cookie.
    expect(await home(stolen)).toContain('<form id="login"')
  })

  it('refuses a cross-site logout (CSRF): 403 csrf_rejected, the session lives on', async () => {
    const jar = await signIn()
    const forged = await post(jar, '/logout', {}, { origin: 'https://evil.example' })
    expect(forged.status).toBe(403)
    expect(await forged.json()).toEqual({ error: { code: 'csrf_rejected', message: expect.any(String) } })
    const noOrigin = await post(jar, '/logout', {}, {})
    expect(noOrigin.status).toBe(403)
    expect(await home(jar)).toContain('Signed in as')
  })

  it('lists the devices and ends another one', async () => {
    const laptop = await signIn()
    const phone = await signIn()
    const html = await home(laptop)
    const ids = [...html.matchAll(/data-session="([^"]+)"/g)].map((m) => m[1]!)
    expect(ids.length).toBeGreaterThanOrEqual(2)
    const phoneSid = (await example.auth.verifySessionToken(phone.get('__Host-auth-session')!)).id
    expect(ids).toContain(phoneSid)
    expect((await post(laptop, `/sessions/${phoneSid}/end`)).status).toBe(303)
    expect(await home(phone)).toContain('<form id="login"')
    expect(await home(laptop)).toContain('Signed in as')
    // An id that is not one of the user's live sessions: 404, nothing changes.
    const unknown = await post(laptop, '/sessions/not-a-session/end')
    expect(unknown.status).toBe(404)
  })

  it('"log out everywhere" ends every session of the user, on every device', async () => {
    const laptop = await signIn()
    const phone = await signIn()
    const tablet = await signIn()
    expect(await home(phone)).toContain('Signed in as')
    const response = await post(laptop, '/logout-all')
    expect(response.status).toBe(303)
    expect(laptop.names()).toEqual([])
    for (const device of [phone, tablet]) expect(await home(device)).toContain('<form id="login"')
    expect(await example.auth.listSessions('user-1')).toEqual([])
  })

  it('a POST without a session is 401 JSON, never a redirect', async () => {
    const response = await post(new CookieJar(), '/logout-all')
    expect(response.status).toBe(401)
    expect((await response.json()).error.code).toBe('token_missing')
  })
})
