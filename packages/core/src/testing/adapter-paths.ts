/**
 * `describeAdapter`: odd spellings of paths and wrong methods. A path variant either is the
 * guarded route (and is guarded) or is no route (404); it never slips past a guard, and never
 * crashes the app. A wrong method on a protocol route is 405 with `Allow`.
 *
 * @module
 * @internal
 */
import { describe, expect, it } from 'vitest'
import { type AdapterHarness, APP_ORIGIN, codeOf } from './adapter-harness.js'

/** Spellings of guarded routes that a router might or might not take for them. */
const VARIANTS: ReadonlyArray<readonly [method: string, path: string]> = [
  ['GET', '//api/me'],
  ['GET', '/API/me'],
  ['GET', '/api/me/'],
  ['GET', '/api/me;x'],
  ['GET', '/api/%6De'],
  ['GET', '/api/me?x=1'],
  ['GET', '/api/./me'],
  ['GET', '/api/x/../me'],
  ['HEAD', '/api/me'],
  ['POST', '//api/me'],
  ['GET', '/auth/sessions/'],
  ['GET', '//auth/sessions'],
  ['GET', '/AUTH/sessions'],
  ['GET', '/auth/%73essions'],
  ['GET', '/auth/sessions;x'],
  ['POST', '/auth/logout/'],
  ['POST', '//auth/logout-all'],
  ['DELETE', '/auth/sessions/a/b'],
]

/** Spellings of the admin route, for a signed-in user who is no admin. */
const ADMIN_VARIANTS: readonly string[] = ['/api/admin', '//api/admin', '/API/admin', '/api/admin/', '/api/admin;x', '/api/%61dmin', '/api/./admin']

/** Wrong methods on protocol routes, and the `Allow` each must answer. */
const WRONG_METHODS: ReadonlyArray<readonly [method: string, path: string, allow: readonly string[]]> = [
  ['GET', '/auth/refresh', ['POST']],
  ['PUT', '/auth/logout', ['POST']],
  ['GET', '/auth/logout-all', ['POST']],
  ['POST', '/auth/sessions', ['GET', 'HEAD']],
  ['GET', '/auth/sessions/some-id', ['DELETE']],
  ['POST', '/.well-known/jwks.json', ['GET', 'HEAD']],
  ['DELETE', '/.well-known/jwks.json', ['GET', 'HEAD']],
]

/** @internal */
export function definePathTests(harness: () => AdapterHarness): void {
  describe('paths and methods', () => {
    it.each(VARIANTS)('answers %s %s without credentials with 401 or 404, never 2xx or 500', async (method, path) => {
      const reply = await harness().send({ method, path, headers: { Origin: APP_ORIGIN } })
      expect([401, 404], `${reply.status} ${reply.text}`).toContain(reply.status)
    })

    it('lets no spelling of a guarded route past its guard', async () => {
      const alice = harness().agent()
      await alice.login('alice', 'cookie')
      for (const path of ADMIN_VARIANTS) {
        const reply = await alice.send('GET', path)
        expect([403, 404], `${path}: ${reply.status} ${reply.text}`).toContain(reply.status)
      }
    })

    it.each(WRONG_METHODS)('answers %s %s with 405 and Allow', async (method, path, allow) => {
      const reply = await harness().send({ method, path, headers: { Origin: APP_ORIGIN } })
      expect(reply.status).toBe(405)
      expect(codeOf(reply)).toBe('method_not_allowed')
      expect(String(reply.headers.allow).split(/\s*,\s*/).sort()).toEqual([...allow].sort())
    })

    it('answers HEAD wherever GET is answered, without a body', async () => {
      const alice = harness().agent()
      await alice.login('alice', 'cookie')
      for (const path of ['/auth/sessions', '/.well-known/jwks.json', '/api/me']) {
        const reply = await alice.send('HEAD', path)
        expect([path, reply.status, reply.text]).toEqual([path, 200, ''])
      }
    })
  })
}
