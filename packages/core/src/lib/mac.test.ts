/** MACs and hashes of opaque tokens: both implementations agree, byte for byte, with node:crypto. */
import { createHash, createHmac } from 'node:crypto'
import { nodeCryptoBackend } from '@auth/core/node'
import { describe, expect, it } from 'vitest'
import { mac, macNow, timingSafeEqualBytes, timingSafeEqualString, tokenPrimitivesOf, webTokenPrimitives } from './mac.js'

const K = new Uint8Array(32).map((_, i) => i * 7)
const framed = (...parts: Array<string | Uint8Array>) =>
  Buffer.concat(
    parts.flatMap((part) => {
      const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part)
      const length = Buffer.alloc(4)
      length.writeUInt32BE(bytes.length)
      return [length, bytes]
    }),
  )

describe.each([
  ['WebCrypto', tokenPrimitivesOf(undefined)],
  ['node:crypto', tokenPrimitivesOf(nodeCryptoBackend)],
])('token primitives on %s', (_name, primitives) => {
  it('MACs the label and parts, each prefixed with its length as a big-endian u32', async () => {
    const key = await primitives.importMacKey(K)
    const parts = ['label', 'ålice', new Uint8Array([1, 2, 3]), '', 'x'.repeat(300)] as const
    const expected = createHmac('sha256', K).update(framed(...parts)).digest()
    expect(Buffer.from(await mac(key, ...parts))).toEqual(expected)
  })

  it('encodes strings as TextEncoder does: astral characters (4 bytes) and lone surrogates (U+FFFD, 3 bytes)', async () => {
    const key = await primitives.importMacKey(K)
    const parts = ['𝔘𝔫𝔦', '\ud800x', 'x\udfff', '€'.repeat(100)] as const
    const expected = createHmac('sha256', K).update(framed(...parts.map((part) => new TextEncoder().encode(part)))).digest()
    expect(Buffer.from(await mac(key, ...parts))).toEqual(expected)
    expect(Buffer.from(await macNow(key, parts[0], parts.slice(1)))).toEqual(expected)
  })

  it('keeps the parts apart: moving a byte from one part to the next changes the MAC', async () => {
    const key = await primitives.importMacKey(K)
    expect(Buffer.from(await mac(key, 'l', 'ab', 'c'))).not.toEqual(Buffer.from(await mac(key, 'l', 'a', 'bc')))
  })

  it('hashes a secret as SHA-256, base64url', async () => {
    const bytes = new Uint8Array(40).map((_, i) => i * 3)
    expect(await primitives.hashSecret(bytes)).toBe(createHash('sha256').update(bytes).digest('base64url'))
  })

  it('copies the key material: changing the input afterwards does not change the key', async () => {
    const secret = K.slice()
    const key = await primitives.importMacKey(secret)
    secret.fill(0)
    expect(Buffer.from(await mac(key, 'l'))).toEqual(createHmac('sha256', K).update(framed('l')).digest())
  })
})

describe('token primitives selection', () => {
  it('uses the backend’s synchronous HMAC and SHA-256 when it has them, WebCrypto otherwise', async () => {
    expect(tokenPrimitivesOf(undefined)).toEqual(webTokenPrimitives)
    expect(tokenPrimitivesOf({ ...nodeCryptoBackend, hmacSha256: undefined, sha256: undefined })).toEqual(webTokenPrimitives)
    const node = tokenPrimitivesOf(nodeCryptoBackend)
    expect(node.importMacKey).not.toBe(webTokenPrimitives.importMacKey)
    expect(node.hashSecret).not.toBe(webTokenPrimitives.hashSecret)
    const key = await node.importMacKey(K)
    expect(key.sign(new Uint8Array(1))).toBeInstanceOf(Uint8Array) // synchronous: no promise
  })
})

describe('timingSafeEqualString', () => {
  it.each([
    ['equal strings', 'abc', 'abc', 0, true],
    ['a differing last character', 'abc', 'abd', 0, false],
    ['a differing first character', 'abc', 'xbc', 0, false],
    ['a prefix', 'ab', 'abc', 0, false],
    ['a longer string', 'abcd', 'abc', 0, false],
    ['two empty strings', '', '', 0, true],
    ['the tail from an offset', 'cd', 'abcd', 2, true],
    ['a different tail from an offset', 'cx', 'abcd', 2, false],
    ['a tail of another length', 'bcd', 'abcd', 2, false],
    ['characters differing only in a high bit', 'a', '\u0161', 0, false],
  ])('%s → %s', (_name, a, b, start, expected) => {
    expect(timingSafeEqualString(a, b, start)).toBe(expected)
  })
})

describe('timingSafeEqualBytes', () => {
  const bytes = (...values: number[]) => new Uint8Array(values)
  it.each([
    ['equal bytes', bytes(1, 2, 3), bytes(1, 2, 3), 3, true],
    ['a differing last byte', bytes(1, 2, 3), bytes(1, 2, 4), 3, false],
    ['a differing first byte', bytes(9, 2, 3), bytes(1, 2, 3), 3, false],
    ['bytes differing only in the high bit', bytes(0x01), bytes(0x81), 1, false],
    ['equal prefixes, longer arrays', bytes(1, 2, 3), bytes(1, 2, 9), 2, true],
    ['an array shorter than the length', bytes(1, 2), bytes(1, 2, 3), 3, false],
    ['zero bytes', bytes(), bytes(), 0, true],
  ])('%s → %s', (_name, a, b, length, expected) => {
    expect(timingSafeEqualBytes(a, b, length)).toBe(expected)
    expect(timingSafeEqualBytes(b, a, length)).toBe(expected)
  })
})
