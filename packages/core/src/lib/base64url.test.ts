import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  decodeBase64url,
  decodeUtf8,
  encodeBase64url,
  encodeUtf8,
  hasCanonicalTail,
  isCanonicalBase64url,
  isCanonicalSegment,
} from './base64url.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const LENGTHS = Array.from({ length: 101 }, (_, i) => i)

/** Node's own answer: a base64url string is canonical iff Buffer re-encodes its bytes to the same string. */
const bufferSaysCanonical = (s: string) => s.length > 0 && Buffer.from(s, 'base64url').toString('base64url') === s
const whole = (s: string) => isCanonicalBase64url(s, 0, s.length)
const b64u = (text: string) => Buffer.from(text).toString('base64url')


/** Every one of exactly three segments is canonical (what the verifier's checks add up to). */
const compact = (token: string) => {
  const parts = token.split('.')
  if (parts.length !== 3) return false
  let offset = 0
  return parts.every((part) => {
    const ok = isCanonicalSegment(token, offset, offset + part.length)
    offset += part.length + 1
    return ok
  })
}

const HEADER = b64u('{"alg":"ES256","kid":"k","typ":"at+jwt"}')
const PAYLOAD = b64u('{"sub":"user-1","exp":1700000000}')
const SIGNATURE = randomBytes(64).toString('base64url')
const TOKEN = `${HEADER}.${PAYLOAD}.${SIGNATURE}`

describe('encodeBase64url / decodeBase64url', () => {
  it.each(LENGTHS)('encodes %i random bytes exactly as Buffer does, and decodes them back', (length) => {
    for (let i = 0; i < 5; i++) {
      const input = new Uint8Array(randomBytes(length))
      const text = encodeBase64url(input)
      expect(text).toBe(Buffer.from(input).toString('base64url'))
      expect(decodeBase64url(text)).toEqual(input)
      if (length > 0) expect(whole(text)).toBe(true)
    }
  })

  it.each([6143, 6144, 6145, 12_288, 100_000])('encodes %i bytes (more than one chunk of 8192 characters) as Buffer does', (length) => {
    const input = new Uint8Array(randomBytes(length))
    expect(encodeBase64url(input)).toBe(Buffer.from(input).toString('base64url'))
  })

  it('encodes every single byte and every byte pair as Buffer does', () => {
    for (let a = 0; a < 256; a++) {
      expect(encodeBase64url(new Uint8Array([a]))).toBe(Buffer.from([a]).toString('base64url'))
      for (let b = 0; b < 256; b++) {
        const pair = new Uint8Array([a, b])
        const text = encodeBase64url(pair)
        expect(text).toBe(Buffer.from(pair).toString('base64url'))
        expect(decodeBase64url(text)).toEqual(pair)
      }
    }
  })

  it('decodes only the range [start, end) of a string', () => {
    const input = new Uint8Array(randomBytes(40))
    const text = `xyz.${encodeBase64url(input)}.abc`
    expect(decodeBase64url(text, 4, text.length - 4)).toEqual(input)
    expect(decodeBase64url(TOKEN, TOKEN.indexOf('.') + 1, TOKEN.lastIndexOf('.'))).toEqual(
      new Uint8Array(Buffer.from('{"sub":"user-1","exp":1700000000}')),
    )
  })

  it('encodes a subarray view without the bytes around it', () => {
    const backing = new Uint8Array(randomBytes(30))
    const view = backing.subarray(5, 17)
    expect(encodeBase64url(view)).toBe(Buffer.from(view).toString('base64url'))
  })
})

describe('encodeUtf8 / decodeUtf8', () => {
  it.each(['', 'ascii', 'héllo wörld', '日本語', '🔑 key', '\u0000'])('round-trips %j as Buffer does', (text) => {
    expect(Buffer.from(encodeUtf8(text)).equals(Buffer.from(text, 'utf8'))).toBe(true)
    expect(decodeUtf8(encodeUtf8(text))).toBe(text)
  })
})

describe('isCanonicalBase64url', () => {
  it.each(LENGTHS.filter((n) => n > 0))('accepts the encoding of %i random bytes', (length) => {
    expect(whole(encodeBase64url(new Uint8Array(randomBytes(length))))).toBe(true)
  })

  it.each<[string, string]>([
    ['the empty string', ''],
    ['padding "=="', 'QQ=='],
    ['padding "="', 'QUE='],
    ['a lone "="', '='],
    ['a leading space', ' QQ'],
    ['a trailing space', 'QQ '],
    ['an inner space', 'QU E'],
    ['a newline', 'QUFB\nQUFB'],
    ['a tab', '\tQUFB'],
    ['a carriage return', 'QUFB\r'],
    ['"+" (standard base64)', 'QU+B'],
    ['"/" (standard base64)', 'QU/B'],
    ['a dot', 'QU.B'],
    ['a NUL character', 'QU\u0000B'],
    ['"é" (non-ASCII)', 'QUéB'],
    ['a fullwidth letter', 'QUＡB'],
    ['an emoji', 'QU🔑'],
    ['U+0141, whose low byte is "A"', `QU${String.fromCharCode(0x141)}B`],
    ['U+0161, whose low byte is "a"', `QU${String.fromCharCode(0x161)}B`],
    ['U+FF41, whose low byte is "A"', `QU${String.fromCharCode(0xff41)}B`],
    ['length 1', 'Q'],
    ['length 5', 'QUFBQ'],
    ['length 9', 'QUFBQUFBQ'],
    ['unused bits set: "QR" (canonical "QQ")', 'QR'],
    ['unused bits set: "QX" (canonical "QQ")', 'QX'],
    ['unused bits set: "A_"', 'A_'],
    ['unused bits set: "QUF" (canonical "QUE")', 'QUF'],
    ['unused bits set: "QUH" (canonical "QUE")', 'QUH'],
    ['unused bits set after full groups: "QUFBQR"', 'QUFBQR'],
  ])('rejects %s', (_name, s) => {
    expect(whole(s)).toBe(false)
  })

  it.each([['QQ'], ['QUE'], ['QUFB'], ['AA'], ['AAA'], ['____'], ['-_-_'], ['QUFBQQ'], ['QUFBQUE']])(
    'accepts the canonical %j',
    (s) => {
      expect(whole(s)).toBe(true)
      expect(bufferSaysCanonical(s)).toBe(true)
    },
  )

  it('agrees with Buffer on every 2- and 3-character alphabet string', () => {
    for (const a of ALPHABET) {
      for (const b of ALPHABET) {
        expect(whole(a + b), a + b).toBe(bufferSaysCanonical(a + b))
        for (const c of ALPHABET) {
          const s = `QUFB${a}${b}${c}`
          if (whole(s) !== bufferSaysCanonical(s)) expect(whole(s), s).toBe(bufferSaysCanonical(s))
        }
      }
    }
  })

  it('checks only the range [start, end)', () => {
    expect(isCanonicalBase64url('==QQ==', 2, 4)).toBe(true)
    expect(isCanonicalBase64url('QQ.QR', 0, 2)).toBe(true)
    expect(isCanonicalBase64url('QQ.QR', 3, 5)).toBe(false)
    expect(isCanonicalBase64url('QR', 0, 1)).toBe(false) // length 1
    expect(isCanonicalBase64url('QUFB', 2, 2)).toBe(false) // empty
    expect(isCanonicalBase64url('QUFB', 3, 2)).toBe(false) // negative length
  })
})

describe('hasCanonicalTail', () => {
  it('agrees with Buffer on every 2- and 3-character alphabet string, alone and after full groups', () => {
    for (const a of ALPHABET) {
      for (const b of ALPHABET) {
        for (const s of [a + b, `QUFB${a}${b}`, `Q${a}${b}`, `QUFBQ${a}${b}`]) {
          expect(hasCanonicalTail(s, 0, s.length), s).toBe(bufferSaysCanonical(s))
        }
      }
    }
  })

  it.each([['Q'], ['QUFBQ'], ['QUFBQUFBQ']])('rejects the impossible length of %j (1 mod 4)', (s) => {
    expect(hasCanonicalTail(s, 0, s.length)).toBe(false)
  })

  it.each([['QR'], ['QUF'], ['QUFBQX'], ['QUFBQUH']])('rejects %j, whose unused low bits are set', (s) => {
    expect(hasCanonicalTail(s, 0, s.length)).toBe(false)
  })

  it.each([['QQ'], ['QUE'], ['QUFB'], ['QUFBQQ'], ['QUFBQUE']])('accepts the canonical %j', (s) => {
    expect(hasCanonicalTail(s, 0, s.length)).toBe(true)
  })

  it('looks only at the range [start, end)', () => {
    expect(hasCanonicalTail('QR.QQ', 3, 5)).toBe(true)
    expect(hasCanonicalTail('QQ.QR', 3, 5)).toBe(false)
    expect(hasCanonicalTail('QRxx', 0, 2)).toBe(false)
  })
})

describe('isCanonicalSegment, segment by segment', () => {
  it('accepts three canonical segments', () => {
    expect(compact(TOKEN)).toBe(true)
    expect(compact('QQ.QUE.QUFB')).toBe(true)
  })

  it('accepts random compact tokens of every segment length mod 4 that is possible', () => {
    for (const a of [1, 2, 3, 30]) {
      for (const b of [1, 2, 3, 31]) {
        for (const c of [32, 64, 65, 256]) {
          const token = [a, b, c].map((n) => randomBytes(n).toString('base64url')).join('.')
          expect(compact(token), token).toBe(true)
        }
      }
    }
  })

  const SEGMENTS = ['header', 'payload', 'signature'] as const
  const MANGLES: [string, (segment: string) => string][] = [
    ['padding', (s) => `${s}==`],
    ['a single "="', (s) => `${s}=`],
    ['a space', (s) => `${s.slice(0, 2)} ${s.slice(2)}`],
    ['a newline', (s) => `${s}\n`],
    ['"+"', (s) => `${s.slice(0, 2)}+${s.slice(3)}`],
    ['"/"', (s) => `${s.slice(0, 2)}/${s.slice(3)}`],
    ['a non-ASCII character', (s) => `${s.slice(0, 2)}é${s.slice(3)}`],
    ['U+0141 (low byte "A")', (s) => `${s.slice(0, 2)}${String.fromCharCode(0x141)}${s.slice(3)}`],
    ['a length of 1 mod 4', (s) => `${s}${s.length % 4 === 0 ? 'A' : s.length % 4 === 2 ? 'AAA' : s.length % 4 === 3 ? 'AA' : ''}`],
    ['set unused bits', (s) => setUnusedBits(s)],
    ['no characters at all', () => ''],
  ]

  /** Flips the lowest bit of the last character of a segment whose length leaves unused bits. */
  function setUnusedBits(segment: string): string {
    const s = segment.length % 4 === 0 ? `${segment}QQ` : segment
    const last = ALPHABET.indexOf(s[s.length - 1]!)
    return s.slice(0, -1) + ALPHABET[last | 1]
  }

  it.each(SEGMENTS.flatMap((segment, index) => MANGLES.map(([name, mangle]) => [segment, name, index, mangle] as const)))(
    'rejects a %s segment with %s',
    (_segment, _name, index, mangle) => {
      const parts = [HEADER, PAYLOAD, SIGNATURE]
      parts[index] = mangle(parts[index]!)
      const token = parts.join('.')
      expect(compact(token)).toBe(false)
    },
  )

  it.each([
    ['two segments', `${HEADER}.${PAYLOAD}`],
    ['four segments', `${TOKEN}.${SIGNATURE}`],
    ['a trailing dot', `${TOKEN}.`],
    ['a leading dot', `.${TOKEN}`],
    ['two dots in a row', `${HEADER}..${SIGNATURE}`],
    ['only dots', '..'],
    ['the empty string', ''],
  ])('rejects %s', (_name, token) => {
    expect(compact(token)).toBe(false)
  })
})

describe('isCanonicalSegment', () => {
  it('gives the same answer when called repeatedly and interleaved (the sticky regex is reset)', () => {
    const bad = `${PAYLOAD}==`
    for (let i = 0; i < 5; i++) {
      expect(isCanonicalSegment(TOKEN, 0, HEADER.length)).toBe(true)
      expect(isCanonicalSegment(bad, 0, bad.length)).toBe(false)
      expect(isCanonicalSegment(`x.${PAYLOAD}`, 2, 2 + PAYLOAD.length)).toBe(true)
    }
  })

  it('looks only at the range [start, end) and refuses an empty one', () => {
    expect(isCanonicalSegment(`${HEADER}.${PAYLOAD}`, HEADER.length + 1, HEADER.length + 1 + PAYLOAD.length)).toBe(true)
    expect(isCanonicalSegment(`${HEADER} ${PAYLOAD}`, 0, HEADER.length)).toBe(true)
    expect(isCanonicalSegment(`${HEADER} ${PAYLOAD}`, 0, HEADER.length + 1)).toBe(false)
    expect(isCanonicalSegment(HEADER, 3, 3)).toBe(false)
  })
})
