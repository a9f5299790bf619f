/**
 * A session record as a Redis hash. Numbers and strings the scripts read (`expiresAt`,
 * `revision`, `lastSeenAt`, `absoluteExpiresAt`, `idleTimeoutMs`) are plain fields; nested values
 * (`refresh`, `metadata`, `data`, `tokenHash`) are JSON the scripts replace whole and never parse,
 * so application data round-trips exactly (Lua's JSON would turn `[]` into `{}` and round
 * numbers). `rc` repeats `refresh.current`, for the rotation's condition.
 *
 * @module
 * @internal
 */
import type { SessionPatch, SessionRecord } from '@auth/core'

const NUMBER_FIELDS = ['createdAt', 'lastSeenAt', 'absoluteExpiresAt', 'idleTimeoutMs', 'expiresAt', 'ver', 'revision'] as const

/** @internal The hash fields of a record, as field/value pairs for HSET. */
export function encodeRecord(record: SessionRecord): string[] {
  if (typeof record !== 'object' || record === null) throw new TypeError('createSession: record must be an object')
  for (const name of ['id', 'sub'] as const) {
    if (typeof record[name] !== 'string' || record[name].length === 0) throw new TypeError(`createSession: record.${name} must be a non-empty string`)
  }
  const pairs: string[] = ['id', record.id, 'sub', record.sub, 'transport', String(record.transport)]
  for (const name of NUMBER_FIELDS) {
    const value = record[name]
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`createSession: record.${name} must be a finite number`)
    pairs.push(name, String(value))
  }
  pairs.push('tokenHash', JSON.stringify(record.tokenHash ?? null))
  pairs.push('metadata', JSON.stringify(record.metadata ?? {}))
  pairs.push('data', JSON.stringify(record.data ?? null))
  pairs.push('refresh', JSON.stringify(record.refresh ?? null))
  if (record.refresh) pairs.push('rc', record.refresh.current)
  return pairs
}

/**
 * @internal The script arguments of a patch: lastSeenAt ('' if not patched), drop-rc flag, the
 * rotation time ('' unless the patch sets refresh state), field/value pairs.
 */
export function encodePatch(patch: SessionPatch): { lastSeenAt: string; dropRefreshHash: boolean; rotatedAt: string; pairs: string[] } {
  const pairs: string[] = []
  let dropRefreshHash = false
  let lastSeenAt = ''
  let rotatedAt = ''
  // Only the four patchable fields, and only those given: `{ data: undefined }` changes nothing.
  if (patch.lastSeenAt !== undefined) {
    if (typeof patch.lastSeenAt !== 'number' || !Number.isFinite(patch.lastSeenAt)) throw new TypeError('updateSession: lastSeenAt must be a finite number')
    lastSeenAt = String(patch.lastSeenAt)
  }
  if (patch.refresh !== undefined) {
    pairs.push('refresh', JSON.stringify(patch.refresh))
    if (patch.refresh === null) dropRefreshHash = true
    else {
      if (typeof patch.refresh.rotatedAt !== 'number' || !Number.isFinite(patch.refresh.rotatedAt)) {
        throw new TypeError('updateSession: refresh.rotatedAt must be a finite number')
      }
      pairs.push('rc', patch.refresh.current)
      rotatedAt = String(patch.refresh.rotatedAt)
    }
  }
  if (patch.data !== undefined) pairs.push('data', JSON.stringify(patch.data))
  if (patch.metadata !== undefined) pairs.push('metadata', JSON.stringify(patch.metadata))
  return { lastSeenAt, dropRefreshHash, rotatedAt, pairs }
}

/**
 * @internal The fields a session read asks for (`HMGET`), in this order: a record's fields and
 * `ra` (set by the update script; absent until a rotation applied).
 */
export const READ_FIELDS = ['id', 'sub', 'createdAt', 'lastSeenAt', 'absoluteExpiresAt', 'idleTimeoutMs', 'expiresAt', 'transport', 'tokenHash', 'refresh', 'ver', 'metadata', 'data', 'revision', 'ra'] as const

const FIELD_INDEX: Readonly<Record<string, number>> = Object.fromEntries(READ_FIELDS.map((name, i) => [name, i]))

/** @internal A record from its hash (a flat field/value array, as the scripts answer it), or `null` for an empty one. */
export function decodeRecord(flat: readonly string[] | null | undefined): SessionRecord | null {
  if (!flat || flat.length === 0) return null
  const values: Array<string | null> = new Array<string | null>(READ_FIELDS.length).fill(null)
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const index = Object.hasOwn(FIELD_INDEX, flat[i]!) ? FIELD_INDEX[flat[i]!] : undefined
    if (index !== undefined) values[index] = flat[i + 1]!
  }
  return decodeRecordValues(values)
}

/**
 * @internal A record from the values of {@link READ_FIELDS} (`null` or `false` for a field the
 * hash lacks: `HMGET` answers `null`, the read script's JSON `false`), or `null` when the hash
 * does not exist (no value). Positional: no field names to decode, no object or map per read
 * (this runs on every session-cookie request).
 */
export function decodeRecordValues(values: readonly (string | null | false)[]): SessionRecord | null {
  if (!Array.isArray(values) || values.length !== READ_FIELDS.length) throw new Error('a session read answered something else than the record fields')
  if (values.every((value) => typeof value !== 'string')) return null
  const text = (index: number): string => {
    const value = values[index]
    if (typeof value !== 'string') throw new Error(`session record without ${READ_FIELDS[index]}`)
    return value
  }
  const number = (index: number): number => Number(text(index))
  const refresh = JSON.parse(text(9)) as SessionRecord['refresh']
  // `ra`: the rotation time as the update script moved it to when it applied (see UPDATE_SESSION).
  const appliedAt = typeof values[14] === 'string' ? values[14] : undefined
  return {
    id: text(0),
    sub: text(1),
    createdAt: number(2),
    lastSeenAt: number(3),
    absoluteExpiresAt: number(4),
    idleTimeoutMs: number(5),
    expiresAt: number(6),
    transport: text(7) as SessionRecord['transport'],
    tokenHash: JSON.parse(text(8)) as string | null,
    refresh: refresh !== null && appliedAt !== undefined ? { ...refresh, rotatedAt: Number(appliedAt) } : refresh,
    ver: number(10),
    metadata: JSON.parse(text(11)) as SessionRecord['metadata'],
    data: JSON.parse(text(12)) as SessionRecord['data'],
    revision: number(13),
  }
}
