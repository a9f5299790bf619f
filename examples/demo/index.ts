/**
 * `npm run demo`: the demo server. Reads the environment (`config.ts`), sets up auth on the
 * memory store or Redis (`demo-auth.ts`), serves the page and the protocol with the chosen
 * framework (`app-express.ts`, `app-fastify.ts`, `app-koa.ts`), prints the URL, and stops cleanly on SIGINT or SIGTERM.
 *
 * Exit codes: 0 after a clean stop; 1 when it cannot start (one line on stderr says why) or
 * cannot stop within {@link STOP_TIMEOUT_MS}.
 *
 * @module
 */
import { DemoConfigError, type DemoFramework, readDemoConfig } from './config.js'
import { createDemoAuth } from './demo-auth.js'
import type { StartDemo } from './node-server.js'
import { DEMO_CREDENTIALS } from './users.js'

/** Each framework's module is loaded only when chosen. */
const FRAMEWORKS: Readonly<Record<DemoFramework, () => Promise<StartDemo>>> = {
  express: async () => (await import('./app-express.js')).startExpressDemo,
  fastify: async () => (await import('./app-fastify.js')).startFastifyDemo,
  koa: async () => (await import('./app-koa.js')).startKoaDemo,
}

/** A stop that takes longer than this (a hung connection, a Redis that does not answer) exits 1. */
const STOP_TIMEOUT_MS = 5000

function exitWith(reason: string): never {
  console.error(`demo: ${reason}`)
  process.exit(1)
}

const config = (() => {
  try {
    return readDemoConfig(process.env)
  } catch (error) {
    if (error instanceof DemoConfigError) exitWith(error.message)
    throw error
  }
})()

const demo = await createDemoAuth(config).catch((error: Error) => exitWith(error.message))
const running = await (await FRAMEWORKS[config.framework]())(demo, config).catch((error: Error) => exitWith(error.message))

console.log(`Auth SDK demo (${config.framework}, ${demo.storeName} store) listening on ${config.url}`)
console.log(`  log in as ${DEMO_CREDENTIALS.map((user) => `${user.email} / ${user.password}`).join(' or ')}`)
if (config.testHooks) console.log('  DEMO_TEST_HOOKS=1: test routes under /test/ (stats, server clock, always-401); not for real use')
console.log(`  access tokens live ${config.accessTokenTtlMs / 1000} s, refresh grace ${config.refreshGraceMs / 1000} s; Ctrl+C stops`)

let stopping = false
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) exitWith(`${signal} while stopping; exiting at once`)
  stopping = true
  setTimeout(() => exitWith(`did not stop within ${STOP_TIMEOUT_MS / 1000} s`), STOP_TIMEOUT_MS).unref()
  try {
    await running.close()
    await demo.close()
  } catch (error) {
    exitWith(`stopping failed: ${(error as Error).message}`)
  }
  console.log(`demo: stopped (${signal})`)
  // No process.exit: the process ends once nothing is left open, which shows that nothing leaked.
}
process.on('SIGINT', (signal) => void stop(signal))
process.on('SIGTERM', (signal) => void stop(signal))

// Started by a test (`demo-process.ts`, which runs it detached), the demo stops once that process is
// gone, even when it was killed outright: nothing else would stop it.
const parentPid = Number(process.env.DEMO_PARENT_PID)
if (Number.isInteger(parentPid) && parentPid > 0) {
  const watch = setInterval(() => {
    try {
      process.kill(parentPid, 0)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') return
      clearInterval(watch)
      void stop('SIGTERM')
    }
  }, 1000).unref()
}
