/**
 * `@auth/store-memory`: an `AuthStore` (from `@auth/core`) that keeps sessions, user
 * versions, the denylist and the revocation feed in this process. For development, tests and
 * single-process deployments; `@auth/store-redis` is the store for more than one process.
 *
 * @module @auth/store-memory
 */

export { createMemoryStore, DEFAULT_MAX_SESSIONS, DEFAULT_SWEEP_INTERVAL_MS } from './memory-store.js'
export type { MemoryStoreOptions } from './memory-store.js'
