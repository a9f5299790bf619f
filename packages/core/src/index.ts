/**
 * `@auth/core`: keys, access tokens, verification, sessions, the error vocabulary of the SDK, and
 * the building blocks of its HTTP protocol (cookies, bearer credentials, CSRF).
 *
 * This entry runs on every runtime jose runs on (Node, Bun, Deno, browsers, edge): it imports no
 * `node:` module. On Node, `'@auth/core/node'` offers the same verifier with the faster
 * `node:crypto` signature backend.
 *
 * @module @auth/core
 */

// errors
export { AuthError, HTTP_STATUS_BY_CODE, isAuthError } from './errors.js'
export type { AuthErrorBody, AuthErrorCode, AuthErrorOptions, AuthErrorReason, AuthErrorReasons } from './errors.js'

// keys
export { ALGORITHMS, AuthKey, isAlgorithm } from './key/auth-key.js'
export type { Algorithm, AuthKeyInfo, PublicJWK, PublicJWKS } from './key/auth-key.js'
export { exportKey } from './key/export.js'
export { generateKey, generateKeySet } from './key/generate.js'
export type { GenerateKeyOptions } from './key/generate.js'
export { importHmacSecret, importKey } from './key/import.js'
export type { ImportHmacSecretOptions, ImportKeyOptions } from './key/import.js'
export { createKeySet } from './key/key-set.js'
export type { CreateKeySetOptions, KeySet } from './key/key-set.js'

// tokens
export { RESERVED_CLAIMS } from './token/claims.js'
export type { AccessTokenClaims } from './token/claims.js'
export { DEFAULT_ACCESS_TOKEN_TTL_MS, signAccessToken } from './token/sign.js'
export type { SignAccessTokenOptions, SignAccessTokenResult } from './token/sign.js'
export { DEFAULT_CACHE_SIZE, DEFAULT_CLOCK_TOLERANCE_MS, DEFAULT_MAX_TOKEN_LENGTH } from './token/verify.js'
export type { AccessTokenHeader, VerifyAccessTokenResult } from './token/verify.js'

// sessions, refresh rotation, revocation
export { createAuth } from './auth.js'
export {
  DEFAULT_MAX_SESSIONS_PER_USER,
  DEFAULT_MIRROR_BLOCK_MS,
  DEFAULT_MIRROR_STALENESS_MS,
  DEFAULT_REFRESH_GRACE_MS,
  DEFAULT_SESSION_ABSOLUTE_TTL_MS,
  DEFAULT_SESSION_IDLE_TIMEOUT_MS,
  DEFAULT_SESSION_MAX_DATA_BYTES,
  DEFAULT_SESSION_TOUCH_INTERVAL_MS,
} from './auth-defaults.js'
export type { Clock } from './clock.js'
export { SESSION_METADATA_LIMITS } from './session/create-session.js'
export type { Auth, CreateAuthOptions, SessionInfo } from './auth.js'
export type { ClaimsHook } from './auth-context.js'
export type { SecurityEvent, SecurityEventListener } from './events.js'
export type { HealthEvent, HealthEventListener, StoreOperation } from './health.js'
export type { TokenLoginResult, TokenResult } from './refresh/issue-tokens.js'
export type { RevocationStrategy } from './revocation/strategy.js'
export type { LoginOptions, LoginResult, SessionLoginResult } from './session/create-session.js'
export type { UpdateSessionDataOptions } from './session/session-access.js'

// the store contract
export type {
  AuthStore,
  CreateSessionOptions,
  CreateSessionResult,
  DeniedToken,
  LogoutAllResult,
  FeedEntry,
  ReadFeedOptions,
  ReadFeedResult,
  RefreshState,
  RevocationEvent,
  RevocationState,
  SessionMetadata,
  SessionPatch,
  SessionRecord,
  SessionRef,
  UpdateCondition,
  UpdateSessionResult,
} from './store.js'

// verification
export { webCryptoBackend } from './crypto/web.js'
export type { SignatureBackend } from './crypto/backend.js'
export {
  DEFAULT_JWKS_CACHE_MAX_AGE_MS,
  DEFAULT_JWKS_COOLDOWN_MS,
  DEFAULT_JWKS_MAX_BACKOFF_MS,
  DEFAULT_JWKS_MAX_RESPONSE_BYTES,
  DEFAULT_JWKS_TIMEOUT_MS,
} from './key/remote-jwks.js'
export { createVerifier } from './verifier.js'
export type { CreateVerifierOptions, RemoteJwksOptions, Verifier } from './verifier.js'

// http
export { MAX_COOKIE_HEADER_LENGTH, parseCookieHeader } from './http/cookie-header.js'
export type { ParseCookieHeaderResult } from './http/cookie-header.js'
export { serializeClearCookie, serializeCookie } from './http/set-cookie.js'
export type { CookieAttributes, SameSite, SerializeCookieOptions } from './http/set-cookie.js'
export { createCookiePolicy, DEFAULT_COOKIE_NAME, DEFAULT_REFRESH_COOKIE_PATH } from './http/cookie-policy.js'
export type { AuthCookieKind, CookiePolicy, CreateCookiePolicyOptions, ReadAuthCookiesResult } from './http/cookie-policy.js'
export { parseBearer } from './http/bearer.js'
export type { ParseBearerResult } from './http/bearer.js'
export { formatBearerChallenge, toBearerError } from './http/bearer-challenge.js'
export type { BearerError, BearerFailure, FormatBearerChallengeOptions } from './http/bearer-challenge.js'
export { checkCsrf, createCsrfPolicy } from './http/csrf.js'
export type { CheckCsrfResult, CreateCsrfPolicyOptions, CsrfPolicy, CsrfRequest } from './http/csrf.js'
export { createAuthHttp, DEFAULT_AUTH_PREFIX, DEFAULT_JWKS_PATH } from './http/auth-http.js'
export type { AuthHttp, CreateAuthHttpOptions, HttpLoginOptions } from './http/auth-http.js'
export { MAX_AUTHORIZATION_LENGTH } from './http/authenticate.js'
export type { AuthenticateResult } from './http/authenticate.js'
export type { AuthHttpRequest, AuthHttpResponse, AuthPrincipal, HeaderValue, HttpTransport, RequireAuthOptions } from './http/exchange.js'
export { DEFAULT_MAX_BODY_BYTES } from './http/json-body.js'
export type { AuthHttpRoute } from './http/routes.js'
export { loginResponseSchema } from './http/schemas.js'
export type { JsonSchema } from './http/schemas.js'
export { createFetchHandler, toAuthRequest, toFetchResponse } from './http/fetch-bridge.js'
export type { FetchAuthenticateResult, FetchAuthHandler, ToAuthRequestOptions } from './http/fetch-bridge.js'
