// Tests that keep the reference pages of docs/ true of the code. Run by `npm run test:scripts`
// (`node --test scripts/`):
// - docs/errors.md lists exactly the codes of HTTP_STATUS_BY_CODE, with their statuses;
// - every test file docs/security.md cites exists, and every test name it quotes is in one of the
//   files cited on the same row;
// - no shipped text (package sources, READMEs, changesets) cites "DESIGN §n", a document users
//   never get: they link to the pages of docs/ instead.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const read = (path) => readFileSync(join(root, path), 'utf8')

/** The `code: status` entries of `HTTP_STATUS_BY_CODE` in core's errors.ts, in source order. */
export function statusTableOf(source) {
  const block = /export const HTTP_STATUS_BY_CODE[^=]*=\s*Object\.freeze\(\{([^}]*)\}\)/.exec(source)
  assert.ok(block, 'HTTP_STATUS_BY_CODE not found in packages/core/src/errors.ts')
  return [...block[1].matchAll(/^\s*([a-z_]+):\s*(\d{3}),?\s*$/gm)].map((m) => [m[1], Number(m[2])])
}

/** The members of the `AuthErrorCode` union. */
export function unionOf(source) {
  const block = /export type AuthErrorCode =([^]*?)\n\n/.exec(source)
  assert.ok(block, 'AuthErrorCode not found in packages/core/src/errors.ts')
  return [...block[1].matchAll(/\|\s*'([a-z_]+)'/g)].map((m) => m[1])
}

/** The `| \`code\` | status |` rows of a markdown page, in page order. */
export function documentedCodesOf(page) {
  return [...page.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])])
}

describe('docs/errors.md', () => {
  const source = read('packages/core/src/errors.ts')
  const table = statusTableOf(source)

  it('reads the status table and the union of the source (the parser is not blind)', () => {
    assert.ok(table.length >= 19, `only ${table.length} codes parsed`)
    assert.deepEqual(table.map(([code]) => code).sort(), unionOf(source).sort())
  })

  it('lists every code of HTTP_STATUS_BY_CODE once, with its status, and no other code', () => {
    const documented = documentedCodesOf(read('docs/errors.md'))
    const names = documented.map(([code]) => code)
    assert.deepEqual(names.filter((code, i) => names.indexOf(code) !== i), [], 'codes listed twice')
    assert.deepEqual(
      names.filter((code) => !table.some(([c]) => c === code)),
      [],
      'codes on the page that the source does not have',
    )
    assert.deepEqual(
      table.filter(([code]) => !names.includes(code)).map(([code]) => code),
      [],
      'codes of the source missing from the page',
    )
    assert.deepEqual(new Map(documented), new Map(table), 'statuses differ')
  })

  it('fails on a page that misses a code or misstates a status (the check can fail)', () => {
    const page = read('docs/errors.md')
    const without = documentedCodesOf(page.replace(/^\| `conflict` \|.*\n/m, ''))
    assert.notDeepEqual(new Map(without), new Map(table))
    const wrong = documentedCodesOf(page.replace('| `conflict` | 409 |', '| `conflict` | 400 |'))
    assert.notDeepEqual(new Map(wrong), new Map(table))
  })
})

/** Each table row of the page that cites test files: its files (`*.test.ts` or suite files) and quoted names. */
export function citationsOf(page) {
  const rows = []
  for (const line of page.split('\n')) {
    if (!line.startsWith('|')) continue
    const files = [...line.matchAll(/`((?:packages|examples)\/[^`\s]+\.ts)`/g)].map((m) => m[1])
    if (files.length === 0) continue
    const names = [...line.matchAll(/“([^”]+)”/g)].map((m) => m[1])
    rows.push({ line, files, names })
  }
  return rows
}

describe('docs/security.md', () => {
  const rows = citationsOf(read('docs/security.md'))

  it('cites test files for every threat of the issue', () => {
    const threats = ['XSS', 'CSRF', 'theft', 'Replay', 'alg', 'fixation', 'outage']
    for (const threat of threats) {
      assert.ok(
        rows.some((row) => row.line.includes(threat)),
        `no row with cited tests mentions ${threat}`,
      )
    }
  })

  it('cites files that exist, and names each quoted test as it is written in one of its row files', () => {
    const missing = []
    for (const row of rows) {
      for (const file of row.files) if (!existsSync(join(root, file))) missing.push(file)
      const texts = row.files.filter((file) => existsSync(join(root, file))).map(read)
      for (const name of row.names) {
        if (!texts.some((text) => text.includes(name))) missing.push(`“${name}” in ${row.files.join(', ')}`)
      }
    }
    assert.deepEqual(missing, [])
    assert.ok(rows.reduce((n, row) => n + row.names.length, 0) >= 20, 'fewer than 20 tests quoted')
  })
})

/** Files that users receive or read: package sources, READMEs, changesets. */
function shippedTexts() {
  const files = []
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path)
      } else if (/\.(ts|md)$/.test(entry.name)) files.push(path)
    }
  }
  for (const pkg of readdirSync(join(root, 'packages'))) walk(join('packages', pkg))
  walk('.changeset')
  files.push('README.md')
  return files
}

// Another branch rewrites these now; they map to docs/ pages as the docs-ref report says.
describe('references to the design document', () => {
  it('are gone from package sources, READMEs and changesets: they link to docs/ instead', () => {
    const citing = shippedTexts()
      .map((file) => relative(root, join(root, file)))
      .filter((file) => /DESIGN §|DESIGN\.md|STYLE §/.test(read(file)))
    assert.deepEqual(citing, [])
  })
})
