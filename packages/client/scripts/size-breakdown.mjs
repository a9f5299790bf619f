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
const cuts = {
  'cross-tab: lock, record, channel': [
    ['create-auth-client.ts', /  \/\*\* The shared record[\s\S]*?\n  async function withLease[\s\S]*?\n  }\n\n/, 'function read(): SharedRecord | null { return memory }\nfunction remember(next: SharedRecord) { memory = next }\nfunction publish(next: SharedRecord, _?: Tokens) { remember(next) }\nfunction exclusive(callback: () => Promise<void>) { return callback() }\n'],
    ['create-auth-client.ts', /    channel\?\.subscribe[\s\S]*?\n    }\),\n    storage\?\.subscribe[\s\S]*?\n    }\),\n/, ''],
    ['create-auth-client.ts', /  const leaseKey[\s\S]*?let leaseChanged[^\n]*\n/, 'const channel: any = null\nlet memory: SharedRecord | null = null\n'],
  ],
  '  of which the localStorage lease': [['create-auth-client.ts', /  async function withLease[\s\S]*?\n  }\n\n/, ''], ['create-auth-client.ts', 'storage ? withLease(storage, callback) : callback()', 'callback()']],
  '  of which storage events as channel': [['create-auth-client.ts', /      \/\/ Without a channel, the record's own[\s\S]*?adopt\(latest, undefined, 'remote'\)\n/, '']],
  'backoff, Retry-After, breaker': [['create-auth-client.ts', /    const now = clock\(\)\n    refreshes = [\s\S]*?loopReported = false\n/, ''], ['create-auth-client.ts', /backoffDelay\(attempt\+\+[^\n]*clock\(\)\)\)/, '1000'], ['create-auth-client.ts', '      refreshes.push(clock())\n', '']],
  'proactive timer + wake-ups': [['create-auth-client.ts', /  function reschedule\(\): void \{[\s\S]*?\n  }\n/, 'function reschedule(){}\n'], ['create-auth-client.ts', /    platform\.visibility\?\.subscribe[^\n]*\n    platform\.online\?\.subscribe[^\n]*\n/, '']],
  'browser defaults of the hooks': [['platform.ts', /export function resolvePlatform[\s\S]*$/, 'export function resolvePlatform(o: any): Platform { return { timers: o.timers, visibility: o.visibility || null, online: o.online || null, locks: o.locks || null, channel: o.channel || null, storage: o.storage || null } }\n']],
  'events: emitter and the five events': [['events.ts', /export function createEmitter[\s\S]*$/, 'export function createEmitter(_: unknown): Emitter { return { on: () => noop, emit() {}, clear() {} } }\n'], ['create-auth-client.ts', /emitter\.emit\([^\n]*\)/g, '0']],
  'the fetch wrapper: credential, one retry': [['auth-fetch.ts', /export function createAuthFetch[\s\S]*$/, 'export function createAuthFetch(fetchImpl: typeof fetch, _: RequestAuth): typeof fetch { return fetchImpl }\n']],
  'origin check': [['create-auth-client.ts', /function createTargetCheck[\s\S]*$/, 'function createTargetCheck(_: string) { return () => true }\n']],
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
