#!/usr/bin/env node
/**
 * Makes sure the system programs the test suites need are on the `PATH`, installing the missing
 * ones where it can. `npm test` runs it first (the root `pretest` script), `.ci/run` runs it with
 * `--all`, so a fresh machine needs nothing but Node and npm.
 *
 * - Everything there: prints one line, exit 0.
 * - Something missing on Debian/Ubuntu (`apt-get` on the `PATH`) as root or with passwordless
 *   sudo: `apt-get update`, then `apt-get install -y --no-install-recommends <packages>`, then
 *   checks again.
 * - Otherwise (no root or sudo, another system, or `--check`): prints the exact command for the
 *   platform (apt, dnf, brew), exit 1. Installing with dnf or brew is left to the user.
 *
 * Dependency-free (it runs before `npm ci` in CI). Usage:
 *
 *     node scripts/ensure-services.mjs [--all] [--check]
 *
 *   --all    also the programs that only CI needs for now (`test: false` below)
 *   --check  never install; report what is missing and how to install it
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants, realpathSync, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The programs the suites need, one entry each, with the package that provides it per package
 * manager. `test: true`: `npm test` needs it; `false`: only `--all` (CI) installs it for now.
 */
export const REQUIREMENTS = [
  { command: 'redis-server', test: true, apt: 'redis-server', dnf: 'redis', brew: 'redis', usedBy: '@auth/store-redis tests, the demo test (REDIS_URL), the redis benchmark' },
  { command: 'redis-cli', test: true, apt: 'redis-tools', dnf: 'redis', brew: 'redis', usedBy: 'Cluster setup in @auth/test-utils' },
  // The browser tests drive Debian's /usr/bin/chromium (playwright-core, no browser download).
  { command: 'chromium', test: true, apt: 'chromium', dnf: 'chromium', brew: '--cask chromium', usedBy: 'browser tests (the demo page in examples/demo; @auth/client)' },
  // A throwaway TLS certificate for the microservice guide's test (createVerifier wants an https JWKS).
  { command: 'openssl', test: true, apt: 'openssl', dnf: 'openssl', brew: 'openssl', usedBy: 'examples/microservice-verifier test (a throwaway certificate)' },
]

/** Whether `name` is an executable file in one of the `PATH` directories. */
export function onPath(name, path = process.env.PATH ?? '') {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue
    const file = join(dir, name)
    try {
      accessSync(file, constants.X_OK)
      if (statSync(file).isFile()) return true
    } catch {
      // not here
    }
  }
  return false
}

const unique = (list) => [...new Set(list)]
const APT_INSTALL = ['install', '-y', '--no-install-recommends']

/** The command a person would type, for each package manager. */
export function installCommands(missing, { sudo = 'sudo ' } = {}) {
  const apt = unique(missing.map((r) => r.apt)).join(' ')
  const dnf = unique(missing.map((r) => r.dnf)).join(' ')
  const brew = unique(missing.map((r) => r.brew))
  const formulas = brew.filter((b) => !b.startsWith('--cask '))
  const casks = brew.filter((b) => b.startsWith('--cask '))
  return {
    apt: `${sudo}apt-get update && ${sudo}apt-get ${APT_INSTALL.join(' ')} ${apt}`,
    dnf: `${sudo}dnf install -y ${dnf}`,
    brew: [formulas.length > 0 ? `brew install ${formulas.join(' ')}` : '', ...casks.map((c) => `brew install ${c}`)]
      .filter(Boolean)
      .join(' && '),
  }
}

/**
 * The decision, free of side effects.
 *
 * @param {object} env
 * @param {(name: string) => boolean} env.has whether a program is on the PATH
 * @param {string} env.platform `process.platform`
 * @param {boolean} env.isRoot
 * @param {() => boolean} env.canSudo whether `sudo -n` works (asked only when it matters)
 * @param {boolean} [env.all] include the `test: false` requirements
 * @param {boolean} [env.check] never install
 * @returns {{ missing: object[], action: 'none' } |
 *   { missing: object[], action: 'install', steps: string[][] } |
 *   { missing: object[], action: 'instruct', message: string }}
 */
export function plan({ has, platform, isRoot, canSudo, all = false, check = false, requirements = REQUIREMENTS }) {
  const missing = requirements.filter((r) => (all || r.test) && !has(r.command))
  if (missing.length === 0) return { missing, action: 'none' }

  const names = missing.map((r) => `\`${r.command}\` (${r.usedBy})`).join(', ')
  const sudo = isRoot ? '' : 'sudo '
  const commands = installCommands(missing, { sudo })
  const instruct = (how) => ({ missing, action: 'instruct', message: `missing: ${names}.\n${how}` })

  if (platform === 'linux' && has('apt-get')) {
    if (!check && (isRoot || canSudo())) {
      const prefix = isRoot ? [] : ['sudo', '-n', 'DEBIAN_FRONTEND=noninteractive']
      const packages = unique(missing.map((r) => r.apt))
      return { missing, action: 'install', steps: [[...prefix, 'apt-get', 'update'], [...prefix, 'apt-get', ...APT_INSTALL, ...packages]] }
    }
    return instruct(`Install with:\n  ${commands.apt}`)
  }
  if (platform === 'linux' && has('dnf')) return instruct(`Install with:\n  ${commands.dnf}`)
  if (platform === 'darwin') return instruct(`Install with Homebrew:\n  ${commands.brew}`)
  return instruct(
    `Install them with your system's package manager, e.g.\n  Debian/Ubuntu: ${commands.apt}\n  Fedora: ${commands.dnf}\n  macOS: ${commands.brew}`,
  )
}

/** Runs the plan on this machine. Answers the exit code. */
export function main(argv = process.argv.slice(2)) {
  const unknown = argv.filter((a) => a !== '--all' && a !== '--check')
  if (unknown.length > 0) {
    console.error(`ensure-services: unknown argument(s) ${unknown.join(' ')}; usage: ensure-services.mjs [--all] [--check]`)
    return 2
  }
  const env = {
    has: (name) => onPath(name),
    platform: process.platform,
    isRoot: process.getuid?.() === 0,
    canSudo: () => onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
    all: argv.includes('--all'),
    check: argv.includes('--check'),
  }
  const decision = plan(env)
  const wanted = REQUIREMENTS.filter((r) => env.all || r.test).map((r) => r.command)

  if (decision.action === 'none') {
    console.log(`ensure-services: ${wanted.join(', ')} found`)
    return 0
  }
  if (decision.action === 'instruct') {
    console.error(`ensure-services: ${decision.message}`)
    return 1
  }
  console.log(`ensure-services: installing ${decision.missing.map((r) => r.command).join(', ')}`)
  for (const step of decision.steps) {
    console.log(`$ ${step.join(' ')}`)
    const run = spawnSync(step[0], step.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
    if (run.status !== 0) {
      console.error(`ensure-services: \`${step.join(' ')}\` failed (${run.error?.message ?? `exit ${run.status}`})`)
      return 1
    }
  }
  const still = decision.missing.filter((r) => !onPath(r.command))
  if (still.length > 0) {
    console.error(`ensure-services: installed, but still not on the PATH: ${still.map((r) => r.command).join(', ')}`)
    return 1
  }
  console.log(`ensure-services: ${wanted.join(', ')} found`)
  return 0
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main()
