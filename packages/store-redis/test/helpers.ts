/**
 * Shared pieces of the store-redis tests: fresh prefixes, store factories that also remember what
 * to close, a logger that records warnings.
 */
import { randomUUID } from 'node:crypto'
import { type AuthStore, isAuthError } from '@auth/core'
import type { Cluster, Redis } from 'ioredis'
import { createRedisStore, type RedisStoreOptions } from '../src/index.js'

/** A prefix no other store of the run uses, so every store starts empty. */
export function freshPrefix(): string {
  return `t:${randomUUID().slice(0, 8)}:`
}

/** A logger that keeps its lines. */
export function recordingLogger(): { warn(message: string): void; lines: string[] } {
  const lines: string[] = []
  return { lines, warn: (message: string) => void lines.push(message) }
}

/** A store on `client` with a fresh prefix and no eviction-policy warnings in the output. */
export function storeOn(client: Redis | Cluster, options: Partial<RedisStoreOptions> = {}): AuthStore {
  return createRedisStore({ client, prefix: freshPrefix(), logger: recordingLogger(), ...options })
}

/** Waits `ms` of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Resolves to the AuthError code of a rejection, or 'ok'; rethrows anything else. */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    if (!isAuthError(error)) throw error
    return error.code
  }
}
