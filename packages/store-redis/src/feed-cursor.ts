/**
 * Feed cursors. The feed is one stream per shard, so a position in it is one position per
 * shard: the shard feed's epoch (a random value that changes when the feed is lost and
 * recreated), and the id `<ms>-<n>` of the last entry read (`n` counts the shard's entries).
 *
 * Text form: `r1` then, per shard, `.<epoch>~<ms>~<n>` with `ms` and `n` in base 36; an epoch equal
 * to the previous shard's is left out (`.~<ms>~<n>`), which is the common case.
 *
 * @module
 * @internal
 */

/** @internal Where a reader stands in one shard's feed. */
export interface ShardPosition {
  /** The epoch of the shard's feed. */
  readonly epoch: string
  /** The ms part of the last id read (0 before any). */
  readonly ms: number
  /** The number of the last entry read (0 before any). */
  readonly n: number
}

const VERSION = 'r1'
const EPOCH = /^[0-9a-z]{1,32}$/
const BASE36 = /^[0-9a-z]{1,12}$/

/** @internal The text of a position vector. */
export function encodeCursor(positions: readonly ShardPosition[]): string {
  let text = VERSION
  let previous = ''
  for (const position of positions) {
    text += `.${position.epoch === previous ? '' : position.epoch}~${position.ms.toString(36)}~${position.n.toString(36)}`
    previous = position.epoch
  }
  return text
}

/** @internal Parses a cursor of a store with `shards` shards; a `TypeError` for anything else. */
export function decodeCursor(cursor: string, shards: number): ShardPosition[] {
  const invalid = () => new TypeError('readFeed: not a cursor of this store')
  if (typeof cursor !== 'string') throw invalid()
  const parts = cursor.split('.')
  if (parts[0] !== VERSION || parts.length !== shards + 1) throw invalid()
  const positions: ShardPosition[] = []
  let previous = ''
  for (const part of parts.slice(1)) {
    const fields = part.split('~')
    if (fields.length !== 3) throw invalid()
    const [epochText, msText, nText] = fields as [string, string, string]
    const epoch = epochText === '' ? previous : epochText
    if (!EPOCH.test(epoch) || !BASE36.test(msText) || !BASE36.test(nText)) throw invalid()
    const ms = Number.parseInt(msText, 36)
    const n = Number.parseInt(nText, 36)
    if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(n)) throw invalid()
    positions.push({ epoch, ms, n })
    previous = epoch
  }
  return positions
}

/** @internal A new random epoch: 48 bits, base 36. */
export function newEpoch(): string {
  let value = 0
  for (const byte of crypto.getRandomValues(new Uint8Array(6))) value = value * 256 + byte
  return value.toString(36).padStart(10, '0')
}
