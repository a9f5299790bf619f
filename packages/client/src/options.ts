/**
 * The options of {@link createAuthClient}, and the client it returns.
 *
 * @module
 */
import type { AuthRequestInit } from './auth-fetch.js'
import type { BackoffOptions, BreakerOptions } from './backoff.js'
import type { AuthClientEventName, AuthClientListener } from './events.js'
import type { AuthChannel, AuthLocks, AuthSharedStorage, AuthSignal, AuthTimers } from './platform.js'
import type { TokenResponse } from './token-response.js'
import type { TokenStorage } from './token-storage.js'

/** Options of {@link createAuthClient}. Every platform hook defaults to the browser's when there is one. */
export interface CreateAuthClientOptions {
  /** How the tokens travel: `cookie` (recommended in browsers: JavaScript never sees a token) or `bearer`. */
  transport: 'cookie' | 'bearer'
  /** Where the auth server is, e.g. `https://api.example.com`. Default `''`: the page's own origin. */
  baseUrl?: string
  /** The prefix of the protocol's routes. Default `/auth`. */
  prefix?: string
  /** The `fetch` to call. Default: the global `fetch`, looked up at each call (never patched). */
  fetch?: typeof fetch
  /** The local clock (ms). Default `Date.now`. Expiry is `expiresIn` counted from the answer's arrival on this clock. */
  clock?: () => number
  /** Random numbers in `[0, 1)`, for jitter. Default `Math.random`. */
  random?: () => number
  /** Refresh when the access token expires within this many ms. Default: a fifth of its lifetime, at most 30 000. */
  refreshMarginMs?: number
  /** Refresh on a timer before expiry (a jittered lead of 1–1.5 margins). Default: `true` in a browser, `false` elsewhere. */
  proactive?: boolean
  /** Backoff after a refresh without verdict. */
  backoff?: BackoffOptions
  /** The refresh-loop circuit breaker. Default: more than 3 refreshes in 60 s trip it. */
  breaker?: BreakerOptions
  /** Bearer only: where tokens live between runs. Default: memory (see {@link createMemoryTokenStorage}). */
  tokenStorage?: TokenStorage
  /** Bearer only: how long a new tab waits for an open tab to hand over the tokens (ms). Default 150. */
  handoffTimeoutMs?: number
  /** How long the refresh call may take before it counts as a network error (ms). Default 10 000. */
  refreshTimeoutMs?: number
  /** How long a `storage` lease may be held (ms), when Web Locks are missing; longer than `refreshTimeoutMs`. Default 15 000. */
  leaseMs?: number
  /** The name of the lock, the channel and the storage key. Default `auth-client:` + baseUrl + prefix. */
  name?: string
  /** Timers. Default `setTimeout`/`clearTimeout`. */
  timers?: AuthTimers
  /** Page-became-visible signals (`visibilitychange`, `pageshow`). `false` turns them off. */
  visibility?: AuthSignal | false
  /** Network-came-back signals (`online`). `false` turns them off. */
  online?: AuthSignal | false
  /** The cross-tab lock. Default `navigator.locks`. `false`: use the storage lease. */
  locks?: AuthLocks | false
  /** Opens the cross-tab channel. Default `BroadcastChannel`. `false`: no channel. */
  channel?: ((name: string) => AuthChannel) | false
  /** Storage shared by the tabs (never holds a token). Default `localStorage`. `false`: none. */
  storage?: AuthSharedStorage | false
  /** Receives errors thrown by event listeners. Default: rethrown asynchronously (`reportError` style). */
  onListenerError?: (error: unknown) => void
}

/** What the client knows about the session, from {@link AuthClient.getState}. */
export interface AuthClientState {
  /** `active`: a session is known; `signedOut`: none; `unknown`: cookie transport before any answer told. */
  status: 'active' | 'signedOut' | 'unknown'
  /** The generation of the tokens, shared by the tabs: bumped by each refresh, login and logout. */
  generation: number
  /** When the access token expires, on this device's clock (ms), or `null`. */
  expiresAt: number | null
  /** The session id, when the server sent it. */
  sessionId: string | null
  /** The user id the application passed at login, or `null`. */
  user: string | null
}

/** Options of {@link AuthClient.setSession}. */
export interface SetSessionOptions {
  /** Who signed in (an id, not a secret): a different user than before emits `userChanged` in every tab. */
  user?: string
}

/** Options of {@link AuthClient.logout}. */
export interface LogoutOptions {
  /** End every session of the user (`POST /auth/logout-all`), not only this one. Default `false`. */
  everywhere?: boolean
}

/** The client made by {@link createAuthClient}. */
export interface AuthClient {
  /** A drop-in `fetch` that attaches the credential, refreshes first when needed, and retries once after a 401. */
  fetch(input: RequestInfo | URL, init?: AuthRequestInit): Promise<Response>
  /** Refreshes if the access token expires within the margin (or a refresh is in flight); otherwise resolves at once. */
  ensureFresh(): Promise<void>
  /** Refreshes now (still single-flight, and skipped when another tab just did). */
  refresh(): Promise<void>
  /** Adopts the token response of a login and tells every tab. */
  setSession(response: TokenResponse, options?: SetSessionOptions): void
  /** Ends the session on the server and in every tab. The local state is cleared even when the call fails. */
  logout(options?: LogoutOptions): Promise<void>
  /** Listens to an event; returns the unsubscribe function. */
  on<TName extends AuthClientEventName>(name: TName, listener: AuthClientListener<TName>): () => void
  /** A snapshot of the session state. */
  getState(): AuthClientState
  /** Resolves when the start-up is done (bearer: tokens loaded, or handed over by another tab). */
  readonly ready: Promise<void>
  /** Removes every listener, timer and channel of this client. */
  destroy(): void
}
