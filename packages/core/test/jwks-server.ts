/**
 * A real HTTP server on 127.0.0.1 that plays an issuer's JWKS endpoint, healthy or failing, and
 * counts what it is asked and what it sends.
 */
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * - `ok`: 200 with the current set;
 * - `500`: an error status;
 * - `reset`: the connection is destroyed without an answer;
 * - `hang`: the request is accepted and never answered;
 * - `huge`: 200 with a valid JSON body of `hugeBytes`, streamed (chunked, no length) as fast as
 *   the client reads it;
 * - `huge-declared`: the same with a `Content-Length` header.
 */
export type JwksServerMode = 'ok' | '500' | 'reset' | 'hang' | 'huge' | 'huge-declared'

export interface JwksServer {
  /** The https URL the verifier is configured with (the `fetch` below sends it here). */
  readonly url: string
  /** A `fetch` that sends a request for `url` to this server over plain HTTP. */
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>
  /** Requests received so far. */
  readonly requests: number
  /** Fetches the verifier started through `fetch` (a loaded machine can abort one before it reaches the server). */
  readonly attempts: number
  /** Bytes of the last huge body handed to the socket, and whether it was sent in full. */
  readonly huge: { sent: number; finished: boolean; closed: Promise<void> }
  mode(mode: JwksServerMode): void
  set(jwks: unknown): void
  close(): Promise<void>
}

export async function startJwksServer(initial: unknown, options: { hugeBytes?: number } = {}): Promise<JwksServer> {
  let mode: JwksServerMode = 'ok'
  let body = JSON.stringify(initial)
  let requests = 0
  let attempts = 0
  const hugeBytes = options.hugeBytes ?? 64 * 1024 * 1024
  let huge = { sent: 0, finished: false, closed: Promise.resolve() }

  function streamHuge(res: ServerResponse, declared: boolean): void {
    const head = '{"keys":[],"padding":"'
    const tail = '"}'
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    const state = { sent: 0, finished: false, closed: Promise.resolve() }
    state.closed = new Promise((resolve) => res.on('close', () => resolve()))
    huge = state
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(declared ? { 'content-length': String(head.length + hugeBytes + tail.length) } : {}),
    })
    res.write(head)
    let padding = 0
    const pump = () => {
      while (padding < hugeBytes) {
        if (res.destroyed) return
        const piece = padding + chunk.length <= hugeBytes ? chunk : chunk.subarray(0, hugeBytes - padding)
        padding += piece.length
        state.sent += piece.length
        if (!res.write(piece)) {
          res.once('drain', pump)
          return
        }
      }
      res.end(tail)
      state.finished = true
    }
    pump()
  }

  const server = createServer((req, res) => {
    requests++
    switch (mode) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(body)
        return
      case '500':
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end('{"error":"down"}')
        return
      case 'reset':
        req.socket.destroy()
        return
      case 'hang':
        return
      case 'huge':
      case 'huge-declared':
        streamHuge(res, mode === 'huge-declared')
        return
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = 'https://issuer.example.test/.well-known/jwks.json'
  return {
    url,
    fetch: (target, init) => {
      if (target !== url) throw new Error(`unexpected JWKS URL ${target}`)
      attempts++
      return globalThis.fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`, init)
    },
    get requests() {
      return requests
    },
    get attempts() {
      return attempts
    },
    get huge() {
      return huge
    },
    mode(next) {
      mode = next
    },
    set(jwks) {
      body = JSON.stringify(jwks)
    },
    close() {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
