/**
 * Monitoring an `Auth`: a counter of store failures per operation (what a metrics client would
 * export), and one log line per transition (store down and back, the revocation mirror falling
 * back to the store and catching up). Referenced from docs/operations.md#monitoring and exercised
 * by `monitoring.test.ts` against a real redis-server that it kills and restarts.
 */
import type { Auth, StoreOperation } from '@auth/core'

/** What {@link monitorAuth} exposes. */
export interface AuthMonitor {
  /** Failed store calls per operation: each one answered `503 store_unavailable` (or is retried in the background). */
  readonly storeErrors: ReadonlyMap<StoreOperation, number>
  /** Unsubscribes. */
  stop(): void
}

/** Subscribes to `auth`'s health events: counts failures, logs transitions through `log`. */
export function monitorAuth(auth: Auth, log: (line: string) => void = console.warn): AuthMonitor {
  const storeErrors = new Map<StoreOperation, number>()
  const stop = auth.onHealthEvent((event) => {
    switch (event.type) {
      case 'store_error': // one per failed call: count it, don't log it
        storeErrors.set(event.operation, (storeErrors.get(event.operation) ?? 0) + 1)
        break
      case 'store_down':
        log(`auth: store down (${event.operation}, ${event.method}): ${event.message}`)
        break
      case 'store_recovered':
        log(`auth: store back after ${event.at - event.downSince} ms, ${event.failures} failed calls`)
        break
      case 'mirror_stale':
        log(`auth: revocation mirror stale (${event.reason}), verification asks the store`)
        break
      case 'mirror_recovered':
        log(`auth: revocation mirror fresh again after ${event.at - event.staleSince} ms`)
        break
    }
  })
  return { storeErrors, stop }
}
