/**
 * The token fixture every benchmark shares: issuer, audience, lifetime, tolerance and the
 * application claims of the tokens being verified, so all tables measure the same tokens.
 */

export const ISSUER = 'https://auth.example.com'
export const AUDIENCE = 'https://api.example.com'
/** Access-token lifetime, seconds. */
export const TTL_SECONDS = 900
/** Clock tolerance, seconds. */
export const CLOCK_TOLERANCE_SECONDS = 5
export const APP_CLAIMS = { role: 'member' }

/**
 * The rules every peer verifier is given, the same as ours (issuer, audience, `typ`, one pinned
 * algorithm, tolerance, maximum age), so every table compares the same checks.
 */
export function joseVerifyOptions(alg: string) {
  return { issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', algorithms: [alg], clockTolerance: CLOCK_TOLERANCE_SECONDS, maxTokenAge: TTL_SECONDS }
}

/** fast-jwt's `createVerifier` options for the same rules; `key` is an SPKI PEM or the HMAC secret. */
export function fastJwtVerifyOptions<A extends string>(alg: A, key: string | Buffer) {
  return {
    key,
    algorithms: [alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    checkTyp: 'at+jwt',
    clockTolerance: CLOCK_TOLERANCE_SECONDS * 1000,
    maxAge: TTL_SECONDS * 1000,
  }
}
