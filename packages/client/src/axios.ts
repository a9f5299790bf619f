/**
 * `@auth/client/axios`: the rules of {@link AuthClient.fetch} as axios interceptors, for an app
 * that calls its API through axios. axios is not a dependency of `@auth/client`: this entry only
 * touches the instance it is given.
 *
 * | step | what happens |
 * |---|---|
 * | `skipAuth: true`, or a URL of another origin | untouched: no credential, no refresh, no retry |
 * | request interceptor | wait for a refresh in flight, or start one when the token expires within the margin; bearer: `Authorization: Bearer …`; cookie: `withCredentials` (unless set) |
 * | 401 `invalid_credentials` | rejected as it is: a refused login is not an expired token |
 * | 401, and the generation moved on since sending | sent once more at once: another refresh already replaced the token |
 * | 401 under the current generation | refresh (single-flight with `client.fetch` and the other tabs), then sent once more |
 * | a 401 of a request already sent twice, the refresh refused, or the breaker open | rejected with the 401 `AxiosError` |
 * | the refresh failed (network, 5xx, 429) | rejected with `AuthClientError` `refresh_failed` |
 *
 * A stream body (Node `Readable`, `ReadableStream`) cannot be sent twice: such a request gets no
 * retry.
 *
 * Exported from `'@auth/client/axios'`.
 *
 * @module
 */
import type { AxiosError, AxiosInstance, InternalAxiosRequestConfig } from 'axios'
import { REQUEST_AUTH, type RequestAuth } from './auth-fetch.js'
import type { AuthClient } from './options.js'
import { errorCodeOf } from './token-response.js'

declare module 'axios' {
  interface AxiosRequestConfig {
    /**
     * `true` sends the request untouched by `@auth/client`: no credential, no refresh, no retry
     * (what `auth: false` does for `client.fetch`; axios's own `auth` is HTTP Basic).
     */
    skipAuth?: boolean
  }
}

// String keys, since axios copies a config's own string keys when it sends it again.
const GENERATION = '@auth/client:generation'
const RETRIED = '@auth/client:retried'
type TaggedConfig = InternalAxiosRequestConfig & { [GENERATION]?: number; [RETRIED]?: true }

/**
 * Adds `client`'s interceptors to an axios instance: every request to the API (the client's
 * `baseUrl`) or to the page's own origin waits for a fresh token and carries the credential; a
 * 401 is answered by one refresh and one retry, exactly as with `client.fetch`. Returns the
 * function that removes them again.
 *
 * Exported from `'@auth/client/axios'`.
 *
 * @example
 * ```ts
 * import axios from 'axios'
 * import { createAuthClient } from '@auth/client'
 * import { addAuthInterceptors } from '@auth/client/axios'
 *
 * const auth = createAuthClient({ transport: 'cookie' })
 * const api = axios.create({ baseURL: '/api' })
 * addAuthInterceptors(api, auth)
 *
 * const { data } = await api.get('/me') // refreshed first if needed, retried once after a 401
 * await api.get('/status', { skipAuth: true }) // sent untouched
 * ```
 *
 * @param instance - the axios instance (`axios.create()`, or the default `axios`)
 * @param client - a client made by `createAuthClient` of `'@auth/client'`
 * @returns the function that ejects both interceptors
 * @throws TypeError when `client` is not made by `createAuthClient`
 */
export function addAuthInterceptors(instance: AxiosInstance, client: AuthClient): () => void {
  const auth = (client as AuthClient & { [REQUEST_AUTH]?: RequestAuth })[REQUEST_AUTH]
  if (!auth) throw new TypeError('addAuthInterceptors: not a client of createAuthClient')
  const request = instance.interceptors.request.use(async (config: TaggedConfig) => {
    if (config.skipAuth || !auth.appliesTo(fullUrl(config))) return config
    const [generation, token] = await auth.prepare()
    config[GENERATION] = generation
    if (token) config.headers.set('Authorization', `Bearer ${token}`)
    if (auth.transport === 'cookie') config.withCredentials ??= true
    return config
  })
  const response = instance.interceptors.response.use(undefined, async (error: unknown) => {
    const { config, response } = (error ?? {}) as AxiosError & { config?: TaggedConfig }
    const generation = config?.[GENERATION]
    if (response?.status !== 401 || generation === undefined || config![RETRIED] || isStream(config!.data)) throw error
    if (!(await auth.shouldRetry(generation, errorCodeOf(typeof response.data === 'string' ? parseJson(response.data) : response.data)))) throw error
    return instance.request({ ...config, [RETRIED]: true } as TaggedConfig)
  })
  return () => {
    instance.interceptors.request.eject(request)
    instance.interceptors.response.eject(response)
  }
}

/** The URL axios will request: `url` on top of `baseURL` unless absolute, as axios's `buildFullPath` does. */
function fullUrl({ baseURL, url = '' }: InternalAxiosRequestConfig): string {
  return baseURL && !/^([a-z][a-z\d+.-]*:)?\/\//i.test(url) ? `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : url
}

function isStream(data: unknown): boolean {
  return (typeof ReadableStream === 'function' && data instanceof ReadableStream) || typeof (data as { pipe?: unknown } | null)?.pipe === 'function'
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
