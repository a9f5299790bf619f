/**
 * The behaviour suite: sessions, refresh rotation and revocation through `createAuth`, run
 * against a real store. Every store runs it (memory, Redis), so policy is proven on each.
 *
 * @module
 * @internal
 */
import { afterEach, beforeAll, describe } from 'vitest'
import { type Auth, createAuth, type CreateAuthOptions } from '../auth.js'
import type { SignatureBackend } from '../crypto/backend.js'
import { AuthError } from '../errors.js'
import type { SecurityEvent } from '../events.js'
import { generateKeySet } from '../key/generate.js'
import type { KeySet } from '../key/key-set.js'
import type { TokenResult } from '../refresh/issue-tokens.js'
import type { AuthStore } from '../store.js'

/** A fixed start time (ms); the suite's clock only moves when a test moves it. */
export const FLOW_T0 = 1_800_000_000_000
const ISSUER = 'https://auth.example.test'
const AUDIENCE = 'https://api.example.test'

/** A controllable clock. */
export interface TestClock {
  (): number
  /** Moves the clock forward. */
  advance(ms: number): void
  /** Sets the clock. */
  set(ms: number): void
}

export function createTestClock(start = FLOW_T0): TestClock {
  let now = start
  const clock = (() => now) as TestClock
  clock.advance = (ms) => {
    now += ms
  }
  clock.set = (ms) => {
    now = ms
  }
  return clock
}

/** A store wrapper that counts calls per method and can simulate outages. */
export interface InstrumentedStore {
  readonly store: AuthStore
  readonly calls: Map<string, number>
  /** Calls to the methods a verification could make. */
  verifyCalls(): number
  /** While true, `readFeed` fails (a feed outage). */
  feedDown: boolean
  /** While true, every method fails (the store is unreachable). */
  storeDown: boolean
}

export function instrument(store: AuthStore): InstrumentedStore {
  const state: InstrumentedStore = {
    calls: new Map(),
    feedDown: false,
    storeDown: false,
    verifyCalls: () => (state.calls.get('getRevocationState') ?? 0) + (state.calls.get('getSession') ?? 0),
    store: undefined as unknown as AuthStore,
  }
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function' || property === 'close') return value
      return (...args: unknown[]) => {
        const name = String(property)
        state.calls.set(name, (state.calls.get(name) ?? 0) + 1)
        if (state.storeDown || (state.feedDown && name === 'readFeed')) {
          return Promise.reject(new Error(`simulated outage: ${name}`))
        }
        const result = (value as (...a: unknown[]) => unknown).apply(target, args)
        if (name !== 'readFeed') return result
        // A feed read in flight when the outage starts loses its answer too.
        return Promise.resolve(result).then((answer) => {
          if (state.feedDown || state.storeDown) throw new Error('simulated outage: readFeed (answer lost)')
          return answer
        })
      }
    },
  })
  ;(state as { store: AuthStore }).store = proxy
  return state
}

/** Waits (real time) until `condition` holds, polling; fails after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Resolves to the AuthError code of a rejection, or 'ok'. Fails on anything but an AuthError. */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    if (!(error instanceof AuthError)) throw error
    return error.code
  }
}

/** Options of {@link describeAuthFlows}. */
export interface DescribeAuthFlowsOptions {
  /** Per-test timeout (ms). Default 20 000. */
  timeoutMs?: number
  /**
   * The signature backend of every `Auth` in the suite. Default: WebCrypto (as `createAuth` from
   * `'@auth/core'`). Pass `nodeCryptoBackend` from `'@auth/core/node'` to run the flows as
   * `createAuth` from `'@auth/core/node'` does (node:crypto verification, MACs, hashes, signing).
   */
  backend?: SignatureBackend
}

/** What each flow test gets. */
export interface FlowHarness {
  readonly clock: TestClock
  readonly instrumented: InstrumentedStore
  readonly events: SecurityEvent[]
  /** A new `Auth` on the same store (another process), with its own options. */
  auth(options?: Partial<CreateAuthOptions>): Auth
}

/** @internal Registers the flows; see `describeAuthFlows` in `'@auth/core/testing'`. */
export function defineFlows(
  name: string,
  createStore: () => AuthStore | Promise<AuthStore>,
  options: DescribeAuthFlowsOptions,
  body: (setup: () => Promise<FlowHarness>) => void,
): void {
  let keys: KeySet
  let running: Array<{ auths: Auth[]; store: AuthStore }> = []
  describe(name, { timeout: options.timeoutMs ?? 20_000 }, () => {
    beforeAll(async () => {
      keys = await generateKeySet()
    })
    afterEach(async () => {
      const done = running
      running = []
      for (const { auths, store } of done) {
        await Promise.all(auths.map((auth) => auth.close()))
        await store.close()
      }
    })
    body(async () => {
      const store = await createStore()
      const instrumented = instrument(store)
      const clock = createTestClock()
      const events: SecurityEvent[] = []
      const auths: Auth[] = []
      running.push({ auths, store })
      return {
        clock,
        instrumented,
        events,
        auth(overrides = {}) {
          const auth = createAuth({
            store: instrumented.store,
            keys,
            issuer: ISSUER,
            audience: AUDIENCE,
            clock,
            onSecurityEvent: (event) => events.push(event),
            mirror: { stalenessMs: 2000, blockMs: 50 },
            ...(options.backend ? { backend: options.backend } : {}),
            ...overrides,
          })
          auths.push(auth)
          return auth
        },
      }
    })
  })
}

/** @internal Splits a token response into what the tests look at. */
export function generationOf(tokens: TokenResult): number {
  return Number(tokens.refreshToken.split('.')[2])
}

