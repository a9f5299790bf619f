/**
 * Bundling core for an edge runtime, shared by the edge tests: esbuild for a neutral platform,
 * failing on any Node builtin import.
 */
import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'
import { build, type BuildResult, type Plugin } from 'esbuild'

/** packages/core. */
export const CORE_DIR = fileURLToPath(new URL('../..', import.meta.url))
/** The global the IIFE bundle assigns its exports to. */
export const GLOBAL_NAME = '__authCore'

// `node:x`, and the bare names of Node builtins (`crypto`, `fs/promises`, ...).
const BARE_BUILTINS = builtinModules.filter((name) => !name.startsWith('node:') && !name.startsWith('_'))
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const BUILTIN_FILTER = new RegExp(`^(?:node:.*|(?:${BARE_BUILTINS.map(escapeRegExp).join('|')})(?:/.*)?)$`)

/** Fails the build on any Node builtin import. */
export const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: BUILTIN_FILTER }, (args) => ({
      errors: [{ text: `Node builtin "${args.path}" imported from ${args.importer || '<entry>'}` }],
    }))
  },
}

export async function bundle(entry: string): Promise<BuildResult<{ write: false; metafile: true }>> {
  return build({
    entryPoints: [entry],
    absWorkingDir: CORE_DIR,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'neutral',
    // jose 6 exports one Web API build under "default"; name the edge conditions anyway so a
    // future node-specific export of jose (or of anything else) is never picked.
    conditions: ['worker', 'browser', 'import', 'default'],
    mainFields: ['browser', 'module', 'main'],
    format: 'iife',
    globalName: GLOBAL_NAME,
    target: 'es2022',
    logLevel: 'silent',
    plugins: [noNodeBuiltins],
  })
}

