/**
 * Session reads of one turn of the event loop, sent to Redis as one command.
 *
 * Why: ioredis writes every command to its socket at once, one syscall each (its
 * `enableAutoPipelining` gathers the commands of one tick only, and on a busy server every HTTP
 * request is a tick of its own). A session-cookie server reads one record per request: the reads
 * made while Node handles one poll phase's sockets go out together from `setImmediate` (the check
 * phase right after it). A lone read waits for that phase too, which on an idle loop is the next
 * thing it does.
 *
 * Why one script (`READ_RECORDS`, `EVALSHA` with the batch's keys) rather than a pipeline of one
 * `HMGET` per key: ioredis' cost is per command (a `Command`, its Promise, its encoding, its
 * reply's dispatch) and per reply element, and a record is 15 values. One command for the batch,
 * each record one JSON string: measured in process, 50 reads per batch, client CPU per read:
 * pipelined `HGETALL`s 19.2 µs, pipelined `HMGET`s 14.4, one script answering arrays 7.6–9.4,
 * answering JSON (with `JSON.parse`) 2.6 (`bench/http-session.ts`, README). The script answers
 * each key's error on its own, so each caller still gets its own record or error.
 *
 * Standalone and Sentinel clients only: a Cluster command must stay within one slot, and the
 * records of different users live in different slots, so a Cluster client reads each on its own
 * (`HMGET`).
 *
 * @internal
 * @module
 */
import type { Cluster, Redis } from 'ioredis'
import { READ_RECORDS } from './lua.js'
import { READ_FIELDS } from './record-codec.js'
import { Script } from './script.js'

/** The values of `READ_FIELDS` in a record's hash, `null` (`HMGET`) or `false` (the script's JSON) where it has none. */
type Values = Array<string | null | false>

interface PendingRead {
  readonly key: string
  resolve(values: Values): void
  reject(error: unknown): void
}

const readRecords = new Script(READ_RECORDS)

/** @internal */
export class RecordReader {
  readonly #client: Redis | Cluster
  #pending: PendingRead[] = []

  constructor(client: Redis | Cluster) {
    this.#client = client
  }

  /** The values of `READ_FIELDS` in the hash at `key` (all `null` when there is none). */
  read(key: string): Promise<Values> {
    if (this.#client.isCluster) return this.#client.hmget(key, ...READ_FIELDS)
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ key, resolve, reject }) === 1) setImmediate(() => this.#flush())
    })
  }

  #flush(): void {
    const batch = this.#pending
    this.#pending = []
    readRecords.run(this.#client, batch.map((read) => read.key), []).then(
      (replies) => {
        const answers = Array.isArray(replies) ? (replies as unknown[]) : []
        for (let i = 0; i < batch.length; i++) {
          const read = batch[i]!
          const answer = answers[i]
          if (typeof answer === 'string') {
            let values: Values
            try {
              values = JSON.parse(answer) as Values
            } catch (error) {
              read.reject(error)
              continue
            }
            read.resolve(values)
          } else read.reject(new Error(Array.isArray(answer) ? String(answer[0]) : 'no reply for this key'))
        }
      },
      (error: unknown) => {
        for (const read of batch) read.reject(error)
      },
    )
  }
}
