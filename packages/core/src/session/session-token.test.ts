/** The session-token format: a fixed vector computed with node:crypto, and the parser's refusals. */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { webTokenPrimitives } from '../lib/mac.js'
import { formatSessionToken, hasValidSessionTag, parseSessionToken } from './session-token.js'

const K = new Uint8Array(32).map((_, i) => i + 1)
const SECRET = new Uint8Array(32).map((_, i) => 255 - i)
const b64 = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url')
const key = () => webTokenPrimitives.importMacKey(K)

function referenceTag(...parts: Array<string | Uint8Array>): string {
  const hmac = createHmac('sha256', K)
  for (const part of ['st-tag', ...parts]) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part)
    const length = Buffer.alloc(4)
    length.writeUInt32BE(bytes.length)
    hmac.update(length).update(bytes)
  }
  return b64(hmac.digest().subarray(0, 16))
}

describe('session token format', () => {
  it('formats <b64(sub)>.<sid>.<b64(secret)>.<tag>, the tag being HMAC(K, "st-tag", sub, sid, secret) cut to 128 bits', async () => {
    const token = await formatSessionToken(await key(), 'ålice', 'sidA', SECRET)
    expect(token).toBe(`${b64(Buffer.from('ålice'))}.sidA.${b64(SECRET)}.${referenceTag('ålice', 'sidA', SECRET)}`)
  })

  it('parses what it formats, and its tag covers sub, sid and secret', async () => {
    const token = await formatSessionToken(await key(), 'ålice', 'sidA', SECRET)
    const parsed = parseSessionToken(token)!
    expect(parsed).toEqual({ sub: 'ålice', sid: 'sidA', secret: new Uint8Array(SECRET), tag: token.split('.')[3] })
    expect(await hasValidSessionTag(await key(), parsed)).toBe(true)
    for (const change of [{ sub: 'bob' }, { sid: 'sidB' }, { secret: new Uint8Array(32) }, { tag: 'A'.repeat(22) }]) {
      expect(await hasValidSessionTag(await key(), { ...parsed, ...change })).toBe(false)
    }
  })
})

describe('session token parser', () => {
  const parts = async () => (await formatSessionToken(await key(), 'alice', 'sidA', SECRET)).split('.')

  it.each([
    ['a number', 42],
    ['the empty string', ''],
    ['three segments', 'a.b.c'],
    ['five segments', 'YWxpY2U.sidA.0.secret.tag'],
  ])('refuses %s', (_name, value) => {
    expect(parseSessionToken(value)).toBeUndefined()
  })

  it.each([
    ['sub with padding', 0, (s: string) => `${s}=`],
    ['an empty sub', 0, () => ''],
    ['a sid with "+"', 1, () => 'sid+'],
    ['a secret of 42 characters', 2, (s: string) => s.slice(0, 42)],
    ['a secret of 44 characters', 2, (s: string) => `${s}A`],
    ['a secret with a set unused bit', 2, (s: string) => `${s.slice(0, -1)}B`],
    ['a tag of 21 characters', 3, (s: string) => s.slice(0, 21)],
    ['a tag of 23 characters', 3, (s: string) => `${s}A`],
  ])('refuses %s', async (_name, index, mangle) => {
    const p = await parts()
    p[index] = mangle(p[index]!)
    expect(parseSessionToken(p.join('.'))).toBeUndefined()
  })

  it('accepts up to 1024 characters, not more', async () => {
    const sized = async (length: number) => {
      const p = (await formatSessionToken(await key(), 'alic', 'sidA', SECRET)).split('.')
      p[1] = ''
      p[1] = 'A'.repeat(length - p.join('.').length)
      return p.join('.')
    }
    expect(parseSessionToken(await sized(1024))).toBeDefined()
    expect(parseSessionToken(await sized(1025))).toBeUndefined()
  })
})
