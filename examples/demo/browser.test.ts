// The demo page in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no
// browser download): on http://localhost, which Chromium treats as a secure context, the
// production cookie attributes (`__Host-`/`__Secure-` prefixes, Secure, HttpOnly, SameSite=Lax)
// are stored and sent without TLS, so development needs no HTTPS. Each transport logs in through
// the page, calls /api/me, refreshes, and logs out; page scripts never see a token.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@auth/test-utils'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemo } from './demo-process.js'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

describe('the demo page in Chromium on http://localhost', () => {
  let context: BrowserContext
  let profile: string
  let base: string

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: run \`node scripts/ensure-services.mjs\` (apt-get install -y chromium)`)
    }
    base = (await startDemo({ PORT: String(await freePort()) })).url
    profile = mkdtempSync(join(tmpdir(), 'auth-demo-chromium-'))
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS })
  }, 60_000)
  afterAll(async () => {
    await context?.close()
    if (profile) rmSync(profile, { recursive: true, force: true })
  })

  async function logIn(page: Page, transport: 'cookie' | 'bearer' | 'session'): Promise<void> {
    await page.goto(base)
    await page.selectOption('#transport', transport)
    await page.click('#login-form button[type=submit]')
    await expect.poll(() => page.textContent('#via')).toBe(transport)
  }

  const lastLog = (page: Page) => page.evaluate(() => document.getElementById('log')!.textContent!.split('\n')[0])

  it('cookie transport: the tokens are stored as Secure HttpOnly prefixed cookies, never visible to the page', async () => {
    const page = await context.newPage()
    await logIn(page, 'cookie')
    const cookies = await context.cookies(base)
    const byName = Object.fromEntries(cookies.map((c) => [c.name, c]))
    expect(Object.keys(byName).sort()).toEqual(['__Host-auth-at'])
    expect(byName['__Host-auth-at']).toMatchObject({ path: '/', secure: true, httpOnly: true, sameSite: 'Lax' })
    // The refresh cookie exists but is scoped to /auth/refresh.
    const refresh = (await context.cookies(`${base}/auth/refresh`)).find((c) => c.name === '__Secure-auth-rt')
    expect(refresh).toMatchObject({ path: '/auth/refresh', secure: true, httpOnly: true, sameSite: 'Lax' })
    expect(await page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length])).toEqual(['', 0, 0])

    await page.click('#me')
    await expect.poll(() => lastLog(page)).toContain('GET /api/me → 200')
    const before = refresh!.value
    await page.click('#refresh')
    await expect.poll(() => lastLog(page)).toContain('POST /auth/refresh → 200')
    const after = (await context.cookies(`${base}/auth/refresh`)).find((c) => c.name === '__Secure-auth-rt')
    expect(after?.value).not.toBe(before)
    await page.click('#logout')
    await expect.poll(() => lastLog(page)).toContain('POST /auth/logout → 204')
    expect(await context.cookies(`${base}/auth/refresh`)).toEqual([])
    await page.close()
  })

  it('session transport: one opaque HttpOnly cookie; a reload stays signed in; logout clears it', async () => {
    const page = await context.newPage()
    await logIn(page, 'session')
    expect((await context.cookies(base)).map((c) => [c.name, c.httpOnly, c.secure])).toEqual([['__Host-auth-session', true, true]])
    await page.reload()
    await expect.poll(() => page.textContent('#via')).toBe('session')
    await page.click('#logout')
    await expect.poll(() => lastLog(page)).toContain('POST /auth/logout → 204')
    expect(await context.cookies(base)).toEqual([])
    await page.close()
  })

  it('bearer transport: no cookie at all, nothing in storage', async () => {
    const page = await context.newPage()
    await logIn(page, 'bearer')
    expect(await context.cookies(base)).toEqual([])
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length])).toEqual([0, 0])
    await page.click('#me')
    await expect.poll(() => lastLog(page)).toContain('GET /api/me → 200')
    await page.close()
  })
})
