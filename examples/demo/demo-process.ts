/**
 * Starting the demo as a child process for tests (`demo.test.ts`, `browser.test.ts`): the same
 * command as `npm run demo`, on the environment given, resolving once it prints its URL.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/**
 * The command of `npm run demo` (`node --import tsx …`) without npm in between: npm does not pass
 * a signal sent to it alone on to the script, and the tsx CLI relays one to its child but gives
 * the child 30 ms to acknowledge it over IPC before it SIGKILLs it and exits 143 — on a loaded
 * machine that turned a clean SIGTERM stop into a failure. `node --import tsx` runs the same
 * loader in one process, so the demo gets the signal itself and its exit code is its own.
 */
const TSX_LOADER = createRequire(import.meta.url).resolve('tsx')
const START_TIMEOUT_MS = 40_000

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface DemoProcess {
  readonly child: ChildProcess
  readonly exited: Promise<Exit>
  stdout(): string
  stderr(): string
}

export function spawnDemo(env: Record<string, string | undefined>): DemoProcess {
  // REDIS_URL and NODE_ENV unset unless given: not the test runner's (vitest sets NODE_ENV=test).
  const child = spawn(process.execPath, ['--import', pathToFileURL(TSX_LOADER).href, '--conditions=@auth/source', 'examples/demo/index.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: undefined, REDIS_URL: undefined, DEMO_FRAMEWORK: undefined, DEMO_PARENT_PID: String(process.pid), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so cleanup reaches anything it starts
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  spawned.add(child)
  return { child, exited, stdout: () => stdout, stderr: () => stderr }
}

const spawned = new Set<ChildProcess>()
afterAll(() => {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL')
})

/** Starts the demo and resolves with the URL it printed. */
export async function startDemo(env: Record<string, string | undefined>): Promise<DemoProcess & { url: string }> {
  const demo = spawnDemo(env)
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    // The whole banner: its last line ends with "Ctrl+C stops" (the pipe may split the lines).
    const url = /listening on (http:\/\/\S+)[^]*Ctrl\+C stops\n/.exec(demo.stdout())?.[1]
    if (url) return { ...demo, url }
    if (demo.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the demo did not start (exit ${demo.child.exitCode}):\n${demo.stdout()}\n${demo.stderr()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

