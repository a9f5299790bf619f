/**
 * Shared pieces of the conformance suite: the per-test store, the fixed clock, record factories
 * and small helpers. Internal to `'@auth/core/testing'`.
 *
 * @module
 * @internal
 */
import type { AuthStore, FeedEntry, ReadFeedResult, RevocationEvent, SessionRecord, SessionRef } from '../store.js'

/** A fixed point in time (ms) every test counts from; the store is never asked for the wall clock. */
export const T0 = 1_800_000_000_000

/** One minute and one hour, in ms. */
export const MINUTE = 60_000
export const HOUR = 60 * MINUTE

/** Resolved options of `describeAuthStore`. */
export interface SuiteSettings {
  /** Per-test timeout (ms). */
  readonly timeoutMs: number
  /** How many callers race in the concurrency tests. */
  readonly concurrency: number
}

/** What every test file of the suite receives: the store of the running test. */
export interface SuiteContext {
  /** The fresh store of the current test (created in `beforeEach`, closed in `afterEach`). */
  readonly store: () => AuthStore
  /** The resolved options. */
  readonly settings: SuiteSettings
}

/**
 * A session record with every field set, including nested metadata, data and refresh state,
 * created at 1 800 000 000 000 ms and expiring one hour later unless overridden: a fixture for
 * a store's own tests. Exported from `'@auth/core/testing'` as `makeSessionRecord`.
 *
 * @param overrides - fields to replace
 */
export function makeSessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: 'sid-1',
    sub: 'user-1',
    createdAt: T0,
    lastSeenAt: T0,
    absoluteExpiresAt: T0 + 24 * HOUR,
    idleTimeoutMs: HOUR,
    expiresAt: T0 + HOUR,
    transport: 'tokens',
    tokenHash: null,
    refresh: { generation: 0, current: 'hash-0', previous: null, rotatedAt: T0 },
    ver: 0,
    metadata: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', ip: '203.0.113.7', label: 'Work laptop' },
    data: null,
    revision: 0,
    ...overrides,
  }
}

/** A cookie-transport record: token hash and nested session data instead of refresh state. */
export function makeCookieSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return makeSessionRecord({
    transport: 'session',
    tokenHash: 'token-hash-1',
    refresh: null,
    metadata: {},
    data: { cart: [{ sku: 'A-1', qty: 2 }], theme: 'dark', nested: { deep: { n: 1, ok: true, none: null } } },
    ...overrides,
  })
}

/** The ref of a record. */
export function refOf(record: Pick<SessionRecord, 'sub' | 'id'>): SessionRef {
  return { sub: record.sub, id: record.id }
}

/** Ids of records, sorted (stores may list in any order). */
export function idsOf(records: readonly Pick<SessionRecord, 'id'>[]): string[] {
  return records.map((record) => record.id).sort()
}

/** The events of feed entries, in feed order. */
export function eventsOf(entries: readonly FeedEntry[]): RevocationEvent[] {
  return entries.map((entry) => entry.event)
}

/** Every entry currently in the feed (non-blocking read from the start). */
export async function readAll(store: AuthStore): Promise<ReadFeedResult> {
  return store.readFeed({ after: null, since: 0 })
}

/** Waits `ms` of real time (only used to show that a blocking read wakes up). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** A mutable view of a readonly value, to prove the store keeps its own copy. */
export function mutable<T>(value: T): { -readonly [K in keyof T]: T[K] } {
  return value as { -readonly [K in keyof T]: T[K] }
}
