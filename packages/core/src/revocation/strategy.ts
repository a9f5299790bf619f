/**
 * The revocation strategies (docs/concepts.md#three-revocation-strategies), as the check a verifier
 * runs on every request.
 *
 * @module
 */
import { AuthError } from '../errors.js'
import { isStoreFailure, type StoreHealth } from '../health.js'
import { storeError } from '../lib/store-guard.js'
import type { AuthStore, RevocationState } from '../store.js'
import type { AccessTokenClaims } from '../token/claims.js'
import type { RevocationCheck } from '../token/verify.js'
import type { RevocationMirror } from './mirror.js'

/**
 * How revocation reaches verification:
 * - `expiry`: signature and claims only, zero I/O; a revocation takes effect when the access token
 *   expires (at most its TTL).
 * - `strict`: one store round trip per request (denylist, user version, session alive); instant.
 * - `mirror`: a local mirror of recent revocations fed by the store's feed; no I/O per request,
 *   revocations arrive within milliseconds; falls back to `strict` when the feed is stale, and
 *   fails closed (`store_unavailable`) when the store is down too.
 */
export type RevocationStrategy = 'expiry' | 'strict' | 'mirror'

/**
 * @internal The `strict` check: one `getRevocationState` round trip. It runs on every request, so
 * it takes the application's store itself and converts a failure with `storeError` here: the
 * guard's extra promise per call (~40 ns, a sixth of a warm strict verification on the memory
 * store) is saved, the rule stays the guard's. Likewise it reports to `health` itself, as the guard
 * would: a failure, and the success of a call begun while the store was down.
 */
export function strictCheck(store: AuthStore, clock: () => number, health?: StoreHealth): RevocationCheck {
  const failed = (error: unknown): never => {
    if (health !== undefined && isStoreFailure(error)) health.failed('verifyAccessToken', 'getRevocationState', error)
    throw storeError(error)
  }
  return async function checkStrict(claims: AccessTokenClaims, now: number = clock()): Promise<void> {
    const wasDown = health?.down === true
    let state: RevocationState
    try {
      state = await store.getRevocationState({ sub: claims.sub, sid: claims.sid, jti: claims.jti }, now)
    } catch (error) {
      return failed(error)
    }
    // A store that answers something else is broken: fail closed, never read it as an answer.
    if (typeof state !== 'object' || state === null) return failed(new TypeError('getRevocationState answered no state'))
    if (wasDown) health!.recovered()
    if (state.tokenDenied || claims.ver < state.userVersion) throw new AuthError('token_revoked')
    // Gone because it was ended (signed out), or because it expired: the client says which.
    if (!state.sessionAlive) throw new AuthError(state.sessionEnded ? 'session_revoked' : 'session_expired')
  }
}

/** @internal The `mirror` check: no I/O while the mirror is fresh, `strict` when it is not. */
export function mirrorCheck(mirror: RevocationMirror, strict: RevocationCheck): RevocationCheck {
  const check: RevocationCheck = function checkMirror(claims: AccessTokenClaims, now: number): void | Promise<void> {
    switch (mirror.check(claims.sub, claims.sid, claims.jti, claims.ver, now)) {
      case 'ok':
        return
      case 'token_revoked':
        throw new AuthError('token_revoked')
      case 'session_revoked':
        throw new AuthError('session_revoked')
      case 'stale':
        return strict(claims, now)
    }
  }
  check.epoch = (now: number) => mirror.epoch(now)
  return check
}
