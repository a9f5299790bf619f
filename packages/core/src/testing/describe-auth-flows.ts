/**
 * The behaviour suite every store runs through `createAuth`.
 *
 * @module
 */
import type { AuthStore } from '../store.js'
import { defineFlows, type DescribeAuthFlowsOptions } from './auth-flows.js'
import { definePropertyFlows } from './flows-property.js'
import { defineRevocationFlows } from './flows-revocation.js'
import { defineRotationFlows } from './flows-rotation.js'
import { defineSessionFlows } from './flows-sessions.js'

export type { DescribeAuthFlowsOptions }

/**
 * Registers the behaviour suite of `createAuth` on a store as a vitest `describe` block:
 * refresh rotation (the full state machine, 50 concurrent refreshes across two `Auth` instances,
 * retries after a lost response, reuse detection), revocation under `expiry`, `strict` and
 * `mirror` (logout, logoutAll and user versions, the denylist, a second process learning of a
 * revocation with no store call, the fallback when the feed is stale), races of revocations
 * against concurrent refreshes, touches and data updates, the session-cookie transport with idle
 * and absolute expiry, session data, and a model-based property test.
 *
 * Where `describeAuthStore` checks the contract primitive by primitive, this suite checks that
 * core's policy holds end to end on the store. Every store runs both.
 *
 * Needs `vitest` and `fast-check`. Exported from `'@auth/core/testing'`.
 *
 * @example
 * ```ts
 * import { describeAuthFlows } from '@auth/core/testing'
 * import { createMemoryStore } from '@auth/store-memory'
 *
 * describeAuthFlows('memory', () => createMemoryStore())
 * ```
 *
 * @param name - the name of the `describe` block
 * @param createStore - answers a new, empty store; called at the start of each test
 * @param options - the per-test timeout
 */
export function describeAuthFlows(
  name: string,
  createStore: () => AuthStore | Promise<AuthStore>,
  options: DescribeAuthFlowsOptions = {},
): void {
  defineFlows(name, createStore, options, (setup) => {
    defineRotationFlows(setup)
    defineRevocationFlows(setup)
    defineSessionFlows(setup)
    definePropertyFlows(setup)
  })
}
