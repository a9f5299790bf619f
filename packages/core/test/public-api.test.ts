/**
 * The value exports of every entry point, pinned: adding, removing or renaming a public symbol is
 * a visible diff here (the types are pinned in public-api.test-d.ts).
 */
import * as core from '@auth/core'
import * as errors from '@auth/core/errors'
import * as node from '@auth/core/node'
import * as store from '@auth/core/store'
import * as testing from '@auth/core/testing'
import { expect, it } from 'vitest'

const names = (entry: object) => Object.keys(entry).sort()

it('exports exactly these values from each entry point', () => {
  expect({
    '@auth/core': names(core),
    '@auth/core/errors': names(errors),
    '@auth/core/node': names(node),
    '@auth/core/store': names(store),
    '@auth/core/testing': names(testing),
  }).toMatchInlineSnapshot(`
    {
      "@auth/core": [
        "ALGORITHMS",
        "AuthError",
        "AuthKey",
        "DEFAULT_ACCESS_TOKEN_TTL_MS",
        "DEFAULT_AUTH_PREFIX",
        "DEFAULT_CACHE_SIZE",
        "DEFAULT_CLOCK_TOLERANCE_MS",
        "DEFAULT_COOKIE_NAME",
        "DEFAULT_JWKS_CACHE_MAX_AGE_MS",
        "DEFAULT_JWKS_COOLDOWN_MS",
        "DEFAULT_JWKS_MAX_BACKOFF_MS",
        "DEFAULT_JWKS_MAX_RESPONSE_BYTES",
        "DEFAULT_JWKS_PATH",
        "DEFAULT_JWKS_TIMEOUT_MS",
        "DEFAULT_MAX_BODY_BYTES",
        "DEFAULT_MAX_SESSIONS_PER_USER",
        "DEFAULT_MAX_TOKEN_LENGTH",
        "DEFAULT_MIRROR_BLOCK_MS",
        "DEFAULT_MIRROR_STALENESS_MS",
        "DEFAULT_REFRESH_COOKIE_PATH",
        "DEFAULT_REFRESH_GRACE_MS",
        "DEFAULT_SESSION_ABSOLUTE_TTL_MS",
        "DEFAULT_SESSION_IDLE_TIMEOUT_MS",
        "DEFAULT_SESSION_MAX_DATA_BYTES",
        "DEFAULT_SESSION_TOUCH_INTERVAL_MS",
        "HTTP_STATUS_BY_CODE",
        "MAX_AUTHORIZATION_LENGTH",
        "MAX_COOKIE_HEADER_LENGTH",
        "RESERVED_CLAIMS",
        "SESSION_METADATA_LIMITS",
        "checkCsrf",
        "createAuth",
        "createAuthHttp",
        "createCookiePolicy",
        "createCsrfPolicy",
        "createFetchHandler",
        "createKeySet",
        "createVerifier",
        "exportKey",
        "formatBearerChallenge",
        "generateKey",
        "generateKeySet",
        "importHmacSecret",
        "importKey",
        "isAlgorithm",
        "isAuthError",
        "loginResponseSchema",
        "parseBearer",
        "parseCookieHeader",
        "serializeClearCookie",
        "serializeCookie",
        "signAccessToken",
        "toAuthRequest",
        "toBearerError",
        "toFetchResponse",
        "webCryptoBackend",
      ],
      "@auth/core/errors": [
        "AuthError",
        "HTTP_STATUS_BY_CODE",
        "isAuthError",
      ],
      "@auth/core/node": [
        "applyNodeHeaders",
        "createAuth",
        "createNodeHandler",
        "createNodeRequestMapper",
        "createRequestState",
        "createVerifier",
        "fromNodeRequest",
        "nodeCryptoBackend",
        "sendNodeResponse",
      ],
      "@auth/core/store": [
        "assertDeniedToken",
      ],
      "@auth/core/testing": [
        "describeAdapter",
        "describeAuthFlows",
        "describeAuthStore",
        "makeSessionRecord",
      ],
    }
  `)
})

it('isAuthError matches a code when given one, also for a copy from another package instance', () => {
  const error = new core.AuthError('token_expired', { reason: 'max_age' })
  const copy = { name: 'AuthError', code: 'token_expired', status: 401, reason: 'max_age' }
  expect(core.isAuthError(error)).toBe(true)
  expect(core.isAuthError(error, 'token_expired')).toBe(true)
  expect(core.isAuthError(error, 'token_invalid')).toBe(false)
  expect(core.isAuthError(copy, 'token_expired')).toBe(true)
  expect(core.isAuthError(copy, 'session_expired')).toBe(false)
  expect(core.isAuthError({ name: 'AuthError', code: 'made_up' })).toBe(false)
  expect(core.isAuthError(new Error('token_expired'), 'token_expired')).toBe(false)
})
