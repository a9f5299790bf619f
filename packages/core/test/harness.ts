/**
 * `createAuth` on the tiny test store with a fake clock, for core's own behaviour tests (sessions,
 * rotation, revocation). Each `setup()` gets a fresh store; every `Auth` is closed after the test.
 */
import {
  type Auth,
  AuthError,
  createAuth,
  type CreateAuthOptions,
  generateKeySet,
  type KeySet,
  type SecurityEvent,
} from '@auth/core'
import { afterEach, beforeAll, expect } from 'vitest'
import { createTinyStore, type TinyStore } from './tiny-store.js'

export const T0 = 1_800_000_000_000
/** The `secret` of every `Auth` of the harness (a fixed 32-byte value). */
export const SECRET = new Uint8Array(32).map((_, i) => (i * 37 + 11) % 256)

export interface Harness {
  readonly auth: Auth
  readonly store: TinyStore
  readonly events: SecurityEvent[]
  readonly clock: { (): number; advance(ms: number): void; set(ms: number): void }
  /** Another process on the same store and clock, with its own options. */
  other(options?: Partial<CreateAuthOptions>): Auth
}

let keys: KeySet
const opened: Auth[] = []

/** Registers the hooks of the harness in the calling test file. */
export function useHarness(): (options?: Partial<CreateAuthOptions>) => Harness {
  beforeAll(async () => {
    keys ??= await generateKeySet()
  })
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((auth) => auth.close()))
  })
  return (options = {}) => {
    const store = createTinyStore()
    const events: SecurityEvent[] = []
    let now = T0
    const clock = Object.assign(() => now, {
      advance: (ms: number) => void (now += ms),
      set: (ms: number) => void (now = ms),
    })
    const make = (overrides: Partial<CreateAuthOptions> = {}) => {
      const auth = createAuth({
        store,
        keys,
        issuer: 'https://auth.example.test',
        audience: 'https://api.example.test',
        secret: SECRET,
        clock,
        onSecurityEvent: (event) => events.push(event),
        mirror: { stalenessMs: 60_000, blockMs: 1000 },
        ...options,
        ...overrides,
      })
      opened.push(auth)
      return auth
    }
    return { auth: make(), store, events, clock, other: make }
  }
}

/** The AuthError code a promise rejects with, or 'ok' (the flows suite's helper, under this suite's name). */
export { outcome as codeOf } from '../src/testing/auth-flows.js'

/** The AuthError a promise rejects with (fails the test if it resolves or rejects with something else). */
export async function errorOf(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AuthError)
  return error as AuthError
}
