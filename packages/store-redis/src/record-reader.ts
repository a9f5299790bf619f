/**
 * Session reads (`HGETALL` of one record) of one turn of the event loop, sent to Redis in one write.
 *
 * Why: ioredis writes every command to its socket at once, one syscall each (its
 * `enableAutoPipelining` gathers the commands of one tick only, and on a busy server every HTTP
 * request is a tick of its own). A session-cookie server reads one record per request: the reads
 * made while Node handles one poll phase's sockets go out together from `setImmediate` (the check
 * phase right after it) as one pipeline, one write, and each caller still gets its own reply or
 * error. node-redis, under connect-redis, batches the same way. A lone read waits for that phase
 * too, which on an idle loop is the next thing it does.
 *
 * Standalone and Sentinel clients only: a Cluster pipeline must stay within one slot, and the
 * records of different users live in different slots, so a Cluster client reads each on its own.
 *
 * @internal
 * @module
 */
import type { Cluster, Redis } from 'ioredis'

interface PendingRead {
  readonly key: string
  resolve(hash: Record<string, string>): void
  reject(error: unknown): void
}

/** @internal */
export class RecordReader {
  readonly #client: Redis | Cluster
  #pending: PendingRead[] = []

  constructor(client: Redis | Cluster) {
    this.#client = client
  }

  /** The hash at `key` (empty when there is none), as `HGETALL` answers it. */
  read(key: string): Promise<Record<string, string>> {
    if (this.#client.isCluster) return this.#client.hgetall(key)
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ key, resolve, reject }) === 1) setImmediate(() => this.#flush())
    })
  }

  #flush(): void {
    const batch = this.#pending
    this.#pending = []
    if (batch.length === 1) {
      const only = batch[0]!
      this.#client.hgetall(only.key).then(only.resolve, only.reject)
      return
    }
    const pipeline = this.#client.pipeline()
    for (const read of batch) pipeline.hgetall(read.key)
    pipeline.exec().then(
      (results) => {
        batch.forEach((read, i) => {
          const [error, hash] = results?.[i] ?? [new Error('no reply in the pipeline'), undefined]
          if (error) read.reject(error)
          else read.resolve(hash as Record<string, string>)
        })
      },
      (error: unknown) => {
        for (const read of batch) read.reject(error)
      },
    )
  }
}
