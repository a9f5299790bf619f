// gzip size of the bundle without each module's code (approximate marginal cost)
import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'
const r = await build({ entryPoints: ['src/index.ts'], bundle: true, minify: true, format: 'esm', target: 'es2022', write: false, metafile: true })
const total = gzipSync(r.outputFiles[0].contents, { level: 9 }).length
// per-module: minify each module alone (not bundled) and gzip it alone
for (const f of Object.keys(r.metafile.inputs)) {
  const m = await build({ entryPoints: [f], bundle: false, minify: true, format: 'esm', target: 'es2022', write: false })
  console.log(f.padEnd(28), m.outputFiles[0].contents.length, gzipSync(m.outputFiles[0].contents, { level: 9 }).length)
}
console.log('total gz', total)
