/**
 * Test fixtures: keys for every algorithm, verifiers on both backends, and a raw signer that
 * produces tokens with any header and payload bytes (the attacker's tool).
 */
import { createHmac, createPrivateKey, sign as nodeSign } from 'node:crypto'
import {
  type Algorithm,
  AuthError,
  type AuthKey,
  createKeySet,
  createVerifier as createWebVerifier,
  type CreateVerifierOptions,
  generateKey,
  type KeySet,
  signAccessToken,
  type Verifier,
} from '@auth/core'
import { createVerifier as createNodeVerifier, nodeCryptoBackend } from '@auth/core/node'
import { expect } from 'vitest'
import type { RevocationCheck } from '../src/token/verify.js'
import { createRevocationVerifier } from '../src/verifier.js'

export const ISSUER = 'https://auth.example.com'
export const AUDIENCE = 'https://api.example.com'
export const NOW = 1_800_000_000_000 // fixed clock, ms
export const clock = () => NOW

export const ALGS: Algorithm[] = ['ES256', 'EdDSA', 'RS256', 'HS256']

const keyCache = new Map<Algorithm, Promise<AuthKey>>()
/** One key per algorithm, generated once per test file. */
export function keyFor(alg: Algorithm): Promise<AuthKey> {
  let key = keyCache.get(alg)
  if (!key) {
    key = generateKey({ alg, kid: `${alg.toLowerCase()}-key` })
    keyCache.set(alg, key)
  }
  return key
}

export async function keySetFor(alg: Algorithm): Promise<KeySet> {
  return createKeySet([await keyFor(alg)])
}

export const BACKENDS = {
  node: createNodeVerifier,
  web: createWebVerifier,
} as const
export type BackendName = keyof typeof BACKENDS

export function verifierFor(
  backend: BackendName,
  jwks: KeySet,
  options: Partial<CreateVerifierOptions> = {},
  revocation?: RevocationCheck,
): Verifier {
  const settings = { issuer: ISSUER, audience: AUDIENCE, jwks, clock, ...options }
  if (revocation === undefined) return BACKENDS[backend](settings)
  // The revocation hook is createAuth's, not public: build the verifier the way createAuth does.
  return createRevocationVerifier({ ...(backend === 'node' ? { backend: nodeCryptoBackend } : {}), ...settings }, revocation)
}

export async function validToken(alg: Algorithm, overrides: { ttlMs?: number; claims?: Record<string, unknown> } = {}) {
  return (
    await signAccessToken(await keyFor(alg), {
      issuer: ISSUER,
      audience: AUDIENCE,
      sub: 'user-1',
      sid: 'session-1',
      ver: 3,
      clock,
      ...overrides,
    })
  ).token
}

/** The claims a valid token carries at NOW. */
export function baseClaims(): Record<string, unknown> {
  const now = Math.floor(NOW / 1000)
  return { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', sid: 'session-1', jti: 'jti-1', iat: now, exp: now + 900, ver: 0 }
}

export const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64url')

/**
 * Signs `header` and `payload` exactly as given (objects are JSON-encoded, strings taken as the
 * raw payload text) with `key`'s private material, or with an HMAC secret, or not at all.
 */
export function forge(
  header: unknown,
  payload: unknown,
  signer: { key: AuthKey } | { hmac: Uint8Array | string } | 'none',
): string {
  const h = typeof header === 'string' ? header : JSON.stringify(header)
  const p = typeof payload === 'string' ? payload : JSON.stringify(payload)
  const input = `${b64(h)}.${b64(p)}`
  if (signer === 'none') return `${input}.`
  if ('hmac' in signer) return `${input}.${createHmac('sha256', signer.hmac).update(input).digest('base64url')}`
  const key = signer.key
  const secret = key.secret()
  if (secret) return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
  const privateKey = createPrivateKey({ key: key.privateJwk() as never, format: 'jwk' })
  const data = Buffer.from(input)
  const signature =
    key.alg === 'ES256'
      ? nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : nodeSign(key.alg === 'EdDSA' ? null : 'sha256', data, privateKey)
  return `${input}.${signature.toString('base64url')}`
}

export function headerFor(key: AuthKey, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...extra }
}

/** Asserts that `promise` rejects with an AuthError of `code` (and nothing else ever escapes). */
export async function expectAuthError(promise: Promise<unknown>, code: string): Promise<AuthError> {
  let caught: unknown
  try {
    await promise
  } catch (error) {
    caught = error
  }
  expect(caught, 'expected a rejection').toBeDefined()
  expect(caught).toBeInstanceOf(AuthError)
  expect((caught as AuthError).code).toBe(code)
  return caught as AuthError
}
