/**
 * Redis' clock as seen from this process, so a write can carry a deadline that Redis checks on
 * its own clock: a rotation the caller was told failed (`store_unavailable`) must not be applied
 * later, when a stalled server resumes or ioredis re-sends the command after a reconnect
 * (docs/concepts.md#refresh-rotation: a retry must never look like theft; docs/concepts.md#the-http-protocol:
 * never a rotation half-applied).
 *
 * A `TIME` round trip sent at local time `s` and answered at `r`, reading Redis time `t`, bounds
 * the offset of the two clocks: `t − r ≤ offset ≤ t − s`. The store uses the lower bound `t − r`:
 * a deadline computed with it falls, on Redis' clock, no later than the moment the caller gives
 * up, so whatever the skew between the hosts, Redis refuses a write the caller no longer waits
 * for. A measurement takes the tightest of a few round trips; on a Cluster, the lowest bound over
 * the masters, so a deadline holds on each. It is taken at first use and again every minute in
 * the background (clocks drift, a failover brings another server).
 *
 * @module
 * @internal
 */
import type { Cluster, Redis } from 'ioredis'
import type { Connection } from './connection.js'

/** How often the offset is measured again (ms). */
const REMEASURE_MS = 60_000
/** Round trips per node per measurement; the tightest one counts. */
const SAMPLES = 3

/** @internal A lower bound of `Redis time − Date.now()`, per the module comment. */
export class ServerClock {
  readonly #client: Redis | Cluster
  readonly #connection: Connection
  #offset: number | undefined
  #measuredAt = Number.NEGATIVE_INFINITY
  #measuring: Promise<number> | undefined

  constructor(client: Redis | Cluster, connection: Connection) {
    this.#client = client
    this.#connection = connection
  }

  /**
   * The offset's lower bound (ms). The first call measures it (within the store's time budget,
   * rejecting with `store_unavailable` like any call); later calls answer at once, starting a new
   * measurement in the background once the last is a minute old.
   */
  async offset(): Promise<number> {
    if (this.#offset === undefined) return this.#measure()
    if (Date.now() - this.#measuredAt > REMEASURE_MS) this.#measure().catch(() => {})
    return this.#offset
  }

  #measure(): Promise<number> {
    this.#measuring ??= this.#connection
      .run(() => this.#sample())
      .then((offset) => {
        this.#offset = offset
        this.#measuredAt = Date.now()
        return offset
      })
      .finally(() => {
        this.#measuring = undefined
      })
    return this.#measuring
  }

  async #sample(): Promise<number> {
    const client = this.#client
    const nodes: Redis[] = (client as { isCluster?: boolean }).isCluster ? (client as Cluster).nodes('master') : [client as Redis]
    if (nodes.length === 0) throw new Error('no Redis node to read the time from')
    const bounds = await Promise.all(
      nodes.map(async (node) => {
        let best = Number.NEGATIVE_INFINITY
        for (let i = 0; i < SAMPLES; i++) {
          const [seconds, micros] = await node.time()
          const received = Date.now()
          best = Math.max(best, Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - received)
        }
        return best
      }),
    )
    return Math.min(...bounds)
  }
}
