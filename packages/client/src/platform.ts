/**
 * The platform hooks of the client, each with a browser default read from `globalThis` **when
 * the client is created**, never at import. Pass your own to run elsewhere (tests, React Native,
 * Electron), or `false` to turn a hook off.
 *
 * | hook | browser default | without it |
 * |---|---|---|
 * | `timers` | `setTimeout` / `clearTimeout` | required |
 * | `visibility` | `visibilitychange` (to visible) and `pageshow` | no wake-up checks |
 * | `online` | the window's `online` event | no immediate retry when the network returns |
 * | `locks` | `navigator.locks` | the `storage` lease serves as the lock |
 * | `channel` | `BroadcastChannel` | `storage` events carry logouts and expiry (cookie transport) |
 * | `storage` | `localStorage` and `storage` events | one tab only |
 *
 * Nothing secret goes through `storage`: only the shared generation, the expiry, the user id the
 * app passed, and the lease.
 *
 * @module
 */

/** Timers: the client schedules its proactive refresh and its retries with these. */
export interface AuthTimers {
  /** Like `setTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown
  /** Like `clearTimeout`. */
  clearTimeout(handle: unknown): void
}

/** A source of signals (page became visible, network came back): `subscribe` returns the unsubscribe. */
export interface AuthSignal {
  /** Calls `listener` on each signal until the returned function is called. */
  subscribe(listener: () => void): () => void
}

/** An exclusive lock across tabs, shaped like `navigator.locks.request(name, callback)`. */
export interface AuthLocks {
  /** Runs `callback` while holding the lock `name`; resolves with its result. */
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}

/** A message channel between the tabs of one origin, shaped like `BroadcastChannel`. */
export interface AuthChannel {
  /** Sends to every other member of the channel (not to itself). */
  postMessage(message: unknown): void
  /** Receives the other members' messages until the returned function is called. */
  subscribe(listener: (message: unknown) => void): () => void
  /** Leaves the channel. */
  close(): void
}

/** Storage shared by the tabs of one origin, shaped like `localStorage` plus its `storage` event. */
export interface AuthSharedStorage {
  /** The value of `key`, or `null`. */
  getItem(key: string): string | null
  /** Sets `key`. */
  setItem(key: string, value: string): void
  /** Removes `key`. */
  removeItem(key: string): void
  /** Calls `listener` when **another** tab changes a key, until the returned function is called. */
  subscribe(listener: (key: string | null) => void): () => void
}

// Typed views of the browser globals, so the package needs no DOM-only code paths at import.
/** @internal */
export type EventTargetish = { addEventListener(type: string, listener: (event: never) => void): void; removeEventListener(type: string, listener: (event: never) => void): void }
/** @internal */
export type Browserish = EventTargetish & { document?: EventTargetish & { visibilityState?: string }; localStorage?: Storage; navigator?: { locks?: AuthLocks } }

/**
 * `true` where there is no browser window: server rendering, Node, workers. The defaults are then
 * all off, so creating a client there does nothing until it is used.
 *
 * Exported from `'@auth/client'`.
 *
 * @example
 * ```ts
 * import { createAuthClient, isServer } from '@auth/client'
 *
 * // One module for server and browser: on the server the client is inert.
 * export const auth = createAuthClient({ transport: 'cookie', proactive: !isServer() })
 * ```
 */
export function isServer(): boolean {
  return typeof window === 'undefined'
}
