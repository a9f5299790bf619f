/**
 * What the parts of `createAuth` share: resolved options, the store wrapped so its failures
 * become `store_unavailable`, the token secret, and the local revocation mirror.
 *
 * @internal
 * @module
 */
import type { Clock } from './clock.js'
import type { SecurityEvents } from './events.js'
import type { AuthKey } from './key/auth-key.js'
import type { KeySet } from './key/key-set.js'
import type { MacKey } from './lib/mac.js'
import type { RevocationMirror } from './revocation/mirror.js'
import type { AuthStore, RevocationEvent, SessionRecord } from './store.js'

/** Application claims for access tokens, computed from the session at login and at every refresh. */
export type ClaimsHook = (session: SessionRecord) => Record<string, unknown> | Promise<Record<string, unknown>>

/** @internal */
export interface AuthContext {
  /** The application's store, guarded: every failure is `store_unavailable` (`lib/store-guard.ts`). */
  readonly store: AuthStore
  readonly keys: KeySet
  readonly issuer: string
  readonly audience: string
  readonly clock: Clock
  /** HMAC key for refresh and session tokens (derived lazily: WebCrypto import is async). */
  readonly tokenKey: () => Promise<MacKey>
  /** SHA-256 of a token secret, base64url: what the store keeps. */
  readonly hashSecret: (bytes: Uint8Array) => Promise<string>
  /** The backend's synchronous signer of access tokens, if it has one (else jose signs). */
  readonly signer: ((key: AuthKey, signingInput: string) => string) | undefined
  readonly accessTokenTtlMs: number
  readonly sessionAbsoluteTtlMs: number
  readonly sessionIdleTimeoutMs: number
  /** Between sliding-expiry writes of a session-cookie session. */
  readonly touchIntervalMs: number
  readonly refreshGraceMs: number
  /** Bytes of JSON. */
  readonly sessionMaxDataBytes: number
  /** The most live sessions one user may have; a login ends the least recently seen beyond it. */
  readonly maxSessionsPerUser: number
  readonly claims: ClaimsHook | undefined
  readonly events: SecurityEvents
  readonly mirror: RevocationMirror | undefined
  /** Records a revocation this process made: applied to the local mirror at once. */
  readonly revoked: (event: RevocationEvent) => void
}
