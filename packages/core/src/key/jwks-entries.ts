/**
 * The entries of a JWKS a verifier is given: which of them it can use, and why not the others.
 *
 * One rule for both kinds of set, applied differently (a misconfiguration is a `TypeError` at
 * setup, what arrives at run time is not; docs/concepts.md#keys):
 *
 * | set | an entry it cannot use (unsupported algorithm, weak RSA, no `kid`, a `kid` twice…) |
 * |---|---|
 * | a JWKS object in code | `createVerifier` throws a `TypeError` naming the entry: a misconfiguration, found at setup |
 * | a remote JWKS (URL) | the entry is skipped with one `console.warn` per change of the set: the issuer may publish keys for other consumers, and one odd key must not stop every token |
 *
 * Either way, an entry is never half-used: every token it would verify fails with
 * `token_invalid`, and the other entries keep working.
 *
 * @internal
 * @module
 */
import type { JWK } from 'jose'
import type { AuthKey } from './auth-key.js'
import { checkJwk, importKey } from './import.js'

/** @internal An entry of a JWKS that the verifier does not use. */
export interface RefusedJwk {
  /** Its position in `keys`. */
  readonly index: number
  /** Its `kid`, when it has a usable one. */
  readonly kid: string | undefined
  /** Why, as the end of a sentence; never key material. */
  readonly problem: string
}

/** @internal An entry that passed every check but the import. */
export interface UsableJwk {
  readonly index: number
  readonly kid: string
  readonly jwk: JWK
}

/**
 * Sorts the entries of a JWKS into those a verifier can use and those it cannot. Synchronous:
 * everything but proving the key material (a point on the curve) is checked here.
 *
 * Two entries with one `kid` are both refused: the order of a JSON array is no statement of
 * which key the issuer meant, and trying both would accept either key's signatures.
 *
 * @internal
 */
export function checkJwksEntries(entries: readonly unknown[]): { usable: UsableJwk[]; refused: RefusedJwk[] } {
  const usable: UsableJwk[] = []
  const refused: RefusedJwk[] = []
  const byKid = new Map<string, number[]>()
  entries.forEach((entry, index) => {
    const kid = kidOf(entry)
    const problem = findEntryProblem(entry)
    if (problem !== undefined) {
      refused.push({ index, kid, problem })
      return
    }
    byKid.set(kid!, [...(byKid.get(kid!) ?? []), index])
    usable.push({ index, kid: kid!, jwk: entry as JWK })
  })
  const twins = new Set<number>()
  for (const [kid, indexes] of byKid) {
    if (indexes.length < 2) continue
    const where = indexes.map((i) => `keys[${i}]`).join(' and ')
    for (const index of indexes) {
      twins.add(index)
      refused.push({ index, kid, problem: `the kid "${kid}" appears more than once (${where})` })
    }
  }
  refused.sort((a, b) => a.index - b.index)
  return { usable: usable.filter((entry) => !twins.has(entry.index)), refused }
}

/**
 * Imports the usable entries, each on its own: one whose key material fails (a point off the
 * curve) is reported and left out, and the others are unaffected.
 *
 * @internal
 */
export async function importJwksEntries(usable: readonly UsableJwk[]): Promise<{ keys: AuthKey[]; failed: RefusedJwk[] }> {
  const results = await Promise.allSettled(usable.map((entry) => importKey(entry.jwk)))
  const keys: AuthKey[] = []
  const failed: RefusedJwk[] = []
  results.forEach((result, i) => {
    const entry = usable[i]!
    if (result.status === 'fulfilled') keys.push(result.value)
    else failed.push({ index: entry.index, kid: entry.kid, problem: messageOf(result.reason) })
  })
  return { keys, failed }
}

/** `jwks.keys[1] (kid "a"): <problem>`, for error messages and warnings. */
export function describeRefusedJwk(entry: RefusedJwk): string {
  return `jwks.keys[${entry.index}]${entry.kid === undefined ? '' : ` (kid "${entry.kid}")`}: ${entry.problem}`
}

function kidOf(entry: unknown): string | undefined {
  const kid = (entry as { kid?: unknown } | null)?.kid
  return typeof kid === 'string' && kid.length > 0 && kid.length <= 256 ? kid : undefined
}

function findEntryProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'it is not a JWK object'
  const jwk = entry as JWK
  if (jwk.kty === 'oct' || jwk.k !== undefined) return 'a JWKS must not contain symmetric keys; pass a KeySet for HS256'
  if (jwk.d !== undefined) return 'a JWKS must not contain private keys'
  // Tokens name their key by kid only: an entry without one could never be chosen.
  if (kidOf(jwk) === undefined) return 'it has no kid (a non-empty string of at most 256 characters)'
  try {
    checkJwk(jwk)
  } catch (error) {
    return messageOf(error)
  }
  return undefined
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^importKey: /, '')
}
