/**
 * The demo's page (`page.html`, served at `GET /` by every framework) and the browser client it
 * runs on (`GET /client.js`: `@auth/client` bundled from its sources by esbuild when the demo
 * starts, so `npm run demo` works on a fresh clone where nothing was built). Nothing is loaded
 * from elsewhere. The page's Content Security Policy allows its one inline module script and
 * style, by hash, scripts of this origin (`/client.js`), and requests to this origin only.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'

const html = readFileSync(new URL('./page.html', import.meta.url), 'utf8')

function hashOf(tag: 'script' | 'style'): string {
  const match = new RegExp(`<${tag}(?: type="module")?>([\\s\\S]*?)</${tag}>`).exec(html)
  if (!match) throw new Error(`page.html: no <${tag}> element`)
  return `'sha256-${createHash('sha256').update(match[1]!, 'utf8').digest('base64')}'`
}

const CSP = [
  "default-src 'none'",
  `script-src 'self' ${hashOf('script')}`,
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

/** The path the page loads the client from. */
export const CLIENT_PATH = '/client.js'

/**
 * `@auth/client` as one ES module, bundled from `packages/client/src` (about 50 ms): the sources,
 * not `dist`, so the page always runs the client of this checkout, built or not.
 */
function bundleClient(): string {
  const result = buildSync({
    entryPoints: [fileURLToPath(new URL('../../packages/client/src/index.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

/** The client's bundle and the headers to serve it with. */
export const DEMO_CLIENT: { readonly js: string; readonly headers: Readonly<Record<string, string>> } = Object.freeze({
  js: bundleClient(),
  headers: Object.freeze({
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  }),
})
