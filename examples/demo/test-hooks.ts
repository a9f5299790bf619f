/**
 * The demo's test routes, served only with `DEMO_TEST_HOOKS=1` (off by default): what a browser
 * test of `@auth/client` needs to see and steer on the server. Framework-free: every framework
 * module hands `/test/…` requests to {@link DemoTestHooks.handle}.
 *
 * | route | does |
 * |---|---|
 * | `GET /test/stats` | `{ refreshCalls, refreshed, refused, reuseDetections, clockOffsetMs }`: the refresh calls that reached `auth.refresh`, how many rotated, the refusals by code, the `refresh_reused` security events |
 * | `POST /test/reset` | zeroes the counts (not the clock) |
 * | `POST /test/clock?advanceMs=N` | moves the server's clock N ms ahead (tokens expire without waiting) |
 * | `GET /test/always-401` | answers 401 `token_invalid` whatever it is sent: an API that refuses every fresh token |
 * | `GET /test/page` | an empty page of this origin (no client of its own) for tests to load `/client.js` into |
 *
 * @module
 */
import { type Auth, isAuthError } from '@auth/core'

/** The counts of {@link DemoTestHooks}. */
export interface DemoTestStats {
  /** Calls of `auth.refresh`: each `POST /auth/refresh` that carried a refresh token. */
  refreshCalls: number
  /** Those that rotated (200). */
  refreshed: number
  /** Those refused, by error code (`refresh_reused`, `session_revoked`…). */
  refused: Record<string, number>
  /** `refresh_reused` security events: a rotated refresh token presented after the grace window. */
  reuseDetections: number
}

/** A test route's answer, for the framework module to send as it is. */
export interface TestHookReply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** The state behind the test routes. */
export interface DemoTestHooks {
  /** The server clock: `Date.now()` plus the offset `POST /test/clock` moved it by. */
  readonly clock: () => number
  /** `auth` with its `refresh` counted; everything else as it is. */
  count(auth: Auth): Auth
  /** Answers a `/test/…` request, or `null` for a path that is no test route. */
  handle(method: string, url: string): TestHookReply | null
}

/** The prefix of the test routes. */
export const TEST_HOOKS_PREFIX = '/test/'

const TEST_PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>auth client test page</title></head><body></body></html>'

/** Creates the counters and the movable clock of the test routes. */
export function createTestHooks(): DemoTestHooks {
  let offsetMs = 0
  const stats: DemoTestStats = { refreshCalls: 0, refreshed: 0, refused: {}, reuseDetections: 0 }
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): TestHookReply => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  })

  return {
    clock: () => Date.now() + offsetMs,
    count(auth) {
      auth.onSecurityEvent((event) => {
        if (event.type === 'refresh_reused') stats.reuseDetections++
      })
      return Object.freeze({
        ...auth,
        async refresh(refreshToken: string) {
          stats.refreshCalls++
          try {
            const result = await auth.refresh(refreshToken)
            stats.refreshed++
            return result
          } catch (error) {
            const code = isAuthError(error) ? error.code : 'other'
            stats.refused[code] = (stats.refused[code] ?? 0) + 1
            throw error
          }
        },
      })
    },
    handle(method, url) {
      const { pathname, searchParams } = new URL(url, 'http://demo.invalid')
      const route = `${method} ${pathname}`
      if (route === 'GET /test/stats') return json(200, { ...stats, refused: { ...stats.refused }, clockOffsetMs: offsetMs })
      if (route === 'POST /test/reset') {
        Object.assign(stats, { refreshCalls: 0, refreshed: 0, refused: {}, reuseDetections: 0 })
        return json(200, { ok: true })
      }
      if (route === 'POST /test/clock') {
        const advance = Number(searchParams.get('advanceMs'))
        if (!Number.isSafeInteger(advance) || advance < 0) return json(400, { error: { code: 'bad_request', message: 'advanceMs must be a whole number ≥ 0.' } })
        offsetMs += advance
        return json(200, { clockOffsetMs: offsetMs })
      }
      if (route === 'GET /test/always-401') {
        return json(401, { error: { code: 'token_invalid', message: 'The token is invalid.' } }, { 'www-authenticate': 'Bearer error="invalid_token"' })
      }
      if (route === 'GET /test/page') return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body: TEST_PAGE }
      return null
    },
  }
}
