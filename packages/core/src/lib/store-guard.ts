/**
 * The one place where store failures become `store_unavailable`: `createAuth` wraps its store
 * once, so every path (login, rotation, sessions, `strict` verification) fails closed the same
 * way and no module repeats a `try/catch`.
 *
 * @internal
 * @module
 */
import { AuthError, isAuthError } from '../errors.js'
import { isStoreFailure, type StoreHealth, type StoreOperation } from '../health.js'
import type { AuthStore } from '../store.js'

/**
 * @internal Anything a store throws that is not an `AuthError` becomes `store_unavailable` (the
 * original is kept as `cause`, for logs): a request is never answered with a stack trace.
 */
export function storeError(error: unknown): AuthError {
  if (isAuthError(error)) return error
  return new AuthError('store_unavailable', { cause: error, retryAfter: 1 })
}

/**
 * @internal The store with every method's failure turned into `store_unavailable` (an
 * `AuthError` a store threw passes through as it is). With `health`, each failure is reported
 * for `operation`, and the success of a call begun while the store was down reports recovery.
 */
export function guardStore(store: AuthStore, health?: StoreHealth, operation?: StoreOperation): AuthStore {
  // `.then(undefined, rethrow)` rather than an async wrapper: `strict` verification calls the store
  // on every request, and an async function costs another promise and two more microtask turns
  // (measured ~85 ns against ~30 ns). A store that throws synchronously, or answers something
  // that is not a promise, is caught as well.
  // The method is looked up at each call, not when wrapping: a store that swaps a method later
  // (instrumentation, a test double) is called as it is then.
  // Health costs the success path one boolean read: a success handler is passed only while the
  // store is down, and decided when the call begins, so a call already under way when the store
  // went down cannot report a recovery.
  const recovered = <T>(value: T): T => {
    health!.recovered()
    return value
  }
  const guard =
    <TName extends Exclude<keyof AuthStore, 'name' | 'close'>>(name: TName) => {
      const rethrow = (error: unknown): never => {
        if (health !== undefined && isStoreFailure(error)) health.failed(operation!, name, error)
        throw storeError(error)
      }
      return (...args: Parameters<AuthStore[TName]>): ReturnType<AuthStore[TName]> => {
        try {
          return (store[name] as (...a: unknown[]) => Promise<unknown>)
            .apply(store, args)
            .then(health?.down === true ? recovered : undefined, rethrow) as ReturnType<AuthStore[TName]>
        } catch (error) {
          try {
            return rethrow(error)
          } catch (converted) {
            return Promise.reject(converted) as ReturnType<AuthStore[TName]>
          }
        }
      }
    }
  return {
    name: store.name,
    createSession: guard('createSession'),
    getSession: guard('getSession'),
    updateSession: guard('updateSession'),
    wasSessionEnded: guard('wasSessionEnded'),
    endSession: guard('endSession'),
    logoutAll: guard('logoutAll'),
    listSessions: guard('listSessions'),
    getUserVersion: guard('getUserVersion'),
    denyToken: guard('denyToken'),
    getRevocationState: guard('getRevocationState'),
    readFeed: guard('readFeed'),
    trimFeed: guard('trimFeed'),
    close: () => store.close(),
  }
}
