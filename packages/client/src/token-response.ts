/**
 * The token response of the protocol, and the one refresh call: what the server answered,
 * sorted into the three outcomes the client acts on.
 *
 * | answer | outcome |
 * |---|---|
 * | 200 with a token response | `ok` |
 * | 401 (`refresh_reused`, `refresh_invalid`, `session_revoked`, `session_expired`, `token_missing`…) | `refused`: the session is over |
 * | network error, 408, 429, 5xx, any other status, an unreadable 200 | `transient`: never a logout |
 *
 * Only a 401 ends a session: a 403 (`csrf_rejected`) or 400 is a misconfiguration that a
 * logout would not fix, and logging users out over it would hide it.
 *
 * @module
 */
import { parseRetryAfter } from './backoff.js'
import type { AuthTimers } from './platform.js'

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

/** @internal */
export type RefreshOutcome =
  | { kind: 'ok'; body: TokenResponse }
  | { kind: 'refused'; code: string; status: number }
  | { kind: 'transient'; status: number; retryAfterMs: number | null; cause?: unknown }

/** @internal Whether `value` is a token response this client can use in `transport`. */
export function isTokenResponse(value: unknown, transport: 'cookie' | 'bearer'): value is TokenResponse {
  const body = value as Partial<Record<keyof TokenResponse, unknown>> | null
  return Number.isFinite(body?.expiresIn) && (body!.expiresIn as number) >= 0 && (transport === 'cookie' || (typeof body!.accessToken === 'string' && typeof body!.refreshToken === 'string'))
}

/** @internal The `code` of a protocol error body (`{ error: { code } }`), or `undefined`. */
export function errorCodeOf(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code
  return typeof code === 'string' ? code : undefined
}

/** @internal The `code` of a protocol error response, or `undefined`. */
export function readErrorCode(response: Response): Promise<string | undefined> {
  return response.json().then(errorCodeOf, () => undefined)
}

/** @internal What {@link requestRefresh} needs. */
export interface RefreshRequest {
  fetch: typeof fetch
  url: string
  transport: 'cookie' | 'bearer'
  refreshToken: string | null
  now: () => number
  timers: AuthTimers
  /** A hung refresh would hold the cross-tab lock for ever: abort it after this long. */
  timeoutMs: number
}

/** @internal Calls `POST /auth/refresh` once and sorts the answer. */
export async function requestRefresh(request: RefreshRequest): Promise<RefreshOutcome> {
  const bearer = request.transport === 'bearer'
  const abort = new AbortController()
  const timer = request.timers.setTimeout(() => abort.abort(), request.timeoutMs)
  let response: Response
  try {
    response = await request.fetch(request.url, {
      method: 'POST',
      signal: abort.signal,
      // Bearer: the token in the body and no cookie; cookie: the refresh cookie only.
      ...(bearer ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: request.refreshToken }), credentials: 'omit' } : { credentials: 'include' }),
    })
  } catch (cause) {
    return { kind: 'transient', status: 0, retryAfterMs: null, cause }
  } finally {
    request.timers.clearTimeout(timer)
  }
  const { status } = response
  if (status === 401) return { kind: 'refused', code: (await readErrorCode(response)) ?? 'refresh_invalid', status }
  const body: unknown = status === 200 ? await response.json().catch(() => null) : null
  if (isTokenResponse(body, request.transport)) return { kind: 'ok', body }
  return { kind: 'transient', status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), request.now()) }
}
