/**
 * The mirror keys ended sessions on (sub, sid) and denials on (sub, jti): a feed event naming
 * another user's session or token id never revokes that user's tokens.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { RevocationMirror } from '../src/revocation/mirror.js'
import type { AuthStore, ReadFeedResult } from '../src/store.js'

const T0 = 1_800_000_000_000
const mirrors: RevocationMirror[] = []

afterEach(async () => {
  await Promise.all(mirrors.splice(0).map((mirror) => mirror.stop()))
})

/** A mirror on an empty feed, caught up and fresh at T0. */
async function freshMirror(): Promise<RevocationMirror> {
  const empty: ReadFeedResult = { entries: [], cursor: 'c0', gap: false }
  const store = { readFeed: async () => empty } as unknown as AuthStore
  const mirror = new RevocationMirror({ store, windowMs: 960_000, toleranceMs: 5000, stalenessMs: 60_000, blockMs: 10, clock: () => T0 })
  mirrors.push(mirror)
  mirror.start()
  await mirror.ready()
  return mirror
}

describe('RevocationMirror scoping', () => {
  it("ignores a session event naming another user's sid, and applies the user's own", async () => {
    const mirror = await freshMirror()
    mirror.apply({ type: 'session', sub: 'mallory', sid: 'sid-v', at: T0 })
    expect(mirror.check('victim', 'sid-v', 'jti-v', 0, T0)).toBe('ok')
    expect(mirror.check('mallory', 'sid-v', 'jti-m', 0, T0)).toBe('session_revoked')
    mirror.apply({ type: 'session', sub: 'victim', sid: 'sid-v', at: T0 })
    expect(mirror.check('victim', 'sid-v', 'jti-v', 0, T0)).toBe('session_revoked')
  })

  it("ignores a denial naming another user's jti, and applies the user's own", async () => {
    const mirror = await freshMirror()
    mirror.apply({ type: 'token', sub: 'mallory', jti: 'jti-v', expiresAt: T0 + 60_000, at: T0 })
    expect(mirror.check('victim', 'sid-v', 'jti-v', 0, T0)).toBe('ok')
    mirror.apply({ type: 'token', sub: 'victim', jti: 'jti-v', expiresAt: T0 + 60_000, at: T0 })
    expect(mirror.check('victim', 'sid-v', 'jti-v', 0, T0)).toBe('token_revoked')
  })

  it("keeps the victim's own revocation when another user's event names the same id later (either order)", async () => {
    const mirror = await freshMirror()
    mirror.apply({ type: 'session', sub: 'victim', sid: 'sid-v', at: T0 })
    mirror.apply({ type: 'session', sub: 'mallory', sid: 'sid-v', at: T0 + 1 })
    mirror.apply({ type: 'token', sub: 'victim', jti: 'jti-v', expiresAt: T0 + 60_000, at: T0 })
    mirror.apply({ type: 'token', sub: 'mallory', jti: 'jti-v', expiresAt: T0 + 1, at: T0 + 1 })
    expect(mirror.check('victim', 'sid-v', 'jti-x', 0, T0 + 2)).toBe('session_revoked')
    expect(mirror.check('victim', 'sid-x', 'jti-v', 0, T0 + 2)).toBe('token_revoked')
    expect(mirror.check('mallory', 'sid-v', 'jti-m', 0, T0 + 2)).toBe('session_revoked')
    expect(mirror.check('mallory', 'sid-m', 'jti-v', 0, T0 + 2)).toBe('token_revoked')
    expect(mirror.check('mallory', 'sid-m', 'jti-v', 0, T0 + 5002)).toBe('ok') // hers lapsed (exp + 5 s tolerance)
    expect(mirror.check('victim', 'sid-x', 'jti-v', 0, T0 + 5002)).toBe('token_revoked')
    expect(mirror.check('other', 'sid-v', 'jti-v', 0, T0 + 2)).toBe('ok')
  })

  it('never shortens a denial when the same (sub, jti) is denied again with an earlier expiry', async () => {
    const mirror = await freshMirror()
    mirror.apply({ type: 'token', sub: 'victim', jti: 'jti-v', expiresAt: T0 + 60_000, at: T0 })
    mirror.apply({ type: 'token', sub: 'victim', jti: 'jti-v', expiresAt: T0 + 10, at: T0 + 1 })
    expect(mirror.check('victim', 'sid', 'jti-v', 0, T0 + 30_000)).toBe('token_revoked')
  })

  it('keeps (sub, id) pairs apart whatever characters they hold (no ambiguous key)', async () => {
    const mirror = await freshMirror()
    mirror.apply({ type: 'session', sub: 'ab', sid: 'c', at: T0 })
    expect(mirror.check('a', 'bc', 'j', 0, T0)).toBe('ok')
    expect(mirror.check('ab', 'c', 'j', 0, T0)).toBe('session_revoked')
    mirror.apply({ type: 'token', sub: '1:a', jti: 'b', expiresAt: T0 + 60_000, at: T0 })
    expect(mirror.check('1', 'sid', 'a1:ab', 0, T0)).toBe('ok')
    expect(mirror.check('1:a', 'sid', 'b', 0, T0)).toBe('token_revoked')
  })
})
