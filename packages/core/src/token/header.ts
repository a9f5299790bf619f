/**
 * Parsing and checking the protected header of an access token.
 *
 * @module
 */
import { AuthError, type AuthErrorReason } from '../errors.js'
import { type Algorithm, isAlgorithm } from '../key/auth-key.js'

/** @internal A header that passed every rule but the key lookup. */
export interface CheckedHeader {
  readonly alg: Algorithm
  readonly kid: string
  readonly typ: string
}

// Header parameters that make a verifier fetch or trust key material chosen by the token,
// change how the payload is read (`crit`, `b64`, `zip`), or belong to JWE (`enc`).
const FORBIDDEN = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64', 'zip', 'enc'] as const

const invalid = (reason: AuthErrorReason<'token_invalid'>) => new AuthError('token_invalid', { reason })

/**
 * Checks a decoded header: a JSON object, `typ` of `at+jwt` (RFC 9068, with or without the
 * `application/` prefix, case-insensitively), a supported `alg`, a string `kid`, and none of the
 * forbidden parameters.
 *
 * @internal
 */
export function checkHeader(json: string): CheckedHeader {
  let header: unknown
  try {
    header = JSON.parse(json)
  } catch {
    throw invalid('header')
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw invalid('header')
  const h = header as Record<string, unknown>
  for (const name of FORBIDDEN) if (Object.hasOwn(h, name)) throw invalid(name)
  const typ = h.typ
  if (typeof typ !== 'string') throw invalid('typ')
  const lower = typ.toLowerCase()
  if (lower !== 'at+jwt' && lower !== 'application/at+jwt') throw invalid('typ')
  if (!isAlgorithm(h.alg)) throw invalid('alg')
  const kid = h.kid
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256) throw invalid('kid')
  return Object.freeze({ alg: h.alg, kid, typ })
}
