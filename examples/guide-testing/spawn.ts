/**
 * Starting an example as its own process, with the command its guide gives
 * (`tsx --conditions=@auth/source examples/…`), for the tests that need a process of its own
 * (an environment such as NODE_EXTRA_CA_CERTS is read at start).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { afterAll } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli')
const START_TIMEOUT_MS = 40_000

const spawned = new Set<ChildProcess>()
afterAll(() => {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL')
})

/** Starts `examples/<path>` and resolves with the first `http(s)://…` URL it prints. */
export async function startExample(path: string, env: Record<string, string>): Promise<{ url: string; output(): string; stop(): void }> {
  const child = spawn(process.execPath, [TSX_CLI, '--conditions=@auth/source', `examples/${path}`], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stopping it reaches tsx's child too
  })
  spawned.add(child)
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM')
  }
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    const url = /on (https?:\/\/\S+)\n/.exec(output)?.[1]
    if (url) return { url, output: () => output, stop }
    if (child.exitCode !== null || Date.now() > deadline) {
      stop()
      throw new Error(`examples/${path} did not start:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
