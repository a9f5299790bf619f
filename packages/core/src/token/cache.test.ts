import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hashTail, VerifiedTokenCache } from './cache.js'

interface Entry {
  readonly token: string
  readonly expiresAt: number
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const HEADER = 'eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiYXQrand0In0'

/** A deterministic stream of distinct token-shaped strings with random-looking 43-char tails. */
function tokenStream(seed: number): () => string {
  let state = seed >>> 0
  let counter = 0
  const next = () => {
    // xorshift32: reproducible, so the tests below never depend on luck.
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return state >>> 0
  }
  return () => {
    let signature = ''
    for (let i = 0; i < 43; i++) signature += ALPHABET[next() & 63]
    return `${HEADER}.payload${counter++}.${signature}`
  }
}

const entry = (token: string, expiresAt = 1_000): Entry => ({ token, expiresAt })

describe('VerifiedTokenCache', () => {
  it('admits a token on its second sighting, not its first', () => {
    const cache = new VerifiedTokenCache<Entry>(100)
    const token = tokenStream(1)()
    expect(cache.admit(token)).toBe(false)
    expect(cache.admit(token)).toBe(true)
    // A copy of the string counts as the same token.
    expect(cache.admit(` ${token}`.slice(1))).toBe(true)
  })

  it('admits none of 200 000 distinct tokens seen once each, so one-off tokens build no entries', () => {
    const cache = new VerifiedTokenCache<Entry>(10_000)
    const next = tokenStream(42)
    let admitted = 0
    for (let i = 0; i < 200_000; i++) if (cache.admit(next())) admitted++
    expect(admitted).toBe(0)
  })

  it('admits most tokens that come back within a working set the size of the cache', () => {
    const cache = new VerifiedTokenCache<Entry>(10_000)
    const next = tokenStream(7)
    const tokens = Array.from({ length: 10_000 }, next)
    for (const token of tokens) cache.admit(token)
    let admitted = 0
    for (const token of tokens) if (cache.admit(token)) admitted++
    // A bucket taken over by four later tokens in between loses a sighting (caught on a later one).
    expect(admitted).toBeGreaterThan(9_950)
    // Even a token whose bucket holds more than four of the working set is admitted before long.
    const never = new Set(tokens)
    for (let pass = 0; pass < 10; pass++) for (const token of tokens) if (cache.admit(token)) never.delete(token)
    expect(never.size).toBe(0)
  })

  it('serves an entry until its expiry, and only for the exact token', () => {
    const cache = new VerifiedTokenCache<Entry>(100)
    const token = tokenStream(3)()
    const stored = entry(token, 500)
    cache.set(token, stored)
    expect(cache.get(` ${token}`.slice(1), 499)).toBe(stored)
    // Same last 32 characters (the map key), different token: a miss.
    const lookalike = `X${token.slice(1)}`
    expect(cache.get(lookalike, 499)).toBeUndefined()
    expect(cache.get(token, 500)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('stays within its bound and keeps tokens in use', () => {
    const cache = new VerifiedTokenCache<Entry>(100)
    const next = tokenStream(9)
    const hot = next()
    cache.set(hot, entry(hot))
    for (let i = 0; i < 1_000; i++) {
      const token = next()
      cache.set(token, entry(token))
      expect(cache.size).toBeLessThanOrEqual(100)
      // Read now and then: a hit in the old generation moves the entry to the young one.
      if (i % 25 === 0) expect(cache.get(hot, 0)?.token).toBe(hot)
    }
    expect(cache.get(hot, 0)?.token).toBe(hot)
  })

  it('keeps an old-generation entry that is read just as the young generation fills up', () => {
    // 4 entries: generations of 2. hot and a fill the first; b and c the next; then hot is read.
    const cache = new VerifiedTokenCache<Entry>(4)
    const [hot, a, b, c] = Array.from({ length: 4 }, tokenStream(19)) as [string, string, string, string]
    for (const token of [hot, a, b, c]) cache.set(token, entry(token))
    expect(cache.get(hot, 0)?.token).toBe(hot)
    expect(cache.get(hot, 0)?.token).toBe(hot)
    expect(cache.size).toBeLessThanOrEqual(4)
  })

  it('drops an entry that was not read for two generations', () => {
    const cache = new VerifiedTokenCache<Entry>(10)
    const next = tokenStream(11)
    const cold = next()
    cache.set(cold, entry(cold))
    for (let i = 0; i < 10; i++) {
      const token = next()
      cache.set(token, entry(token))
    }
    expect(cache.get(cold, 0)).toBeUndefined()
  })

  it('remembers an expired token as seen, so it is cached again on its next verification', () => {
    const cache = new VerifiedTokenCache<Entry>(100)
    const token = tokenStream(13)()
    cache.admit(token)
    expect(cache.admit(token)).toBe(true)
    cache.set(token, entry(token, 10))
    expect(cache.get(token, 10)).toBeUndefined()
    expect(cache.size).toBe(0)
    expect(cache.admit(token)).toBe(true)
    const again = entry(token, 20)
    cache.set(token, again)
    expect(cache.get(token, 10)).toBe(again)
  })

  it('never evicts a cached token to record a sighting; a fifth token of a full bucket waits', () => {
    // 64 entries → 64 buckets, chosen by the low 6 bits of the hash of the last six characters.
    const cache = new VerifiedTokenCache<Entry>(64)
    const next = tokenStream(17)
    const bucket: string[] = []
    while (bucket.length < 5) {
      const token = next()
      if ((hashTail(token, 0) & 63) === 0) bucket.push(token)
    }
    const [a, b, c, d, e] = bucket as [string, string, string, string, string]
    for (const token of [a, b, c, d]) cache.set(token, entry(token, 100))
    // The bucket is full of cached tokens: sightings of others are not recorded, e is not cached.
    expect(cache.admit(e)).toBe(false)
    expect(cache.admit(e)).toBe(false)
    cache.set(e, entry(e, 100))
    expect(cache.get(e, 0)).toBeUndefined()
    for (const token of [a, b, c, d]) expect(cache.get(token, 0)?.token).toBe(token)
    // One leaves (expired on read): e takes its slot.
    cache.set(a, entry(a, 5))
    expect(cache.get(a, 5)).toBeUndefined()
    cache.set(e, entry(e, 100))
    expect(cache.get(e, 0)?.token).toBe(e)
    for (const token of [b, c, d]) expect(cache.get(token, 0)?.token).toBe(token)
  })

  it('forgets entries and sightings on clear()', () => {
    const cache = new VerifiedTokenCache<Entry>(100)
    const token = tokenStream(5)()
    cache.admit(token)
    cache.set(token, entry(token))
    cache.clear()
    expect(cache.size).toBe(0)
    expect(cache.get(token, 0)).toBeUndefined()
    expect(cache.admit(token)).toBe(false)
  })
})

describe('VerifiedTokenCache under random use', () => {
  it('only ever answers the latest entry set for that exact token, unexpired, and stays within its bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(
          fc.record({
            op: fc.constantFrom('set', 'get', 'admit', 'clear'),
            token: fc.integer({ min: 0, max: 44 }),
            expiresAt: fc.integer({ min: 0, max: 50 }),
            now: fc.integer({ min: 0, max: 50 }),
          }),
          // fast-check's default size keeps arrays short; these runs need many operations.
          { minLength: 50, maxLength: 400, size: 'max' },
        ),
        (maxEntries, ops) => {
          const cache = new VerifiedTokenCache<Entry>(maxEntries)
          // A small pool of tokens, some sharing their last 32 characters (the map key).
          const next = tokenStream(maxEntries)
          const pool = Array.from({ length: 45 }, () => next())
          for (let i = 2; i < pool.length; i += 3) pool[i] = `Y${pool[i - 1]!.slice(1)}`
          const latest = new Map<string, Entry>()
          for (const { op, token: index, expiresAt, now } of ops) {
            const token = pool[index]!
            if (op === 'set') {
              const stored = entry(token, expiresAt)
              cache.set(` ${token}`.slice(1), stored)
              latest.set(token, stored)
            } else if (op === 'get') {
              const found = cache.get(` ${token}`.slice(1), now)
              if (found !== undefined) {
                expect(found.token).toBe(token)
                expect(found).toBe(latest.get(token))
                expect(found.expiresAt).toBeGreaterThan(now)
              }
            } else if (op === 'admit') {
              cache.admit(token)
            } else {
              cache.clear()
              latest.clear()
            }
            expect(cache.size).toBeLessThanOrEqual(Math.max(2, maxEntries))
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
