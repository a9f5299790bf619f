/**
 * The public types, pinned: a change to any of them is a visible diff here (vitest typecheck).
 */
import type {
  AccessTokenClaims,
  Auth,
  AuthErrorCode,
  AuthErrorReason,
  AuthStore,
  Clock,
  SessionLoginResult,
  CreateAuthOptions,
  CreateSessionOptions,
  CreateVerifierOptions,
  CreateSessionResult,
  DeniedToken,
  HealthEvent,
  HealthEventListener,
  LoginResult,
  LogoutAllResult,
  ReadFeedOptions,
  ReadFeedResult,
  RevocationEvent,
  RevocationState,
  SecurityEvent,
  SessionPatch,
  SessionRecord,
  SessionRef,
  StoreOperation,
  TokenLoginResult,
  TokenResult,
  UpdateCondition,
  UpdateSessionResult,
  Verifier,
  VerifyAccessTokenResult,
} from '@auth/core'
import { AuthError, createAuth, createVerifier, isAuthError } from '@auth/core'
import type { assertDeniedToken } from '@auth/core/store'
import { describe, expectTypeOf, it } from 'vitest'

describe('errors', () => {
  it('AuthError carries a code from the closed union, and its status', () => {
    expectTypeOf<AuthError['code']>().toEqualTypeOf<AuthErrorCode>()
    expectTypeOf<AuthErrorCode>().toEqualTypeOf<
      | 'bad_request'
      | 'invalid_credentials'
      | 'token_missing'
      | 'token_invalid'
      | 'token_expired'
      | 'token_revoked'
      | 'session_revoked'
      | 'session_expired'
      | 'refresh_invalid'
      | 'refresh_reused'
      | 'csrf_rejected'
      | 'forbidden'
      | 'not_found'
      | 'method_not_allowed'
      | 'conflict'
      | 'payload_too_large'
      | 'unsupported_media_type'
      | 'jwks_unavailable'
      | 'store_unavailable'
    >()
    expectTypeOf<AuthError['status']>().toEqualTypeOf<number>()
  })

  it('types the reason per code, at the throw and after isAuthError(error, code)', () => {
    expectTypeOf(new AuthError('token_expired', { reason: 'max_age' })).toEqualTypeOf<AuthError<'token_expired'>>()
    expectTypeOf<AuthError<'token_expired'>['reason']>().toEqualTypeOf<'exp' | 'max_age' | undefined>()
    expectTypeOf<AuthErrorReason<'refresh_invalid'>>().toEqualTypeOf<'malformed' | 'tag' | 'ended' | 'transport' | 'secret_changed' | 'unknown'>()
    expectTypeOf<AuthErrorReason<'session_expired'>>().toEqualTypeOf<never>()
    expectTypeOf<AuthErrorReason<'store_unavailable'>>().toEqualTypeOf<string>()
    // @ts-expect-error: not a reason of token_expired
    new AuthError('token_expired', { reason: 'signature' })
    const error: unknown = new AuthError('token_expired', { reason: 'exp' })
    if (isAuthError(error, 'token_expired')) expectTypeOf(error.reason).toEqualTypeOf<'exp' | 'max_age' | undefined>()
    if (isAuthError(error)) expectTypeOf(error.code).toEqualTypeOf<AuthErrorCode>()
  })
})

describe('createAuth', () => {
  it('takes the options and answers an Auth', () => {
    expectTypeOf(createAuth).parameters.toEqualTypeOf<[CreateAuthOptions]>()
    expectTypeOf(createAuth).returns.toEqualTypeOf<Auth>()
    expectTypeOf<CreateAuthOptions['clock']>().toEqualTypeOf<Clock | undefined>()
    expectTypeOf<Clock>().toEqualTypeOf<() => number>()
    expectTypeOf<CreateAuthOptions['revocation']>().toEqualTypeOf<'expiry' | 'strict' | 'mirror' | undefined>()
    expectTypeOf<NonNullable<CreateAuthOptions['session']>>().toEqualTypeOf<{
      absoluteTtlMs?: number
      idleTimeoutMs?: number
      touchIntervalMs?: number
      maxDataBytes?: number
      maxPerUser?: number
    }>()
  })

  it('answers a login in the transport asked for', () => {
    const auth = {} as Auth
    expectTypeOf(auth.login({ sub: 'u' })).resolves.toEqualTypeOf<TokenLoginResult>()
    expectTypeOf(auth.login({ sub: 'u', transport: 'session' })).resolves.toEqualTypeOf<SessionLoginResult>()
    expectTypeOf(auth.login({ sub: 'u', transport: 'tokens' as 'tokens' | 'session' })).resolves.toEqualTypeOf<LoginResult>()
    expectTypeOf<LoginResult>().toEqualTypeOf<TokenLoginResult | SessionLoginResult>()
    expectTypeOf(auth.refresh('t')).resolves.toEqualTypeOf<TokenResult>()
    expectTypeOf(auth.logoutAll('u')).resolves.toEqualTypeOf<LogoutAllResult>()
    expectTypeOf<TokenResult>().toEqualTypeOf<{
      accessToken: string
      accessTokenExpiresAt: number
      refreshToken: string
      refreshTokenExpiresAt: number
      expiresIn: number
      sessionId: string
    }>()
  })

  it('types application claims through verifyAccessToken and Verifier.verify', () => {
    type AppClaims = { role: 'admin' | 'member' }
    const auth = {} as Auth
    const verifier = createVerifier({ issuer: 'i', audience: 'a', jwks: 'https://x.test/jwks.json' })
    expectTypeOf(verifier).toEqualTypeOf<Verifier>()
    expectTypeOf(auth.verifyAccessToken<AppClaims>('t')).resolves.toEqualTypeOf<VerifyAccessTokenResult<AppClaims>>()
    expectTypeOf(verifier.verify<AppClaims>('t')).resolves.toEqualTypeOf<VerifyAccessTokenResult<AppClaims>>()
    expectTypeOf<VerifyAccessTokenResult<AppClaims>['claims']>().toEqualTypeOf<AccessTokenClaims<AppClaims>>()
    expectTypeOf<AccessTokenClaims<AppClaims>['role']>().toEqualTypeOf<'admin' | 'member'>()
    expectTypeOf<AccessTokenClaims['sub']>().toEqualTypeOf<string>()
    expectTypeOf<AccessTokenClaims['exp']>().toEqualTypeOf<number>()
  })

  it('has no store on the Auth object (a direct call would skip the mirror and the events)', () => {
    expectTypeOf<Auth>().not.toHaveProperty('store')
  })

  it('names the security events', () => {
    expectTypeOf<SecurityEvent['type']>().toEqualTypeOf<'refresh_reused' | 'session_evicted' | 'logout_all'>()
  })

  it('names the health events, narrows on type, and names operations after Auth methods', () => {
    expectTypeOf<HealthEvent['type']>().toEqualTypeOf<
      'store_error' | 'store_down' | 'store_recovered' | 'mirror_stale' | 'mirror_recovered' | 'jwks_error' | 'jwks_recovered'
    >()
    expectTypeOf<Extract<HealthEvent, { type: 'store_error' }>['operation']>().toEqualTypeOf<StoreOperation>()
    expectTypeOf<Extract<HealthEvent, { type: 'mirror_stale' }>['reason']>().toEqualTypeOf<'feed_silent' | 'feed_gap'>()
    expectTypeOf<Exclude<StoreOperation, 'mirrorFeed' | 'trimFeed'>>().toExtend<keyof Auth>()
    expectTypeOf<Auth['onHealthEvent']>().toEqualTypeOf<(listener: HealthEventListener) => () => void>()
    expectTypeOf<CreateAuthOptions['onHealthEvent']>().toEqualTypeOf<HealthEventListener | undefined>()
    expectTypeOf<CreateVerifierOptions['onHealthEvent']>().toEqualTypeOf<HealthEventListener | undefined>()
  })
})

describe('the store contract', () => {
  it('keeps its primitives and their signatures', () => {
    expectTypeOf<AuthStore['createSession']>().toEqualTypeOf<
      (record: SessionRecord, now: number, options?: CreateSessionOptions) => Promise<CreateSessionResult>
    >()
    expectTypeOf<AuthStore['getSession']>().toEqualTypeOf<(ref: SessionRef, now: number) => Promise<SessionRecord | null>>()
    expectTypeOf<AuthStore['updateSession']>().toEqualTypeOf<
      (ref: SessionRef, condition: UpdateCondition, patch: SessionPatch, now: number) => Promise<UpdateSessionResult>
    >()
    expectTypeOf<AuthStore['endSession']>().toEqualTypeOf<(ref: SessionRef, now: number) => Promise<SessionRecord | null>>()
    expectTypeOf<AuthStore['logoutAll']>().toEqualTypeOf<(sub: string, now: number) => Promise<LogoutAllResult>>()
    expectTypeOf<AuthStore['listSessions']>().toEqualTypeOf<(sub: string, now: number) => Promise<SessionRecord[]>>()
    expectTypeOf<AuthStore['getUserVersion']>().toEqualTypeOf<(sub: string) => Promise<number>>()
    expectTypeOf<AuthStore['denyToken']>().toEqualTypeOf<(token: DeniedToken, now: number) => Promise<void>>()
    expectTypeOf<AuthStore['getRevocationState']>().toEqualTypeOf<
      (query: { sub: string; sid: string; jti: string }, now: number) => Promise<RevocationState>
    >()
    expectTypeOf<AuthStore['readFeed']>().toEqualTypeOf<(options: ReadFeedOptions) => Promise<ReadFeedResult>>()
    expectTypeOf<AuthStore['trimFeed']>().toEqualTypeOf<(before: number) => Promise<void>>()
    expectTypeOf<AuthStore['close']>().toEqualTypeOf<() => Promise<void>>()
  })

  it('keeps the record in milliseconds, durations with an Ms suffix', () => {
    expectTypeOf<SessionRecord>().toHaveProperty('idleTimeoutMs').toEqualTypeOf<number>()
    expectTypeOf<SessionRecord>().not.toHaveProperty('idleTimeout')
    expectTypeOf<DeniedToken>().toEqualTypeOf<{ readonly sub: string; readonly jti: string; readonly expiresAt: number }>()
  })

  it('scopes every revocation event to a user', () => {
    expectTypeOf<RevocationEvent['sub']>().toEqualTypeOf<string>()
    expectTypeOf<RevocationEvent['type']>().toEqualTypeOf<'session' | 'user' | 'token'>()
  })

  it('offers assertDeniedToken to store implementations from @auth/core/store', () => {
    expectTypeOf<typeof assertDeniedToken>().toEqualTypeOf<(token: unknown) => asserts token is DeniedToken>()
  })
})
