/**
 * Login through `createAuth` on the tiny test store: input checks, the record a login writes in
 * each transport, and the retry when a logoutAll races the insert.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { codeOf, errorOf, T0, useHarness } from '../../test/harness.js'

const setup = useHarness()
const DAY = 86_400_000
const hashOf = (b64: string) => createHash('sha256').update(Buffer.from(b64, 'base64url')).digest('base64url')

describe('login: input checks', () => {
  it.each([
    ['no sub', undefined],
    ['an empty sub', ''],
    ['a numeric sub', 42],
    ['a sub of 513 characters', 'a'.repeat(513)],
  ])('refuses %s with a TypeError, before touching the store', async (_name, sub) => {
    const h = setup()
    await expect(h.auth.login({ sub: sub as string })).rejects.toThrow(
      new TypeError('login: sub must be a non-empty string of at most 512 characters'),
    )
    expect(h.store.calls.size).toBe(0)
  })

  it('accepts a sub of 512 characters', async () => {
    const h = setup()
    expect(await codeOf(h.auth.login({ sub: 'a'.repeat(512) }))).toBe('ok')
  })

  it('refuses an unknown transport with a TypeError', async () => {
    const h = setup()
    await expect(h.auth.login({ sub: 'alice', transport: 'carrier-pigeon' as 'session' })).rejects.toThrow(/transport/)
  })

  it.each([
    ['an array', [1]],
    ['a string', 'data'],
    ['null inside an object is fine', null],
  ])('checks session data: %s', async (name, data) => {
    const h = setup()
    const login = h.auth.login({ sub: 'alice', transport: 'session', data: data as never })
    if (data === null) expect(await codeOf(login)).toBe('ok')
    else await expect(login).rejects.toThrow(/plain JSON object/)
    void name
  })

  it('refuses session data that is not JSON-serializable', async () => {
    const h = setup()
    const data: Record<string, unknown> = {}
    data.self = data
    const error = await h.auth.login({ sub: 'alice', transport: 'session', data }).catch((e: unknown) => e as TypeError)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as TypeError).message).toBe('session data must be JSON-serializable')
    expect((error as TypeError).cause).toBeInstanceOf(TypeError) // JSON.stringify's own error
  })

  it('counts the data limit in UTF-8 bytes of the JSON: at the limit it passes, one byte over it does not', async () => {
    const h = setup({ session: { maxDataBytes: 16 } })
    // {"a":"ééé…"}: 8 bytes of JSON around the value, 2 bytes per é
    expect(await codeOf(h.auth.login({ sub: 'alice', transport: 'session', data: { a: 'éééé' } }))).toBe('ok')
    const error = await errorOf(h.auth.login({ sub: 'alice', transport: 'session', data: { a: 'éééé1' } }))
    expect([error.code, error.reason]).toEqual(['payload_too_large', 'session_data'])
  })
})

describe('login: session metadata', () => {
  const KNOWN = '(known: userAgent, ip, label)'

  it.each([
    ['a number', 42],
    ['true', true],
    ['an empty string', ''],
    ['a string', 'laptop'],
    ['an array', ['laptop']],
  ])('refuses %s as metadata, saying it must be an object, before touching the store', async (_name, metadata) => {
    const h = setup()
    await expect(h.auth.login({ sub: 'alice', metadata: metadata as never })).rejects.toThrow(new TypeError('login: metadata must be an object'))
    expect(h.store.calls.size).toBe(0)
  })

  it('refuses an unknown field, naming it (cut to 40 characters)', async () => {
    const h = setup()
    await expect(h.auth.login({ sub: 'alice', metadata: { color: 'red' } as never })).rejects.toThrow(
      new TypeError(`login: metadata has no field "color" ${KNOWN}`),
    )
    await expect(h.auth.login({ sub: 'alice', metadata: { ['x'.repeat(1000)]: 'y' } as never })).rejects.toThrow(
      new TypeError(`login: metadata has no field "${'x'.repeat(40)}" ${KNOWN}`),
    )
  })

  it.each([
    ['a number', 42],
    ['an array of strings', ['laptop']],
    ['null', null],
  ])('refuses a field that is %s, naming the field', async (_name, label) => {
    const h = setup()
    await expect(h.auth.login({ sub: 'alice', metadata: { label } as never })).rejects.toThrow(
      new TypeError('login: metadata.label must be a string'),
    )
  })

  it('leaves out a field that is undefined', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', metadata: { userAgent: undefined, ip: '203.0.113.7' } })
    expect(h.store.peek({ sub: 'alice', id: login.sessionId })?.metadata).toStrictEqual({ ip: '203.0.113.7' })
  })

  // label keeps at most 128 UTF-16 code units, and a cut never leaves half a surrogate pair.
  const x127 = 'x'.repeat(127)
  it.each([
    ['of exactly 128 units: kept whole, whatever its last unit (here a lone high surrogate)', `${x127}\uD83D`, `${x127}\uD83D`],
    ['with a pair at the cut whose high surrogate is U+D800 (U+10000)', `${x127}\u{10000}`, x127],
    ['with a pair at the cut whose high surrogate is U+DBFF (U+10FFFF)', `${x127}\u{10FFFF}`, x127],
    ['with a character above the surrogates (U+FF41) at the cut', `${x127}\uFF41\uFF41`, `${x127}\uFF41`],
    ['with a pair that ends at the cut (a low surrogate last)', `${'x'.repeat(126)}\u{1F600}x`, `${'x'.repeat(126)}\u{1F600}`],
  ])('bounds a label %s', async (_name, label, kept) => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', metadata: { label } })
    expect(h.store.peek({ sub: 'alice', id: login.sessionId })?.metadata).toStrictEqual({ label: kept })
  })
})

describe('login: the session record', () => {
  it('writes a token-transport session: refresh state of generation 0, no token hash', async () => {
    const h = setup({ session: { absoluteTtlMs: 30 * 86_400_000, idleTimeoutMs: 7 * 86_400_000 } })
    const login = await h.auth.login({ sub: 'alice', metadata: { label: 'laptop', ip: '203.0.113.7' } })
    const record = h.store.peek({ sub: 'alice', id: login.sessionId })!
    expect(record).toEqual({
      id: login.sessionId,
      sub: 'alice',
      createdAt: T0,
      lastSeenAt: T0,
      absoluteExpiresAt: T0 + 30 * DAY,
      idleTimeoutMs: 7 * DAY,
      expiresAt: T0 + 7 * DAY,
      transport: 'tokens',
      tokenHash: null,
      refresh: { generation: 0, current: hashOf(login.refreshToken.split('.')[3]!), previous: null, rotatedAt: T0 },
      ver: 0,
      metadata: { label: 'laptop', ip: '203.0.113.7' },
      data: null,
      revision: 0,
    })
    expect(login).toMatchObject({ transport: 'tokens', refreshTokenExpiresAt: T0 + 7 * DAY, expiresIn: 900, accessTokenExpiresAt: T0 + 900_000 })
    expect(login.refreshToken.split('.')[2]).toBe('0')
  })

  it('writes a cookie-transport session: the token hash, no refresh state, its data', async () => {
    const h = setup()
    const login = await h.auth.login({ sub: 'alice', transport: 'session', data: { cart: [1] } })
    const record = h.store.peek({ sub: 'alice', id: login.sessionId })!
    expect(record).toMatchObject({ transport: 'session', refresh: null, data: { cart: [1] }, tokenHash: hashOf(login.sessionToken.split('.')[2]!) })
    expect(login).toEqual({ transport: 'session', sessionToken: expect.any(String), sessionId: record.id, expiresAt: record.expiresAt, absoluteExpiresAt: record.absoluteExpiresAt, expiresIn: 7 * 86_400, absoluteExpiresIn: 30 * 86_400 })
  })

  it('caps the idle expiry at the absolute expiry when the absolute lifetime is the shorter one', async () => {
    const h = setup({ session: { absoluteTtlMs: 3_600_000, idleTimeoutMs: 7_200_000 } })
    const login = await h.auth.login({ sub: 'alice' })
    expect(h.store.peek({ sub: 'alice', id: login.sessionId })?.expiresAt).toBe(T0 + 3_600_000)
  })

  it('copies the metadata, so a later change by the caller does not reach the store', async () => {
    const h = setup()
    const metadata = { label: 'laptop' }
    const login = await h.auth.login({ sub: 'alice', metadata })
    metadata.label = 'changed'
    expect(h.store.peek({ sub: 'alice', id: login.sessionId })?.metadata).toEqual({ label: 'laptop' })
  })

  it('gives every login a new random session id of 128 bits', async () => {
    const h = setup()
    const ids = new Set<string>()
    for (let i = 0; i < 20; i++) ids.add((await h.auth.login({ sub: 'alice' })).sessionId)
    expect(ids.size).toBe(20)
    for (const id of ids) expect(Buffer.from(id, 'base64url')).toHaveLength(16)
  })
})

describe('login: races and failures', () => {
  it('re-reads the user version and retries when a logoutAll changed it meanwhile', async () => {
    const h = setup()
    const insert = h.store.createSession.bind(h.store)
    let raced = false
    h.store.createSession = async (record, now) => {
      if (!raced) {
        raced = true
        await h.store.logoutAll('alice', now) // logoutAll between the version read and the insert
      }
      return insert(record, now)
    }
    const login = await h.auth.login({ sub: 'alice' })
    expect(h.store.peek({ sub: 'alice', id: login.sessionId })?.ver).toBe(1)
    expect(h.store.calls.get('getUserVersion')).toBe(2)
    expect((await h.auth.verifyAccessToken(login.accessToken)).claims.ver).toBe(1)
  })

  it('gives up with conflict after 5 attempts when the version keeps changing', async () => {
    const h = setup()
    h.store.createSession = async () => ({ created: false, ended: [] })
    const error = await errorOf(h.auth.login({ sub: 'alice' }))
    expect([error.code, error.reason]).toEqual(['conflict', 'user_version'])
    expect(h.store.calls.get('getUserVersion')).toBe(5)
  })

  it.each(['getUserVersion', 'createSession'] as const)('answers store_unavailable when %s fails', async (method) => {
    const h = setup()
    h.store.failing.add(method)
    const error = await errorOf(h.auth.login({ sub: 'alice' }))
    expect(error.code).toBe('store_unavailable')
  })
})
