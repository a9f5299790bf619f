/**
 * Conformance: the denylist and `getRevocationState` (what the `strict` strategy reads).
 *
 * @module
 * @internal
 */
import { expect, it } from 'vitest'
import type { DeniedToken } from '../store.js'
import { eventsOf, HOUR, makeSessionRecord, MINUTE, readAll, refOf, T0, type SuiteContext } from './fixtures.js'

const query = { sub: 'user-1', sid: 'sid-1', jti: 'jti-1' }

/** Registers the denylist and revocation state tests. */
export function defineRevocationTests({ store }: SuiteContext): void {
  it('answers nothing revoked for unknown users, sessions and tokens', async () => {
    expect(await store().getRevocationState(query, T0)).toStrictEqual({ tokenDenied: false, userVersion: 0, sessionAlive: false, sessionEnded: false })
  })

  it('refuses a denial without a sub, a jti or a finite expiresAt, with a TypeError', async () => {
    const bad: unknown[] = [
      { jti: 'jti-1', expiresAt: T0 + MINUTE },
      { sub: '', jti: 'jti-1', expiresAt: T0 + MINUTE },
      { sub: 'user-1', jti: '', expiresAt: T0 + MINUTE },
      { sub: 'user-1', jti: 'jti-1', expiresAt: Number.NaN },
      null,
    ]
    for (const token of bad) await expect(store().denyToken(token as DeniedToken, T0), JSON.stringify(token)).rejects.toBeInstanceOf(TypeError)
    expect((await store().getRevocationState(query, T0)).tokenDenied).toBe(false)
  })

  it('denies a token until its expiresAt, and no longer at or after it', async () => {
    const exp = T0 + 15 * MINUTE
    await store().denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: exp }, T0)
    expect((await store().getRevocationState(query, T0)).tokenDenied).toBe(true)
    expect((await store().getRevocationState(query, exp - 1)).tokenDenied).toBe(true)
    expect((await store().getRevocationState(query, exp)).tokenDenied).toBe(false)
    expect((await store().getRevocationState(query, exp + HOUR)).tokenDenied).toBe(false)
    expect((await store().getRevocationState({ ...query, jti: 'jti-2' }, T0)).tokenDenied).toBe(false)
  })

  it('appends a token event for each denial', async () => {
    await store().denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: T0 + MINUTE }, T0)
    await store().denyToken({ sub: 'user-1', jti: 'jti-2', expiresAt: T0 + 2 * MINUTE }, T0 + 5)
    expect(eventsOf((await readAll(store())).entries)).toEqual([
      { type: 'token', sub: 'user-1', jti: 'jti-1', expiresAt: T0 + MINUTE, at: T0 },
      { type: 'token', sub: 'user-1', jti: 'jti-2', expiresAt: T0 + 2 * MINUTE, at: T0 + 5 },
    ])
  })

  it('appends an event only when the denylist changed: a repeat or an earlier expiry appends nothing', async () => {
    await store().denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: T0 + HOUR }, T0)
    await store().denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: T0 + HOUR }, T0 + 1)
    await store().denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: T0 + MINUTE }, T0 + 2)
    await store().denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: T0 + 2 * HOUR }, T0 + 3)
    expect(eventsOf((await readAll(store())).entries)).toEqual([
      { type: 'token', sub: 'user-1', jti: 'jti-1', expiresAt: T0 + HOUR, at: T0 },
      { type: 'token', sub: 'user-1', jti: 'jti-1', expiresAt: T0 + 2 * HOUR, at: T0 + 3 },
    ])
  })

  it("denies per user: a denial of a jti under another sub does not deny the victim's token", async () => {
    await store().createSession(makeSessionRecord({ sub: 'victim', id: 'sid-v' }), T0)
    await store().denyToken({ sub: 'mallory', jti: 'jti-v', expiresAt: T0 + HOUR }, T0)
    // many other subs too: a store that groups users (shards, partitions) must still keep them apart
    for (let i = 0; i < 64; i++) await store().denyToken({ sub: `mallory-${i}`, jti: 'jti-v', expiresAt: T0 + HOUR }, T0)
    expect(await store().getRevocationState({ sub: 'victim', sid: 'sid-v', jti: 'jti-v' }, T0 + 1)).toStrictEqual({
      tokenDenied: false,
      userVersion: 0,
      sessionAlive: true,
      sessionEnded: false,
    })
    expect((await store().getRevocationState({ sub: 'mallory', sid: 'sid-v', jti: 'jti-v' }, T0 + 1)).tokenDenied).toBe(true)
    // the feed entries name the attackers: a mirror keys denials on (sub, jti), so they concern their tokens only
    const events = eventsOf((await readAll(store())).entries)
    expect(events).toHaveLength(65)
    expect(events.filter((event) => event.sub === 'victim')).toEqual([])
  })

  it('keeps a denylist entry until its expiresAt whatever else happens (feed trimmed, other writes)', async () => {
    const exp = T0 + 2 * HOUR
    await store().denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: exp }, T0)
    // Trim the whole feed, deny and expire many other tokens, end sessions and users.
    await store().trimFeed(exp + HOUR)
    for (let i = 0; i < 50; i++) await store().denyToken({ sub: 'user-1', jti: `other-${i}`, expiresAt: T0 + i + 1 }, T0)
    await store().createSession(makeSessionRecord({ id: 'x', expiresAt: T0 + 1 }), T0)
    await store().logoutAll('user-2', T0 + HOUR)
    expect((await store().getRevocationState(query, T0 + HOUR)).tokenDenied).toBe(true)
    expect((await store().getRevocationState(query, exp - 1)).tokenDenied).toBe(true)
    expect((await store().getRevocationState({ ...query, jti: 'other-49' }, T0 + 49)).tokenDenied).toBe(true)
    expect((await store().getRevocationState({ ...query, jti: 'other-49' }, T0 + 50)).tokenDenied).toBe(false)
  })

  it('never shortens a denial: denying again with an earlier expiresAt keeps the later one', async () => {
    await store().denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: T0 + HOUR }, T0)
    await store().denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: T0 + MINUTE }, T0 + 1)
    expect((await store().getRevocationState(query, T0 + 2 * MINUTE)).tokenDenied).toBe(true)
    await store().denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: T0 + 2 * HOUR }, T0 + 2)
    expect((await store().getRevocationState(query, T0 + HOUR)).tokenDenied).toBe(true)
    expect((await store().getRevocationState(query, T0 + 2 * HOUR)).tokenDenied).toBe(false)
  })

  it('answers the user version', async () => {
    await store().logoutAll('user-1', T0)
    await store().logoutAll('user-1', T0 + 1)
    expect((await store().getRevocationState(query, T0 + 2)).userVersion).toBe(2)
    expect((await store().getRevocationState({ ...query, sub: 'user-2' }, T0 + 2)).userVersion).toBe(0)
  })

  it('answers sessionAlive for a live session, and false once absent, expired or ended', async () => {
    const record = makeSessionRecord({ expiresAt: T0 + 1000 })
    await store().createSession(record, T0)
    await store().createSession(makeSessionRecord({ id: 'sid-2' }), T0)
    expect(await store().getRevocationState(query, T0)).toStrictEqual({ tokenDenied: false, userVersion: 0, sessionAlive: true, sessionEnded: false })
    expect((await store().getRevocationState(query, T0 + 999)).sessionAlive).toBe(true)
    expect((await store().getRevocationState(query, T0 + 1000)).sessionAlive).toBe(false)
    expect((await store().getRevocationState({ ...query, sid: 'unknown' }, T0)).sessionAlive).toBe(false)
    expect((await store().getRevocationState({ ...query, sub: 'user-2' }, T0)).sessionAlive).toBe(false)

    const second = { ...query, sid: 'sid-2' }
    expect((await store().getRevocationState(second, T0 + 1)).sessionAlive).toBe(true)
    await store().endSession(refOf(makeSessionRecord({ id: 'sid-2' })), T0 + 2)
    expect((await store().getRevocationState(second, T0 + 2)).sessionAlive).toBe(false)
  })

  it('answers sessionAlive false after logoutAll, with the bumped version', async () => {
    await store().createSession(makeSessionRecord(), T0)
    await store().logoutAll('user-1', T0 + 1)
    expect(await store().getRevocationState(query, T0 + 1)).toStrictEqual({ tokenDenied: false, userVersion: 1, sessionAlive: false, sessionEnded: true })
  })

  it('answers all three at once', async () => {
    await store().createSession(makeSessionRecord(), T0)
    await store().denyToken({ sub: 'user-1', jti: 'jti-1', expiresAt: T0 + MINUTE }, T0)
    await store().logoutAll('user-3', T0)
    expect(await store().getRevocationState({ ...query, sub: 'user-1' }, T0 + 1)).toStrictEqual({
      tokenDenied: true,
      userVersion: 0,
      sessionAlive: true,
      sessionEnded: false,
    })
  })
}
