/**
 * The rotation state machine (docs/concepts.md#refresh-rotation) at its boundaries, through `createAuth` on a tiny
 * test-only store and a fake clock: the grace limit to the millisecond, every presented
 * generation around the current one, the "secret_changed" refusal, the unknown branch, and a
 * store that fails while a reused session is being ended.
 */
import { createHash } from 'node:crypto'
import type { TokenResult } from '@auth/core'
import { describe, expect, it } from 'vitest'
import { codeOf, errorOf, type Harness, SECRET, T0, useHarness } from '../../test/harness.js'
import { webTokenPrimitives } from '../lib/mac.js'
import { formatRefreshToken, parseRefreshToken, successorSecret } from './refresh-token.js'

const GRACE_S = 10
const GRACE_MS = GRACE_S * 1000
const OTHER_SECRET = new Uint8Array(32).map((_, i) => (i * 53 + 7) % 256)
const harness = useHarness()
const setup = (options: Parameters<typeof harness>[0] = {}) => harness({ refreshGraceMs: GRACE_MS, ...options })

const generationOf = (token: string) => Number(token.split('.')[2])
const hashOfSecret = (token: string) => createHash('sha256').update(parseRefreshToken(token)!.secret).digest('base64url')

/** The token the next rotation of `token` will hand out: what a store restored from an old backup would not know yet. */
async function successorOf(token: string, secret = SECRET): Promise<string> {
  const key = await webTokenPrimitives.importMacKey(secret)
  const parsed = parseRefreshToken(token)!
  return formatRefreshToken(key, parsed.sub, parsed.sid, parsed.generation + 1, await successorSecret(key, parsed))
}

/** Logs in and rotates `rotations` times (one second apart): the tokens of generations 0…rotations. */
async function chain(h: Harness, rotations: number): Promise<{ sid: string; tokens: string[]; last: TokenResult }> {
  let last: TokenResult = await h.auth.login({ sub: 'alice' })
  const tokens = [last.refreshToken]
  for (let i = 0; i < rotations; i++) {
    h.clock.advance(1000)
    last = await h.auth.refresh(last.refreshToken)
    tokens.push(last.refreshToken)
  }
  return { sid: last.sessionId, tokens, last }
}

describe('refresh rotation: the grace window, to the millisecond', () => {
  it.each([
    ['at the rotation itself', 0, 'ok'],
    ['1 ms before the grace limit', GRACE_MS - 1, 'ok'],
    ['exactly at the grace limit', GRACE_MS, 'ok'],
    ['1 ms after the grace limit', GRACE_MS + 1, 'refresh_reused'],
  ])('answers the previous token %s (%i ms after the rotation): %s', async (_name, elapsed, expected) => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    const first = await h.auth.refresh(login.refreshToken)
    h.clock.advance(elapsed)
    const retry = h.auth.refresh(login.refreshToken)
    expect(await codeOf(retry)).toBe(expected)
    if (expected === 'ok') {
      const again = await retry
      expect(again.refreshToken).toBe(first.refreshToken)
      expect(again.sessionId).toBe(login.sessionId)
      expect(h.events).toEqual([])
      // no write: the store still holds generation 1, rotated at the first refresh
      expect(h.store.peek({ sub: 'alice', id: login.sessionId })?.refresh).toMatchObject({ generation: 1, rotatedAt: T0 })
    } else {
      expect(h.events).toEqual([
        { type: 'refresh_reused', sub: 'alice', sid: login.sessionId, presentedGeneration: 0, currentGeneration: 1, at: T0 + elapsed },
      ])
    }
  })

  it('counts the grace window from the last rotation, not from login', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    h.clock.advance(60_000) // login was long ago
    const first = await h.auth.refresh(login.refreshToken)
    h.clock.advance(GRACE_MS)
    expect((await h.auth.refresh(login.refreshToken)).refreshToken).toBe(first.refreshToken)
  })

  it('honours the configured grace: with refreshGraceMs 0 only the same millisecond is a retry', async () => {
    const h = setup({ refreshGraceMs: 0 })
    const login = await h.auth.login({ sub: 'alice' })
    const first = await h.auth.refresh(login.refreshToken)
    expect((await h.auth.refresh(login.refreshToken)).refreshToken).toBe(first.refreshToken)
    h.clock.advance(1)
    expect(await codeOf(h.auth.refresh(login.refreshToken))).toBe('refresh_reused')
  })
})

describe('refresh rotation: the presented generation against the current one', () => {
  // The session is at generation 3 (tokens[3] is current), rotated 1 s ago.
  const CURRENT = 3
  it.each([
    ['current', 0, 'ok', false],
    ['current − 1 (the previous one, within grace)', -1, 'ok', false],
    ['current − 2', -2, 'refresh_reused', true],
    ['current − 3 (the login token)', -3, 'refresh_reused', true],
    ['current + 1 (never handed out by this store)', 1, 'refresh_invalid', false],
    ['current + 2', 2, 'refresh_invalid', false],
  ])('presented generation %s → %s', async (_name, offset, expected, ends) => {
    const h = setup()
    const { sid, tokens } = await chain(h, CURRENT)
    tokens.push(await successorOf(tokens[CURRENT]!))
    tokens.push(await successorOf(tokens[CURRENT + 1]!))
    const presented = tokens[CURRENT + offset]!
    expect(generationOf(presented)).toBe(CURRENT + offset)

    const outcome = h.auth.refresh(presented)
    expect(await codeOf(outcome)).toBe(expected)
    const alive = h.store.peek({ sub: 'alice', id: sid }) !== undefined
    expect(alive).toBe(!ends)
    if (ends) {
      expect(h.events).toEqual([
        { type: 'refresh_reused', sub: 'alice', sid, presentedGeneration: CURRENT + offset, currentGeneration: CURRENT, at: T0 + CURRENT * 1000 },
      ])
      expect(h.store.feed.map((entry) => entry.event)).toEqual([{ type: 'session', sub: 'alice', sid, at: T0 + CURRENT * 1000 }])
    } else {
      expect(h.events).toEqual([])
      expect(h.store.feed).toEqual([])
    }
    if (expected === 'refresh_invalid') expect((await errorOf(outcome)).reason).toBe('unknown')
  })

  it('rotates the current token into generation current + 1, which is exactly the computed successor', async () => {
    const h = setup()
    const { tokens } = await chain(h, 2)
    const expected = await successorOf(tokens[2]!)
    const next = await h.auth.refresh(tokens[2]!)
    expect(next.refreshToken).toBe(expected)
    expect(generationOf(next.refreshToken)).toBe(3)
  })

  it('records the rotation: generation, current and previous hashes, rotation time and last use', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    h.clock.advance(5000)
    const next = await h.auth.refresh(login.refreshToken)
    const record = h.store.peek({ sub: 'alice', id: login.sessionId })!
    expect(record.refresh).toEqual({
      generation: 1,
      current: hashOfSecret(next.refreshToken),
      previous: hashOfSecret(login.refreshToken),
      rotatedAt: T0 + 5000,
    })
    expect(record.lastSeenAt).toBe(T0 + 5000)
    expect(next.refreshTokenExpiresAt).toBe(record.expiresAt)
  })

  it('refuses a previous-generation token whose secret is not the recorded previous one, without ending the session', async () => {
    const h = setup()
    const { sid, tokens } = await chain(h, 2)
    // Generation 1 with a valid tag but another secret: not the token this session handed out.
    const key = await webTokenPrimitives.importMacKey(SECRET)
    const stranger = await formatRefreshToken(key, 'alice', sid, 1, new Uint8Array(32).fill(7))
    const error = await errorOf(h.auth.refresh(stranger))
    expect(error.code).toBe('refresh_invalid')
    expect(error.reason).toBe('unknown')
    expect(h.events).toEqual([])
    expect(await codeOf(h.auth.refresh(tokens[2]!))).toBe('ok')
  })

  it('treats the previous secret presented under another generation as reuse, not as a retry', async () => {
    const h = setup()
    const { sid, tokens } = await chain(h, 3)
    // Only the server can mint this (it needs the secret): generation 0, the secret of generation 2.
    const key = await webTokenPrimitives.importMacKey(SECRET)
    const odd = await formatRefreshToken(key, 'alice', sid, 0, parseRefreshToken(tokens[2]!)!.secret)
    expect(await codeOf(h.auth.refresh(odd))).toBe('refresh_reused')
    expect(h.store.peek({ sub: 'alice', id: sid })).toBeUndefined()
  })

  it('refuses the previous token as unknown when the record keeps no previous hash, without ending the session', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    await h.auth.refresh(login.refreshToken)
    const ref = { sub: 'alice', id: login.sessionId }
    const record = h.store.peek(ref)!
    h.store.put({ ...record, refresh: { ...record.refresh!, previous: null } })
    h.clock.advance(GRACE_MS + 1)
    const error = await errorOf(h.auth.refresh(login.refreshToken))
    expect([error.code, error.reason]).toEqual(['refresh_invalid', 'unknown'])
    expect(h.events).toEqual([])
    expect(h.store.peek(ref)).toBeDefined()
  })
})

describe('refresh rotation: refusals that end nothing', () => {
  it('refuses the previous token within grace when the server secret changed since the rotation (secret_changed)', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    await h.auth.refresh(login.refreshToken)
    // A process with another secret: the previous token, re-tagged under its key, matches the
    // recorded previous hash, but its successor is not the recorded current one.
    const other = h.other({ secret: OTHER_SECRET })
    const parsed = parseRefreshToken(login.refreshToken)!
    const key = await webTokenPrimitives.importMacKey(OTHER_SECRET)
    const retagged = await formatRefreshToken(key, parsed.sub, parsed.sid, parsed.generation, parsed.secret)
    h.clock.advance(1000)
    const error = await errorOf(other.refresh(retagged))
    expect([error.code, error.reason]).toEqual(['refresh_invalid', 'secret_changed'])
    expect(h.events).toEqual([])
    expect(h.store.peek({ sub: 'alice', id: login.sessionId })?.refresh?.generation).toBe(1)
  })

  it.each([
    ['a malformed token', () => 'a.b.c.d.e', 'malformed'],
    ['a forged tag', (t: string) => [...t.split('.').slice(0, 4), 'A'.repeat(22)].join('.'), 'tag'],
  ])('refuses %s before asking the store', async (_name, mangle, reason) => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    const error = await errorOf(h.auth.refresh(mangle(login.refreshToken)))
    expect([error.code, error.reason]).toEqual(['refresh_invalid', reason])
    expect(h.store.calls.get('updateSession')).toBeUndefined()
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['the empty string', ''],
  ])('answers token_missing for %s', async (_name, value) => {
    const h = setup()
    expect(await codeOf(h.auth.refresh(value as unknown as string))).toBe('token_missing')
  })

  it('refuses a token of an ended session (ended), with no event', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    await h.auth.logout({ sub: 'alice', id: login.sessionId })
    const error = await errorOf(h.auth.refresh(login.refreshToken))
    expect([error.code, error.reason]).toEqual(['refresh_invalid', 'ended'])
    expect(h.events).toEqual([])
  })

  it('refuses a token of a cookie-transport session (no refresh state) as transport', async () => {
    const h = setup()
    const cookie = await h.auth.login({ sub: 'alice', transport: 'session' })
    const key = await webTokenPrimitives.importMacKey(SECRET)
    const forged = await formatRefreshToken(key, 'alice', cookie.sessionId, 0, new Uint8Array(32).fill(1))
    const error = await errorOf(h.auth.refresh(forged))
    expect([error.code, error.reason]).toEqual(['refresh_invalid', 'transport'])
  })
})

describe('refresh rotation: store failures', () => {
  it('answers store_unavailable when the rotation write fails, and the token still works afterwards', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice' })
    h.store.failing.add('updateSession')
    const error = await errorOf(h.auth.refresh(login.refreshToken))
    expect(error.code).toBe('store_unavailable')
    expect(error.retryAfter).toBe(1)
    h.store.failing.clear()
    expect(await codeOf(h.auth.refresh(login.refreshToken))).toBe('ok')
  })

  it('answers store_unavailable when ending a reused session fails: no event, no revocation, the session lives until the next try', async () => {
    const h = setup({ revocation: 'mirror' })
    await h.auth.ready()
    const login = await h.auth.login({ sub: 'alice' })
    const first = await h.auth.refresh(login.refreshToken)
    h.clock.advance(GRACE_MS + 1)
    h.store.failing.add('endSession')
    const error = await errorOf(h.auth.refresh(login.refreshToken))
    expect(error.code).toBe('store_unavailable')
    expect(error.cause).toBeInstanceOf(Error)
    expect(h.events).toEqual([])
    // nothing was revoked locally either: the access token of the successor still verifies
    expect(await codeOf(h.auth.verifyAccessToken(first.accessToken))).toBe('ok')
    expect(h.store.peek({ sub: 'alice', id: login.sessionId })).toBeDefined()

    h.store.failing.clear()
    expect(await codeOf(h.auth.refresh(login.refreshToken))).toBe('refresh_reused')
    expect(h.events.map((e) => e.type)).toEqual(['refresh_reused'])
    expect(await codeOf(h.auth.verifyAccessToken(first.accessToken))).toBe('session_revoked')
  })

  it('revokes the ended session in the local mirror at once when reuse is detected', async () => {
    const h = setup({ revocation: 'mirror' })
    await h.auth.ready()
    const login = await h.auth.login({ sub: 'alice' })
    const first = await h.auth.refresh(login.refreshToken)
    h.store.failing.add('readFeed') // the feed cannot tell the mirror: only the local revocation can
    h.clock.advance(GRACE_MS + 1)
    expect(await codeOf(h.auth.refresh(login.refreshToken))).toBe('refresh_reused')
    expect(await codeOf(h.auth.verifyAccessToken(first.accessToken))).toBe('session_revoked')
  })
})
