/**
 * `client.fetch`: the platform's `fetch` with the credential attached and at most one retry.
 * The rules themselves are the client's {@link RequestAuth}, which `@auth/client/axios` applies
 * to axios in the same way.
 *
 * | step | what happens |
 * |---|---|
 * | `auth: false`, or a URL of another origin | plain `fetch`, untouched (a bearer token never leaves for a third party) |
 * | before sending | wait for a refresh in flight, or start one when the token expires within the margin |
 * | the session ended while waiting | reject with `signed_out` |
 * | sending | bearer: `Authorization: Bearer …` from memory; cookie: `credentials: 'include'` |
 * | 401 `invalid_credentials` | the response as it is: a refused login is not an expired token |
 * | 401, and the generation moved on since sending | retry at once: another refresh already replaced the token (none if it was a logout) |
 * | 401 under the current generation | refresh (single-flight), then retry once |
 * | the refresh was refused, or the breaker is open | the original 401 response |
 * | the refresh failed (network, 5xx, 429) | reject with `refresh_failed`: not a 401, since the user is still signed in |
 *
 * A `ReadableStream` body cannot be sent twice: such a request gets no retry.
 *
 * The code is in the client's closure (`create-auth-client.ts`, for size: see its header); this
 * module holds the types and the symbol.
 *
 * @module
 */
/** The second argument of {@link AuthClient.fetch}: `RequestInit` plus the client's own options. */
export interface AuthRequestInit extends RequestInit {
  /** `false` sends the request untouched: no credential, no refresh, no retry. Default `true`. */
  auth?: boolean
}

/**
 * @internal The request rules of a client, shared by `client.fetch` and the axios interceptors,
 * found on the client under {@link REQUEST_AUTH}.
 */
export interface RequestAuth {
  transport: 'cookie' | 'bearer'
  /** Whether a request to this URL gets the credential (the API's origin or the page's own). */
  appliesTo(input: RequestInfo | URL): boolean
  /**
   * Waits for a fresh token (rejects with `signed_out` when the session ended meanwhile);
   * resolves with the generation the request goes out under and the bearer token, if any.
   */
  prepare(): Promise<[generation: number, token: string | undefined]>
  /** After a 401 (with the server's error `code`) of a request sent under `generation`: whether to send it once more. */
  shouldRetry(generation: number, code: string | undefined): Promise<boolean>
}

/** @internal Where a client keeps its {@link RequestAuth}: a registered symbol, so two copies of the package agree. */
export const REQUEST_AUTH: unique symbol = Symbol.for('@auth/client:request-auth')
