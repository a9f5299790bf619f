/**
 * The verification pipeline's cache and header memo, observed from outside: a warm token gets
 * exactly the verdict a cold one would, a cache entry lapses when the token's time is up (the next
 * call checks the signature again), and the header memo stays bounded.
 */
import { createHmac } from 'node:crypto'
import { type AuthKey, createKeySet, createVerifier, generateKey, type SignatureBackend, webCryptoBackend } from '@auth/core'
import { nodeCryptoBackend } from '@auth/core/node'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRevocationVerifier } from '../verifier.js'
import type { RevocationCheck } from './verify.js'

const T = 1_800_000_000 // seconds
const ISSUER = 'https://auth.example.test'
const AUDIENCE = 'https://api.example.test'

/** A backend that counts signature checks and header decodes (decodes that start at 0). */
function counting(inner: SignatureBackend) {
  const counts = { verify: 0, header: 0 }
  const backend: SignatureBackend = {
    name: `counting ${inner.name}`,
    prepare: (key) => inner.prepare(key),
    verify(...args) {
      counts.verify++
      return inner.verify(...args)
    },
    decodeText(token, start, end) {
      if (start === 0) counts.header++
      return inner.decodeText(token, start, end)
    },
  }
  return { backend, counts }
}

let key: AuthKey
beforeAll(async () => {
  key = await generateKey({ alg: 'HS256', kid: 'k' })
})

/** A verifier at time T (seconds, like the claims); its limits are given in seconds too. */
function verifierAt(backend: SignatureBackend, options: { maxTokenAge?: number; clockTolerance?: number } = {}) {
  let nowMs = T * 1000
  const limits = {
    ...(options.maxTokenAge === undefined ? {} : { maxTokenAgeMs: options.maxTokenAge * 1000 }),
    ...(options.clockTolerance === undefined ? {} : { clockToleranceMs: options.clockTolerance * 1000 }),
  }
  const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: createKeySet([key]), backend, clock: () => nowMs, ...limits })
  return { verifier, at: (seconds: number) => void (nowMs = seconds * 1000) }
}

/** An HS256 access token with exactly these claims (iat T, exp T + ttl unless overridden). */
function sign(claims: Record<string, unknown> = {}, ttl = 900, signingKey = key): Promise<string> {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', sid: 'sid-1', jti: `jti-${++serial}`, iat: T, exp: T + ttl, ver: 0, ...claims }
  const input = `${b64({ alg: 'HS256', kid: signingKey.kid, typ: 'at+jwt' })}.${b64(payload)}`
  return Promise.resolve(`${input}.${createHmac('sha256', signingKey.secret()!).update(input).digest('base64url')}`)
}
let serial = 0

async function verdict(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (error: { code: string; reason?: string }) => `${error.code}${error.reason ? `/${error.reason}` : ''}`,
  )
}

describe.each([
  ['node:crypto', nodeCryptoBackend],
  ['WebCrypto', webCryptoBackend],
])('verification cache on the %s backend', (_name, inner) => {
  // The token: iat T, nbf T + 2, exp T + 900. Warmed at T + 2, then the clock moves (NTP can step it back).
  it.each([
    ['well within its life', T + 100, 'ok'],
    ['1 s before exp + tolerance', T + 904, 'ok'],
    ['at exp + tolerance', T + 905, 'token_expired/exp'],
    ['the clock stepped back to the nbf tolerance edge', T - 3, 'ok'],
    ['the clock stepped back before nbf − tolerance', T - 4, 'token_invalid/nbf'],
    ['the clock stepped back before iat − tolerance', T - 6, 'token_invalid/iat'],
  ])('gives a warm token the verdict a cold one gets: %s', async (_case, now, expected) => {
    const token = await sign({ nbf: T + 2 })
    const warm = verifierAt(counting(inner).backend)
    warm.at(T + 2)
    await warm.verifier.verify(token)
    await warm.verifier.verify(token) // cached from the second sighting on
    const cold = verifierAt(inner)
    warm.at(now)
    cold.at(now)
    expect(await verdict(cold.verifier.verify(token))).toBe(expected)
    expect(await verdict(warm.verifier.verify(token))).toBe(expected)
  })

  it('applies the maximum age to a warm token too', async () => {
    const token = await sign({}, 3600)
    const { verifier, at } = verifierAt(inner, { maxTokenAge: 300 })
    at(T)
    await verifier.verify(token)
    await verifier.verify(token)
    at(T + 305)
    expect(await verdict(verifier.verify(token))).toBe('ok')
    at(T + 306)
    expect(await verdict(verifier.verify(token))).toBe('token_expired/max_age')
  })

  it.each([
    ['by its exp', 60, 900, T + 65],
    ['by the maximum age', 3600, 300, T + 305],
  ])('keeps a token cached until its time is up (%s, plus the tolerance), then checks its signature again', async (_name, ttl, maxTokenAge, lapse) => {
    const token = await sign({}, ttl)
    const { backend, counts } = counting(inner)
    const { verifier, at } = verifierAt(backend, { maxTokenAge })
    at(T)
    await verifier.verify(token)
    await verifier.verify(token)
    expect(counts.verify).toBe(2)
    at(lapse - 1)
    await verdict(verifier.verify(token))
    expect(counts.verify).toBe(2) // warm
    at(lapse)
    await verdict(verifier.verify(token))
    expect(counts.verify).toBe(3) // the entry lapsed: cold again
  })

  it('re-reads an entry that was dropped at its lapse instead of answering from it', async () => {
    const token = await sign({}, 60)
    const { backend, counts } = counting(inner)
    const { verifier, at } = verifierAt(backend)
    at(T)
    await verifier.verify(token)
    await verifier.verify(token)
    at(T + 65)
    expect(await verdict(verifier.verify(token))).toBe('token_expired/exp')
    at(T + 10) // the clock steps back: the entry is gone, a cold verification re-admits it
    expect(await verdict(verifier.verify(token))).toBe('ok')
    expect(counts.verify).toBe(4)
  })
})

describe('header memo', () => {
  let keys: AuthKey[]
  beforeAll(async () => {
    keys = await Promise.all(Array.from({ length: 10 }, (_, i) => generateKey({ alg: 'HS256', kid: `kid-${i}` })))
  })

  function memoVerifier() {
    const { backend, counts } = counting(nodeCryptoBackend)
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: createKeySet(keys), backend, clock: () => T * 1000 })
    const fresh = (i: number) => sign({}, 900, keys[i]!)
    return { verifier, counts, fresh }
  }

  it('decodes a header once, and again for each new token only when the header is new', async () => {
    const { verifier, counts, fresh } = memoVerifier()
    await verifier.verify(await fresh(0))
    await verifier.verify(await fresh(0))
    await verifier.verify(await fresh(1))
    await verifier.verify(await fresh(0))
    expect(counts.header).toBe(2)
  })

  it('remembers the 8 most recent headers only: a 9th evicts the least recent', async () => {
    const { verifier, counts, fresh } = memoVerifier()
    for (let i = 0; i < 9; i++) await verifier.verify(await fresh(i))
    expect(counts.header).toBe(9)
    await verifier.verify(await fresh(8))
    await verifier.verify(await fresh(1)) // 8 most recent: 8…1
    expect(counts.header).toBe(9)
    await verifier.verify(await fresh(0)) // evicted by kid-8
    expect(counts.header).toBe(10)
    await verifier.verify(await fresh(2)) // now 0, 8…2
    expect(counts.header).toBe(10)
    await verifier.verify(await fresh(1)) // evicted by kid-0
    expect(counts.header).toBe(11)
  })

  it('never remembers a header that failed the rules', async () => {
    const { verifier, counts } = memoVerifier()
    const token = await sign()
    const [, payload, signature] = token.split('.')
    const bad = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'kid-0', typ: 'JWT' })).toString('base64url')}.${payload}.${signature}`
    expect(await verdict(verifier.verify(bad))).toBe('token_invalid/typ')
    expect(await verdict(verifier.verify(bad))).toBe('token_invalid/typ')
    expect(counts.header).toBe(2)
  })
})

describe('revocation check on warm tokens', () => {
  type Check = RevocationCheck

  function withCheck(check: Check) {
    let nowMs = T * 1000
    const verifier = createRevocationVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: createKeySet([key]), backend: nodeCryptoBackend, clock: () => nowMs }, check)
    return { verifier, at: (ms: number) => void (nowMs = ms) }
  }

  it('skips a synchronous check a warm token passed in the current epoch; runs it again in a new epoch, and always when the epoch is NaN', async () => {
    let epoch = 1
    const calls: number[] = []
    const check = Object.assign((_claims: unknown, now: number) => void calls.push(now), { epoch: () => epoch })
    const { verifier } = withCheck(check as Check)
    const token = await sign()
    await verifier.verify(token) // cold
    await verifier.verify(token) // cold, now cached
    await verifier.verify(token) // warm: checked once in epoch 1
    expect(calls).toHaveLength(3)
    await verifier.verify(token)
    await verifier.verify(token)
    expect(calls).toHaveLength(3)
    epoch = 2
    await verifier.verify(token)
    await verifier.verify(token)
    expect(calls).toHaveLength(4)
    epoch = Number.NaN
    await verifier.verify(token)
    await verifier.verify(token)
    expect(calls).toHaveLength(6)
    expect(calls.every((now) => now === T * 1000)).toBe(true)
  })

  it('runs a check without an epoch on every call, warm or cold', async () => {
    const calls: unknown[] = []
    const { verifier } = withCheck(((claims: unknown) => void calls.push(claims)) as Check)
    const token = await sign()
    for (let i = 0; i < 5; i++) await verifier.verify(token)
    expect(calls).toHaveLength(5)
    expect(calls[4]).toMatchObject({ sub: 'alice', sid: 'sid-1' })
  })

  it('runs an asynchronous check on every call, even within one epoch', async () => {
    let calls = 0
    const check = Object.assign(async () => void calls++, { epoch: () => 1 })
    const { verifier } = withCheck(check as Check)
    const token = await sign()
    for (let i = 0; i < 5; i++) await verifier.verify(token)
    expect(calls).toBe(5)
  })

  it('trusts the epoch: a warm token that passed is not checked again until the epoch moves (a check must move it with every revocation)', async () => {
    let revoked = false
    const check = Object.assign(
      () => {
        if (revoked) throw new Error('revoked')
      },
      { epoch: () => 1 },
    )
    const { verifier } = withCheck(check as Check)
    const token = await sign()
    for (let i = 0; i < 3; i++) await verifier.verify(token)
    revoked = true
    expect(await verdict(verifier.verify(token))).toBe('ok')
  })
})
