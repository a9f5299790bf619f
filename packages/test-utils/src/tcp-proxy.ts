/**
 * A loopback TCP proxy that a test can break on purpose: swallow the server's replies (a command
 * that ran but whose answer was lost), drop every connection, or refuse new ones (a network
 * partition between one client and a server that stays up).
 *
 * @module
 */
import { createConnection, createServer, type Socket } from 'node:net'

/** A running proxy. */
export interface TcpProxy {
  /** The loopback port to connect to instead of the target's. */
  readonly port: number
  /** While on, bytes from the target to the client are dropped (requests still go through). */
  swallowReplies(on: boolean): void
  /**
   * While on, bytes from the client are held back (a request stuck in the network); turning it
   * off delivers them in order. Dropping the connections drops what is held.
   */
  holdRequests(on: boolean): void
  /** While on, new connections are closed at once. */
  refuse(on: boolean): void
  /** Closes every open connection (both sides). */
  dropConnections(): void
  /** Stops listening and drops every connection. */
  close(): Promise<void>
}

/**
 * Starts a proxy on a free loopback port to `targetPort` on 127.0.0.1.
 *
 * @example
 * ```ts
 * const proxy = await startTcpProxy(server.port)
 * const client = new Redis(proxy.port, '127.0.0.1')
 * proxy.refuse(true); proxy.dropConnections() // partition this client
 * ```
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>()
  const held = new Map<Socket, Buffer[]>() // upstream → chunks held back
  let swallow = false
  let holding = false
  let refusing = false
  const server = createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort })
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    const drop = () => {
      pairs.delete(pair)
      held.delete(upstream)
      client.destroy()
      upstream.destroy()
    }
    client.on('data', (chunk: Buffer) => {
      if (holding) {
        const queue = held.get(upstream)
        if (queue) queue.push(chunk)
        else held.set(upstream, [chunk])
      } else {
        upstream.write(chunk)
      }
    })
    upstream.on('data', (chunk) => {
      if (!swallow) client.write(chunk)
    })
    client.on('close', drop)
    upstream.on('close', drop)
    client.on('error', drop)
    upstream.on('error', drop)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const dropConnections = () => {
    for (const [client, upstream] of [...pairs]) {
      client.destroy()
      upstream.destroy()
    }
    pairs.clear()
    held.clear()
  }
  return {
    port,
    swallowReplies(on) {
      swallow = on
    },
    holdRequests(on) {
      holding = on
      if (on) return
      for (const [upstream, chunks] of [...held]) for (const chunk of chunks) upstream.write(chunk)
      held.clear()
    },
    refuse(on) {
      refusing = on
    },
    dropConnections,
    close() {
      dropConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
