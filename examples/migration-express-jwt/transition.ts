/**
 * The transition period of docs/migration.md: tokens signed by the old code keep working next to
 * the new ones until they expire (at most their old `expiresIn`, 7 days, after the switch), so no
 * client has to log in again on the day of the switch. They stay what they were: not revocable,
 * not refreshable (the client logs in again when one expires, and then gets the new tokens).
 * Delete this file (and the `legacyTokens` option) once the last old token has expired.
 *
 * An old token is verified as before: its own key, its algorithms pinned, `exp` checked. A new
 * token that was refused (expired, revoked) is never rescued: it fails the old check too, since
 * its algorithm (ES256) is not the old one.
 */
import { requireAuth } from '@auth/express'
import type { Request, RequestHandler } from 'express'
import jsonwebtoken, { type Algorithm, type JwtPayload, type Secret } from 'jsonwebtoken'

/** How the old code verified its tokens. */
export interface LegacyTokenOptions {
  /** The old secret (HS256) or public key (RS256, ES256). */
  readonly key: Secret
  /** The old algorithms, e.g. `['HS256']`. Never `none`. */
  readonly algorithms: Algorithm[]
}

const legacyClaims = new WeakMap<Request, JwtPayload>()

/** The verified claims of the request: the new access token's, or (during the transition) an old token's. */
export function claimsOf(req: Request): Readonly<Record<string, unknown>> {
  return req.auth?.claims ?? legacyClaims.get(req) ?? {}
}

/** `requireAuth()` that also lets a request with a valid old token through; everything else gets the new 401. */
export function requireAuthOrLegacy(options: LegacyTokenOptions): RequestHandler {
  if (options.algorithms.length === 0 || options.algorithms.includes('none')) throw new TypeError('requireAuthOrLegacy: algorithms must name the old ones, never "none"')
  const guard = requireAuth()
  return function requireAuthOrLegacy(req, res, next) {
    const token = req.auth ? undefined : /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (token) {
      try {
        const claims = jsonwebtoken.verify(token, options.key, { algorithms: options.algorithms })
        if (typeof claims === 'object') {
          legacyClaims.set(req, claims)
          return next()
        }
      } catch {
        // Not a valid old token either: the new guard answers (401 with its WWW-Authenticate).
      }
    }
    guard(req, res, next)
  }
}
