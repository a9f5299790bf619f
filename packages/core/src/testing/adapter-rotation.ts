/**
 * `describeAdapter`: refresh rotation (docs/concepts.md#refresh-rotation) through HTTP — the grace window, reuse after
 * it, and fifty concurrent refreshes with one cookie.
 *
 * @module
 * @internal
 */
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, type AdapterHarness, codeOf, GRACE_MS } from './adapter-harness.js'
import { isClearing } from './http-client.js'

const AT = '__Host-auth-at'
const RT = '__Secure-auth-rt'

/** @internal */
export function defineRotationTests(harness: () => AdapterHarness): void {
  describe('refresh rotation', () => {
    /** A refresh presenting exactly this refresh cookie, from the app's origin. */
    const refreshWith = (h: AdapterHarness, rt: string) =>
      h.send({ method: 'POST', path: '/auth/refresh', headers: { Cookie: `${RT}=${rt}`, Origin: APP_ORIGIN} })
    const cookieValue = (reply: { cookies: readonly { name: string; value: string }[] }, name: string) =>
      reply.cookies.find((cookie) => cookie.name === name)?.value

    it('answers the old cookie within grace with the same successor as the first answer (a lost response)', async () => {
      const h = harness()
      const alice = h.agent()
      await alice.login('alice', 'cookie')
      const rt0 = alice.jar.get(RT)!
      const first = await refreshWith(h, rt0)
      expect(first.status).toBe(200)
      const rt1 = cookieValue(first, RT)
      expect(rt1).toEqual(expect.any(String))
      h.advance(GRACE_MS - 1000)
      const retry = await refreshWith(h, rt0)
      expect(retry.status).toBe(200)
      expect(cookieValue(retry, RT)).toBe(rt1)
      expect(retry.cookies.filter(isClearing)).toEqual([])
      // The retry's access cookie authenticates, and the one successor rotates on.
      const at = cookieValue(retry, AT)!
      expect((await h.send({ path: '/api/me', headers: { Cookie: `${AT}=${at}` } })).json).toMatchObject({ sub: 'alice' })
      expect((await refreshWith(h, rt1!)).status).toBe(200)
    })

    it('ends the session on reuse after grace, clearing every auth cookie', async () => {
      const h = harness()
      const alice = h.agent()
      await alice.login('alice', 'cookie')
      const rt0 = alice.jar.get(RT)!
      expect((await alice.refresh()).status).toBe(200) // alice now holds the successor
      h.advance(GRACE_MS + 1000)
      const reuse = await refreshWith(h, rt0) // a thief replays the stolen, rotated cookie
      expect(reuse.status).toBe(401)
      expect(codeOf(reuse)).toBe('refresh_reused')
      const cleared = reuse.cookies.filter(isClearing).map((cookie) => cookie.name).sort()
      expect(cleared).toEqual(['__Host-auth-at', '__Host-auth-session', '__Secure-auth-rt'])
      expect(reuse.cookies.filter((cookie) => !isClearing(cookie))).toEqual([])
      // The whole session is over: alice's successor and her access cookie too.
      expect((await alice.me()).status).toBe(401)
      const refresh = await alice.refresh()
      expect(refresh.status).toBe(401)
      expect(refresh.cookies.filter(isClearing).length).toBe(3)
    })

    it('answers 50 concurrent refreshes with one cookie: all 200, one successor, nobody logged out', async () => {
      const h = harness()
      const alice = h.agent()
      await alice.login('alice', 'cookie')
      const rt0 = alice.jar.get(RT)!
      const replies = await Promise.all(Array.from({ length: 50 }, () => refreshWith(h, rt0)))
      expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 200))
      expect(replies.flatMap((reply) => reply.cookies.filter(isClearing))).toEqual([])
      const successors = new Set(replies.map((reply) => cookieValue(reply, RT)))
      expect(successors.size).toBe(1)
      const [rt1] = successors
      expect(rt1).toEqual(expect.any(String))
      expect(rt1).not.toBe(rt0)
      // Every tab's access cookie works, and the successor rotates on.
      const at = cookieValue(replies[49]!, AT)!
      expect((await h.send({ path: '/api/me', headers: { Cookie: `${AT}=${at}` } })).status).toBe(200)
      const next = await refreshWith(h, rt1!)
      expect(next.status).toBe(200)
      expect(cookieValue(next, RT)).not.toBe(rt1)
    })

    it('answers 50 concurrent bearer refreshes with one token: all 200, one successor token', async () => {
      const h = harness()
      const client = h.agent()
      await client.login('alice', 'bearer')
      const body = JSON.stringify({ refreshToken: client.tokens!.refreshToken })
      const replies = await Promise.all(
        Array.from({ length: 50 }, () => h.send({ method: 'POST', path: '/auth/refresh', headers: { 'Content-Type': 'application/json' }, body })),
      )
      expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 200))
      expect(new Set(replies.map((reply) => reply.json.refreshToken)).size).toBe(1)
      client.tokens = { accessToken: replies[0]!.json.accessToken, refreshToken: replies[0]!.json.refreshToken }
      expect((await client.me()).status).toBe(200)
      expect((await client.refresh()).status).toBe(200)
    })
  })
}
