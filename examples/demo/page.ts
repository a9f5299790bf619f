/**
 * The demo's page (`page.html`, served at `GET /` by every framework): one self-contained file,
 * inline script and style, no build step, nothing loaded from elsewhere. Its Content Security
 * Policy allows exactly that inline script and style, by hash, and requests to this origin only.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

const html = readFileSync(new URL('./page.html', import.meta.url), 'utf8')

function hashOf(tag: 'script' | 'style'): string {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)
  if (!match) throw new Error(`page.html: no <${tag}> element`)
  return `'sha256-${createHash('sha256').update(match[1]!, 'utf8').digest('base64')}'`
}

const CSP = [
  "default-src 'none'",
  `script-src ${hashOf('script')}`,
  `style-src ${hashOf('style')}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

/** The page and the headers to serve it with. */
export const DEMO_PAGE: { readonly html: string; readonly headers: Readonly<Record<string, string>> } = Object.freeze({
  html,
  headers: Object.freeze({
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  }),
})
