/**
 * The revocation feed of the memory store: an append-only array with zero-padded counter
 * cursors, replay by cursor or by event time, blocking reads woken on append, and trimming that
 * remembers what it dropped so a reader learns of a gap.
 *
 * @module
 * @internal
 */
import type { FeedEntry, ReadFeedOptions, ReadFeedResult, RevocationEvent } from '@auth/core'

/** Cursor width: 16 digits sort as strings in the same order as the counter (up to 10^16 appends). */
const CURSOR_DIGITS = 16
const CURSOR_PATTERN = /^\d{16}$/

interface Item {
  readonly seq: number
  readonly entry: FeedEntry
}

/** @internal The feed; every method is synchronous except the wait of a blocking read. */
export class MemoryFeed {
  #items: Item[] = []
  #seq = 0
  /** Highest counter ever trimmed (0: nothing trimmed yet). */
  #trimmedSeq = 0
  /** Highest event time ever trimmed (meaningful once `#trimmedSeq > 0`). */
  #trimmedAt = Number.NEGATIVE_INFINITY
  #waiters = new Set<() => void>()
  #closed = false

  /** Appends an event and wakes every blocking reader. */
  append(event: RevocationEvent): void {
    const seq = ++this.#seq
    const entry: FeedEntry = Object.freeze({ cursor: cursorOf(seq), event: Object.freeze({ ...event }) })
    this.#items.push({ seq, entry })
    this.#wakeAll()
  }

  /** Drops the entries with `at < before`. */
  trim(before: number): void {
    const kept: Item[] = []
    for (const item of this.#items) {
      if (item.entry.event.at < before) {
        this.#trimmedSeq = Math.max(this.#trimmedSeq, item.seq)
        this.#trimmedAt = Math.max(this.#trimmedAt, item.entry.event.at)
      } else {
        kept.push(item)
      }
    }
    if (kept.length !== this.#items.length) this.#items = kept
  }

  /** How many entries are retained. */
  get size(): number {
    return this.#items.length
  }

  /** Reads entries; waits up to `blockMs` for one when there is none yet. */
  async read(options: ReadFeedOptions): Promise<ReadFeedResult> {
    const { after, since, blockMs = 0, limit, signal } = options
    const afterSeq = after === null ? null : parseCursor(after)
    if (since !== undefined && typeof since !== 'number') throw new TypeError('readFeed: since must be a number (ms)')
    if (!(blockMs >= 0) || !Number.isFinite(blockMs)) throw new TypeError('readFeed: blockMs must be a finite number >= 0')
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new TypeError('readFeed: limit must be a positive integer')
    const max = limit ?? Number.POSITIVE_INFINITY

    let result = this.#collect(after, afterSeq, since ?? Number.NEGATIVE_INFINITY, max)
    if (result.entries.length > 0 || result.gap || blockMs === 0) return result
    const deadline = performance.now() + blockMs
    for (;;) {
      const remaining = deadline - performance.now()
      if (remaining <= 0 || this.#closed || signal?.aborted) return result
      await this.#wait(remaining, signal)
      // Woken by an append, the timeout, an abort or close: answer whatever there is now. With
      // `after: null`, an appended event may be older than `since`; then wait on.
      result = this.#collect(after, afterSeq, since ?? Number.NEGATIVE_INFINITY, max)
      if (result.entries.length > 0 || result.gap) return result
    }
  }

  /** Ends every blocking read (with what there is) and refuses to block from now on. */
  close(): void {
    this.#closed = true
    this.#wakeAll()
  }

  #collect(after: string | null, afterSeq: number | null, since: number, max: number): ReadFeedResult {
    const items = this.#items
    let start: number
    let gap: boolean
    if (afterSeq !== null) {
      // A cursor beyond the last append comes from a feed that was lost (another instance).
      gap = this.#trimmedSeq > afterSeq || afterSeq > this.#seq
      start = firstAfter(items, afterSeq)
    } else {
      gap = this.#trimmedSeq > 0 && this.#trimmedAt >= since
      start = items.findIndex((item) => item.entry.event.at >= since)
      if (start < 0) start = items.length
    }
    const entries = items.slice(start, start + max).map((item) => item.entry)
    // With nothing to answer by time, the reader stands at the end of the feed.
    return { entries, cursor: entries.at(-1)?.cursor ?? after ?? cursorOf(this.#seq), gap }
  }

  #wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#waiters.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#waiters.add(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  #wakeAll(): void {
    if (this.#waiters.size === 0) return
    for (const wake of [...this.#waiters]) wake()
  }
}

function cursorOf(seq: number): string {
  return String(seq).padStart(CURSOR_DIGITS, '0')
}

function parseCursor(cursor: string): number {
  if (typeof cursor !== 'string' || !CURSOR_PATTERN.test(cursor)) throw new TypeError('readFeed: not a cursor of this store')
  return Number(cursor)
}

/** Index of the first item with `seq > afterSeq` (items are sorted by `seq`). */
function firstAfter(items: readonly Item[], afterSeq: number): number {
  let low = 0
  let high = items.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (items[mid]!.seq <= afterSeq) low = mid + 1
    else high = mid
  }
  return low
}
