/**
 * A remote JWKS against a real HTTP server on 127.0.0.1: an issuer that fails (error status,
 * reset, hang) never causes a fetch storm or a hanging request; a huge body is cut off at the
 * cap; a removed key stops verifying from the cache within the refresh interval; entries the
 * verifier cannot use are skipped with a warning. Time is the point here, so the clock is real.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import {
  AuthError,
  type AuthKey,
  createKeySet,
  createVerifier,
  DEFAULT_JWKS_MAX_RESPONSE_BYTES,
  generateKey,
  type HealthEvent,
  type RemoteJwksOptions,
  signAccessToken,
  type Verifier,
} from '@auth/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AUDIENCE, expectAuthError, forge, headerFor, ISSUER, keyFor, NOW, validToken } from './fixtures.js'
import { type JwksServer, type JwksServerMode, startJwksServer } from './jwks-server.js'

const servers: JwksServer[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function serve(keys: AuthKey[], options: { hugeBytes?: number } = {}): Promise<JwksServer> {
  const server = await startJwksServer(createKeySet(keys).jwks(), options)
  servers.push(server)
  return server
}

function remoteVerifier(server: JwksServer, remote: Omit<RemoteJwksOptions, 'fetch'> = {}): Verifier {
  return createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: server.url, remote: { fetch: server.fetch as never, ...remote } })
}

async function tokenOf(key: AuthKey): Promise<string> {
  return (await signAccessToken(key, { issuer: ISSUER, audience: AUDIENCE, sub: 'user-1', sid: 'session-1' })).token
}

/** Tokens signed by `key` but naming random kids, as an attacker (or a confused client) sends them. */
function randomKidTokens(key: AuthKey, count: number): string[] {
  const now = Math.floor(Date.now() / 1000)
  const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', sid: 'session-1', jti: 'j', iat: now, exp: now + 600, ver: 0 }
  return Array.from({ length: count }, () => forge(headerFor(key, { kid: randomUUID() }), claims, { key }))
}

/** Verifies every token, `batch` at a time, and returns each outcome's code and latency. */
async function verifyAll(verifier: Verifier, tokens: string[], batch = 50): Promise<Array<{ code: string; status: number; ms: number }>> {
  const outcomes: Array<{ code: string; status: number; ms: number }> = []
  for (let i = 0; i < tokens.length; i += batch) {
    const settled = await Promise.all(
      tokens.slice(i, i + batch).map(async (token) => {
        const started = performance.now()
        try {
          await verifier.verify(token)
          return { code: 'ok', status: 200, ms: performance.now() - started }
        } catch (error) {
          expect(error).toBeInstanceOf(AuthError)
          return { code: (error as AuthError).code, status: (error as AuthError).status, ms: performance.now() - started }
        }
      }),
    )
    outcomes.push(...settled)
  }
  return outcomes
}

const TIMEOUT = 300
const FAILING: JwksServerMode[] = ['500', 'reset', 'hang']

describe('remote JWKS: an issuer that is down causes no fetch storm and no hanging request', () => {
  it.each(FAILING)(
    'never fetched (%s): 1 000 tokens with random kids → a handful of fetches, each answer a prompt 503 jwks_unavailable',
    async (mode) => {
      const key = await generateKey({ kid: 'current' })
      const server = await serve([key])
      server.mode(mode)
      const verifier = remoteVerifier(server, { timeoutMs: TIMEOUT })
      const outcomes = await verifyAll(verifier, randomKidTokens(key, 1000))
      expect(new Set(outcomes.map((o) => `${o.code} ${o.status}`))).toEqual(new Set(['jwks_unavailable 503']))
      expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(TIMEOUT + 1000)
      // It tried (a fetch was started; under load the 300 ms budget can end one before the server
      // sees it), and only a handful of times.
      expect(server.attempts).toBeGreaterThanOrEqual(1)
      expect(server.attempts).toBeLessThanOrEqual(3)
      expect(server.requests).toBeLessThanOrEqual(server.attempts)
      // A token of the real key is refused the same way: the set could hold its kid (fail closed).
      const error = await expectAuthError(verifier.verify(await tokenOf(key)), 'jwks_unavailable')
      expect(error.retryAfter).toBeGreaterThan(0)
    },
  )

  it.each(FAILING)(
    'fetched once, then down (%s) past the cooldown and the max age: 1 000 random kids → a handful of fetches, prompt 503s; known keys keep verifying',
    async (mode) => {
      const key = await generateKey({ kid: 'current' })
      const server = await serve([key])
      const verifier = remoteVerifier(server, { timeoutMs: TIMEOUT, cooldownMs: 50, cacheMaxAgeMs: 100 })
      const token = await tokenOf(key)
      await expect(verifier.verify(token)).resolves.toBeDefined()
      expect(server.requests).toBe(1)
      server.mode(mode)
      await delay(150) // past the cooldown and the max age of the set
      const outcomes = await verifyAll(verifier, randomKidTokens(key, 1000))
      // The set held may be out of date, so an unknown kid may be in the current one: 503, not 401.
      expect(new Set(outcomes.map((o) => `${o.code} ${o.status}`))).toEqual(new Set(['jwks_unavailable 503']))
      expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(TIMEOUT + 1000)
      expect(server.requests - 1).toBeGreaterThanOrEqual(1)
      expect(server.requests - 1).toBeLessThanOrEqual(3)
      // The keys already held keep verifying while the issuer is down.
      await expect(verifier.verify(token)).resolves.toBeDefined()
      await expect(verifier.verify(await tokenOf(key))).resolves.toBeDefined()
    },
  )

  it('fetched and healthy: an unknown kid within the cooldown is a 401 token_invalid without a fetch', async () => {
    const key = await generateKey({ kid: 'current' })
    const server = await serve([key])
    const verifier = remoteVerifier(server)
    await expect(verifier.verify(await tokenOf(key))).resolves.toBeDefined()
    const outcomes = await verifyAll(verifier, randomKidTokens(key, 200))
    expect(new Set(outcomes.map((o) => `${o.code} ${o.status}`))).toEqual(new Set(['token_invalid 401']))
    expect(server.requests).toBe(1)
  })

  it('keeps one fetch in flight: 200 concurrent first tokens share it', async () => {
    const key = await generateKey({ kid: 'current' })
    const server = await serve([key])
    const verifier = remoteVerifier(server)
    const tokens = await Promise.all(Array.from({ length: 200 }, () => tokenOf(key)))
    await Promise.all(tokens.map((token) => expect(verifier.verify(token)).resolves.toBeDefined()))
    expect(server.requests).toBe(1)
  })

  it('doubles the wait after each failure in a row, with jitter, up to maxBackoffMs (injected clock)', async () => {
    const key = await keyFor('ES256')
    const server = await serve([key])
    server.mode('500')
    let time = NOW
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: server.url,
      clock: () => time,
      remote: { fetch: server.fetch as never, cooldownMs: 0, maxBackoffMs: 8_000 },
    })
    const token = await validToken('ES256')
    // A base of 1 s, doubling, capped at 8 s: the n-th wait is drawn between half and all of these.
    const ceilings = [1_000, 2_000, 4_000, 8_000, 8_000]
    for (const ceiling of ceilings) {
      const before = server.requests
      const error = await expectAuthError(verifier.verify(token), 'jwks_unavailable')
      expect(server.requests).toBe(before + 1)
      expect(error.retryAfter).toBeGreaterThanOrEqual(Math.ceil(ceiling / 2 / 1000))
      expect(error.retryAfter).toBeLessThanOrEqual(ceiling / 1000)
      // Before half the ceiling has passed, nothing is fetched, however many tokens arrive.
      const start = time
      time = start + ceiling / 2 - 1
      for (let i = 0; i < 10; i++) await expectAuthError(verifier.verify(token), 'jwks_unavailable')
      expect(server.requests).toBe(before + 1)
      time = start + ceiling
    }
    server.mode('ok')
    await expect(verifier.verify(token)).resolves.toBeDefined()
  })

  it('waits out the backoff after a failed attempt, whatever the traffic, and recovers when the issuer does', async () => {
    const key = await generateKey({ kid: 'current' })
    const server = await serve([key])
    server.mode('500')
    const verifier = remoteVerifier(server, { cooldownMs: 0, maxBackoffMs: 1_000 })
    const token = await tokenOf(key)
    const first = await expectAuthError(verifier.verify(token), 'jwks_unavailable')
    expect(server.requests).toBe(1)
    // The first retry waits at least half of the 1 s base (jitter), whatever the traffic.
    expect(first.retryAfter).toBeGreaterThanOrEqual(1)
    for (let i = 0; i < 20; i++) await expectAuthError(verifier.verify(token), 'jwks_unavailable')
    expect(server.requests).toBe(1)
    server.mode('ok')
    await vi.waitFor(() => expect(verifier.verify(token)).resolves.toBeDefined(), { timeout: 3_000, interval: 50 })
    expect(server.requests).toBe(2)
  })
})

describe('remote JWKS: the body is capped while it streams', () => {
  it('exports the default cap: 512 KiB', () => {
    expect(DEFAULT_JWKS_MAX_RESPONSE_BYTES).toBe(512 * 1024)
  })

  it.each(['huge', 'huge-declared'] as const)(
    'aborts a 64 MiB body (%s) after the cap: 503 jwks_unavailable, and the server sees the connection closed early',
    async (mode) => {
      const key = await generateKey({ kid: 'current' })
      const server = await serve([key], { hugeBytes: 64 * 1024 * 1024 })
      server.mode(mode)
      const verifier = remoteVerifier(server)
      const started = performance.now()
      const error = await expectAuthError(verifier.verify(await tokenOf(key)), 'jwks_unavailable')
      expect(error.status).toBe(503)
      expect(error.reason).toBe('jwks_too_large')
      expect(performance.now() - started).toBeLessThan(2_000)
      await server.huge.closed
      expect(server.huge.finished).toBe(false)
      // The cap plus what socket buffers hold: far from the 64 MiB on offer.
      expect(server.huge.sent).toBeLessThan(16 * 1024 * 1024)
    },
  )

  it('applies a configured cap, and keeps the held set when a later body is too large', async () => {
    const key = await generateKey({ kid: 'current' })
    const server = await serve([key], { hugeBytes: 40 * 1024 })
    const token = await tokenOf(key)
    // 40 KiB is over a 32 KiB cap and well under the default one.
    server.mode('huge')
    await expectAuthError(remoteVerifier(server, { maxResponseBytes: 32 * 1024 }).verify(token), 'jwks_unavailable')
    const verifier = remoteVerifier(server, { cooldownMs: 0, cacheMaxAgeMs: 0, maxResponseBytes: 32 * 1024 })
    server.mode('ok')
    await expect(verifier.verify(token)).resolves.toBeDefined()
    server.mode('huge')
    for (let i = 0; i < 5; i++) await expect(verifier.verify(await tokenOf(key))).resolves.toBeDefined()
    expect(() => remoteVerifier(server, { maxResponseBytes: 0 })).toThrow(TypeError)
  })
})

describe('remote JWKS: a key removed upstream stops verifying, warm tokens included', () => {
  it('rejects a cached token of a removed key within the refresh interval', async () => {
    const oldKey = await generateKey({ kid: 'old' })
    const newKey = await generateKey({ kid: 'new' })
    const server = await serve([oldKey])
    const maxAge = 300
    const verifier = remoteVerifier(server, { cacheMaxAgeMs: maxAge, cooldownMs: 250 })
    const token = await tokenOf(oldKey)
    for (let i = 0; i < 5; i++) await verifier.verify(token) // cached from the second verification on
    expect(server.requests).toBe(1)
    server.set(createKeySet([newKey]).jwks())
    const removedAt = performance.now()
    // Only this warm token is presented: nothing else would make the verifier look at the set.
    await vi.waitFor(() => expectAuthError(verifier.verify(token), 'token_invalid'), { timeout: maxAge + 2_000, interval: 10 })
    expect(performance.now() - removedAt).toBeLessThan(maxAge + 1_000)
    expect(server.requests).toBeGreaterThanOrEqual(2)
    expect(server.requests).toBeLessThanOrEqual(3) // a third only if the machine stalled past the cooldown
    await expect(verifier.verify(await tokenOf(newKey))).resolves.toBeDefined()
  })

  it('trusts the new material, not the old, when the issuer replaces the key under the same kid', async () => {
    const before = await generateKey({ kid: 'same' })
    const after = await generateKey({ kid: 'same' })
    const server = await serve([before])
    const verifier = remoteVerifier(server, { cacheMaxAgeMs: 100, cooldownMs: 100 })
    const oldToken = await tokenOf(before)
    for (let i = 0; i < 3; i++) await verifier.verify(oldToken)
    server.set(createKeySet([after]).jwks())
    await vi.waitFor(() => expectAuthError(verifier.verify(oldToken), 'token_invalid'), { timeout: 2_000, interval: 10 })
    await expect(verifier.verify(await tokenOf(after))).resolves.toBeDefined()
    await expectAuthError(verifier.verify(await tokenOf(before)), 'token_invalid')
  })

  it('keeps warm tokens warm while the set is fresh: no fetch per request', async () => {
    const key = await generateKey({ kid: 'current' })
    const server = await serve([key])
    const verifier = remoteVerifier(server, { cacheMaxAgeMs: 60_000 })
    const token = await tokenOf(key)
    for (let i = 0; i < 1000; i++) await verifier.verify(token)
    expect(server.requests).toBe(1)
  })
})

describe('remote JWKS: entries the verifier cannot use are skipped with a warning', () => {
  it('verifies with the usable keys, skips an ES384 key and both keys of a duplicated kid, and warns once per change', async () => {
    const good = await generateKey({ kid: 'good' })
    const twinA = await generateKey({ kid: 'twin' })
    const twinB = await generateKey({ kid: 'twin' })
    const es384 = { kty: 'EC', crv: 'P-384', kid: 'es384', alg: 'ES384', x: 'A'.repeat(64), y: 'A'.repeat(64) }
    const server = await serve([good])
    server.set({ keys: [good.publicJwk(), es384, twinA.publicJwk(), twinB.publicJwk()] })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const verifier = remoteVerifier(server)
    await expect(verifier.verify(await tokenOf(good))).resolves.toBeDefined()
    await expectAuthError(verifier.verify(await tokenOf(twinA)), 'token_invalid')
    await expect(verifier.verify(await tokenOf(good))).resolves.toBeDefined()
    expect(warn).toHaveBeenCalledTimes(1)
    const message = String(warn.mock.calls[0]![0])
    expect(message).toMatch(/jwks\.keys\[1\] \(kid "es384"\)/)
    expect(message).toMatch(/jwks\.keys\[2\] \(kid "twin"\)/)
    expect(message).toMatch(/jwks\.keys\[3\] \(kid "twin"\)/)
    expect(message).not.toMatch(/keys\[0\]/)
  })
})

describe('remote JWKS: health events (createVerifier({ onHealthEvent }))', () => {
  it('jwks_error for each failed fetch, with the reason and the run length; jwks_recovered once a fetch succeeds; a throwing listener changes nothing', async () => {
    const key = await generateKey({ kid: 'current' })
    const server = await serve([key])
    server.mode('500')
    const events: HealthEvent[] = []
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: server.url,
      remote: { fetch: server.fetch as never, cooldownMs: 0, maxBackoffMs: 1_000 },
      onHealthEvent: (event) => {
        events.push(event)
        throw new Error('listener bug')
      },
    })
    const token = await tokenOf(key)
    await expectAuthError(verifier.verify(token), 'jwks_unavailable')
    expect(events).toHaveLength(1)
    const first = events[0]!
    expect(first).toMatchObject({ type: 'jwks_error', reason: 'jwks_status', failures: 1, message: 'Error: JWKS fetch failed: jwks_status' })
    expect(first.type === 'jwks_error' && first.retryAt).toBeGreaterThan(first.at)

    // the next attempt, after the backoff, fails too: the run grows
    await vi.waitFor(async () => {
      await expectAuthError(verifier.verify(token), 'jwks_unavailable')
      expect(events).toHaveLength(2)
    }, { timeout: 5_000, interval: 100 })
    expect(events[1]).toMatchObject({ type: 'jwks_error', reason: 'jwks_status', failures: 2 })

    server.mode('ok')
    await vi.waitFor(async () => expect((await verifier.verify(token)).claims.sub).toBe('user-1'), { timeout: 5_000, interval: 100 })
    expect(events.slice(2)).toEqual([{ type: 'jwks_recovered', failures: 2, since: first.at, at: expect.any(Number) }])
    await verifier.verify(token)
    expect(events).toHaveLength(3)
  })
})
