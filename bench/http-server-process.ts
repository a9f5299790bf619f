/**
 * One server of the HTTP benchmark: a separate OS process (forked by `bench/http.ts` with its node
 * flags: tsx's loader and `--conditions=@auth/source`, so our packages run from their sources),
 * never run on its own. It gets one `init` message, builds that framework's app with that
 * authentication set-up (`bench/http-apps/`), listens on a free loopback port and answers
 * `listening`; on `close` it closes what it opened and exits (so a `--cpu-prof` profile is written).
 *
 * See `lib/http-protocol.ts` for the messages.
 */
import type { BenchApp } from './http-apps/common.js'
import type { FromServer, ServerInit, ToServer } from './lib/http-protocol.js'

const send = (message: FromServer): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) return resolve()
    process.send(message, undefined, undefined, () => resolve())
  })

async function build(init: ServerInit): Promise<BenchApp> {
  switch (init.framework) {
    case 'express':
      return (await import('./http-apps/express.js')).createExpressApp(init)
    case 'fastify':
      return (await import('./http-apps/fastify.js')).createFastifyApp(init)
    case 'koa':
      return (await import('./http-apps/koa.js')).createKoaApp(init)
  }
}

let app: BenchApp | undefined

process.on('message', (message: ToServer) => {
  void (async () => {
    try {
      if (message.type === 'init') {
        app = await build(message)
        await send({ type: 'listening', port: await app.listen(), core: import.meta.resolve('@auth/core') })
      } else if (message.type === 'close') {
        await app?.close()
        await send({ type: 'closed' })
        process.exit(0)
      }
    } catch (error) {
      await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
      process.exit(1)
    }
  })()
})

// The bench went away (crashed, interrupted): do not outlive it.
process.on('disconnect', () => process.exit(0))
