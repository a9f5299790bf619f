import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { importJWK, jwtVerify } from 'jose'
import { webCryptoBackend } from '../crypto/web.js'
import { generateKeySet } from '../key/generate.js'
import { importHmacSecret, importKey } from '../key/import.js'
import { mac, tokenPrimitivesOf, webTokenPrimitives } from '../lib/mac.js'
import { signAccessToken, signAccessTokenWith } from '../token/sign.js'
import { createVerifier } from '../verifier.js'
import { nodeCryptoBackend } from './crypto-backend.js'

const ISSUER = 'https://auth.example.test'
const AUDIENCE = 'https://api.example.test'

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

describe('nodeCryptoBackend fast paths for createAuth agree with WebCrypto and jose', () => {
  const node = tokenPrimitivesOf(nodeCryptoBackend)

  it('HMAC-SHA256 and SHA-256 equal WebCrypto byte for byte (token MACs and stored hashes)', async () => {
    for (const size of [0, 1, 31, 32, 33, 64, 65, 200, 1000]) {
      const secret = randomBytes(32)
      const data = new Uint8Array(randomBytes(size))
      const [nodeKey, webKey] = await Promise.all([node.importMacKey(secret), webTokenPrimitives.importMacKey(secret)])
      expect(Buffer.from(await mac(nodeKey, 'rt-tag', 'user-1', data))).toEqual(Buffer.from(await mac(webKey, 'rt-tag', 'user-1', data)))
      expect(await node.hashSecret(data)).toBe(await webTokenPrimitives.hashSecret(data))
    }
  })

  it('a MAC key does not change when the caller later changes its secret buffer', async () => {
    const secret = new Uint8Array(randomBytes(32))
    const key = await node.importMacKey(secret)
    const before = Buffer.from(await mac(key, 'x'))
    secret.fill(0)
    expect(Buffer.from(await mac(key, 'x'))).toEqual(before)
  })

  it.each(['HS256', 'EdDSA', 'RS256'] as const)('%s: signs the very token jose signs (deterministic algorithms)', async (alg) => {
    const keys = await generateKeySet({ alg })
    const options = { issuer: ISSUER, audience: AUDIENCE, sub: 'user-1', sid: 'sid-1', jti: 'jti-1', claims: { role: 'admin' }, clock: () => 1_700_000_000_000 }
    const viaJose = await signAccessToken(keys, options)
    const viaNode = await signAccessTokenWith(nodeCryptoBackend.sign!.bind(nodeCryptoBackend), keys, options)
    expect(viaNode.token).toBe(viaJose.token)
  })

  it.each(['ES256', 'EdDSA', 'RS256', 'HS256'] as const)('%s: its tokens verify with jose and with both of our backends', async (alg) => {
    const keys = await generateKeySet({ alg })
    const { token } = await signAccessTokenWith(nodeCryptoBackend.sign!.bind(nodeCryptoBackend), keys, {
      issuer: ISSUER,
      audience: AUDIENCE,
      sub: 'user-1',
      sid: 'sid-1',
      claims: { role: 'admin' },
    })
    const [header, payload] = token.split('.').map((part) => Buffer.from(part, 'base64url').toString('utf8'))
    expect(JSON.parse(header!)).toEqual({ alg, kid: keys.signingKey!.kid, typ: 'at+jwt' })
    expect(JSON.parse(payload!)).toMatchObject({ sub: 'user-1', role: 'admin' })
    for (const backend of [nodeCryptoBackend, webCryptoBackend]) {
      const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: keys, backend })
      await expect(verifier.verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    }
    if (alg !== 'HS256') {
      const publicKey = await importJWK(keys.signingKey!.publicJwk()!, alg)
      await expect(jwtVerify(token, publicKey, { issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt' })).resolves.toBeDefined()
    }
  })

  it('refuses to sign with a key that cannot sign (a public key)', async () => {
    const keys = await generateKeySet({ alg: 'ES256' })
    const [publicOnly] = keys.jwks().keys
    const imported = await importKey(publicOnly!)
    expect(() => nodeCryptoBackend.sign!(imported, 'a.b')).toThrow(TypeError)
  })
})
