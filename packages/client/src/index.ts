/**
 * `@auth/client`: the browser side of the auth SDK. A drop-in `fetch` that keeps the access token
 * fresh, one refresh at a time across requests and tabs, and logout everywhere.
 *
 * @module
 */

// the client
export { createAuthClient } from './create-auth-client.js'
export type { AuthClient, AuthClientState, CreateAuthClientOptions, LogoutOptions, SetSessionOptions } from './options.js'
export type { AuthRequestInit } from './auth-fetch.js'
export type { TokenResponse } from './token-response.js'

// events and errors
export { AuthClientError } from './errors.js'
export type { AuthClientErrorCode, AuthClientErrorDetails } from './errors.js'
export type { AuthClientEventName, AuthClientEvents, AuthClientListener, ChangeSource } from './events.js'

// platform hooks
export { isServer } from './platform.js'
export type { AuthChannel, AuthLocks, AuthSharedStorage, AuthSignal, AuthTimers } from './platform.js'
export type { BackoffOptions, BreakerOptions } from './backoff.js'

// bearer token storage
export { createMemoryTokenStorage } from './token-storage.js'
export type { StoredSession, TokenStorage } from './token-storage.js'
