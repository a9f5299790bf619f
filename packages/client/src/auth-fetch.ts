/**
 * `client.fetch`: the platform's `fetch` with the credential attached and at most one retry.
 *
 * | step | what happens |
 * |---|---|
 * | `auth: false`, or a URL of another origin | plain `fetch`, untouched (a bearer token never leaves for a third party) |
 * | before sending | wait for a refresh in flight, or start one when the token expires within the margin |
 * | the session ended while waiting | reject with `signed_out` |
 * | sending | bearer: `Authorization: Bearer …` from memory; cookie: `credentials: 'include'` |
 * | 401, and the generation moved on since sending | retry at once: another refresh already replaced the token (none if it was a logout) |
 * | 401 under the current generation | refresh (single-flight), then retry once |
 * | the refresh was refused, or the breaker is open | the original 401 response |
 * | the refresh failed (network, 5xx, 429) | reject with `refresh_failed`: not a 401, since the user is still signed in |
 *
 * A `ReadableStream` body cannot be sent twice: such a request gets no retry.
 *
 * @module
 */
import { readErrorCode } from './token-response.js'

/** The second argument of {@link AuthClient.fetch}: `RequestInit` plus the client's own options. */
export interface AuthRequestInit extends RequestInit {
  /** `false` sends the request untouched: no credential, no refresh, no retry. Default `true`. */
  auth?: boolean
}

/** @internal What the fetch needs of the client's state machine. */
export interface FetchContext {
  fetch: typeof fetch
  transport: 'cookie' | 'bearer'
  appliesTo(input: RequestInfo | URL): boolean
  accessToken(): string | null
  generation(): number
  /** Waits for a fresh token; rejects with `signed_out` when the session ended meanwhile. */
  beforeRequest(): Promise<void>
  /** After a 401 of a request sent under `sentGeneration`: whether to retry (refreshing first unless the generation moved on). */
  afterUnauthorized(sentGeneration: number): Promise<boolean>
}

/** @internal */
export function createAuthFetch(ctx: FetchContext): (input: RequestInfo | URL, init?: AuthRequestInit) => Promise<Response> {
  const send = (input: RequestInfo | URL, init: RequestInit): Promise<Response> => {
    const headers = new Headers(init.headers ?? (isRequest(input) ? input.headers : undefined))
    const token = ctx.transport === 'bearer' ? ctx.accessToken() : null
    if (token !== null) headers.set('authorization', `Bearer ${token}`)
    const credentials = ctx.transport === 'cookie' ? (init.credentials ?? 'include') : init.credentials
    return ctx.fetch(input, credentials === undefined ? { ...init, headers } : { ...init, headers, credentials })
  }

  return async function authFetch(input, init = {}) {
    const { auth = true, ...rest } = init
    if (!auth || !ctx.appliesTo(input)) return ctx.fetch(input, rest)
    await ctx.beforeRequest()
    // A Request's body can be read once: keep a copy for the retry before sending the original.
    const spare = isRequest(input) ? input.clone() : input
    const sentGeneration = ctx.generation()
    const response = await send(input, rest)
    if (response.status !== 401 || isStream(rest.body)) return response
    // A refused login is not an expired token.
    if ((await readErrorCode(response.clone())) === 'invalid_credentials') return response
    if (!(await ctx.afterUnauthorized(sentGeneration))) return response
    return send(spare, rest)
  }
}


function isRequest(input: RequestInfo | URL): input is Request {
  return typeof Request === 'function' && input instanceof Request
}

function isStream(body: BodyInit | null | undefined): boolean {
  return typeof ReadableStream === 'function' && body instanceof ReadableStream
}
