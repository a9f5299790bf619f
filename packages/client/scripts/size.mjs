// The min+gzip size of the main entry, as a browser bundle would ship it (esbuild, gzip level 9).
// Run: npm run size -w @auth/client. Budget 3.5 kB (issue 13); printed, not enforced yet.
import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'

const BUDGET = 3_500
const result = await build({
  entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  write: false,
})
const code = result.outputFiles[0].contents
const gzip = gzipSync(code, { level: 9 }).length
console.log(`@auth/client main entry: ${(code.length / 1000).toFixed(1)} kB min, ${(gzip / 1000).toFixed(2)} kB min+gzip (budget ${(BUDGET / 1000).toFixed(1)} kB${gzip > BUDGET ? ', OVER' : ''})`)
