/**
 * Runs a Lua script by its SHA1 (`EVALSHA`), and sends the source (`EVAL`, which also caches it
 * on the server) only when the server answers `NOSCRIPT`: after a restart, a failover, a
 * `SCRIPT FLUSH`, or on a Cluster node seeing it for the first time. This is what ioredis'
 * `defineCommand` does, without adding methods to the application's client.
 *
 * @module
 * @internal
 */
import { createHash } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import { unavailable } from './connection.js'

type Client = Redis | Cluster
type Arg = string | number

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}

/** @internal A Lua script with its SHA1. */
export class Script {
  readonly sha: string

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex')
  }

  /** One round trip (two on the first call after the server lost its script cache). */
  async run(client: Client, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!isNoScript(error)) throw error
      return client.eval(this.lua, keys.length, ...keys, ...args)
    }
  }

  /**
   * Runs the script, then `WAIT replicas timeoutMs` in the same pipeline (so on a Cluster both go
   * to the node that owns the keys), and rejects with `store_unavailable` unless that many
   * replicas acknowledged the write.
   */
  async runAndWait(client: Client, keys: readonly string[], args: readonly Arg[], replicas: number, timeoutMs: number): Promise<unknown> {
    const send = async (byHash: boolean) => {
      const pipeline = client.pipeline()
      if (byHash) pipeline.evalsha(this.sha, keys.length, ...keys, ...args)
      else pipeline.eval(this.lua, keys.length, ...keys, ...args)
      pipeline.wait(replicas, timeoutMs)
      const results = (await pipeline.exec()) ?? []
      return results as Array<[Error | null, unknown]>
    }
    let results = await send(true)
    if (isNoScript(results[0]?.[0])) results = await send(false)
    const [[scriptError, value] = [new Error('no reply'), undefined], [waitError, acknowledged] = [new Error('no reply'), 0]] = results
    if (scriptError) throw scriptError
    if (waitError) throw waitError
    if (Number(acknowledged) < replicas) {
      throw unavailable(`WAIT: ${Number(acknowledged)} of ${replicas} replicas acknowledged within ${timeoutMs} ms`)
    }
    return value
  }
}
