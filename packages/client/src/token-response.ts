/**
 * The token response of the protocol, and the error body of its refusals: what the client reads
 * from the server's answers.
 *
 * @module
 */

/**
 * The JSON of a token response (`POST /auth/refresh`, and the login helpers of the server
 * adapters). The tokens themselves are only in the bearer transport.
 */
export interface TokenResponse {
  /** How the tokens travel. */
  transport: 'cookie' | 'bearer'
  /** The access token (bearer transport only). */
  accessToken?: string
  /** The refresh token (bearer transport only). */
  refreshToken?: string
  /** The access token's expiry on the **server's** clock (ms); the client uses `expiresIn` instead. */
  accessTokenExpiresAt?: number
  /** The refresh token's expiry on the server's clock (ms). */
  refreshTokenExpiresAt?: number
  /** The access token's lifetime in seconds, counted from the answer's arrival. */
  expiresIn: number
  /** The session the tokens belong to. */
  sessionId?: string
}

/** @internal Whether `value` is a token response this client can use (`bearer`: with the tokens). */
export function isTokenResponse(value: unknown, bearer: boolean): value is TokenResponse {
  const body = value as Partial<Record<keyof TokenResponse, unknown>> | null
  return Number.isFinite(body?.expiresIn) && (body!.expiresIn as number) >= 0 && (!bearer || (typeof body!.accessToken === 'string' && typeof body!.refreshToken === 'string'))
}

/** @internal The `code` of a protocol error body (`{ error: { code } }`), or `undefined`. */
export function errorCodeOf(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code
  return typeof code === 'string' ? code : undefined
}
