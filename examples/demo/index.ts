/**
 * The interim demo (until the adapters land): generate an in-memory ES256 key set, sign an access
 * token, verify it on both backends, show the public JWKS, and show what a forged token gets.
 *
 * Run with `npm run demo`.
 */
import { AuthError, createVerifier as createWebVerifier, generateKeySet, signAccessToken } from '@auth/core'
import { createVerifier } from '@auth/core/node'

const issuer = 'http://localhost:3000'
const audience = 'demo-api'

const keys = await generateKeySet() // ES256, in memory: tokens do not survive a restart
console.log('Public JWKS (what /.well-known/jwks.json serves):')
console.log(JSON.stringify(keys.jwks(), null, 2))

const { token, expiresAt } = await signAccessToken(keys, {
  issuer,
  audience,
  sub: 'user-42',
  sid: 'session-1',
  claims: { role: 'admin' },
})
console.log(`\nAccess token (${token.length} bytes, expires ${new Date(expiresAt).toISOString()}):\n${token}`)

const verifier = createVerifier({ issuer, audience, jwks: keys }) // node:crypto fast path
const { claims, header } = await verifier.verify(token)
console.log('\nVerified on Node (node:crypto):', { header, claims })

const edge = createWebVerifier({ issuer, audience, jwks: keys.jwks() }) // WebCrypto, any runtime
console.log('Verified with WebCrypto from the public JWKS: sub =', (await edge.verify(token)).claims.sub)

const [h, p] = token.split('.')
const forgedPayload = Buffer.from(JSON.stringify({ ...claims, role: 'superuser' })).toString('base64url')
for (const [label, candidate] of [
  ['tampered payload', `${h}.${forgedPayload}.${token.split('.')[2]}`],
  ['alg none', `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${p}.`],
  ['oversized', 'a'.repeat(9000)],
] as const) {
  try {
    await verifier.verify(candidate)
    console.log(`${label}: ACCEPTED (this is a bug)`)
    process.exitCode = 1
  } catch (error) {
    const e = error as AuthError
    console.log(`${label}: rejected with ${e.status} ${JSON.stringify(e.toJSON())}`)
  }
}
