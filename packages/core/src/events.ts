/**
 * Security events the application can subscribe to.
 *
 * @module
 */
import { isThenable } from './lib/thenable.js'

/** A security-relevant event. */
export type SecurityEvent =
  | {
      /**
       * An already rotated refresh token was presented after the grace window (or an older one):
       * somebody holds a stolen copy. The session has been ended.
       */
      readonly type: 'refresh_reused'
      /** The user. */
      readonly sub: string
      /** The session that was ended. */
      readonly sid: string
      /** The generation of the presented token. */
      readonly presentedGeneration: number
      /** The session's current generation when reuse was detected. */
      readonly currentGeneration: number
      /** When (ms). */
      readonly at: number
    }
  | {
      /**
       * A login found the user at the per-user session cap (`session.maxPerUser`): the user's
       * least recently seen session was ended to make room.
       */
      readonly type: 'session_evicted'
      /** The user. */
      readonly sub: string
      /** The session that was ended. */
      readonly sid: string
      /** When (ms). */
      readonly at: number
    }
  | {
      /** Every session of a user was ended and the user's token version bumped. */
      readonly type: 'logout_all'
      /** The user. */
      readonly sub: string
      /** The new token version. */
      readonly ver: number
      /** How many sessions were ended. */
      readonly ended: number
      /** When (ms). */
      readonly at: number
    }

/** A subscriber to {@link SecurityEvent}s. Errors it throws are caught and ignored. */
export type SecurityEventListener = (event: SecurityEvent) => void

/** @internal A minimal listener set: a listener that throws, or rejects, never reaches the caller. */
export class EventListeners<TEvent> {
  readonly #listeners = new Set<(event: TEvent) => void>()

  /** Whether anybody listens: callers skip building an event nobody would receive. */
  get active(): boolean {
    return this.#listeners.size > 0
  }

  subscribe(listener: (event: TEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  emit(event: TEvent): void {
    for (const listener of this.#listeners) {
      try {
        const returned = listener(event) as unknown
        // An async listener's rejection would be an unhandled rejection (a crash on Node): swallow it.
        if (isThenable(returned)) returned.then(undefined, ignore)
      } catch {
        // A faulty listener must not turn a decision into a 500.
      }
    }
  }
}

/** @internal The security-event listeners of one `createAuth`. */
export class SecurityEvents extends EventListeners<SecurityEvent> {}

function ignore(): void {}
