#!/usr/bin/env node
/**
 * Checks that every `@auth/*` package this repository uses is one of its own workspace packages.
 *
 * The `@auth` npm scope belongs to another project (Auth.js publishes `@auth/core` publicly), so
 * a registry copy of `@auth/core` installed by mistake would silently replace ours. This script
 * fails (exit 1, naming each offending path) unless:
 *
 * 1. every `node_modules/@auth/<name>` entry, at the root and nested anywhere in the
 *    `node_modules` trees of the root, of the workspace packages and of their dependencies, is a
 *    symlink whose realpath is a directory under `<root>/packages/`, namely the workspace package
 *    whose package.json is named `@auth/<name>`;
 * 2. every `@auth/*` entry of `dependencies`, `devDependencies`, `peerDependencies` and
 *    `optionalDependencies` of the root and of each workspace package names a workspace package,
 *    with a semver range the local version satisfies (no `workspace:`, `file:`, `npm:` or URLs);
 * 3. every `node_modules/.../@auth/<name>` entry of package-lock.json is a link to that package.
 *
 * Dependency-free. Usage: `node scripts/check-workspace-links.mjs [root]` (default: the parent
 * directory of this script). Prints a one-line summary on success.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const SCOPE = '@auth'
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']

/**
 * Runs every check on the repository at `rootArg`.
 *
 * @returns {{ problems: string[], summary: string }}
 */
export function checkWorkspaceLinks(rootArg) {
  const root = realpathSync(resolve(rootArg))
  const packagesDir = join(root, 'packages')
  const problems = []
  const rel = (path) => relative(root, path).split(sep).join('/') || '.'
  const fail = (path, message) => problems.push(`${rel(path)}: ${message}`)
  const result = (summary) => ({ problems, summary })

  function readJson(path) {
    try {
      return JSON.parse(readFileSync(path, 'utf8'))
    } catch (error) {
      fail(path, `cannot read JSON (${error.message})`)
      return undefined
    }
  }

  // -------------------------------------------------------------------------------------------
  // Workspace packages

  const rootManifest = readJson(join(root, 'package.json'))
  if (!rootManifest) return result('')
  const patterns = Array.isArray(rootManifest.workspaces)
    ? rootManifest.workspaces
    : (rootManifest.workspaces?.packages ?? [])

  /** name -> { dir (realpath), version, manifest, manifestPath } */
  const workspaces = new Map()
  for (const pattern of patterns) {
    let dirs
    if (/^[^*]+\/\*$/.test(pattern)) {
      const parent = join(root, pattern.slice(0, -2))
      dirs = existsSync(parent)
        ? readdirSync(parent, { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .map((d) => join(parent, d.name))
        : []
    } else if (!pattern.includes('*')) {
      dirs = [join(root, pattern)]
    } else {
      fail(join(root, 'package.json'), `unsupported workspaces pattern "${pattern}" (use "dir/*" or a plain path)`)
      continue
    }
    for (const dir of dirs) {
      const manifestPath = join(dir, 'package.json')
      if (!existsSync(manifestPath)) continue
      const manifest = readJson(manifestPath)
      if (!manifest) continue
      if (typeof manifest.name !== 'string') {
        fail(manifestPath, 'has no "name"')
        continue
      }
      if (workspaces.has(manifest.name)) fail(manifestPath, `duplicate workspace package name "${manifest.name}"`)
      workspaces.set(manifest.name, { dir: realpathSync(dir), version: manifest.version, manifest, manifestPath })
    }
  }

  // -------------------------------------------------------------------------------------------
  // 1. node_modules trees. Symlinked packages are followed, each realpath walked once, so link
  // cycles end.

  const visited = new Set()
  let linksChecked = 0

  function walkPackage(dir) {
    const nodeModules = join(dir, 'node_modules')
    let real
    try {
      real = realpathSync(nodeModules)
    } catch {
      return // none, or a dangling link
    }
    if (visited.has(real) || !isDirectory(real)) return
    visited.add(real)
    for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue // .bin, .package-lock.json, .cache, .vite ...
      const path = join(nodeModules, entry.name)
      if (!entry.name.startsWith('@')) {
        followPackage(path)
        continue
      }
      if (entry.name === SCOPE && !entry.isDirectory()) {
        fail(path, `must be a plain directory of links into ${rel(packagesDir)}/, found ${describe(path)}`)
        continue
      }
      if (!isDirectory(path)) continue
      for (const scoped of readdirSync(path)) {
        if (scoped.startsWith('.')) continue
        const packagePath = join(path, scoped)
        if (entry.name === SCOPE) checkScopedEntry(packagePath, `${SCOPE}/${scoped}`)
        followPackage(packagePath)
      }
    }
  }

  function followPackage(path) {
    let real
    try {
      real = realpathSync(path)
    } catch {
      return // dangling: reported when it is in the @auth scope
    }
    if (isDirectory(real)) walkPackage(real)
  }

  function checkScopedEntry(path, name) {
    linksChecked++
    if (!lstatSync(path).isSymbolicLink()) {
      fail(path, `must be a symlink to the workspace package in ${rel(packagesDir)}/, found ${describe(path)}`)
      return
    }
    let real
    try {
      real = realpathSync(path)
    } catch {
      fail(path, 'is a dangling symlink')
      return
    }
    if (!real.startsWith(packagesDir + sep) || !isDirectory(real)) {
      fail(path, `links to ${real}, which is not a directory under ${rel(packagesDir)}/`)
      return
    }
    const local = workspaces.get(name)
    if (!local) fail(path, `"${name}" is not a workspace package (it links to ${rel(real)})`)
    else if (local.dir !== real) fail(path, `links to ${rel(real)}, but workspace package "${name}" is ${rel(local.dir)}`)
  }

  walkPackage(root)
  for (const { dir } of workspaces.values()) walkPackage(dir)

  // -------------------------------------------------------------------------------------------
  // 2. Declared dependencies on @auth/*

  let rangesChecked = 0
  const manifests = [{ manifest: rootManifest, manifestPath: join(root, 'package.json') }, ...workspaces.values()]
  for (const { manifest, manifestPath } of manifests) {
    for (const field of DEPENDENCY_FIELDS) {
      const deps = manifest[field]
      if (!deps || typeof deps !== 'object') continue
      for (const [name, range] of Object.entries(deps)) {
        if (!name.startsWith(`${SCOPE}/`)) continue
        rangesChecked++
        const where = `${field}["${name}"] = ${JSON.stringify(range)}`
        const local = workspaces.get(name)
        if (!local) {
          fail(manifestPath, `${where}: no workspace package is named "${name}" (npm would install another project's package from the registry)`)
        } else if (typeof range !== 'string') {
          fail(manifestPath, `${where}: the range must be a string`)
        } else if (/^[a-z+]+:/i.test(range.trim()) || range.includes('/')) {
          fail(manifestPath, `${where}: use a plain semver range (npm does not support "workspace:"; no file:, npm:, git or URLs)`)
        } else {
          try {
            // npm (arborist's dep-valid) accepts any version, prereleases included, for `*` and ``.
            if (range.trim() !== '*' && range.trim() !== '' && !satisfies(local.version, range)) {
              fail(manifestPath, `${where}: not satisfied by the local version ${local.version} of ${rel(local.manifestPath)}`)
            }
          } catch (error) {
            fail(manifestPath, `${where}: ${error.message}`)
          }
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // 3. package-lock.json

  const lockPath = join(root, 'package-lock.json')
  if (existsSync(lockPath)) {
    const lock = readJson(lockPath)
    for (const [key, entry] of Object.entries(lock?.packages ?? {})) {
      const match = /(?:^|\/)node_modules\/(@auth\/[^/]+)$/.exec(key)
      if (!match) continue
      const local = workspaces.get(match[1])
      const resolved = typeof entry?.resolved === 'string' ? entry.resolved : ''
      if (entry?.link !== true || !local || resolve(root, resolved) !== local.dir) {
        fail(lockPath, `packages["${key}"] must be a link to the workspace package (found ${JSON.stringify(entry)})`)
      }
    }
  }

  return result(
    `${workspaces.size} workspace package(s), ${linksChecked} ${SCOPE}/* link(s) in ${visited.size} node_modules dir(s), ${rangesChecked} ${SCOPE}/* dependency range(s)`,
  )
}

function isDirectory(path) {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

function describe(path) {
  try {
    const stat = lstatSync(path)
    if (stat.isSymbolicLink()) return 'a symlink'
    if (stat.isDirectory()) return 'a directory (an installed copy, not a link)'
    if (stat.isFile()) return 'a file'
    return 'an unexpected file type'
  } catch {
    return 'nothing'
  }
}

// ---------------------------------------------------------------------------------------------
// A small semver range check: `*`, `x`, ``, exact `1.2.3` / `=1.2.3`, partial `1`, `1.2`, `1.x`,
// `^`, `~`, `>`, `>=`, `<`, `<=`, comparator sets separated by spaces and alternatives by `||`.
// Prereleases follow npm: a prerelease version only satisfies a set that has a comparator with
// a prerelease on the same major.minor.patch.

function parseVersion(text) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text)
  if (!m) throw new Error(`invalid version "${text}"`)
  return { major: +m[1], minor: +m[2], patch: +m[3], pre: m[4] ? m[4].split('.') : [] }
}

function compareIdentifiers(a, b) {
  const an = /^\d+$/.test(a)
  const bn = /^\d+$/.test(b)
  if (an && bn) return Math.sign(+a - +b)
  if (an) return -1
  if (bn) return 1
  return a < b ? -1 : a > b ? 1 : 0
}

function compare(a, b) {
  for (const k of ['major', 'minor', 'patch']) if (a[k] !== b[k]) return Math.sign(a[k] - b[k])
  if (a.pre.length === 0 || b.pre.length === 0) return Math.sign(b.pre.length - a.pre.length) // release > prerelease
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    if (a.pre[i] === undefined) return -1
    if (b.pre[i] === undefined) return 1
    const c = compareIdentifiers(a.pre[i], b.pre[i])
    if (c !== 0) return c
  }
  return 0
}

/** A partial version: numbers, or undefined for a missing or wildcard part. */
function parsePartial(text) {
  const m = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text)
  if (!m) throw new Error(`unsupported range syntax "${text}"`)
  const num = (s) => (s === undefined || /^[xX*]$/.test(s) ? undefined : +s)
  const major = num(m[1])
  const minor = major === undefined ? undefined : num(m[2])
  const patch = minor === undefined ? undefined : num(m[3])
  return { major, minor, patch, pre: m[4] && patch !== undefined ? m[4].split('.') : [] }
}

const v = (major, minor, patch, pre = []) => ({ major, minor, patch, pre })
/** `-0` is the lowest prerelease: `<2.0.0-0` excludes every 2.0.0 prerelease, like node-semver. */
const below = (major, minor) => v(major, minor, 0, ['0'])
/** A comparator; `named` marks a bound spelled with a prerelease in the range (not a synthetic `-0`). */
const cmp = (op, bound, named = false) => ({ op, bound, named })

/** Turns one comparator (`^1.2.3`, `>=1.2`, `1.x`, `*` ...) into a list of plain comparators. */
function comparators(text) {
  const m = /^(\^|~>?|>=|<=|>|<|=)?(.*)$/.exec(text)
  const op = m[1] ?? ''
  const { major: M, minor: mi, patch: P, pre } = parsePartial(m[2] === '' ? '*' : m[2])
  const named = pre.length > 0
  if (M === undefined) return op === '<' || op === '>' ? [cmp('<', v(0, 0, 0, ['0']))] : [] // `<*` and `>*` match nothing
  const lower = cmp('>=', v(M, mi ?? 0, P ?? 0, pre), named)
  const nextMinorOrMajor = mi === undefined ? below(M + 1, 0) : below(M, mi + 1)
  switch (op) {
    case '^':
      if (M > 0 || mi === undefined) return [lower, cmp('<', below(M + 1, 0))]
      if (mi > 0 || P === undefined) return [lower, cmp('<', below(0, mi + 1))]
      return [lower, cmp('<', v(0, 0, P + 1, ['0']))]
    case '~':
    case '~>':
      return [lower, cmp('<', nextMinorOrMajor)]
    case '':
    case '=':
      return P !== undefined ? [cmp('=', lower.bound, named)] : [lower, cmp('<', nextMinorOrMajor)]
    case '>=':
      return [lower]
    case '>':
      return P !== undefined ? [cmp('>', lower.bound, named)] : [cmp('>=', nextMinorOrMajor)]
    case '<':
      return [cmp('<', P !== undefined ? lower.bound : v(M, mi ?? 0, 0, ['0']), named)]
    case '<=':
      return P !== undefined ? [cmp('<=', lower.bound, named)] : [cmp('<', nextMinorOrMajor)]
  }
  throw new Error(`unsupported range syntax "${text}"`)
}

function test(version, { op, bound }) {
  const c = compare(version, bound)
  return op === '=' ? c === 0 : op === '>=' ? c >= 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c < 0
}

/** Whether `versionText` satisfies `range` (npm semantics for the supported syntax). */
export function satisfies(versionText, range) {
  if (typeof versionText !== 'string') throw new Error('the workspace package has no "version"')
  const version = parseVersion(versionText)
  if (/\s-\s/.test(range)) throw new Error(`unsupported range syntax "${range}" (hyphen ranges)`)
  return range.split('||').some((set) => {
    const parts = set.trim().replace(/(\^|~>?|>=|<=|>|<|=)\s+/g, '$1').split(/\s+/).filter(Boolean)
    const list = parts.flatMap(comparators)
    if (!list.every((c) => test(version, c))) return false
    if (version.pre.length === 0) return true
    // A prerelease only satisfies a set that names a prerelease of the same major.minor.patch.
    return list.some(
      (c) => c.named && c.bound.major === version.major && c.bound.minor === version.minor && c.bound.patch === version.patch,
    )
  })
}

// -----------------------------------------------------------------------------------------------
// Command line

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..')
  const { problems, summary } = checkWorkspaceLinks(root)
  if (problems.length > 0) {
    console.error(
      `check-workspace-links: ${problems.length} problem(s). The ${SCOPE} npm scope belongs to Auth.js: every ${SCOPE}/* package must be a link to this repository's packages/.`,
    )
    for (const problem of problems) console.error(`  ✗ ${problem}`)
    console.error('Fix: remove the offending entries (or fix the ranges) and run `npm install` at the repository root.')
    process.exit(1)
  }
  console.log(`check-workspace-links: OK (${summary})`)
}
