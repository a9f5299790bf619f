/**
 * The interim demo (until the adapters land with the real demo app): the README's quick start,
 * narrated. Memory store, in-memory ES256 keys, no services.
 *
 * Run with `npm run demo`.
 */
import { AuthError, generateKeySet } from '@auth/core'
import { createAuth } from '@auth/core/node'
import { createMemoryStore } from '@auth/store-memory'

const show = (label: string, value: unknown) => console.log(`\n${label}\n${JSON.stringify(value, null, 2)}`)
async function attempt(label: string, action: () => Promise<unknown>): Promise<void> {
  try {
    await action()
    console.log(`${label}: ok`)
  } catch (error) {
    if (!(error instanceof AuthError)) throw error
    console.log(`${label}: ${error.status} ${JSON.stringify(error.toJSON())}`)
  }
}

const store = createMemoryStore()
const auth = createAuth({
  store,
  keys: await generateKeySet(),
  issuer: 'http://localhost:3000',
  audience: 'demo-api',
  revocation: 'mirror',
  onSecurityEvent: (event) => show('security event', event),
})
await auth.ready()

show('public JWKS (GET /.well-known/jwks.json)', auth.jwks())

const login = await auth.login({ sub: 'user-42', metadata: { userAgent: 'demo', label: 'Laptop' } })
show('login → token response', { ...login, accessToken: `${login.accessToken.slice(0, 40)}…`, refreshToken: `${login.refreshToken.slice(0, 40)}…` })

const { claims } = await auth.verifyAccessToken(login.accessToken)
show('verified access token claims', claims)

const rotated = await auth.refresh(login.refreshToken)
console.log(`\nrefresh: generation ${login.refreshToken.split('.')[2]} → ${rotated.refreshToken.split('.')[2]}`)
const retry = await auth.refresh(login.refreshToken)
console.log(`a retry with the old token within the 10 s grace window gets the same successor: ${retry.refreshToken === rotated.refreshToken}`)

await auth.login({ sub: 'user-42', metadata: { label: 'Phone' } })
show('your devices', (await auth.listSessions('user-42', claims.sid)).map((s) => ({ id: s.id, current: s.current, label: s.metadata.label })))

await attempt('a forged access token', () => auth.verifyAccessToken(`${login.accessToken.slice(0, -4)}AAAA`))
await auth.logout({ sub: claims.sub, id: claims.sid })
await attempt('the access token after logout', () => auth.verifyAccessToken(rotated.accessToken))
await attempt('the refresh token after logout', () => auth.refresh(rotated.refreshToken))

const other = await auth.login({ sub: 'user-42' })
const third = await auth.refresh(other.refreshToken)
await auth.refresh(third.refreshToken)
await attempt('replaying a rotated refresh token (theft)', () => auth.refresh(other.refreshToken))

const { ver, ended } = await auth.logoutAll('user-42')
console.log(`\nlog out everywhere: token version ${ver}, ${ended.length} session(s) ended`)

await auth.close()
await store.close()
