/**
 * The resource-server verifier of `'@auth/core'` runs on an edge runtime.
 *
 * 1. `src/index.ts` (the default entry) is bundled with esbuild for a neutral platform, resolving
 *    jose to its Web API build. A plugin fails the build on any `node:` or bare Node builtin
 *    import, and the output is checked for `node:` specifiers and `require(` calls.
 * 2. The bundle is evaluated in `EdgeVM` from `@edge-runtime/vm`: a Web-standard sandbox with no
 *    `require`, `process`, `Buffer` or string code generation. Inside it, keys are generated,
 *    tokens signed and verified, and forged tokens rejected with `token_invalid`.
 * 3. Tokens cross the realm boundary in both directions as strings: signed on Node, verified in
 *    the VM, and signed in the VM, verified on Node with the `node:crypto` backend.
 *
 * Everything that crosses the VM boundary is a string (JSON); objects from the other realm would
 * fail `instanceof` checks.
 */
import { fileURLToPath } from 'node:url'
import { EdgeVM } from '@edge-runtime/vm'
import { createKeySet, generateKey, signAccessToken } from '@auth/core'
import { createVerifier as createNodeVerifier } from '@auth/core/node'
import { build } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'
import { bundle, CORE_DIR, GLOBAL_NAME, noNodeBuiltins } from './edge/bundle.js'

const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url))
const NODE_ENTRY = fileURLToPath(new URL('../src/node.ts', import.meta.url))
const ISSUER = 'https://auth.example.test'
const AUDIENCE = 'https://api.example.test'

/** Runs inside the VM after the bundle: helpers that take and return strings only. */
const VM_HARNESS = /* js */ `
globalThis.__edge = (() => {
  const core = globalThis.${GLOBAL_NAME}
  const { AuthError, createKeySet, createVerifier, generateKey, isAuthError, signAccessToken } = core
  const ISSUER = ${JSON.stringify(ISSUER)}
  const AUDIENCE = ${JSON.stringify(AUDIENCE)}

  const b64url = (text) => {
    let bin = ''
    for (const byte of new TextEncoder().encode(text)) bin += String.fromCharCode(byte)
    return btoa(bin).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')
  }
  const fromB64url = (seg) => {
    const bin = atob(seg.replace(/-/g, '+').replace(/_/g, '/'))
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)))
  }

  async function outcome(verifier, token) {
    try {
      const { claims, header } = await verifier.verify(token)
      return { ok: true, claims, header }
    } catch (error) {
      return {
        ok: false,
        instanceOfAuthError: error instanceof AuthError,
        isAuthError: isAuthError(error),
        name: error && error.name,
        code: error && error.code,
        reason: error && error.reason,
      }
    }
  }

  /** Forgeries of a valid token: each must be rejected as token_invalid. */
  function forgeries(token) {
    const [h, p, s] = token.split('.')
    const header = JSON.parse(fromB64url(h))
    const payload = JSON.parse(fromB64url(p))
    const swap = (c) => (c === 'A' ? 'B' : 'A')
    const mid = s.length >> 1
    return {
      payload: [h, b64url(JSON.stringify({ ...payload, sub: 'someone-else' })), s].join('.'),
      signature: [h, p, s.slice(0, mid) + swap(s[mid]) + s.slice(mid + 1)].join('.'),
      noneEmpty: [b64url(JSON.stringify({ ...header, alg: 'none' })), p, ''].join('.'),
      noneKeptSignature: [b64url(JSON.stringify({ ...header, alg: 'none' })), p, s].join('.'),
      noneWithoutKid: [b64url(JSON.stringify({ alg: 'none', typ: 'at+jwt' })), p, ''].join('.'),
      otherAlg: [b64url(JSON.stringify({ ...header, alg: header.alg === 'ES256' ? 'EdDSA' : 'ES256' })), p, s].join('.'),
    }
  }

  async function checkAll(verifier, token) {
    const valid = await outcome(verifier, token)
    const again = await outcome(verifier, token) // cached path
    const rejected = {}
    for (const [name, forged] of Object.entries(forgeries(token))) rejected[name] = await outcome(verifier, forged)
    return { valid, again, rejected }
  }

  return {
    env() {
      return JSON.stringify({
        require: typeof require,
        process: typeof process,
        Buffer: typeof Buffer,
        module: typeof module,
        EdgeRuntime: typeof EdgeRuntime,
        subtle: typeof crypto.subtle,
        codeGeneration: (() => {
          try {
            return String(new Function('return 1')())
          } catch (error) {
            return error.name
          }
        })(),
      })
    },

    /** Generate, sign and verify entirely inside the VM. */
    async roundTrip(alg, sameRealmPrepare = false) {
      // With sameRealmPrepare, the WebCrypto backend's prepare() is wrapped so that it returns a
      // promise of this realm (see the HS256 tests below).
      const backend = sameRealmPrepare
        ? { ...core.webCryptoBackend, prepare: async (key) => core.webCryptoBackend.prepare(key) }
        : undefined
      const key = await generateKey({ alg })
      const keys = createKeySet([key])
      const { token } = await signAccessToken(keys, {
        issuer: ISSUER,
        audience: AUDIENCE,
        sub: 'user-1',
        sid: 'session-1',
        claims: { role: 'admin' },
      })
      const result = { alg, kid: key.kid, token, jwks: JSON.stringify(keys.jwks()) }
      result.withKeySet = await checkAll(createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: keys, backend }), token)
      if (alg !== 'HS256') {
        // A resource server only has the public JWKS, as JSON.
        const jwks = JSON.parse(JSON.stringify(keys.jwks()))
        result.withJwks = await checkAll(createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks }), token)
        // ... or fetches it; the VM's fetch is replaced so no network is used.
        const fetched = []
        const remote = createVerifier({
          issuer: ISSUER,
          audience: AUDIENCE,
          jwks: 'https://auth.example.test/.well-known/jwks.json',
          remote: {
            fetch: async (url) => {
              fetched.push(String(url))
              return new Response(JSON.stringify(keys.jwks()), { headers: { 'content-type': 'application/json' } })
            },
          },
        })
        result.withRemoteJwks = await checkAll(remote, token)
        result.fetched = fetched
      }
      return JSON.stringify(result)
    },

    /** Verify a token signed elsewhere, with its public JWKS (both strings). */
    async verifyExternal(token, jwksJson) {
      const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: JSON.parse(jwksJson) })
      return JSON.stringify(await checkAll(verifier, token))
    },
  }
})()
`

interface Outcome {
  ok: boolean
  claims?: Record<string, unknown>
  header?: Record<string, unknown>
  instanceOfAuthError?: boolean
  isAuthError?: boolean
  name?: string
  code?: string
  reason?: string
}
interface CheckAll {
  valid: Outcome
  again: Outcome
  rejected: Record<string, Outcome>
}
interface RoundTrip {
  alg: string
  kid: string
  token: string
  jwks: string
  withKeySet: CheckAll
  withJwks?: CheckAll
  withRemoteJwks?: CheckAll
  fetched?: string[]
}

function expectAllChecks(result: CheckAll, expectedClaims: Record<string, unknown>, alg: string): void {
  expect(result.valid).toMatchObject({ ok: true, claims: expectedClaims, header: { alg, typ: 'at+jwt' } })
  expect(result.again).toMatchObject({ ok: true, claims: expectedClaims })
  expect(Object.keys(result.rejected)).toHaveLength(6)
  for (const [name, outcome] of Object.entries(result.rejected)) {
    expect({ forgery: name, ...outcome }).toMatchObject({
      forgery: name,
      ok: false,
      instanceOfAuthError: true, // the VM's own AuthError class
      isAuthError: true,
      code: 'token_invalid',
    })
  }
}

describe('@auth/core on an edge runtime', () => {
  let code: string
  let inputs: string[]
  let vm: EdgeVM
  let edge: {
    env(): string
    roundTrip(alg: string, sameRealmPrepare?: boolean): Promise<string>
    verifyExternal(token: string, jwks: string): Promise<string>
  }

  beforeAll(async () => {
    const result = await bundle(ENTRY)
    expect(result.errors).toEqual([])
    expect(result.outputFiles).toHaveLength(1)
    code = result.outputFiles[0]!.text
    inputs = Object.keys(result.metafile.inputs)
    vm = new EdgeVM()
    vm.evaluate(code)
    vm.evaluate(VM_HARNESS)
    edge = vm.context.__edge
  })

  describe('the bundle of src/index.ts', () => {
    it('imports no Node builtin', () => {
      expect(code).not.toMatch(/["'`]node:/)
      expect(code).not.toMatch(/\brequire\s*\(/)
      expect(code.length).toBeGreaterThan(10_000)
    })

    it('contains only core sources and the Web API build of jose', () => {
      expect(inputs.some((path) => path.includes('jose/dist/webapi/'))).toBe(true)
      const foreign = inputs.filter((path) => !path.startsWith('src/') && !/(^|\/)node_modules\/jose\/dist\/webapi\//.test(path))
      expect(foreign).toEqual([])
    })

    it('would fail on a Node builtin import (the guard is not vacuous)', async () => {
      await expect(bundle(NODE_ENTRY)).rejects.toThrow(/Node builtin "node:crypto"/)
      for (const specifier of ['node:buffer', 'crypto', 'fs/promises']) {
        await expect(
          build({
            stdin: { contents: `import x from ${JSON.stringify(specifier)}; console.log(x)`, resolveDir: CORE_DIR },
            bundle: true,
            write: false,
            platform: 'neutral',
            logLevel: 'silent',
            plugins: [noNodeBuiltins],
          }),
        ).rejects.toThrow(`Node builtin "${specifier}"`)
      }
    })
  })

  it('runs in a Web-standard sandbox without require, process or Buffer', () => {
    expect(JSON.parse(edge.env())).toEqual({
      require: 'undefined',
      process: 'undefined',
      Buffer: 'undefined',
      module: 'undefined',
      EdgeRuntime: 'string',
      subtle: 'object',
      codeGeneration: 'EvalError',
    })
    expect(vm.evaluate('typeof require')).toBe('undefined')
  })

  const roundTripClaims = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', sid: 'session-1', ver: 0, role: 'admin' }

  for (const alg of ['ES256', 'EdDSA'] as const) {
    it(`generates a key, signs and verifies ${alg} inside the VM; forgeries are token_invalid`, async () => {
      const result = JSON.parse(await edge.roundTrip(alg)) as RoundTrip
      const expectedClaims = roundTripClaims
      expectAllChecks(result.withKeySet, expectedClaims, alg)
      expectAllChecks(result.withJwks!, expectedClaims, alg)
      expectAllChecks(result.withRemoteJwks!, expectedClaims, alg)
      expect(result.fetched).toEqual(['https://auth.example.test/.well-known/jwks.json'])

      // A token signed in the VM verifies on Node, with the node:crypto backend.
      const nodeVerifier = createNodeVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: JSON.parse(result.jwks) })
      const { claims, header } = await nodeVerifier.verify(result.token)
      expect(claims).toMatchObject(expectedClaims)
      expect(header).toEqual({ alg, kid: result.kid, typ: 'at+jwt' })
    })
  }

  // HS256 in this VM: `webCryptoBackend.prepare` returns `crypto.subtle.importKey(...)` as is, and
  // EdgeVM's `crypto` is Node's WebCrypto, so that promise belongs to the outer realm. The
  // verifier must treat any thenable as pending (not only `instanceof Promise`).
  it('HS256 with the default backend inside the VM (a promise of another realm from prepare)', async () => {
    const result = JSON.parse(await edge.roundTrip('HS256')) as RoundTrip
    expectAllChecks(result.withKeySet, roundTripClaims, 'HS256')
  })

  it('HS256 inside the VM when prepare() returns a promise of the VM realm; forgeries are token_invalid', async () => {
    const result = JSON.parse(await edge.roundTrip('HS256', true)) as RoundTrip
    expectAllChecks(result.withKeySet, roundTripClaims, 'HS256')
    // A symmetric key never appears in a JWKS.
    expect(JSON.parse(result.jwks)).toEqual({ keys: [] })
  })

  for (const alg of ['ES256', 'EdDSA'] as const) {
    it(`verifies in the VM an ${alg} token signed on Node`, async () => {
      const keys = createKeySet([await generateKey({ alg })])
      const { token } = await signAccessToken(keys, {
        issuer: ISSUER,
        audience: AUDIENCE,
        sub: 'user-node',
        sid: 'session-node',
        ver: 3,
        claims: { scope: 'read write', tenant: { id: 't-1' } },
      })
      // Sanity: Node's own verifier accepts it.
      await expect(createNodeVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: keys.jwks() }).verify(token)).resolves.toBeDefined()

      const result = JSON.parse(await edge.verifyExternal(token, JSON.stringify(keys.jwks()))) as CheckAll
      expectAllChecks(
        result,
        { iss: ISSUER, aud: AUDIENCE, sub: 'user-node', sid: 'session-node', ver: 3, scope: 'read write', tenant: { id: 't-1' } },
        alg,
      )
    })
  }

  it('rejects in the VM a Node-signed token under a JWKS without its key', async () => {
    const signer = createKeySet([await generateKey({ alg: 'ES256' })])
    const other = createKeySet([await generateKey({ alg: 'ES256' })])
    const { token } = await signAccessToken(signer, { issuer: ISSUER, audience: AUDIENCE, sub: 'u', sid: 's' })
    const result = JSON.parse(await edge.verifyExternal(token, JSON.stringify(other.jwks()))) as CheckAll
    expect(result.valid).toMatchObject({ ok: false, isAuthError: true, code: 'token_invalid', reason: 'kid' })
  })
})
