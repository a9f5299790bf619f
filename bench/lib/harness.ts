/**
 * A small measurement harness: every subject runs in the same `await` loop, timed with
 * `process.hrtime.bigint()` over a fixed number of calls, for several interleaved rounds. The
 * median of the rounds is reported, because the bench machines are small and noisy.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** One call of a subject. Sync libraries are wrapped in an `async` function. */
export type Operation = (input: string) => Promise<unknown>

/** Where a subject's inputs come from. */
export interface Inputs {
  /** The largest batch these inputs allow (a pool of distinct tokens caps it). */
  readonly max: number
  /** An array holding at least `n` inputs; the loop reads `inputs[i]` for `i < n`. */
  get(n: number): readonly string[]
}

/** Something to measure. */
export interface Subject {
  readonly name: string
  readonly run: Operation
  readonly inputs: Inputs
  /** Runs before every timed batch, outside the timing (e.g. to create a fresh verifier). */
  readonly setup?: () => void | Promise<void>
}

export interface MeasureOptions {
  /** Timed rounds; the median is reported. */
  readonly rounds: number
  /** Target duration of one timed batch, in milliseconds. */
  readonly sampleMs: number
  /** Warm-up time per subject before the rounds (it also calibrates the batch size), in ms. */
  readonly warmupMs: number
  /** Called with a short progress message. */
  readonly progress?: (message: string) => void
}

export interface Measurement {
  readonly name: string
  /** Calls per timed batch. */
  readonly iterations: number
  /** Whether `iterations` was cut short by the inputs (a pool smaller than `sampleMs` wants). */
  readonly capped: boolean
  /** Nanoseconds per call, one per round. */
  readonly samples: readonly number[]
  /** Median nanoseconds per call. */
  readonly nsPerOp: number
  /** Median calls per second. */
  readonly opsPerSec: number
  /** (slowest − fastest round) ÷ median, a rough noise figure. */
  readonly spread: number
}

/**
 * The first `n` tokens of a pool, as strings V8 has never hashed: each batch gets new copies, the
 * way every request brings a new string from its `Authorization` header. (V8 stores a string's
 * hash in the string; reused strings would make every `Map` lookup keyed by the token cheap.)
 */
export function poolInputs(pool: readonly string[]): Inputs {
  const joined = Buffer.from(pool.join(''), 'latin1')
  const starts = new Uint32Array(pool.length + 1)
  for (let i = 0; i < pool.length; i++) starts[i + 1] = starts[i]! + pool[i]!.length
  return {
    max: pool.length,
    get(n) {
      const copies = new Array<string>(n)
      for (let i = 0; i < n; i++) copies[i] = joined.toString('latin1', starts[i], starts[i + 1])
      return copies
    },
  }
}

/** The same token on every call, each call with its own copy of the string (see {@link poolInputs}). */
export function repeatedInputs(input: string, max: number): Inputs {
  const bytes = Buffer.from(input, 'latin1')
  return {
    max,
    get(n) {
      const copies = new Array<string>(n)
      for (let i = 0; i < n; i++) copies[i] = bytes.toString('latin1')
      return copies
    },
  }
}

/** The same string object on every call: its hash is computed once and then cached by V8. */
export function sameStringInputs(input: string): Inputs {
  let filled: string[] = []
  return {
    max: Number.MAX_SAFE_INTEGER,
    get(n) {
      if (filled.length < n) filled = new Array<string>(n).fill(input)
      return filled
    },
  }
}

const gcFunction: (() => void) | undefined = (() => {
  try {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as unknown
    if (typeof gc === 'function') return gc as () => void
  } catch {
    // fall through
  }
  return undefined
})()

/** Whether {@link collectGarbage} really collects (heap measurements are meaningless without it). */
export const gcAvailable: boolean = gcFunction !== undefined

/**
 * A full collection before every timed batch, so a batch pays for its own garbage and not for
 * the previous subject's. A no-op if the flag cannot be set (see {@link gcAvailable}).
 */
export const collectGarbage: () => void = gcFunction ?? (() => {})

/** The timed loop, shared by every subject (so its own cost is the same for all of them). */
async function batch(run: Operation, inputs: readonly string[], n: number): Promise<number> {
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await run(inputs[i]!)
  return Number(process.hrtime.bigint() - start)
}

async function timedBatch(subject: Subject, n: number): Promise<number> {
  await subject.setup?.()
  const inputs = subject.inputs.get(n)
  if (inputs.length < n) throw new Error(`${subject.name}: ${n} inputs wanted, ${inputs.length} available`)
  collectGarbage()
  return batch(subject.run, inputs, n)
}

/** Warms a subject up for about `warmupMs` with growing batches; returns its ns per call. */
async function warmUp(subject: Subject, warmupMs: number): Promise<number> {
  const budget = warmupMs * 1e6
  let spent = 0
  let n = 16
  let previous = Number.POSITIVE_INFINITY
  for (;;) {
    n = Math.min(n, subject.inputs.max)
    const ns = await timedBatch(subject, n)
    spent += ns
    // The better of the last two batches: one slow batch (a noisy neighbour) must not halve the size.
    if (spent >= budget) return Math.min(previous, ns / n)
    previous = ns / n
    n *= 2
  }
}

/**
 * Measures the subjects: a warm-up that calibrates each one's batch size to `sampleMs`, then
 * `rounds` rounds in which every subject runs one timed batch. Each round starts with a
 * different subject, so slow drift of the machine spreads over all of them.
 */
export async function measure(subjects: readonly Subject[], options: MeasureOptions): Promise<Measurement[]> {
  const { rounds, sampleMs, warmupMs, progress } = options
  const plan: { subject: Subject; iterations: number; capped: boolean; samples: number[] }[] = []
  for (const subject of subjects) {
    progress?.(`warm-up: ${subject.name}`)
    const nsPerOp = await warmUp(subject, warmupMs)
    const wanted = Math.max(16, Math.round((sampleMs * 1e6) / nsPerOp))
    plan.push({ subject, iterations: Math.min(wanted, subject.inputs.max), capped: wanted > subject.inputs.max, samples: [] })
  }
  for (let round = 0; round < rounds; round++) {
    progress?.(`round ${round + 1}/${rounds}`)
    for (let k = 0; k < plan.length; k++) {
      const entry = plan[(round + k) % plan.length]!
      const ns = await timedBatch(entry.subject, entry.iterations)
      entry.samples.push(ns / entry.iterations)
    }
  }
  return plan.map(({ subject, iterations, capped, samples }) => {
    const nsPerOp = median(samples)
    return {
      name: subject.name,
      iterations,
      capped,
      samples,
      nsPerOp,
      opsPerSec: 1e9 / nsPerOp,
      spread: (Math.max(...samples) - Math.min(...samples)) / nsPerOp,
    }
  })
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Renders rows as a plain-text table; `align` holds 'l' or 'r' per column. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align: string): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)))
  const cell = (text: string, c: number) => (align[c] === 'r' ? text.padStart(widths[c]!) : text.padEnd(widths[c]!))
  const line = (row: readonly string[]) => row.map((text, c) => cell(text, c)).join('  ').trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** 1234567.8 → "1 234 568". */
export function formatInteger(value: number): string {
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ')
}

/** Microseconds with 2–3 significant decimals. */
export function formatMicros(ns: number): string {
  const us = ns / 1000
  return us < 10 ? us.toFixed(3) : us < 100 ? us.toFixed(2) : us.toFixed(1)
}
