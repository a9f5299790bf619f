/**
 * The browser side of docs/guides/spa-fastify-client.md: a single-page app on the cookie
 * transport. `@auth/client` keeps the access token fresh (before it expires, on wake-ups, after a
 * 401) with one refresh at a time across every tab, and carries logout to every tab. The page
 * never sees a token: both live in HttpOnly cookies.
 *
 * Bundled for the browser by `server.ts` (esbuild); in your app, your bundler (Vite…) does it.
 */
import { createAuthClient } from '@auth/client'

const auth = createAuthClient({ transport: 'cookie' }) // the API is on the page's own origin

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

function show(signedIn: boolean, text: string): void {
  $('signed-in').hidden = !signedIn
  $('login').hidden = signedIn
  $('status').textContent = text
}

/** Any API call: through `auth.fetch`, which refreshes first when the token is about to expire. */
async function loadMe(): Promise<void> {
  const response = await auth.fetch('/api/me')
  if (response.ok) {
    const me = (await response.json()) as { sub: string }
    show(true, `Signed in as ${me.sub}`)
  } else {
    show(false, 'Signed out')
  }
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault()
  const form = new FormData(event.target as HTMLFormElement)
  const response = await auth.fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
  })
  if (!response.ok) return show(false, 'Wrong email or password.')
  // The JSON holds no token (they are in cookies), only their expiry: every tab learns it.
  auth.setSession(await response.json(), { user: String(form.get('email')) })
  await loadMe()
})
$('me').addEventListener('click', () => void loadMe())
$('logout').addEventListener('click', () => void auth.logout())
$('logout-all').addEventListener('click', () => void auth.logout({ everywhere: true }))

// A logout in another tab, a refused refresh, or an expired session: every tab shows it.
auth.on('loggedOut', ({ reason, source }) => show(false, `Signed out (${reason}, ${source})`))
auth.on('sessionExpired', () => show(false, 'Your session expired: please sign in again.'))
auth.on('refreshed', ({ source }) => ($('refreshed').textContent = `token refreshed (${source})`))

// On load: the cookies decide (after a reload, or in a new tab).
void loadMe()
