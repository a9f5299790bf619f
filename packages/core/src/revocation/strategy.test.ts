/** The `strict` and `mirror` checks on their own, with a stub store and a stub mirror. */
import { type AccessTokenClaims, AuthError, type AuthStore, type RevocationState } from '@auth/core'
import { describe, expect, it, vi } from 'vitest'
import type { RevocationMirror } from './mirror.js'
import { storeError } from '../lib/store-guard.js'
import { mirrorCheck, strictCheck } from './strategy.js'

const claims = { sub: 'alice', sid: 'sid-1', jti: 'jti-1', ver: 2 } as AccessTokenClaims
const alive: RevocationState = { tokenDenied: false, userVersion: 2, sessionAlive: true, sessionEnded: false }

function storeAnswering(state: RevocationState | Error) {
  const getRevocationState = vi.fn(async () => {
    if (state instanceof Error) throw state
    return state
  })
  return { store: { getRevocationState } as unknown as AuthStore, getRevocationState }
}

async function outcome(run: () => void | Promise<void>): Promise<string> {
  try {
    await run()
    return 'ok'
  } catch (error) {
    if (!(error instanceof AuthError)) throw error
    return error.code
  }
}

describe('strict check', () => {
  it.each([
    ['a live token', alive, 'ok'],
    ['a denied jti', { ...alive, tokenDenied: true }, 'token_revoked'],
    ['a token below the user version', { ...alive, userVersion: 3 }, 'token_revoked'],
    ['a token above the user version', { ...alive, userVersion: 1 }, 'ok'],
    ['an ended session', { ...alive, sessionAlive: false, sessionEnded: true }, 'session_revoked'],
    ['an expired session', { ...alive, sessionAlive: false, sessionEnded: false }, 'session_expired'],
    ['a denied jti of an ended session', { ...alive, tokenDenied: true, sessionAlive: false }, 'token_revoked'],
  ])('%s → %s', async (_name, state, expected) => {
    const { store } = storeAnswering(state)
    expect(await outcome(() => strictCheck(store, () => 0)(claims, 1))).toBe(expected)
  })

  it('asks the store once, with the token’s sub, sid and jti, at the given time or else the clock’s', async () => {
    const { store, getRevocationState } = storeAnswering(alive)
    const check = strictCheck(store, () => 42)
    await check(claims, 7)
    await (check as (c: AccessTokenClaims) => Promise<void>)(claims)
    expect(getRevocationState.mock.calls).toEqual([
      [{ sub: 'alice', sid: 'sid-1', jti: 'jti-1' }, 7],
      [{ sub: 'alice', sid: 'sid-1', jti: 'jti-1' }, 42],
    ])
  })

  it('fails closed: a store error is store_unavailable with a retry hint, never a pass', async () => {
    const cause = new Error('ECONNREFUSED')
    const { store } = storeAnswering(cause)
    const error = await strictCheck(store, () => 0)(claims, 0)?.then(
      () => undefined,
      (e: unknown) => e as AuthError,
    )
    expect(error).toMatchObject({ code: 'store_unavailable', retryAfter: 1, cause })
  })

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'alive'],
    ['a number', 1],
  ])('fails closed on a store that answers %s instead of a state: store_unavailable, never read as an answer', async (_name, state) => {
    const getRevocationState = vi.fn(async () => state)
    const error = await strictCheck({ getRevocationState } as unknown as AuthStore, () => 0)(claims, 0)?.then(
      () => undefined,
      (e: unknown) => e as AuthError,
    )
    expect(error).toMatchObject({ code: 'store_unavailable', retryAfter: 1 })
    expect(error?.cause).toBeInstanceOf(TypeError)
    expect((error?.cause as TypeError).message).toBe('getRevocationState answered no state')
  })

  it('passes an AuthError of the store through as it is', () => {
    const own = new AuthError('store_unavailable', { reason: 'deadline' })
    expect(storeError(own)).toBe(own)
    expect(storeError('x')).toMatchObject({ code: 'store_unavailable', cause: 'x' })
  })
})

describe('mirror check', () => {
  const mirrorSaying = (verdict: string, epoch = 7) =>
    ({ check: vi.fn(() => verdict), epoch: vi.fn(() => epoch) }) as unknown as RevocationMirror & { check: ReturnType<typeof vi.fn> }

  it.each([
    ['ok', 'ok'],
    ['token_revoked', 'token_revoked'],
    ['session_revoked', 'session_revoked'],
  ])('answers the mirror verdict %s with no store call', async (verdict, expected) => {
    const strict = vi.fn(async () => {})
    const mirror = mirrorSaying(verdict)
    expect(await outcome(() => mirrorCheck(mirror, strict)(claims, 5))).toBe(expected)
    expect(strict).not.toHaveBeenCalled()
    expect(mirror.check).toHaveBeenCalledWith('alice', 'sid-1', 'jti-1', 2, 5)
  })

  it('falls back to the strict check when the mirror is stale, with the same claims and time', async () => {
    const strict = vi.fn(async () => {
      throw new AuthError('session_revoked')
    })
    expect(await outcome(() => mirrorCheck(mirrorSaying('stale'), strict)(claims, 5))).toBe('session_revoked')
    expect(strict).toHaveBeenCalledWith(claims, 5)
  })

  it('exposes the mirror’s epoch', () => {
    const mirror = mirrorSaying('ok', 99)
    expect(mirrorCheck(mirror, vi.fn(async () => {})).epoch?.(5)).toBe(99)
    expect(mirror.epoch).toHaveBeenCalledWith(5)
  })
})
