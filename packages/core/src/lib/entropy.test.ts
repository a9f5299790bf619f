import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { estimateEntropyBits, MIN_HMAC_SECRET_BITS, MIN_HMAC_SECRET_BYTES } from './entropy.js'

const utf8 = (text: string) => new TextEncoder().encode(text)
const bytes = (...values: number[]) => new Uint8Array(values)

describe('estimateEntropyBits', () => {
  it('requires 32 bytes and 128 bits of an HMAC secret', () => {
    expect(MIN_HMAC_SECRET_BYTES).toBe(32)
    expect(MIN_HMAC_SECRET_BITS).toBe(128)
  })

  it.each<[string, Uint8Array]>([
    ['no bytes', new Uint8Array(0)],
    ['one byte', bytes(7)],
    ['64 copies of "a"', utf8('a'.repeat(64))],
    ['1000 zero bytes', new Uint8Array(1000)],
  ])('estimates 0 bits for %s (a single symbol)', (_name, input) => {
    expect(estimateEntropyBits(input)).toBe(0)
  })

  it.each<[string, Uint8Array, number]>([
    ['two distinct bytes', bytes(0, 1), 2],
    ['"abdc" (four symbols once each, 2 bits per byte)', utf8('abdc'), 8],
    ['four symbols equally often, not periodic (2 bits per byte)', utf8('abcdbadcacbddbcadcba'), 40],
    ['all 256 byte values once (8 bits per byte)', new Uint8Array(256).map((_, i) => i), 2048],
    ['"passwords" (8 symbols, "s" three times)', utf8('passwords'), 9 * (-(6 / 9) * Math.log2(1 / 9) - (3 / 9) * Math.log2(3 / 9))],
    // A repeated block counts once: the estimate is the block's.
    ['"ab" repeated 16 times (one block: 2 bits)', utf8('ab'.repeat(16)), 2],
    ['"abcd" repeated 8 times (one block: 8 bits)', utf8('abcd'.repeat(8)), 8],
    ['16 hex digits twice (one block: 64 bits)', utf8('0123456789abcdef'.repeat(2)), 64],
    ['"password" repeated 4 times (one block: 22 bits)', utf8('password'.repeat(4)), 22],
    ['"password" repeated 4.5 times (the partial tail repeats the block)', utf8('password'.repeat(4) + 'pass'), 22],
  ])('estimates exactly %s', (_name, input, expected) => {
    expect(estimateEntropyBits(input)).toBeCloseTo(expected, 9)
  })

  it('never exceeds length * log2(distinct symbols), nor 8 bits per byte', () => {
    for (let length = 1; length <= 300; length += 7) {
      const input = new Uint8Array(randomBytes(length))
      const distinct = new Set(input).size
      const bits = estimateEntropyBits(input)
      expect(bits).toBeGreaterThanOrEqual(0)
      expect(bits).toBeLessThanOrEqual(length * Math.log2(distinct) + 1e-9)
      expect(bits).toBeLessThanOrEqual(length * 8 + 1e-9)
    }
  })

  it('does not depend on which byte values are used: relabelling the bytes scores the same', () => {
    const input = new Uint8Array(randomBytes(64))
    const bits = estimateEntropyBits(input)
    expect(estimateEntropyBits(input.map((b) => b ^ 0xa5))).toBeCloseTo(bits, 9)
    expect(estimateEntropyBits(utf8('abcabcabcd'))).toBeCloseTo(estimateEntropyBits(utf8('xyzxyzxyzw')), 9)
  })

  it('does not read the input beyond its view', () => {
    const backing = new Uint8Array(randomBytes(96))
    backing.fill(0, 0, 32)
    expect(estimateEntropyBits(backing.subarray(0, 32))).toBe(0)
  })

  it('scores random 32-byte strings well above 128 bits and 32-character hex strings below (1000 samples)', () => {
    let minRandom = Infinity
    let maxHex = 0
    for (let i = 0; i < 1000; i++) {
      minRandom = Math.min(minRandom, estimateEntropyBits(new Uint8Array(randomBytes(32))))
      maxHex = Math.max(maxHex, estimateEntropyBits(utf8(randomBytes(16).toString('hex'))))
    }
    // 32 random bytes: about 155 bits on average, around 135 at worst in 10^5 samples.
    expect(minRandom).toBeGreaterThanOrEqual(MIN_HMAC_SECRET_BITS)
    // 32 hex characters: at most 128 bits, and exactly 128 only if every digit occurs twice.
    expect(maxHex).toBeLessThan(MIN_HMAC_SECRET_BITS)
  })
})
