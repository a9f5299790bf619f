/**
 * One place turns store failures into `store_unavailable`: whatever a store throws (an Error, a
 * rejection with a non-Error, a synchronous throw), every `Auth` method that reaches the store
 * answers `AuthError('store_unavailable')` with `Retry-After`, never the store's own error.
 */
import { randomBytes } from 'node:crypto'
import { type AuthStore, createAuth, generateKeySet, isAuthError, signAccessToken } from '@auth/core'
import { describe, expect, it } from 'vitest'

const failures: Array<[string, () => unknown]> = [
  ['rejects with an Error', () => Promise.reject(new Error('ECONNRESET'))],
  ['rejects with a string', () => Promise.reject('boom')],
  ['throws synchronously', () => {
    throw new RangeError('driver bug')
  }],
  ['answers a value that is not a promise', () => 42],
]

function failingStore(fail: () => unknown): AuthStore {
  return new Proxy({ name: 'failing' } as AuthStore, {
    get(target, property) {
      if (property === 'name') return target.name
      if (property === 'close') return async () => {}
      return fail
    },
  })
}

describe.each(failures)('a store that %s', (_, fail) => {
  it('makes every Auth method that reaches the store answer store_unavailable, retryable', async () => {
    const keys = await generateKeySet()
    const auth = createAuth({
      store: failingStore(fail),
      keys,
      secret: randomBytes(32),
      issuer: 'https://auth.example.test',
      audience: 'https://api.example.test',
      revocation: 'strict',
    })
    const { token } = await signAccessToken(keys, { issuer: 'https://auth.example.test', audience: 'https://api.example.test', sub: 'alice', sid: 's1' })
    const ref = { sub: 'alice', id: 's1' }
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['login', () => auth.login({ sub: 'alice' })],
      ['verifyAccessToken (strict)', () => auth.verifyAccessToken(token)],
      ['logout', () => auth.logout(ref)],
      ['logoutAll', () => auth.logoutAll('alice')],
      ['revokeToken', () => auth.revokeToken({ sub: 'alice', jti: 'j', exp: 2_000_000_000 })],
      ['listSessions', () => auth.listSessions('alice')],
      ['getSession', () => auth.getSession(ref)],
      ['touchSession', () => auth.touchSession(ref)],
      ['setSessionData', () => auth.setSessionData(ref, {}, 0)],
      ['updateSessionData', () => auth.updateSessionData(ref, (data) => data)],
    ]
    for (const [name, call] of calls) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(isAuthError(error), name).toBe(true)
      expect(error, name).toMatchObject({ code: 'store_unavailable', status: 503, retryAfter: 1 })
    }
    await auth.close()
  })
})
