import { readdirSync, readFileSync } from 'node:fs'
import * as core from '@auth/core'
import { describe, expect, it } from 'vitest'

const PUBLIC = [
  'MAX_COOKIE_HEADER_LENGTH',
  'parseCookieHeader',
  'serializeCookie',
  'serializeClearCookie',
  'createCookiePolicy',
  'DEFAULT_COOKIE_NAME',
  'DEFAULT_REFRESH_COOKIE_PATH',
  'parseBearer',
  'formatBearerChallenge',
  'toBearerError',
  'createCsrfPolicy',
  'checkCsrf',
]
const INTERNAL = ['assertCookiePair', 'formatCookieAttributes', 'formatCookieLifetime', 'isCookieName', 'isCookieValue', 'normalizeOrigin', 'normalizeConfiguredOrigin']

describe('the http building blocks', () => {
  it.each(PUBLIC)('@auth/core exports %s', (name) => {
    expect(core).toHaveProperty(name)
  })

  it.each(INTERNAL)('@auth/core does not export the internal %s', (name) => {
    expect(core).not.toHaveProperty(name)
  })

  const sources = readdirSync(new URL('.', import.meta.url)).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))

  it('finds the module sources', () => {
    expect(sources).toEqual(expect.arrayContaining(['cookie-header.ts', 'set-cookie.ts', 'cookie-policy.ts', 'bearer.ts', 'csrf.ts']))
  })

  it.each(sources)('%s imports no node: module (edge-safe)', (file) => {
    const text = readFileSync(new URL(file, import.meta.url), 'utf8')
    expect(text).toMatch(/^\/\*\*/) // a module header
    expect(text).not.toMatch(/from\s+['"]node:|import\(\s*['"]node:|require\(/)
  })
})
