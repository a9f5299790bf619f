/**
 * Health events (`createAuth({ onHealthEvent })`, `auth.onHealthEvent`): a store failure is one
 * `store_error` naming the operation and the store method; an outage is one `store_down` and one
 * `store_recovered`; the mirror falling back to the store and catching up are one `mirror_stale`
 * and one `mirror_recovered`. A listener never changes an answer.
 */
import { AuthError, type AuthStore, createAuthHttp, createFetchHandler, type HealthEvent, isAuthError } from '@auth/core'
import { describe, expect, it, vi } from 'vitest'
import { codeOf, T0, useHarness } from './harness.js'
import type { TinyStore } from './tiny-store.js'

const setup = useHarness()

/** A harness whose health events are recorded. */
function monitored(options: Parameters<typeof setup>[0] = {}) {
  const health: HealthEvent[] = []
  const h = setup({ revocation: 'strict', onHealthEvent: (event) => health.push(event), ...options })
  return { ...h, health, types: () => health.map((event) => event.type) }
}

const EVERY_METHOD: Array<keyof AuthStore> = [
  'createSession', 'getSession', 'updateSession', 'wasSessionEnded', 'endSession', 'logoutAll',
  'listSessions', 'getUserVersion', 'denyToken', 'getRevocationState', 'readFeed', 'trimFeed',
]

function failAll(store: TinyStore): void {
  for (const method of EVERY_METHOD) store.failing.add(method)
}

describe('store_error', () => {
  it('names the Auth operation and the store method of each failed call', async () => {
    const h = monitored()
    const tokens = await h.auth.login({ sub: 'alice' })
    const ref = { sub: 'alice', id: tokens.sessionId }
    const session = await h.auth.login({ sub: 'alice', transport: 'session' })
    failAll(h.store)
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['login', () => h.auth.login({ sub: 'alice' })],
      ['refresh', () => h.auth.refresh(tokens.refreshToken)],
      ['verifyAccessToken', () => h.auth.verifyAccessToken(tokens.accessToken)],
      ['verifySessionToken', () => h.auth.verifySessionToken(session.sessionToken)],
      ['logout', () => h.auth.logout(ref)],
      ['logoutAll', () => h.auth.logoutAll('alice')],
      ['revokeToken', () => h.auth.revokeToken({ sub: 'alice', jti: 'j', exp: 2_000_000_000 })],
      ['listSessions', () => h.auth.listSessions('alice')],
      ['getSession', () => h.auth.getSession(ref)],
      ['touchSession', () => h.auth.touchSession(ref)],
      ['updateSessionData', () => h.auth.updateSessionData(ref, (data) => data)],
      ['setSessionData', () => h.auth.setSessionData(ref, {}, 0)],
    ]
    for (const [operation, call] of calls) {
      h.health.length = 0
      expect(await codeOf(call()), operation).toBe('store_unavailable')
      const errors = h.health.filter((event) => event.type === 'store_error')
      expect(errors, operation).toHaveLength(1)
      const [event] = errors
      expect(event, operation).toMatchObject({ operation, at: T0 })
      expect(EVERY_METHOD, operation).toContain(event!.type === 'store_error' ? event!.method : '')
      expect(event!.type === 'store_error' && event!.message, operation).toBe(`Error: tiny store: ${event!.type === 'store_error' ? event!.method : ''} is down`)
    }
  })

  it('carries the error as the store threw it, and a one-line message that looks through store_unavailable to its cause', async () => {
    const h = monitored()
    const tokens = await h.auth.login({ sub: 'alice' })
    const thrown = new AuthError('store_unavailable', { reason: 'timeout', cause: new Error('Command timed out'), retryAfter: 1 })
    vi.spyOn(h.store, 'getRevocationState').mockRejectedValue(thrown)
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('store_unavailable')
    expect(h.health[0]).toEqual({
      type: 'store_error',
      operation: 'verifyAccessToken',
      method: 'getRevocationState',
      message: 'store_unavailable (timeout): Error: Command timed out',
      error: thrown,
      at: T0,
    })
  })

  it.each([
    ['a cyclic cause', () => {
      const error = new Error('loop')
      ;(error as { cause?: unknown }).cause = error
      return error
    }, 'Error: loop (Error: loop (Error: loop))'],
    ['an object without toString', () => Object.create(null) as unknown, 'object'],
    ['a string', () => 'ECONNRESET', 'ECONNRESET'],
  ])('describes %s in one line, and the caller still gets store_unavailable', async (_, make, message) => {
    const h = monitored()
    const tokens = await h.auth.login({ sub: 'alice' })
    vi.spyOn(h.store, 'getRevocationState').mockImplementation(() => Promise.reject(make()))
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('store_unavailable')
    expect(h.health[0]).toMatchObject({ type: 'store_error', message })
  })

  it('builds nothing while nobody listens: the error is not even read', async () => {
    const h = setup({ revocation: 'strict' })
    const tokens = await h.auth.login({ sub: 'alice' })
    let reads = 0
    const error = new Error('down')
    Object.defineProperty(error, 'message', { get: () => (reads++, 'down') })
    vi.spyOn(h.store, 'getRevocationState').mockRejectedValue(error)
    vi.spyOn(h.store, 'listSessions').mockRejectedValue(error)
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('store_unavailable')
    expect(await codeOf(h.auth.listSessions('alice'))).toBe('store_unavailable')
    expect(reads).toBe(0)
    const seen: HealthEvent[] = []
    h.auth.onHealthEvent((event) => seen.push(event))
    expect(await codeOf(h.auth.listSessions('alice'))).toBe('store_unavailable')
    expect(reads).toBe(1)
    expect(seen).toMatchObject([{ type: 'store_error', operation: 'listSessions', message: 'Error: down' }])
  })

  it('counts a strict check answered with no state as a failure', async () => {
    const h = monitored()
    const tokens = await h.auth.login({ sub: 'alice' })
    vi.spyOn(h.store, 'getRevocationState').mockResolvedValue(null as never)
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('store_unavailable')
    expect(h.health[0]).toMatchObject({ type: 'store_error', method: 'getRevocationState', message: 'TypeError: getRevocationState answered no state' })
  })

  it('is not emitted for answers: a refused credential or an ended session is no store failure', async () => {
    const h = monitored()
    const tokens = await h.auth.login({ sub: 'alice' })
    await h.auth.logout({ sub: 'alice', id: tokens.sessionId })
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('session_revoked')
    expect(await codeOf(h.auth.refresh(tokens.refreshToken))).toBe('refresh_invalid')
    expect(await codeOf(h.auth.verifyAccessToken('not.a.token'))).toBe('token_invalid')
    expect(h.health).toEqual([])
  })
})

describe('over HTTP (the Fetch bridge)', () => {
  it('every 503 store_unavailable is one store_error naming its operation', async () => {
    // `expiry`: an access token verifies with no store call, so the routes behind it reach the store
    const h = monitored({ revocation: 'expiry' })
    const handler = createFetchHandler(createAuthHttp(h.auth, { allowedOrigins: ['https://app.example.test'] }))
    const tokens = await h.auth.login({ sub: 'alice' })
    const strict = h.other({ revocation: 'strict', onHealthEvent: (event) => h.health.push(event) })
    const strictHandler = createFetchHandler(createAuthHttp(strict, { allowedOrigins: ['https://app.example.test'] }))
    failAll(h.store)
    const bearer = { authorization: `Bearer ${tokens.accessToken}` }
    const url = (path: string) => `https://api.example.test${path}`
    const requests: Array<[string, () => Promise<Response | undefined>]> = [
      ['refresh', () => handler.handle(new Request(url('/auth/refresh'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: tokens.refreshToken }) }))],
      ['logout', () => handler.handle(new Request(url('/auth/logout'), { method: 'POST', headers: bearer }))],
      ['logoutAll', () => handler.handle(new Request(url('/auth/logout-all'), { method: 'POST', headers: bearer }))],
      ['listSessions', () => handler.handle(new Request(url('/auth/sessions'), { headers: bearer }))],
      ['verifyAccessToken', async () => (await strictHandler.authenticate(new Request(url('/api/me'), { headers: bearer }))).response],
    ]
    for (const [operation, send] of requests) {
      h.health.length = 0
      const response = await send()
      expect(response?.status, operation).toBe(503)
      expect(await response!.json(), operation).toMatchObject({ error: { code: 'store_unavailable' } })
      expect(h.health.filter((event) => event.type === 'store_error').map((event) => event.type === 'store_error' && event.operation), operation).toEqual([operation])
    }
  })
})

describe('store_down and store_recovered', () => {
  it('mark an outage once each, however many calls fail in between', async () => {
    const h = monitored()
    const tokens = await h.auth.login({ sub: 'alice' })
    h.store.failing.add('getRevocationState')
    h.clock.advance(1000)
    for (let i = 0; i < 5; i++) expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('store_unavailable')
    h.store.failing.add('listSessions')
    expect(await codeOf(h.auth.listSessions('alice'))).toBe('store_unavailable')
    expect(h.types()).toEqual(['store_error', 'store_down', 'store_error', 'store_error', 'store_error', 'store_error', 'store_error'])
    expect(h.health[1]).toMatchObject({ type: 'store_down', operation: 'verifyAccessToken', method: 'getRevocationState', at: T0 + 1000 })

    h.store.failing.clear()
    h.clock.advance(2000)
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('ok')
    expect(await codeOf(h.auth.listSessions('alice'))).toBe('ok')
    expect(h.health.slice(7)).toEqual([{ type: 'store_recovered', downSince: T0 + 1000, failures: 6, at: T0 + 3000 }])

    // the next outage is a new one
    h.store.failing.add('createSession')
    expect(await codeOf(h.auth.login({ sub: 'bob' }))).toBe('store_unavailable')
    expect(h.types().slice(8)).toEqual(['store_error', 'store_down'])
    expect(h.health[9]).toMatchObject({ operation: 'login', method: 'createSession' })
  })

  it('a recovery is a call begun after the failure: one already under way when the store went down does not count', async () => {
    const h = monitored()
    const tokens = await h.auth.login({ sub: 'alice' })
    const real = h.store.getRevocationState.bind(h.store)
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const spy = vi.spyOn(h.store, 'getRevocationState').mockImplementationOnce(async (...args) => {
      await gate // sent before the outage, answered after it began
      return real(...args)
    })
    const slow = h.auth.verifyAccessToken(tokens.accessToken)
    await vi.waitFor(() => expect(spy).toHaveBeenCalled())
    h.store.failing.add('listSessions')
    expect(await codeOf(h.auth.listSessions('alice'))).toBe('store_unavailable')
    release()
    expect(await codeOf(slow)).toBe('ok')
    expect(h.types()).toEqual(['store_error', 'store_down'])
    // through the guard too: a success begun while down is the recovery
    h.store.failing.clear()
    expect(await codeOf(h.auth.listSessions('alice'))).toBe('ok')
    expect(h.types()).toEqual(['store_error', 'store_down', 'store_recovered'])
  })

  it('reach a listener subscribed during an outage, and stop reaching it once it unsubscribes', async () => {
    const h = setup({ revocation: 'strict' })
    const tokens = await h.auth.login({ sub: 'alice' })
    h.store.failing.add('getRevocationState')
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('store_unavailable') // nobody listens
    const seen: string[] = []
    const unsubscribe = h.auth.onHealthEvent((event) => seen.push(event.type))
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('store_unavailable')
    h.store.failing.clear()
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('ok')
    expect(seen).toEqual(['store_error', 'store_recovered']) // the outage began before it listened
    unsubscribe()
    h.store.failing.add('getRevocationState')
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('store_unavailable')
    expect(seen).toHaveLength(2)
  })
})

describe('a listener', () => {
  it.each([
    ['throws', () => {
      throw new Error('listener bug')
    }],
    ['rejects (async)', async () => {
      throw new Error('async listener bug')
    }],
  ])('that %s changes no answer, and later listeners still run', async (_, faulty) => {
    const seen: string[] = []
    const h = setup({ revocation: 'strict', onHealthEvent: faulty })
    h.auth.onHealthEvent((event) => seen.push(event.type))
    const tokens = await h.auth.login({ sub: 'alice' })
    h.store.failing.add('getRevocationState')
    const error = await h.auth.verifyAccessToken(tokens.accessToken).catch((e: unknown) => e)
    expect(isAuthError(error, 'store_unavailable')).toBe(true)
    h.store.failing.clear()
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('ok')
    expect(seen).toEqual(['store_error', 'store_down', 'store_recovered'])
    await new Promise((resolve) => setTimeout(resolve, 10)) // an unhandled rejection would fail the run
  })
})

describe('the mirror', () => {
  /** A mirror on real time (its feed loop waits in real time), with a short staleness bound. */
  function mirrored() {
    const h = monitored({ revocation: 'mirror', clock: () => Date.now(), mirror: { stalenessMs: 150, blockMs: 20 } })
    return h
  }

  it('a feed outage: store_down from the feed reader, mirror_stale with no traffic, verification falls back to the store; then both recover once', async () => {
    const h = mirrored()
    await h.auth.ready()
    const tokens = await h.auth.login({ sub: 'alice' })
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('ok')
    expect(h.store.calls.get('getRevocationState') ?? 0).toBe(0)

    h.store.failing.add('readFeed')
    await vi.waitFor(() => expect(h.types()).toContain('mirror_stale'), { timeout: 5000 })
    const stale = h.health.find((event) => event.type === 'mirror_stale')!
    expect(stale).toMatchObject({ reason: 'feed_silent' })
    expect(stale.type === 'mirror_stale' && stale.at - stale.lastSyncAt).toBeGreaterThan(150)
    const down = h.health.find((event) => event.type === 'store_down')
    expect(down).toMatchObject({ operation: 'mirrorFeed', method: 'readFeed' })
    expect(h.types().indexOf('store_down')).toBeLessThan(h.types().indexOf('mirror_stale'))

    // stale: verification asks the store (which still answers getRevocationState)
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('ok')
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('ok')
    expect(h.store.calls.get('getRevocationState')).toBe(2)
    expect(h.types().filter((type) => type === 'mirror_stale')).toHaveLength(1)

    h.store.failing.clear()
    await vi.waitFor(() => expect(h.types()).toContain('mirror_recovered'), { timeout: 5000 })
    const recovered = h.health.find((event) => event.type === 'mirror_recovered')!
    expect(recovered).toMatchObject({ staleSince: stale.at })
    expect(h.types().filter((type) => type === 'store_recovered')).toHaveLength(1)
    expect(h.types().filter((type) => type === 'store_down')).toHaveLength(1)
    const calls = h.store.calls.get('getRevocationState')
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('ok')
    expect(h.store.calls.get('getRevocationState')).toBe(calls) // fresh again: no store call
  })

  it('stale and the store down: verification answers 503, with store_error for verifyAccessToken', async () => {
    const h = mirrored()
    await h.auth.ready()
    const tokens = await h.auth.login({ sub: 'alice' })
    failAll(h.store)
    await vi.waitFor(() => expect(h.types()).toContain('mirror_stale'), { timeout: 5000 })
    expect(await codeOf(h.auth.verifyAccessToken(tokens.accessToken))).toBe('store_unavailable')
    expect(h.health.at(-1)).toMatchObject({ type: 'store_error', operation: 'verifyAccessToken', method: 'getRevocationState' })
  })

  it('emits nothing after close: the feed read it aborts is no outage', async () => {
    const h = monitored({ revocation: 'mirror', clock: () => Date.now(), mirror: { stalenessMs: 4000, blockMs: 2000 } })
    await h.auth.ready()
    await new Promise((resolve) => setTimeout(resolve, 20)) // the mirror now waits in a blocking read
    h.store.failing.add('readFeed') // that read, woken by the abort, rejects
    await h.auth.close()
    expect(h.store.calls.get('readFeed')).toBe(2)
    expect(h.health).toEqual([])
  })
})
