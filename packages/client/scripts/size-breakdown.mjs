// Where the bytes of the main entry go: the min+gzip cost of each part of the behaviour, measured
// by bundling a copy of src/ with that part cut out (so each figure is what the part adds on top
// of all the others). Run: node scripts/size-breakdown.mjs. A cut that no longer matches the
// code fails loudly: update its pattern along with the code.
import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const size = async (dir) => { const r = await build({ entryPoints: [join(dir, 'index.ts')], bundle: true, minify: true, format: 'esm', target: 'es2022', write: false }); return gzipSync(r.outputFiles[0].contents, { level: 9 }).length }
const src = new URL('../src', import.meta.url).pathname
const base = await size(src)
const dir = join(mkdtempSync(join(tmpdir(), 'client-size-')), 'src')
const C = 'create-auth-client.ts'
const cuts = {
  'cross-tab: lock, record, channel': [
    [C, /  \/\/ Cross-tab \(see cross-tab\.ts\)[\s\S]*?\n(?=  \/\*\* Calls every listener)/, 'const channel: any = null\nlet memory: SharedRecord | null = null\nconst read = () => memory\nconst publish = (..._: unknown[]) => {}\nconst waitFor = async (..._: unknown[]) => false\nconst exclusive = (callback: () => Promise<void>) => callback()\n'],
    [C, /  const onMessage = [\s\S]*?\n  if \(storage\) subscribe[^\n]*\n/, ''],
  ],
  '  of which the localStorage lease': [
    [C, /    if \(!storage\) return callback\(\)[\s\S]*?storage\.removeItem\(leaseKey\)\n    }\n/, '    return callback()\n'],
    [C, /  \/\*\* The owner of the lease[\s\S]*?\n  }\n\n/, ''],
  ],
  '  of which storage events as channel': [[C, /    \/\/ Without a channel, the record's own[\s\S]*?if \(latest\) adopt\(latest\)\n/, '']],
  'browser defaults of the hooks': [
    [C, / \?\? \(win && globalThis\.BroadcastChannel[^\n]*\)\)\n/, '\n'],
    [C, ' ?? (win?.localStorage as AuthSharedStorage | undefined)', ''],
    [C, ' ?? win?.navigator?.locks', ''],
    [C, /  const listen = [\s\S]*?\n  }\n/, ''],
    [C, /subscribe\(options\.visibility, wake, \(win\) => \{[\s\S]*?\n  \}\)\n/, 'subscribe(options.visibility, wake, () => {})\n'],
    [C, "(win) => listen(win, 'online', retryNow)", '() => {}'],
    [C, "(win) => listen(win, 'storage', onStorage)", '() => {}'],
    [C, /  else if \(channel\) \(channel as unknown as BroadcastChannel\)\.onmessage[^\n]*\n/, ''],
  ],
  'events: emitter and the five events': [
    [C, /  function emit<[\s\S]*?\n  }\n\n/, ''],
    [C, /emit\('\w+', \{[^}]*\}\)/g, '0'],
    [C, /    on\(name, listener\) \{[\s\S]*?\n    },\n/, '    on: () => noop,\n'],
  ],
  'the fetch wrapper: credential, one retry': [[C, /  async function authFetch[\s\S]*?\n  }\n\n/, '  const authFetch = (input: RequestInfo | URL, init?: AuthRequestInit) => fetchImpl(input, init)\n\n']],
  'backoff, Retry-After, breaker': [
    [C, /    refreshes = refreshes\.filter[\s\S]*?loopReported = false\n/, ''],
    [C, /backoffDelay\(attempt\+\+[^\n]*clock\(\)\)/, '1000'],
    [C, '      refreshes.push(clock())\n', ''],
  ],
  'proactive timer + wake-ups': [
    [C, /    else if \(proactive\) \{[\s\S]*?\n    }\n  }\n/, '  }\n'],
    [C, /  const wake = [\s\S]*?subscribe\(options\.online[^\n]*\n/, ''],
  ],
  'origin check': [[C, /  function appliesTo[\s\S]*?\n  }\n\n/, '  const appliesTo = (_: RequestInfo | URL) => true\n\n']],
}
for (const [name, edits] of Object.entries(cuts)) {
  rmSync(dir, { recursive: true, force: true }); cpSync(src, dir, { recursive: true })
  for (const [file, from, to] of edits) {
    const path = join(dir, file); const text = readFileSync(path, 'utf8'); const next = text.replace(from, to)
    if (next === text) throw new Error(`${name}: no match in ${file}`)
    writeFileSync(path, next)
  }
  console.log(`${name.padEnd(42)} ${base - (await size(dir))} B`)
}
console.log(`${'the whole main entry'.padEnd(42)} ${base} B`)
rmSync(dir, { recursive: true, force: true })
