/**
 * The typed events of the client, and the small emitter behind {@link AuthClient.on}.
 *
 * @module
 */

/** Where a change came from: this tab, or another tab of the same origin. */
export type ChangeSource = 'local' | 'remote'

/** The events of an {@link AuthClient} and their payloads. */
export interface AuthClientEvents {
  /** New tokens: refreshed here or in another tab, or a login. */
  refreshed: {
    /** The shared generation the tokens belong to. */
    generation: number
    /** When the access token expires, on this device's clock (ms), or `null` when unknown. */
    expiresAt: number | null
    /** Whether this tab made the refresh call. */
    source: ChangeSource
  }
  /** The session ended: a logout (here or in another tab), or the server refused the refresh (revoked, reused). */
  loggedOut: {
    /** `logout`, or the server's code (`session_revoked`, `refresh_reused`, `refresh_invalid`…). */
    reason: string
    /** Whether this tab noticed it first. */
    source: ChangeSource
  }
  /** The server said the session expired (`session_expired`): a new login is needed. */
  sessionExpired: {
    /** Whether this tab noticed it first. */
    source: ChangeSource
  }
  /** A login as a different user, here or in another tab. */
  userChanged: {
    /** The user before, or `null`. */
    previous: string | null
    /** The user now, or `null` after a logout. */
    user: string | null
    /** Whether the login happened in this tab. */
    source: ChangeSource
  }
  /** The circuit breaker tripped: more refreshes in its window than it allows. */
  refreshLoop: {
    /** Refreshes within the window. */
    count: number
    /** The window (ms). */
    windowMs: number
  }
}

/** The name of an event of {@link AuthClientEvents}. */
export type AuthClientEventName = keyof AuthClientEvents

/** A listener of one event. */
export type AuthClientListener<TName extends AuthClientEventName> = (event: AuthClientEvents[TName]) => void
