/**
 * createAuth's configuration checks (no store traffic: construction only). The behaviour of
 * createAuth on real stores is the `describeAuthFlows` suite, run by every store package.
 */
import {
  type AuthStore,
  createAuth,
  type CreateAuthOptions,
  createKeySet,
  generateKey,
  generateKeySet,
  importKey,
  type PublicJWK,
} from '@auth/core'
import { afterEach, describe, expect, it, vi } from 'vitest'

// Construction must not touch the store: every method throws if called.
const untouchable = new Proxy({ name: 'untouchable' } as AuthStore, {
  get(target, property) {
    if (property === 'name') return target.name
    return () => {
      throw new Error(`store.${String(property)} called during construction`)
    }
  },
})

const base = async (): Promise<CreateAuthOptions> => ({
  store: untouchable,
  keys: await generateKeySet(),
  issuer: 'https://auth.example.test',
  audience: 'https://api.example.test',
})

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('createAuth', () => {
  it.each([
    ['no store', { store: undefined }],
    ['a store without the contract', { store: {} }],
    ['no keys', { keys: undefined }],
    ['no issuer', { issuer: '' }],
    ['no audience', { audience: undefined }],
    ['an unknown strategy', { revocation: 'sometimes' }],
    ['a zero access-token TTL', { accessTokenTtlMs: 0 }],
    ['an access-token TTL under a second', { accessTokenTtlMs: 999 }],
    ['a negative grace', { refreshGraceMs: -1 }],
    ['a weak secret', { secret: 'password'.repeat(8) }],
    ['a short secret', { secret: new Uint8Array(16) }],
    ['the plain-text secret "abcdefghijklmnopqrstuvwxyz012345"', { secret: 'abcdefghijklmnopqrstuvwxyz012345' }],
    ['the plain-text secret "The quick brown fox jumps over the lazy dog"', { secret: 'The quick brown fox jumps over the lazy dog' }],
    ['the plain-text secret "my-super-secret-jwt-signing-key-for-production"', { secret: 'my-super-secret-jwt-signing-key-for-production' }],
    ['a plain-text secret given as bytes', { secret: new TextEncoder().encode('my-super-secret-jwt-signing-key-for-production') }],
    ['an idle timeout under a minute', { session: { idleTimeoutMs: 59_999 } }],
    ['an option in seconds under its old name (accessTokenTtl)', { accessTokenTtl: 900 }],
    ['an option in seconds under its old name (session.idleTimeout)', { session: { idleTimeout: 3600 } }],
    ['an unknown option', { revocations: 'strict' }],
    ['an unknown mirror option', { mirror: { staleness: 5000 } }],
    ['a mirror block longer than half its staleness bound', { revocation: 'mirror', mirror: { stalenessMs: 100, blockMs: 80 } }],
  ])('refuses %s with a TypeError', async (_name, override) => {
    const options = { ...(await base()), ...(override as object) } as CreateAuthOptions
    expect(() => createAuth(options)).toThrow(TypeError)
  })

  it('says how to make a secret when it refuses plain text', async () => {
    const options = { ...(await base()), secret: 'The quick brown fox jumps over the lazy dog' }
    // The advice of importHmacSecret (an HS256 key from generateKey) is not for this secret.
    expect(() => createAuth(options)).toThrow(/^createAuth: secret refused: [^\n]*\. Generate one with `openssl rand -base64 32`\.$/)
  })

  it('accepts `openssl rand -base64 32` output and hex of 32 random bytes as the secret', async () => {
    for (const secret of [Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'), Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')]) {
      const auth = createAuth({ ...(await base()), secret })
      await auth.close()
    }
  })

  it('refuses a key set that cannot sign', async () => {
    const key = await generateKey()
    const publicOnly = createKeySet([await importKey(key.publicJwk() as PublicJWK)])
    const options = { ...(await base()), keys: publicOnly }
    expect(() => createAuth(options)).toThrow(/signing key/)
  })

  it('accepts a strong secret and touches no store method while being built', async () => {
    const options = { ...(await base()), secret: crypto.getRandomValues(new Uint8Array(32)) }
    const auth = createAuth(options)
    expect(auth.revocation).toBe('strict')
    expect(auth.jwks().keys).toHaveLength(1)
    await auth.close()
  })

  it('warns once in production when no secret is set, and not when one is', async () => {
    vi.stubEnv('NODE_ENV', 'production')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const withSecret = { ...(await base()), secret: crypto.getRandomValues(new Uint8Array(32)) }
    const without = await base()
    createAuth(withSecret)
    expect(warn).not.toHaveBeenCalled()
    createAuth(without)
    createAuth(without)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toMatch(/secret/)
  })
})
