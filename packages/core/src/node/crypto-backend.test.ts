import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { importHmacSecret } from '../key/import.js'
import { nodeCryptoBackend } from './crypto-backend.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const SIGNING_INPUT = 'eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ1c2VyLTEifQ'

async function hs256Fixture() {
  const secret = randomBytes(32)
  const key = await importHmacSecret(secret)
  const handle = nodeCryptoBackend.prepare(key)
  const mac = createHmac('sha256', secret).update(SIGNING_INPUT).digest('base64url')
  const verify = (signature: string) =>
    nodeCryptoBackend.verify(handle, 'HS256', `${SIGNING_INPUT}.${signature}`, SIGNING_INPUT.length, SIGNING_INPUT.length + 1)
  return { mac, verify }
}

describe('nodeCryptoBackend HS256 (the MAC compared as base64url text)', () => {
  it('accepts the canonical MAC', async () => {
    const { mac, verify } = await hs256Fixture()
    expect(mac).toHaveLength(43)
    expect(verify(mac)).toBe(true)
  })

  it('refuses every other character at every position', async () => {
    const { mac, verify } = await hs256Fixture()
    let accepted = 0
    for (let i = 0; i < mac.length; i++) {
      for (const c of ALPHABET) {
        if (c !== mac[i] && verify(mac.slice(0, i) + c + mac.slice(i + 1)) !== false) accepted++
      }
    }
    expect(accepted).toBe(0)
  })

  it('refuses a look-alike character whose low byte is the right one, at every position', async () => {
    const { mac, verify } = await hs256Fixture()
    for (let i = 0; i < mac.length; i++) {
      for (const high of [0x100, 0xff00]) {
        const lookalike = mac.slice(0, i) + String.fromCharCode(high + mac.charCodeAt(i)) + mac.slice(i + 1)
        expect(verify(lookalike), `position ${i}`).toBe(false)
      }
    }
  })

  it('refuses other spellings and lengths of the right MAC', async () => {
    const { mac, verify } = await hs256Fixture()
    const last = ALPHABET.indexOf(mac.at(-1)!)
    const spellings = [
      `${mac}=`,
      `${mac}A`,
      mac.slice(0, -1),
      ` ${mac}`.slice(0, 43),
      mac.replace(/-/g, '+').replace(/_/g, '/') + (/[-_]/.test(mac) ? '' : '+'),
      // The two unused low bits of the last character set: decodes to the same bytes leniently.
      mac.slice(0, -1) + ALPHABET[last | 1]!,
      mac.slice(0, -1) + ALPHABET[last | 2]!,
      Buffer.from(mac, 'base64url').toString('base64'),
      '',
    ]
    for (const spelling of spellings) {
      if (spelling !== mac) expect(verify(spelling), JSON.stringify(spelling)).toBe(false)
    }
  })
})
