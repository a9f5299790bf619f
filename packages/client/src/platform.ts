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

/** @internal The hooks after defaults were applied; `null` for a hook that is off or missing. */
export interface Platform {
  readonly timers: AuthTimers
  readonly visibility: AuthSignal | null
  readonly online: AuthSignal | null
  readonly locks: AuthLocks | null
  readonly channel: ((name: string) => AuthChannel) | null
  readonly storage: AuthSharedStorage | null
}

/** @internal The hooks as the options name them. */
export interface PlatformOptions {
  timers?: AuthTimers | undefined
  visibility?: AuthSignal | false | undefined
  online?: AuthSignal | false | undefined
  locks?: AuthLocks | false | undefined
  channel?: ((name: string) => AuthChannel) | false | undefined
  storage?: AuthSharedStorage | false | undefined
}

// Typed views of the browser globals, so the package needs no DOM-only code paths at import.
type EventTargetish = { addEventListener(type: string, listener: () => void): void; removeEventListener(type: string, listener: () => void): void }
type Browserish = EventTargetish & { document?: EventTargetish & { visibilityState?: string }; localStorage?: Storage; navigator?: { locks?: AuthLocks } }

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

function listen<TEvent>(target: EventTargetish, type: string, listener: (event: TEvent) => void): () => void {
  target.addEventListener(type, listener as () => void)
  return () => target.removeEventListener(type, listener as () => void)
}

function browserVisibility(win: Browserish): AuthSignal | null {
  const doc = win.document
  if (!doc || typeof doc.addEventListener !== 'function') return null
  return {
    subscribe(listener) {
      const offVisibility = listen(doc, 'visibilitychange', () => doc.visibilityState === 'visible' && listener())
      // pageshow also fires when a page comes back from the back/forward cache, frozen meanwhile.
      const offPageshow = listen(win, 'pageshow', listener)
      return () => (offVisibility(), offPageshow())
    },
  }
}

function browserStorage(win: Browserish): AuthSharedStorage | null {
  try {
    // Reading `localStorage` throws where storage is blocked (some privacy modes, sandboxed frames).
    const store = win.localStorage
    return store
      ? {
          getItem: (key) => store.getItem(key),
          setItem: (key, value) => store.setItem(key, value),
          removeItem: (key) => store.removeItem(key),
          subscribe: (listener) => listen(win, 'storage', (event?: { key?: string | null }) => listener(event?.key ?? null)),
        }
      : null
  } catch {
    return null
  }
}

/** A `BroadcastChannel` is an {@link AuthChannel} once it has `subscribe`. */
function browserChannel(name: string): AuthChannel {
  const channel = new BroadcastChannel(name)
  return Object.assign(channel, { subscribe: (listener: (message: unknown) => void) => listen(channel, 'message', (event: MessageEvent) => listener(event.data)) })
}

/** @internal The hooks: those given, else the browser's when there is a browser, else off. */
export function resolvePlatform(options: PlatformOptions): Platform {
  const win = isServer() ? undefined : (window as unknown as Browserish)
  const pick = <T>(given: T | false | undefined, fallback: (win: Browserish) => T | null | undefined): T | null =>
    given === false ? null : (given ?? (win && fallback(win)) ?? null)
  return {
    // Called as methods of the global object, so looked up at each call (fake timers in tests) and
    // never an "illegal invocation".
    timers: options.timers ?? (globalThis as unknown as AuthTimers),
    visibility: pick(options.visibility, browserVisibility),
    online: pick(options.online, (win) => ({ subscribe: (listener) => listen(win, 'online', listener) })),
    // Called as a method of the LockManager, so it needs no wrapper.
    locks: pick(options.locks, (win) => win.navigator?.locks),
    channel: pick(options.channel, () => (typeof BroadcastChannel === 'function' ? browserChannel : null)),
    storage: pick(options.storage, browserStorage),
  }
}
