// The SPA guide's example in real Chromium (Debian's /usr/bin/chromium driven by playwright-core;
// no browser download), served on http://localhost, which Chromium treats as a secure context:
// the production cookie attributes work without TLS. Two browser contexts are two devices; two
// pages of one context are two tabs.
import { freePort } from '@auth/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../guide-testing/chromium.js'
import { createSpaServer, type SpaServer } from './server.js'

describe('guide: SPA with Fastify and @auth/client (cookie transport) in Chromium', () => {
  let server: SpaServer
  let base: string
  let browser: Browser

  beforeAll(async () => {
    // The origin must be known before the server is created (allowedOrigins): pick a free port first.
    const port = await freePort()
    base = `http://localhost:${port}`
    server = await createSpaServer(base)
    await server.app.listen({ port, host: 'localhost' })
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  async function signIn(context: BrowserContext): Promise<Page> {
    const page = await context.newPage()
    await page.goto(base)
    await expect.poll(() => page.textContent('#status')).toBe('Signed out')
    await page.fill('input[name=password]', 'demo-password')
    await page.click('#login button[type=submit]')
    await expect.poll(() => page.textContent('#status')).toBe('Signed in as user-1')
    return page
  }
  const refreshCookie = async (context: BrowserContext) =>
    (await context.cookies(`${base}/auth/refresh`)).find((c) => c.name === '__Secure-auth-rt')

  it('signs in: both tokens in HttpOnly Secure prefixed cookies, none visible to the page', async () => {
    const context = await browser.newContext()
    const page = await signIn(context)
    const access = (await context.cookies(base)).find((c) => c.name === '__Host-auth-at')
    expect(access).toMatchObject({ path: '/', secure: true, httpOnly: true, sameSite: 'Lax' })
    expect(await refreshCookie(context)).toMatchObject({ path: '/auth/refresh', secure: true, httpOnly: true, sameSite: 'Lax' })
    expect((await context.cookies(base)).map((c) => c.name)).toEqual(['__Host-auth-at']) // the refresh cookie goes nowhere else
    expect(await page.evaluate(() => document.cookie)).toBe('')
    // localStorage holds the shared expiry record only, never a token.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }))
    expect(stored).not.toContain(access!.value)
    expect(stored).not.toContain((await refreshCookie(context))!.value)
    await context.close()
  })

  it('a wrong password shows an error and sets no cookie', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(base)
    await expect.poll(() => page.textContent('#status')).toBe('Signed out')
    await page.fill('input[name=password]', 'wrong')
    await page.click('#login button[type=submit]')
    await expect.poll(() => page.textContent('#status')).toBe('Wrong email or password.')
    expect(await context.cookies(base)).toEqual([])
    await context.close()
  })

  it('refreshes the access token before it expires (the page\'s clock moved forward), rotating the refresh cookie', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.clock.install()
    await page.goto(base)
    await expect.poll(() => page.textContent('#status')).toBe('Signed out')
    await page.fill('input[name=password]', 'demo-password')
    await page.click('#login button[type=submit]')
    await expect.poll(() => page.textContent('#status')).toBe('Signed in as user-1')
    const before = (await refreshCookie(context))!.value
    const refreshes: string[] = []
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/auth/refresh') refreshes.push(`${response.request().method()} ${response.status()}`)
    })
    await page.clock.fastForward('14:45') // 15 s before the 15-minute expiry, inside the refresh margin
    await page.click('#me')
    await expect.poll(() => page.textContent('#refreshed')).toBe('token refreshed (local)')
    expect(refreshes).toEqual(['POST 200'])
    expect((await refreshCookie(context))!.value).not.toBe(before)
    await expect.poll(() => page.textContent('#status')).toBe('Signed in as user-1')
    await context.close()
  })

  it('logout in one tab signs out every tab of the browser', async () => {
    const context = await browser.newContext()
    const first = await signIn(context)
    const second = await context.newPage()
    await second.goto(base)
    await expect.poll(() => second.textContent('#status')).toBe('Signed in as user-1')
    await first.click('#logout')
    await expect.poll(() => first.textContent('#status')).toBe('Signed out (logout, local)')
    await expect.poll(() => second.textContent('#status')).toBe('Signed out (logout, remote)')
    expect(await context.cookies(base)).toEqual([])
    expect(await refreshCookie(context)).toBeUndefined()
    await context.close()
  })

  it('"log out everywhere" on one device signs the other device out at its next request', async () => {
    const laptop = await browser.newContext()
    const phone = await browser.newContext()
    const onLaptop = await signIn(laptop)
    const onPhone = await signIn(phone)
    await onLaptop.click('#logout-all')
    await expect.poll(() => onLaptop.textContent('#status')).toMatch(/^Signed out/)
    // The phone's access cookie is refused (strict revocation), its refresh too: signed out.
    await onPhone.click('#me')
    await expect.poll(() => onPhone.textContent('#status')).toMatch(/^Signed out/)
    expect(await server.auth.listSessions('user-1')).toEqual([])
    await laptop.close()
    await phone.close()
  })

  it('refuses a cookie request from another origin (CSRF): 403, the session lives on', async () => {
    const context = await browser.newContext()
    await signIn(context)
    const cookie = (await context.cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ')
    const forged = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie, origin: 'https://evil.example' } })
    expect([forged.status, ((await forged.json()) as { error: { code: string } }).error.code]).toEqual([403, 'csrf_rejected'])
    const me = await fetch(`${base}/api/me`, { headers: { cookie } })
    expect(me.status).toBe(200)
    await context.close()
  })
})
