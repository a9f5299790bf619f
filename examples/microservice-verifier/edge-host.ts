/**
 * Runs `edge-worker.ts` locally the way an edge runtime would: bundled by esbuild for a neutral
 * platform (the build fails on any Node builtin import), then evaluated inside `@edge-runtime/vm`
 * (a Web-standard sandbox: no `require`, `process` or `Buffer`), behind a loopback HTTP server.
 *
 * Environment: `ISSUER`, `JWKS_URL` (the worker's bindings), `PORT` (default 3002).
 */
import { createServer } from 'node:http'
import { builtinModules } from 'node:module'
import type { AddressInfo } from 'node:net'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { EdgeVM } from '@edge-runtime/vm'
import { build, type Plugin } from 'esbuild'

const NODE_BUILTINS = new Set(builtinModules)
const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) =>
      args.path.startsWith('node:') || NODE_BUILTINS.has(args.path.split('/')[0]!)
        ? { errors: [{ text: `Node builtin "${args.path}" imported from ${args.importer}: not available on an edge runtime` }] }
        : undefined,
    )
  },
}

/** Bundles the worker and loads it into a fresh EdgeVM; returns a function that answers one request. */
export async function loadEdgeWorker(env: { ISSUER: string; JWKS_URL: string }) {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./edge-worker.ts', import.meta.url))],
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'iife',
    globalName: '__worker',
    target: 'es2022',
    // '@auth/source': this repository's sources (an installed @auth/core needs no such condition).
    conditions: ['@auth/source', 'worker', 'browser', 'import', 'default'],
    mainFields: ['browser', 'module', 'main'],
    logLevel: 'silent',
    plugins: [noNodeBuiltins],
  })
  const vm = new EdgeVM()
  vm.evaluate(result.outputFiles[0]!.text)
  vm.evaluate(`globalThis.__env = ${JSON.stringify(env)}
    globalThis.__handle = async (wire) => {
      const { method, url, headers } = JSON.parse(wire)
      const response = await __worker.default.fetch(new Request(url, { method, headers }), __env)
      return JSON.stringify({ status: response.status, headers: [...response.headers], body: await response.text() })
    }`)
  const handle = vm.context.__handle as (wire: string) => Promise<string>
  return async (request: { method: string; url: string; headers: Record<string, string> }) =>
    JSON.parse(await handle(JSON.stringify(request))) as { status: number; headers: [string, string][]; body: string }
}

// Started directly: serve the worker on PORT (default 3002).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const issuer = process.env.ISSUER ?? 'https://localhost:3000'
  const worker = await loadEdgeWorker({ ISSUER: issuer, JWKS_URL: process.env.JWKS_URL ?? `${issuer}/.well-known/jwks.json` })
  const server = createServer(async (req, res) => {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value
    const answer = await worker({ method: req.method ?? 'GET', url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, headers })
    res.writeHead(answer.status, answer.headers)
    res.end(answer.body)
  })
  server.listen(Number(process.env.PORT ?? 3002), '127.0.0.1', () =>
    console.log(`edge worker (EdgeVM) on http://127.0.0.1:${(server.address() as AddressInfo).port}`))
}
