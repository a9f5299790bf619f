/**
 * `@auth/core/testing`: the two suites every {@link @auth/core!AuthStore | AuthStore}
 * implementation runs. The in-memory and Redis stores run it, and so should a third-party store
 * (Postgres, DynamoDB, …): passing it is what "implements the store contract" means. And the one
 * suite every HTTP adapter runs, {@link describeAdapter}: ours (Express, Fastify, Koa, the Node
 * and Fetch bridges) and a third party's, held to the same protocol over real HTTP.
 *
 * The suite registers vitest tests, so this entry imports `vitest` (an optional peer dependency
 * of `@auth/core`): import it from test files only.
 *
 * @example
 * ```ts
 * // memory-store.test.ts
 * import { describeAuthStore } from '@auth/core/testing'
 * import { createMemoryStore } from '@auth/store-memory'
 *
 * describeAuthStore('memory', () => createMemoryStore())
 * ```
 *
 * @module @auth/core/testing
 */

export { describeAdapter } from './testing/describe-adapter.js'
export type { AdapterTestApp, AdapterTestSetup, DescribeAdapterOptions } from './testing/describe-adapter.js'
export { describeAuthFlows } from './testing/describe-auth-flows.js'
export type { DescribeAuthFlowsOptions } from './testing/describe-auth-flows.js'
export { describeAuthStore } from './testing/describe-auth-store.js'
export type { DescribeAuthStoreOptions } from './testing/describe-auth-store.js'
export { makeSessionRecord } from './testing/fixtures.js'
