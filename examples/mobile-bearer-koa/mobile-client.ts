/**
 * The client side of docs/guides/mobile-bearer-koa.md: what a mobile app (React Native), a desktop
 * app or a CLI does, with `@auth/client` in the bearer transport. Tokens live in a
 * `TokenStorage`: on a phone, the Keychain/Keystore; here, a file with owner-only permissions.
 *
 * Run it against the running server: `npx tsx --conditions=@auth/source examples/mobile-bearer-koa/mobile-client.ts`
 * (`API_URL` defaults to http://localhost:3000). Run it twice: the second run reuses the stored tokens.
 */
import { type AuthClient, createAuthClient, type StoredSession, type TokenStorage } from '@auth/client'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** A `TokenStorage` in a file; on a phone, back it with the platform's secure store instead. */
export function createFileTokenStorage(path: string): TokenStorage {
  return {
    async load() {
      try {
        return JSON.parse(await readFile(path, 'utf8')) as StoredSession
      } catch {
        return null
      }
    },
    async save(session) {
      if (session) await writeFile(path, JSON.stringify(session), { mode: 0o600 })
      else await rm(path, { force: true })
    },
  }
}

/** The app's API client: every call goes through `auth.fetch`, which refreshes when needed. */
export function createApiClient(baseUrl: string, tokenStorage: TokenStorage, options: { clock?: () => number } = {}) {
  const auth: AuthClient = createAuthClient({ transport: 'bearer', baseUrl, tokenStorage, ...options })
  auth.on('loggedOut', ({ reason }) => console.log(`signed out (${reason})`)) // a refused refresh ends up here too

  return {
    auth,
    /** Whether stored tokens were found (after `auth.ready`). */
    async isSignedIn(): Promise<boolean> {
      await auth.ready
      return auth.getState().status === 'active'
    },
    async signIn(email: string, password: string, device: string): Promise<boolean> {
      const response = await fetch(`${baseUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password, device }),
      })
      if (!response.ok) return false
      auth.setSession(await response.json(), { user: email }) // saved through tokenStorage
      return true
    },
    /** `Authorization: Bearer …` is added; an expiring token is refreshed first, a 401 once. */
    async me(): Promise<{ sub: string; sid: string } | null> {
      const response = await auth.fetch(`${baseUrl}/api/me`)
      return response.ok ? ((await response.json()) as { sub: string; sid: string }) : null
    },
    signOut: (everywhere = false) => auth.logout({ everywhere }),
  }
}

// Started directly: sign in once, then reuse the stored tokens on later runs.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const api = createApiClient(process.env.API_URL ?? 'http://localhost:3000', createFileTokenStorage(join(tmpdir(), 'auth-mobile-example-tokens.json')))
  if (!(await api.isSignedIn())) {
    console.log('signing in:', await api.signIn('demo@example.com', 'demo-password', 'example CLI'))
  }
  console.log('GET /api/me →', await api.me())
  if (process.argv.includes('--logout')) await api.signOut()
  api.auth.destroy()
}
