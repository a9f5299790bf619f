#!/usr/bin/env node
/**
 * CI's demo smoke run: starts `npm run demo` on a free port, waits for the URL it prints, then
 * over real HTTP, as the demo page does in the cookie transport: GET /, a wrong password (401),
 * login, GET /api/me, refresh, GET /api/me, logout, GET /api/me (401). Then stops it with SIGTERM
 * and waits for every process of the demo to end.
 *
 * Any unexpected status, a start slower than 60 s or a stop slower than 10 s: the step that
 * failed, what came back and the demo's output on stderr, exit 1.
 *
 * The framework comes from `DEMO_FRAMEWORK` (the demo's default when unset), so CI can loop:
 *
 *     node scripts/demo-smoke.mjs
 *     DEMO_FRAMEWORK=express node scripts/demo-smoke.mjs
 *
 * Dependency-free. The demo runs in its own process group and SIGTERM goes to the group, as a
 * terminal's Ctrl+C does: npm does not pass a signal sent to npm alone on to the script.
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000
const DEMO_USER = { email: 'demo@example.com', password: 'demo-password' }

const port = await freePort()
const framework = process.env.DEMO_FRAMEWORK || 'express'
console.log(`demo smoke: ${framework} on port ${port}`)

const demo = spawn('npm', ['run', '--silent', 'demo'], {
  cwd: ROOT,
  env: { ...process.env, PORT: String(port), NODE_ENV: '' },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
})
let output = ''
demo.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk))
demo.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk))
let listening = false
const closed = new Promise((resolve) => demo.once('close', (code, signal) => resolve({ code, signal })))

function fail(message) {
  console.error(`demo smoke FAILED: ${message}\n--- demo output ---\n${output}-------------------`)
  try {
    process.kill(-demo.pid, 'SIGKILL')
  } catch {
    // already gone
  }
  process.exit(1)
}

const base = await waitForUrl()
const cookies = new Map()

await step('GET', '/', 200, { check: (reply) => reply.type.startsWith('text/html') || 'not text/html' })
await step('POST', '/auth/login', 401, { body: { ...DEMO_USER, password: 'wrong' }, check: (reply) => reply.body?.error?.code === 'invalid_credentials' || 'not invalid_credentials' })
await step('POST', '/auth/login', 200, { body: DEMO_USER, check: () => cookies.has('__Host-auth-at') || 'no access-token cookie' })
await step('GET', '/api/me', 200, { check: (reply) => reply.body?.email === DEMO_USER.email || 'not the demo user' })
await step('POST', '/auth/refresh', 200)
await step('GET', '/api/me', 200)
await step('POST', '/auth/logout', 204, { check: () => cookies.size === 0 || 'cookies left after logout' })
await step('GET', '/api/me', 401)

const stopping = Date.now()
process.kill(-demo.pid, 'SIGTERM')
const timer = setTimeout(() => fail(`still running ${STOP_TIMEOUT_MS / 1000} s after SIGTERM`), STOP_TIMEOUT_MS)
await closed
clearTimeout(timer)
if (!output.includes('demo: stopped (SIGTERM)')) fail('it did not report a clean stop after SIGTERM')
console.log(`ok   stopped cleanly on SIGTERM in ${Date.now() - stopping} ms`)
console.log('demo smoke passed')

/** Waits for the "listening on http://…" line; fails if the demo exits first or takes too long. */
async function waitForUrl() {
  const timer = setTimeout(() => fail(`no URL printed within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS)
  const url = await new Promise((resolve) => {
    demo.stdout.on('data', function look() {
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (!match) return
      demo.stdout.off('data', look)
      listening = true
      resolve(match[1])
    })
    closed.then(({ code, signal }) => listening || fail(`it exited before listening (code ${code}, signal ${signal})`))
  })
  clearTimeout(timer)
  console.log(`ok   listening on ${url}`)
  return url
}

/**
 * One request as the page sends it (same-origin `Origin`, the cookies so far), expecting
 * `status`; `check` answers `true` or what is wrong.
 */
async function step(method, path, status, { body, check } = {}) {
  const headers = { origin: base }
  if (cookies.size > 0) headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  if (body !== undefined) headers['content-type'] = 'application/json'
  let response
  try {
    response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (error) {
    fail(`${method} ${path}: ${error.cause?.message ?? error.message}`)
  }
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';')
    const name = pair.slice(0, pair.indexOf('='))
    const value = pair.slice(pair.indexOf('=') + 1)
    if (value === '' || /;\s*max-age=0\b/i.test(line)) cookies.delete(name)
    else cookies.set(name, value)
  }
  const type = response.headers.get('content-type') ?? ''
  const text = await response.text()
  const reply = { status: response.status, type, body: type.startsWith('application/json') && text ? JSON.parse(text) : text }
  const verdict = response.status !== status ? `expected ${status}` : check ? check(reply) : true
  if (verdict !== true) fail(`${method} ${path} answered ${response.status}: ${verdict}\n${typeof reply.body === 'string' ? reply.body.slice(0, 300) : JSON.stringify(reply.body)}`)
  console.log(`ok   ${method} ${path} → ${response.status}`)
}

/** A port the OS just handed out on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}
