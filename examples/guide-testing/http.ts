/**
 * Test helpers of the guides' examples: serving on a free loopback port, and a cookie jar kept by
 * hand (what a browser does, minus everything the tests do not need).
 */
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Serves `handler` on 127.0.0.1, on a free port. */
export async function serve(handler: RequestListener): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    server,
    port,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** The cookies one client holds: `Set-Cookie` applied (`Max-Age=0` or a past `Expires` removes), `Cookie` sent back. Paths ignored. */
export class CookieJar {
  readonly #cookies = new Map<string, string>()

  /** Applies the `Set-Cookie` headers of a response. */
  take(response: Response): this {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const at = pair.indexOf('=')
      const name = pair.slice(0, at)
      const expires = /;\s*Expires=([^;]+)/i.exec(line)?.[1]
      if (/;\s*Max-Age=0(;|$)/i.test(line) || (expires !== undefined && Date.parse(expires) <= Date.now())) this.#cookies.delete(name)
      else this.#cookies.set(name, pair.slice(at + 1))
    }
    return this
  }

  /** Sets a cookie by hand (a forged or tampered one). */
  set(name: string, value: string): this {
    this.#cookies.set(name, value)
    return this
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name)
  }

  names(): string[] {
    return [...this.#cookies.keys()].sort()
  }

  /** The `Cookie` header, or `{}` when empty. */
  header(): Record<string, string> {
    return this.#cookies.size === 0 ? {} : { cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
  }

  copy(): CookieJar {
    const jar = new CookieJar()
    for (const [k, v] of this.#cookies) jar.#cookies.set(k, v)
    return jar
  }
}
