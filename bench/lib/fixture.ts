/**
 * The token fixture every benchmark shares: issuer, audience, lifetime, tolerance and the
 * application claims of the tokens being verified, so all tables measure the same tokens.
 */

export const ISSUER = 'https://auth.example.com'
export const AUDIENCE = 'https://api.example.com'
/** Access-token lifetime, seconds. */
export const TTL = 900
/** Clock tolerance, seconds. */
export const CLOCK_TOLERANCE = 5
export const APP_CLAIMS = { role: 'member' }
