/**
 * The store conformance suite.
 *
 * @module
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuthStore } from '../store.js'
import { defineConcurrencyTests } from './concurrency.js'
import { defineFeedTests } from './feed.js'
import type { SuiteContext, SuiteSettings } from './fixtures.js'
import { defineRevocationTests } from './revocation.js'
import { defineEndedMarkTests, defineSessionCapTests, defineSessionTests } from './sessions.js'
import { defineUpdateTests } from './updates.js'
import { defineUserTests } from './users.js'

/** Options of {@link describeAuthStore}. */
export interface DescribeAuthStoreOptions {
  /**
   * Timeout of each test and of each store creation and `close()` (ms). Raise it for a store
   * behind a slow network. Default: 10 000.
   */
  timeoutMs?: number
  /**
   * How many callers race each other in the concurrency tests (for example 50 updates
   * conditioned on the same revision, of which exactly one must apply). Default: 50.
   */
  concurrency?: number
}

/**
 * Registers the conformance suite of the {@link @auth/core!AuthStore | AuthStore} contract as a
 * vitest `describe` block. Every test creates a fresh store with `createStore`, passes explicit
 * times (`now`) to it, and closes it afterwards; only the blocking feed reads wait on the wall
 * clock (for well under a second). Tests share no state, so `createStore` must answer an empty
 * store each time (for a shared backend, give each store its own key prefix or database).
 *
 * The suite covers every primitive: sessions (round trip, duplicates, expiry, per-user index),
 * conditional updates (revision and refresh-hash conditions, never creating, sliding expiry),
 * atomicity under concurrent callers, ending one session or all of a user's with the version
 * bump, the denylist and `getRevocationState`, and the revocation feed (order, cursors, replay
 * by time, limits, blocking reads, abort, trimming and gap reporting).
 *
 * Needs `vitest` (an optional peer dependency of `@auth/core`). Exported from
 * `'@auth/core/testing'`.
 *
 * @example
 * ```ts
 * // my-store.test.ts
 * import { describeAuthStore } from '@auth/core/testing'
 * import { createMyStore } from './my-store.js'
 *
 * describeAuthStore('my store', () => createMyStore({ prefix: `test-${crypto.randomUUID()}:` }))
 * ```
 *
 * @param name - the name of the `describe` block (for example the store's name)
 * @param createStore - answers a new, empty store; called before each test
 * @param options - timeouts and the size of the concurrency tests
 */
export function describeAuthStore(
  name: string,
  createStore: () => AuthStore | Promise<AuthStore>,
  options: DescribeAuthStoreOptions = {},
): void {
  const settings = resolveSettings(options)
  let current: AuthStore | undefined

  describe(name, { timeout: settings.timeoutMs, sequential: true }, () => {
    beforeEach(async () => {
      current = await createStore()
    }, settings.timeoutMs)

    afterEach(async () => {
      const store = current
      current = undefined
      await store?.close()
    }, settings.timeoutMs)

    const context: SuiteContext = {
      settings,
      store: () => {
        if (!current) throw new Error('describeAuthStore: the store is only available inside a test')
        return current
      },
    }

    describe('sessions', () => defineSessionTests(context))
    describe('sessions per user (maxPerUser)', () => defineSessionCapTests(context))
    describe('ended sessions (wasSessionEnded)', () => defineEndedMarkTests(context))
    describe('updateSession', () => defineUpdateTests(context))
    describe('atomicity', () => defineConcurrencyTests(context))
    describe('logoutAll', () => defineUserTests(context))
    describe('revocation state', () => defineRevocationTests(context))
    describe('feed', () => defineFeedTests(context))
    describe('lifecycle', () => {
      it('has a name', () => {
        expect(typeof context.store().name).toBe('string')
        expect(context.store().name.length).toBeGreaterThan(0)
      })

      it('close() resolves', async () => {
        const store = await createStore()
        await expect(store.close()).resolves.toBeUndefined()
      })
    })
  })
}

function resolveSettings(options: DescribeAuthStoreOptions): SuiteSettings {
  const { timeoutMs = 10_000, concurrency = 50 } = options
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError('describeAuthStore: timeoutMs must be a positive number')
  if (!Number.isInteger(concurrency) || concurrency < 2) throw new TypeError('describeAuthStore: concurrency must be an integer >= 2')
  return { timeoutMs, concurrency }
}
