// The demo page (GET /, on @auth/client from GET /client.js) in real Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core; no browser download). On http://localhost, which
// Chromium treats as a secure context, the production cookie attributes (`__Host-`/`__Secure-`
// prefixes, Secure, HttpOnly, SameSite=Lax) are stored and sent without TLS. Two tabs of one
// context share cookies, storage, locks and channel as a user's tabs do; a second context is
// another device. Screenshots go to a temporary directory, and the assertions are on what the
// page shows.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@auth/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './chromium.js'
import { startDemo } from './demo-process.js'

describe('the demo page in Chromium on http://localhost', () => {
  let browser: Browser
  let base: string
  const shots = mkdtempSync(join(tmpdir(), 'auth-demo-screens-'))
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    const [demo, launched] = await Promise.all([freePort().then((port) => startDemo({ PORT: String(port), ACCESS_TOKEN_TTL: '60' })), launchChromium()])
    base = demo.url
    browser = launched
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
  })

  async function newDevice(): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } })
    contexts.push(context)
    return context
  }

  async function open(context: BrowserContext): Promise<Page> {
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))
    await page.goto(base)
    await expect.poll(() => page.textContent('#state')).not.toBe('starting…')
    expect(errors.filter((text) => !/401/.test(text))).toEqual([]) // a CSP refusal or a script error would show here
    return page
  }

  async function logIn(page: Page, transport: 'cookie' | 'bearer', email = 'demo@example.com'): Promise<void> {
    await page.fill('#email', email)
    await page.fill('#password', email === 'demo@example.com' ? 'demo-password' : 'alice-password')
    await page.selectOption('#transport', transport)
    await page.click('#login-form button[type=submit]')
    await expect.poll(() => page.textContent('#state')).toBe(`signed in (${transport})`)
  }

  const text = (page: Page, selector: string) => page.locator(selector).innerText()

  it('cookie transport: log in, /api/me, refresh, log out; the tokens are Secure HttpOnly cookies the page never sees', async () => {
    const context = await newDevice()
    const page = await open(context)
    expect(await text(page, '#state')).toBe('signed out')
    await logIn(page, 'cookie')
    expect(await text(page, '#who')).toBe('demo@example.com')
    expect(await text(page, '#expiry')).toMatch(/^Access token expires in (59|60) s/)

    const cookies = Object.fromEntries((await context.cookies(base)).map((c) => [c.name, c]))
    expect(Object.keys(cookies)).toEqual(['__Host-auth-at'])
    expect(cookies['__Host-auth-at']).toMatchObject({ path: '/', secure: true, httpOnly: true, sameSite: 'Lax' })
    const refreshCookie = () => context.cookies(`${base}/auth/refresh`).then((all) => all.find((c) => c.name === '__Secure-auth-rt'))
    const before = await refreshCookie()
    expect(before).toMatchObject({ path: '/auth/refresh', secure: true, httpOnly: true, sameSite: 'Lax' })
    // The shared record in localStorage holds a generation and an expiry, never a token.
    const storage = await page.evaluate(() => [document.cookie, JSON.stringify({ ...localStorage })])
    expect(storage[0]).toBe('')
    expect(storage[1]).not.toContain(cookies['__Host-auth-at']!.value)
    expect(storage[1]).not.toContain(before!.value)

    await page.click('#me')
    await expect.poll(() => text(page, '#me-result')).toContain('"email":"demo@example.com"')
    await page.click('#refresh')
    await expect.poll(() => text(page, '#refreshes')).toBe('1')
    expect((await refreshCookie())?.value).not.toBe(before!.value)
    await page.click('#logout')
    await expect.poll(() => text(page, '#state')).toBe('signed out')
    expect(await context.cookies(base)).toEqual([])
    expect(await page.locator('#account').isVisible()).toBe(false)
  })

  it('bearer transport: no cookie, no token in storage; a new tab gets the session from an open one', async () => {
    const context = await newDevice()
    const page = await open(context)
    await logIn(page, 'bearer')
    expect(await context.cookies(base)).toEqual([])
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toMatch(/eyJ/) // no JWT
    await page.click('#me')
    await expect.poll(() => text(page, '#me-result')).toContain('"transport":"bearer"')
    const second = await open(context)
    expect(await text(second, '#state')).toBe('signed in (bearer)')
    await second.click('#me')
    await expect.poll(() => text(second, '#me-result')).toContain('"email":"demo@example.com"')
  })

  it('two tabs: a login, a refresh and a logout in one reach the other (screenshots)', async () => {
    const context = await newDevice()
    const [first, second] = [await open(context), await open(context)]
    await logIn(first, 'cookie')
    await expect.poll(() => text(second, '#state')).toBe('signed in (cookie)')
    expect(await text(second, '#who')).toBe('demo@example.com')

    await first.click('#refresh')
    await expect.poll(() => text(second, '#refreshes-remote')).toBe('1')
    expect(await text(first, '#refreshes-local')).toBe('1')
    expect(await text(second, '#generation')).toBe(await text(first, '#generation'))
    await first.screenshot({ path: join(shots, 'first-signed-in.png'), fullPage: true })
    await second.screenshot({ path: join(shots, 'second-signed-in.png'), fullPage: true })
    expect(await second.locator('#account').isVisible()).toBe(true)
    expect(await second.locator('#login-form').isVisible()).toBe(true)

    await second.click('#logout')
    await expect.poll(() => text(first, '#state')).toBe('signed out')
    await first.screenshot({ path: join(shots, 'first-signed-out.png'), fullPage: true })
    expect(await first.locator('#account').isVisible()).toBe(false)
    expect(await text(first, '#log')).toContain('cookie: logged out (logout, another tab)')
    console.log(`demo page screenshots in ${shots}`)
  })

  it('the session list ends another device; log out everywhere ends them all', async () => {
    const laptop = await open(await newDevice())
    const phone = await open(await newDevice())
    const tablet = await open(await newDevice())
    await logIn(laptop, 'cookie')
    await logIn(phone, 'bearer')
    await logIn(tablet, 'cookie')
    const phoneSid = await text(phone, '#sid')

    await laptop.click('#list')
    await expect.poll(() => laptop.locator('#sessions tr').count()).toBeGreaterThanOrEqual(3)
    const row = laptop.locator('#sessions tr', { hasText: phoneSid.slice(0, 12) })
    expect(await row.count()).toBe(1)
    await row.locator('button.end').click()
    // The phone learns at its next request: refused, then its refresh is refused, so it is signed out.
    await phone.click('#me')
    await expect.poll(() => text(phone, '#state')).toBe('signed out')
    expect(await text(laptop, '#state')).toBe('signed in (cookie)')

    await laptop.click('#logout-all')
    await expect.poll(() => text(laptop, '#state')).toBe('signed out')
    await tablet.click('#me')
    await expect.poll(() => text(tablet, '#state')).toBe('signed out')
    await tablet.screenshot({ path: join(shots, 'tablet-after-logout-all.png') })
  })
})
