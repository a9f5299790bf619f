import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'
const r = await build({ entryPoints: ['src/index.ts'], bundle: true, minify: true, format: 'esm', target: 'es2022', write: false, metafile: true })
const out = Object.values(r.metafile.outputs)[0]
for (const [k, v] of Object.entries(out.inputs).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput)) console.log(k.padEnd(30), v.bytesInOutput)
const code = r.outputFiles[0].contents
console.log('total', code.length, 'gz', gzipSync(code,{level:9}).length)
// strings
const text = new TextDecoder().decode(code)
const strs = text.match(/(["'`])(?:\\.|(?!\1).)*\1/g) || []
console.log('string literal bytes', strs.reduce((a,s)=>a+s.length,0), strs.length)
console.log(strs.sort((a,b)=>b.length-a.length).slice(0,40).join('\n'))
