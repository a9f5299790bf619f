/**
 * Where a bearer-transport client keeps its tokens between runs. The default keeps them in
 * memory only: in a browser a new tab asks the open ones over `BroadcastChannel`, and a reload
 * with no other tab open needs a new login. That is the point: a token in `localStorage` is a
 * token any injected script can read.
 *
 * Exported from `'@auth/client'`.
 *
 * @module
 */

/** A bearer session as a {@link TokenStorage} keeps it. */
export interface StoredSession {
  /** The access token. */
  accessToken: string
  /** The refresh token. */
  refreshToken: string
  /** When the access token expires, on this device's clock (ms). */
  expiresAt: number
  /** The access token's lifetime when it was issued (ms). */
  lifetimeMs: number
  /** The session id, when the server sent it. */
  sessionId: string | null
  /** The user id the application passed at login, or `null`. */
  user: string | null
}

/**
 * Storage for bearer tokens outside the browser: React Native (a Keychain/Keystore module),
 * Electron (`safeStorage`), a CLI. The client loads once when created and saves after every
 * change (`null` after a logout).
 *
 * Exported from `'@auth/client'`.
 *
 * @example
 * ```ts
 * import { createAuthClient, type TokenStorage } from '@auth/client'
 * import * as SecureStore from 'expo-secure-store'
 *
 * const tokenStorage: TokenStorage = {
 *   load: async () => JSON.parse((await SecureStore.getItemAsync('auth')) ?? 'null'),
 *   save: (session) => (session ? SecureStore.setItemAsync('auth', JSON.stringify(session)) : SecureStore.deleteItemAsync('auth')),
 * }
 * const client = createAuthClient({ baseUrl: 'https://api.example.com', transport: 'bearer', tokenStorage })
 * ```
 *
 * > [!NOTE]
 * > Never back this with `localStorage` in a browser: any script on the page could read it.
 */
export interface TokenStorage {
  /** The saved session, or `null`. */
  load(): StoredSession | null | Promise<StoredSession | null>
  /** Saves the session, or forgets it (`null`). */
  save(session: StoredSession | null): void | Promise<void>
}

/**
 * A {@link TokenStorage} that keeps the session in this object only: the default.
 *
 * Exported from `'@auth/client'`.
 *
 * @example
 * ```ts
 * import { createMemoryTokenStorage } from '@auth/client'
 *
 * const tokenStorage = createMemoryTokenStorage()
 * ```
 */
export function createMemoryTokenStorage(): TokenStorage {
  let saved: StoredSession | null = null
  return {
    load: () => saved,
    save: (session) => void (saved = session),
  }
}
