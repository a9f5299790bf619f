/**
 * Serving a test app on a free loopback port, for the apps `describeAdapter` runs against: a
 * handler that throws is a bug (logged, answered 500, which the suite fails on), never a
 * credential failure.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AdapterTestApp } from '@auth/core/testing'

export async function serveLoopback(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<AdapterTestApp> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error(error)
      if (!res.headersSent) res.statusCode = 500
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  }
}
