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

function listen(target: EventTargetish, type: string, listener: () => void): () => void {
  target.addEventListener(type, listener)
  return () => target.removeEventListener(type, listener)
}

function browserVisibility(win: Browserish): AuthSignal | null {
  const doc = win.document
  if (!doc || typeof doc.addEventListener !== 'function') return null
  return {
    subscribe(listener) {
      const onVisibility = () => doc.visibilityState === 'visible' && listener()
      const offVisibility = listen(doc, 'visibilitychange', onVisibility)
      // pageshow also fires when a page comes back from the back/forward cache, frozen meanwhile.
      const offPageshow = listen(win, 'pageshow', listener)
      return () => (offVisibility(), offPageshow())
    },
  }
}

function browserStorage(win: Browserish): AuthSharedStorage | null {
  let storage: Storage | undefined
  try {
    // Reading `localStorage` throws where storage is blocked (some privacy modes, sandboxed frames).
    storage = win.localStorage
  } catch {
    return null
  }
  if (!storage) return null
  const store = storage
  return {
    getItem: (key) => store.getItem(key),
    setItem: (key, value) => store.setItem(key, value),
    removeItem: (key) => store.removeItem(key),
    subscribe(listener) {
      const onStorage = (event?: unknown) => listener((event as { key?: string | null } | undefined)?.key ?? null)
      win.addEventListener('storage', onStorage)
      return () => win.removeEventListener('storage', onStorage)
    },
  }
}

function browserChannel(name: string): AuthChannel {
  const channel = new BroadcastChannel(name)
  return {
    postMessage: (message) => channel.postMessage(message),
    subscribe(listener) {
      const onMessage = (event: MessageEvent) => listener(event.data)
      channel.addEventListener('message', onMessage)
      return () => channel.removeEventListener('message', onMessage)
    },
    close: () => channel.close(),
  }
}

/** @internal The hooks: those given, else the browser's when there is a browser, else off. */
export function resolvePlatform(options: PlatformOptions): Platform {
  const win = isServer() ? undefined : (window as unknown as Browserish)
  const pick = <T>(given: T | false | undefined, fallback: () => T | null): T | null => (given === false ? null : given ?? fallback())
  return {
    timers: options.timers ?? { setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms), clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>) },
    visibility: pick(options.visibility, () => (win ? browserVisibility(win) : null)),
    online: pick(options.online, () => (win ? { subscribe: (listener) => listen(win, 'online', listener) } : null)),
    locks: pick(options.locks, () => {
      const locks = win?.navigator?.locks
      return locks ? { request: (name, callback) => locks.request(name, callback) } : null
    }),
    channel: pick(options.channel, () => (win && typeof BroadcastChannel === 'function' ? browserChannel : null)),
    storage: pick(options.storage, () => (win ? browserStorage(win) : null)),
  }
}
