import type { AuthStore, SessionRecord } from '@auth/core'

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
 * A minimal live session record, for benchmarks that end sessions to fill a revocation feed: a store
 * appends a `session` event only when it ended a session that exists.
 */
export function liveSession(sub: string, id: string, now: number): SessionRecord {
  return {
    id,
    sub,
    createdAt: now,
    lastSeenAt: now,
    absoluteExpiresAt: now + 3_600_000,
    idleTimeoutMs: 3_600_000,
    expiresAt: now + 3_600_000,
    transport: 'tokens',
    tokenHash: null,
    refresh: { generation: 0, current: 'h', previous: null, rotatedAt: now },
    ver: 0,
    metadata: {},
    data: null,
    revision: 0,
  }
}

/** Creates a session, then ends it: one `session` event in the feed. */
export async function endLiveSession(store: AuthStore, sub: string, id: string, now: number): Promise<void> {
  await store.createSession(liveSession(sub, id, now), now)
  await store.endSession({ sub, id }, now)
}

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
