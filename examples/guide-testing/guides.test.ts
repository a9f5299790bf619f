// The guides cannot drift from their examples: every TypeScript block of docs/guides/*.md is an
// excerpt of its example (the same lines, in order, indentation aside), every example path a guide
// names exists, and every link between pages points at one of the docs' fixed page names. The same
// holds for the other pages built on examples (docs/migration.md, on its before/after apps).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const GUIDES = ['server-rendered-express', 'spa-fastify-client', 'mobile-bearer-koa', 'microservice-verifier']
/** The pages of docs/ that guides may link to (docs-ref writes the reference pages). */
const PAGES = new Set([
  ...GUIDES.map((name) => `guides/${name}.md`),
  'index.md', 'concepts.md', 'choosing.md', 'operations.md', 'security.md', 'migration.md', 'errors.md',
])

/** Non-blank lines, indentation removed. */
const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '')

function containsRun(haystack: readonly string[], needle: readonly string[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}

/** Pages outside docs/guides/ whose code is excerpts of examples: the page, and the example folders it quotes. */
const QUOTING_PAGES = [{ page: 'migration.md', examples: ['migration-express-session', 'migration-express-jwt'] }]

/** The `.ts` files of an example folder, tests left out. */
const sourceFiles = (dir: string) => readdirSync(dir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))

describe.each(GUIDES)('docs/guides/%s.md', (name) => {
  const guide = readFileSync(`${ROOT}docs/guides/${name}.md`, 'utf8')
  const dir = `${ROOT}examples/${name}/`
  const sourceLines = sourceFiles(dir).map((file) => lines(readFileSync(dir + file, 'utf8')))

  it('quotes its example: every ts block is a run of lines of one example file', () => {
    const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => lines(m[1]!))
    expect(blocks.length).toBeGreaterThan(0)
    for (const block of blocks) {
      expect(sourceLines.some((file) => containsRun(file, block)), `not found in examples/${name}/*.ts:\n${block.join('\n')}`).toBe(true)
    }
  })

  it('names only example files that exist', () => {
    const paths = [...guide.matchAll(/examples\/[\w-]+\/[\w.-]+\.(?:ts|html)/g)].map((m) => m[0])
    expect(paths.length).toBeGreaterThan(0)
    for (const path of paths) expect(existsSync(ROOT + path), path).toBe(true)
  })

  it('links to the docs pages by their fixed names', () => {
    const links = [...guide.matchAll(/\]\((\.{1,2}\/[^)#]+)(?:#[^)]*)?\)/g)].map((m) => new URL(m[1]!, `file:///docs/guides/`).pathname.slice('/docs/'.length))
    expect(links.length).toBeGreaterThan(0)
    for (const link of links) expect(PAGES.has(link), link).toBe(true)
  })
})

describe.each(QUOTING_PAGES)('docs/$page', ({ page, examples }) => {
  const text = readFileSync(`${ROOT}docs/${page}`, 'utf8')
  const files = examples.flatMap((dir) => sourceFiles(`${ROOT}examples/${dir}/`).map((file) => `examples/${dir}/${file}`))
  const sourceLines = files.map((path) => lines(readFileSync(ROOT + path, 'utf8')))

  it('quotes its examples: every ts block is a run of lines of one example file', () => {
    const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => lines(m[1]!))
    expect(blocks.length).toBeGreaterThan(0)
    for (const block of blocks) {
      expect(sourceLines.some((file) => containsRun(file, block)), `not found in ${examples.join(', ')}:\n${block.join('\n')}`).toBe(true)
    }
  })

  it('names every file of its examples, and only files that exist', () => {
    const paths = new Set([...text.matchAll(/examples\/[\w-]+\/[\w.-]+\.(?:ts|html)/g)].map((m) => m[0]))
    for (const path of paths) expect(existsSync(ROOT + path), path).toBe(true)
    for (const dir of examples) {
      for (const file of readdirSync(`${ROOT}examples/${dir}/`).filter((f) => f.endsWith('.ts'))) expect(paths, `examples/${dir}/${file}`).toContain(`examples/${dir}/${file}`)
    }
  })

  it('links to the docs pages by their fixed names, and to files that exist', () => {
    const links = [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((link) => !/^[a-z]+:/.test(link))
    expect(links.length).toBeGreaterThan(0)
    for (const link of links) {
      const path = new URL(link, `file:///docs/${page}`).pathname
      if (path.startsWith('/docs/')) expect(PAGES.has(path.slice('/docs/'.length)), link).toBe(true)
      else expect(existsSync(ROOT + path.slice(1)), link).toBe(true)
    }
  })
})
