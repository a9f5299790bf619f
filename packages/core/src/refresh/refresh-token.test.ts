/**
 * The refresh-token format: fixed vectors computed independently with node:crypto (so the MAC
 * labels and the length-prefixed framing are pinned), and the parser's refusals.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { webTokenPrimitives } from '../lib/mac.js'
import { formatRefreshToken, hasValidTag, parseRefreshToken, refreshTag, successorSecret } from './refresh-token.js'

const K = new Uint8Array(32).map((_, i) => i + 1)
const SECRET = new Uint8Array(32).map((_, i) => 255 - i)
const b64 = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url')

/** HMAC-SHA256 over the label and parts, each prefixed by its byte length (u32, big-endian). */
function referenceMac(label: string, ...parts: Array<string | Uint8Array>): Buffer {
  const hmac = createHmac('sha256', K)
  for (const part of [label, ...parts]) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part)
    const length = Buffer.alloc(4)
    length.writeUInt32BE(bytes.length)
    hmac.update(length).update(bytes)
  }
  return hmac.digest()
}

const key = () => webTokenPrimitives.importMacKey(K)

describe('refresh token format', () => {
  it('formats <b64(sub)>.<sid>.<generation>.<b64(secret)>.<tag>, the tag being HMAC(K, "rt-tag", …) cut to 128 bits', async () => {
    const token = await formatRefreshToken(await key(), 'ålice', 'sidA', 7, SECRET)
    const tag = b64(referenceMac('rt-tag', 'ålice', 'sidA', '7', SECRET).subarray(0, 16))
    expect(token).toBe(`${b64(Buffer.from('ålice'))}.sidA.7.${b64(SECRET)}.${tag}`)
    expect(await refreshTag(await key(), 'ålice', 'sidA', 7, SECRET)).toBe(tag)
  })

  it('derives the successor secret as HMAC(K, "rt-next", sub, sid, generation + 1, secret)', async () => {
    const parsed = parseRefreshToken(await formatRefreshToken(await key(), 'alice', 'sidA', 4, SECRET))!
    expect(b64(await successorSecret(await key(), parsed))).toBe(b64(referenceMac('rt-next', 'alice', 'sidA', '5', SECRET)))
  })

  it('parses what it formats, and checks the tag of each field', async () => {
    const token = await formatRefreshToken(await key(), 'ålice', 'sidA', 12, SECRET)
    const parsed = parseRefreshToken(token)!
    expect(parsed).toEqual({ sub: 'ålice', sid: 'sidA', generation: 12, secret: new Uint8Array(SECRET), tag: token.split('.')[4] })
    expect(await hasValidTag(await key(), parsed)).toBe(true)
    for (const change of [{ sub: 'bob' }, { sid: 'sidB' }, { generation: 13 }, { secret: new Uint8Array(32) }]) {
      expect(await hasValidTag(await key(), { ...parsed, ...change })).toBe(false)
    }
    expect(await hasValidTag(await webTokenPrimitives.importMacKey(new Uint8Array(32).fill(9)), parsed)).toBe(false)
  })
})

describe('refresh token parser', () => {
  const valid = async (generation: string | number = 3, sid = 'sidA') => {
    const token = await formatRefreshToken(await key(), 'alice', sid, 3, SECRET)
    const parts = token.split('.')
    parts[2] = String(generation)
    return parts
  }

  it.each([
    ['0', 0],
    ['1', 1],
    ['10', 10],
    ['999999999', 999_999_999],
  ])('accepts generation %s', async (generation, expected) => {
    expect(parseRefreshToken((await valid(generation)).join('.'))?.generation).toBe(expected)
  })

  it.each(['01', '00', '-1', '+1', '1e3', '0x1', '1.0', '1000000000', 'a1', '1a', ' 1', ''])('refuses generation "%s"', async (generation) => {
    expect(parseRefreshToken((await valid(generation)).join('.'))).toBeUndefined()
  })

  it.each([
    ['a number', 42],
    ['null', null],
    ['the empty string', ''],
    ['four segments', 'YWxpY2U.sid.0.secret'],
    ['six segments', 'a.b.0.c.d.e'],
  ])('refuses %s', (_name, value) => {
    expect(parseRefreshToken(value)).toBeUndefined()
  })

  it.each([
    ['sub', 0, (s: string) => `${s}=`],
    ['sub (not base64url)', 0, (s: string) => `${s.slice(0, -1)}+`],
    ['sid', 1, () => 'sid+'],
    ['sid (a length of 1 mod 4)', 1, () => 'sidAs'],
    ['secret (a set unused bit)', 3, (s: string) => `${s.slice(0, -1)}B`],
    ['secret (42 characters)', 3, (s: string) => s.slice(0, 42)],
    ['secret (44 characters)', 3, (s: string) => `${s}A`],
    ['tag (21 characters)', 4, (s: string) => s.slice(0, 21)],
    ['tag (23 characters)', 4, (s: string) => `${s}A`],
    ['tag (a set unused bit)', 4, (s: string) => `${s.slice(0, -1)}B`],
    ['empty sid', 1, () => ''],
  ])('refuses a non-canonical or mis-sized %s', async (_name, index, mangle) => {
    const parts = await valid()
    // the secret ends in a character whose unused bits are 0; keep that so only the mangling differs
    parts[index] = mangle(parts[index]!)
    expect(parseRefreshToken(parts.join('.'))).toBeUndefined()
  })

  it('accepts up to 1024 characters, not one more', async () => {
    const sized = async (length: number) => {
      const parts = await valid(3, '')
      const rest = parts.join('.').length
      parts[1] = 'A'.repeat(length - rest)
      return parts.join('.')
    }
    const longest = await sized(1024)
    expect(longest).toHaveLength(1024)
    expect(parseRefreshToken(longest)).toBeDefined()
    expect(parseRefreshToken(await sized(1025))).toBeUndefined()
  })
})
