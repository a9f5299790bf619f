/**
 * The verified-token cache's bookkeeping, exactly: the entry count through generation turnovers,
 * which entries a turnover drops, and lookups in a bucket whose first slots hold mere sightings.
 */
import { describe, expect, it } from 'vitest'
import { hashTail, VerifiedTokenCache } from './cache.js'

interface Entry {
  readonly token: string
  readonly expiresAt: number
}
const entry = (token: string, expiresAt = 1_000): Entry => ({ token, expiresAt })
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** Token-shaped strings, deterministic; `where` filters by bucket. */
function tokens(count: number, buckets: number, where: (bucket: number, taken: Set<number>) => boolean): string[] {
  const out: string[] = []
  const taken = new Set<number>()
  let state = 12345
  for (let n = 0; out.length < count; n++) {
    let tail = ''
    for (let i = 0; i < 12; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      tail += ALPHABET[(state >>> 16) & 63]
    }
    const token = `header.payload${n}.${tail}`
    const bucket = hashTail(token, 0) & (buckets - 1)
    if (where(bucket, taken)) {
      taken.add(bucket)
      out.push(token)
    }
  }
  return out
}
/** Tokens that each have a bucket of their own in a cache of 4 entries (16 buckets). */
const apart = (count: number) => tokens(count, 16, (bucket, taken) => !taken.has(bucket))

describe('VerifiedTokenCache generations (4 entries: generations of 2)', () => {
  it('counts an entry removed on expiry once, also when its generation is dropped later', () => {
    const cache = new VerifiedTokenCache<Entry>(4)
    const [a, b, c, d, e] = apart(5) as [string, string, string, string, string]
    cache.set(a, entry(a, 10))
    cache.set(b, entry(b))
    cache.set(c, entry(c)) // turnover: a and b are the old generation
    expect(cache.get(a, 10)).toBeUndefined() // expired: removed
    expect(cache.size).toBe(2)
    cache.set(d, entry(d))
    cache.set(e, entry(e)) // turnover: the old generation (a, b) goes; a is gone already
    expect(cache.size).toBe(3)
    expect(cache.get(b, 0)).toBeUndefined()
    for (const token of [c, d, e]) expect(cache.get(token, 0)?.token).toBe(token)
  })

  it('lets hits on a young entry leave the other entries alone', () => {
    const cache = new VerifiedTokenCache<Entry>(4)
    const [a, b] = apart(2) as [string, string]
    cache.set(a, entry(a))
    cache.set(b, entry(b))
    for (let i = 0; i < 5; i++) expect(cache.get(a, 0)?.token).toBe(a)
    expect(cache.get(b, 0)?.token).toBe(b)
  })

  it('moves an entry set again into the young generation, so it outlives its old neighbour', () => {
    const cache = new VerifiedTokenCache<Entry>(4)
    const [a, b, c, d] = apart(4) as [string, string, string, string]
    cache.set(a, entry(a))
    cache.set(b, entry(b))
    cache.set(c, entry(c)) // a, b old
    cache.set(a, entry(a, 2_000)) // a young again
    cache.set(d, entry(d)) // the old generation goes: b only
    expect(cache.get(b, 0)).toBeUndefined()
    expect(cache.get(a, 0)).toEqual(entry(a, 2_000))
  })

  it('does not hasten a turnover when an entry of the young generation is set again', () => {
    const cache = new VerifiedTokenCache<Entry>(4)
    const [a, b, c, d] = apart(4) as [string, string, string, string]
    cache.set(a, entry(a))
    cache.set(b, entry(b))
    cache.set(b, entry(b, 2_000)) // already young: no move
    cache.set(c, entry(c)) // turnover: a, b old
    cache.set(d, entry(d))
    expect(cache.size).toBe(4)
    expect(cache.get(a, 0)?.token).toBe(a)
  })
})

describe('VerifiedTokenCache lookups', () => {
  it.each([1, 2, 3])('finds a cached token behind %i sightings in its bucket', (sightings) => {
    const cache = new VerifiedTokenCache<Entry>(64) // 64 buckets
    const same = tokens(sightings + 1, 64, (bucket) => bucket === 37)
    for (const token of same.slice(0, sightings)) cache.admit(token) // seen once: slots without entries
    const cached = same[sightings]!
    cache.set(cached, entry(cached))
    expect(cache.get(cached, 0)?.token).toBe(cached)
  })
})
