/**
 * Starting and stopping the demo's server, whatever the framework: the shape every framework
 * module exports ({@link StartDemo}), and the `node:http` listen and close that Express and Koa
 * share.
 *
 * @module
 */
import type { Server } from 'node:http'
import type { DemoConfig } from './config.js'
import type { DemoAuth } from './demo-auth.js'

/** A started demo server. */
export interface RunningDemo {
  /** Stops accepting connections and resolves once the open ones have ended. */
  close(): Promise<void>
}

/** What each framework module exports: serve the demo on `config.host`:`config.port`. */
export type StartDemo = (demo: DemoAuth, config: DemoConfig) => Promise<RunningDemo>

/** How long open requests get to finish on close before their connections are cut. */
const CLOSE_GRACE_MS = 1000

/** Listens on the configured address; a port in use rejects with a message that says what to do. */
export function listen(server: Server, config: DemoConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? `port ${config.port} is in use; set PORT to another one` : error.message
      reject(new Error(`cannot listen on ${config.host}:${config.port}: ${why}`))
    }
    server.once('error', fail)
    server.listen(config.port, config.host, () => {
      server.off('error', fail)
      resolve()
    })
  })
}

/** Closes a server: idle keep-alive connections at once, busy ones after {@link CLOSE_GRACE_MS}. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()))
    server.closeIdleConnections()
    setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref()
  })
}
