/**
 * `describeAdapter`: the store goes down. Every answer that needs the store is 503
 * `store_unavailable` with `Retry-After`: never 200, never anonymous, never a cookie cleared;
 * when the store is back, nobody has been logged out. And the public keys, which need no store.
 *
 * @module
 * @internal
 */
import { describe, expect, it } from 'vitest'
import type { HttpTransport } from '../http/exchange.js'
import { type AdapterHarness, type Agent, codeOf, loginAdmin, TRANSPORTS } from './adapter-harness.js'
import type { HttpReply } from './http-client.js'

function expectUnavailable(reply: HttpReply, what: string): void {
  expect([reply.status, codeOf(reply)], `${what}: ${reply.text}`).toEqual([503, 'store_unavailable'])
  expect(reply.headers['retry-after'], what).toMatch(/^\d+$/)
  expect(reply.cookies, what).toEqual([])
}

/** Runs `body` with the store down, bringing it back however `body` ends. */
async function whileDown(h: AdapterHarness, body: () => Promise<void>): Promise<void> {
  h.store.storeDown = true
  try {
    await body()
  } finally {
    h.store.storeDown = false
  }
}

/** @internal */
export function defineOutageTests(harness: () => AdapterHarness): void {
  describe('store outage', () => {
    it.each(TRANSPORTS)('answers a %s login with 503, setting no cookie', async (transport) => {
      const h = harness()
      await whileDown(h, async () => {
        expectUnavailable(await h.agent().send('POST', '/auth/login', { json: { sub: 'alice', transport } }), 'login')
      })
    })

    it.each(TRANSPORTS)('answers every %s request that needs the store with 503, then serves the same session again', async (transport) => {
      const h = harness()
      const alice: Agent = h.agent()
      const sid = (await loginAdmin(alice, transport)).json.sessionId
      await whileDown(h, async () => {
        // Strict revocation (the default) asks the store on every request: no answer, no pass.
        expectUnavailable(await alice.me(), 'GET /api/me')
        expectUnavailable(await alice.send('POST', '/api/me'), 'POST /api/me')
        expectUnavailable(await alice.send('GET', '/api/admin'), 'GET /api/admin')
        // An unguarded route must not fall back to anonymous either.
        expectUnavailable(await alice.send('GET', '/api/public'), 'GET /api/public')
        expectUnavailable(await alice.send('GET', '/auth/sessions'), 'GET /auth/sessions')
        expectUnavailable(await alice.send('POST', '/auth/logout'), 'POST /auth/logout')
        expectUnavailable(await alice.send('DELETE', `/auth/sessions/${sid}`), 'DELETE /auth/sessions/:id')
        if (transport !== 'session') expectUnavailable(await alice.refresh(), 'POST /auth/refresh')
      })
      await expectStillLoggedIn(alice, transport)
    })

    it('serves anonymous requests to unguarded routes, which need no store', async () => {
      const h = harness()
      await whileDown(h, async () => {
        expect(await h.send({ path: '/api/public' })).toMatchObject({ status: 200, json: { sub: null } })
        expect((await h.send({ path: '/api/me' })).status).toBe(401)
      })
    })
  })

  describe('public keys', () => {
    it('serves the public JWKS, without private members, also while the store is down', async () => {
      const h = harness()
      await whileDown(h, async () => {
        const reply = await h.send({ path: '/.well-known/jwks.json' })
        expect(reply.status).toBe(200)
        expect(String(reply.headers['content-type'])).toMatch(/^application\/json/)
        expect(reply.json).toEqual(JSON.parse(JSON.stringify(h.auth.jwks())))
        expect(reply.json.keys.length).toBeGreaterThan(0)
        for (const key of reply.json.keys as Array<Record<string, unknown>>) {
          for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(secret)
          expect(key).toHaveProperty('kid')
        }
      })
    })
  })
}

async function expectStillLoggedIn(agent: Agent, transport: HttpTransport): Promise<void> {
  expect((await agent.me()).status).toBe(200)
  if (transport !== 'session') expect((await agent.refresh()).status).toBe(200)
  expect((await agent.send('GET', '/api/admin')).status).toBe(200)
}
