// The server-rendered guide's app in real Chromium on http://localhost: the forms as a browser
// posts them (with the Origin header the CSRF check reads), the 303 redirects, and the session
// cookie the browser keeps. Two browser contexts are two devices.
import type { Server } from 'node:http'
import { freePort } from '@auth/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../guide-testing/chromium.js'
import { createServerRenderedApp, type ServerRenderedApp } from './server.js'

describe('guide: server-rendered Express app in Chromium', () => {
  let example: ServerRenderedApp
  let server: Server
  let base: string
  let browser: Browser

  beforeAll(async () => {
    const port = await freePort()
    base = `http://localhost:${port}`
    example = await createServerRenderedApp(base)
    server = example.app.listen(port, 'localhost')
    await new Promise((resolve) => server.once('listening', resolve))
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    server?.closeAllConnections()
    await new Promise((resolve) => server?.close(resolve))
    await example?.close()
  })

  async function signIn(context: BrowserContext): Promise<Page> {
    const page = await context.newPage()
    await page.goto(base)
    await page.fill('input[name=email]', 'demo@example.com')
    await page.fill('input[name=password]', 'demo-password')
    await page.click('#login button')
    await expect.poll(() => page.textContent('#who')).toContain('Signed in as demo@example.com')
    return page
  }

  it('signs in through the form: one HttpOnly Secure __Host- cookie, invisible to scripts, kept across pages', async () => {
    const context = await browser.newContext()
    const page = await signIn(context)
    expect(page.url()).toBe(`${base}/`)
    const cookies = await context.cookies(base)
    expect(cookies.map((c) => [c.name, c.path, c.httpOnly, c.secure, c.sameSite])).toEqual([['__Host-auth-session', '/', true, true, 'Lax']])
    expect(await page.evaluate(() => document.cookie)).toBe('')
    await page.reload()
    await expect.poll(() => page.textContent('#views')).toBe('2')
    await context.close()
  })

  it('logs out, and "log out everywhere" signs out the other device', async () => {
    const laptop = await browser.newContext()
    const phone = await browser.newContext()
    const onLaptop = await signIn(laptop)
    const onPhone = await signIn(phone)
    await onPhone.reload()
    expect(await onPhone.locator('#devices li').count()).toBeGreaterThanOrEqual(2) // the laptop, the phone (and the first test's device)
    expect(await onPhone.locator('#devices li', { hasText: '(this browser)' }).count()).toBe(1)
    await onLaptop.click('#logout-all')
    await expect.poll(() => onLaptop.locator('#login').count()).toBe(1)
    expect(await laptop.cookies(base)).toEqual([])
    await onPhone.reload()
    expect(await onPhone.locator('#login').count()).toBe(1)
    expect(await phone.cookies(base)).toEqual([]) // the dead session cookie was cleared
    const again = await signIn(phone)
    await again.click('#logout')
    await expect.poll(() => again.locator('#login').count()).toBe(1)
    await laptop.close()
    await phone.close()
  })
})
