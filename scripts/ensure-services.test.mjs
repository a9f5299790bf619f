// Tests of scripts/ensure-services.mjs: the decision (plan) on simulated machines, and the script
// itself with a PATH that lacks redis-server and has shims for apt-get and sudo that record their
// arguments. Run by `npm test` (the root task //#test:scripts: `node --test scripts/`).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { REQUIREMENTS, plan } from './ensure-services.mjs'

// openssl is on nearly every machine: the simulated ones have it unless a test says otherwise.
const machine = (programs, overrides = {}) => ({
  has: (name) => name === 'openssl' || programs.includes(name),
  platform: 'linux',
  isRoot: false,
  canSudo: () => false,
  ...overrides,
})
const APT = ['apt-get', 'install', '-y', '--no-install-recommends']

describe('plan', () => {
  it('does nothing when every program npm test needs is there, chromium included', () => {
    assert.equal(plan(machine(['redis-server', 'redis-cli', 'chromium'])).action, 'none')
    const withoutBrowser = plan(machine(['redis-server', 'redis-cli', 'apt-get'], { isRoot: true }))
    assert.deepEqual(withoutBrowser.steps, [['apt-get', 'update'], [...APT, 'chromium']])
  })

  it('installs openssl when it is missing (the microservice guide makes a throwaway certificate)', () => {
    const decision = plan({ ...machine(['apt-get', 'redis-server', 'redis-cli', 'chromium'], { isRoot: true }), has: (name) => name !== 'openssl' })
    assert.deepEqual(decision.missing.map((r) => r.command), ['openssl'])
    assert.deepEqual(decision.steps, [['apt-get', 'update'], [...APT, 'openssl']])
  })

  it('installs with apt-get as root, one package per missing program', () => {
    const decision = plan(machine(['apt-get', 'redis-server', 'chromium'], { isRoot: true }))
    assert.equal(decision.action, 'install')
    assert.deepEqual(decision.missing.map((r) => r.command), ['redis-cli'])
    assert.deepEqual(decision.steps, [['apt-get', 'update'], [...APT, 'redis-tools']])
  })

  it('installs through passwordless sudo, and asks sudo only when it would install', () => {
    let asked = 0
    const canSudo = () => (asked++, true)
    const decision = plan(machine(['apt-get'], { canSudo }))
    const sudo = ['sudo', '-n', 'DEBIAN_FRONTEND=noninteractive']
    assert.deepEqual(decision.steps, [[...sudo, 'apt-get', 'update'], [...sudo, ...APT, 'redis-server', 'redis-tools', 'chromium']])
    assert.equal(asked, 1)
    plan(machine(['apt-get', 'redis-server', 'redis-cli', 'chromium'], { canSudo }))
    plan(machine(['apt-get'], { canSudo, isRoot: true }))
    assert.equal(asked, 1)
  })

  it('prints the apt command when it cannot install (no root, no sudo, or --check)', () => {
    const command = 'sudo apt-get update && sudo apt-get install -y --no-install-recommends redis-server redis-tools chromium'
    for (const decision of [plan(machine(['apt-get'])), plan({ ...machine(['apt-get'], { canSudo: () => true }), check: true })]) {
      assert.equal(decision.action, 'instruct')
      assert.ok(decision.message.includes(command), decision.message)
    }
    const root = plan({ ...machine(['apt-get'], { isRoot: true }), check: true })
    assert.ok(root.message.includes('\n  apt-get update && apt-get install'), root.message)
  })

  it('prints the dnf, brew or every command elsewhere', () => {
    assert.match(plan(machine(['dnf', 'chromium'])).message, /\n {2}sudo dnf install -y redis$/)
    assert.match(plan(machine(['chromium'], { platform: 'darwin' })).message, /\n {2}brew install redis$/)
    const mac = plan(machine(['redis-server', 'redis-cli'], { platform: 'darwin' }))
    assert.match(mac.message, /\n {2}brew install --cask chromium$/)
    const other = plan(machine([], { platform: 'freebsd' })).message
    for (const manager of ['apt-get install', 'dnf install', 'brew install']) assert.ok(other.includes(manager), other)
  })

  it('declares redis-server, redis-cli, chromium and openssl for npm test', () => {
    assert.deepEqual(REQUIREMENTS.filter((r) => r.test).map((r) => r.command), ['redis-server', 'redis-cli', 'chromium', 'openssl'])
  })
})

// Linux only: on macOS the script prints the brew command instead of using apt-get.
describe('ensure-services.mjs on a PATH without redis-server', { skip: process.platform !== 'linux' }, () => {
  const script = fileURLToPath(new URL('./ensure-services.mjs', import.meta.url))

  /** A bin directory with shims; `apt-get install` "installs" by writing redis-server, redis-cli and chromium (openssl is there). */
  function sandbox({ apt = true } = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'ensure-services-'))
    const bin = join(dir, 'bin')
    const log = join(dir, 'calls.log')
    const shim = (name, body) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`)
      chmodSync(join(bin, name), 0o755)
    }
    mkdirSync(bin)
    symlinkSync(process.execPath, join(bin, 'node'))
    shim('openssl', 'exit 0') // present, as on nearly every machine
    // sudo: drops -n and VAR=value (exported), then runs the rest (`true` is a shell builtin).
    shim('sudo', `echo "sudo $*" >> '${log}'\nwhile :; do case "$1" in -n) shift;; *=*) export "$1"; shift;; *) break;; esac; done\n"$@"`)
    if (apt) {
      shim(
        'apt-get',
        `echo "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> '${log}'\n` +
          `if [ "$1" = install ]; then for p in redis-server redis-cli chromium; do printf '#!/bin/sh\\n' > '${bin}'/$p; /bin/chmod +x '${bin}'/$p; done; fi`,
      )
    }
    const run = (...args) => spawnSync(process.execPath, [script, ...args], { env: { PATH: bin }, encoding: 'utf8' })
    const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [])
    return { run, calls, bin, remove: () => rmSync(dir, { recursive: true, force: true }) }
  }

  it('installs with apt-get (directly as root, else through passwordless sudo) and checks again', () => {
    const box = sandbox()
    try {
      const result = box.run()
      assert.equal(result.status, 0, result.stderr)
      assert.match(result.stdout, /redis-server, redis-cli, chromium, openssl found/)
      const apt = box.calls().filter((line) => line.startsWith('apt-get'))
      assert.deepEqual(apt, [
        'apt-get update DEBIAN_FRONTEND=noninteractive',
        'apt-get install -y --no-install-recommends redis-server redis-tools chromium DEBIAN_FRONTEND=noninteractive',
      ])
      assert.ok(existsSync(join(box.bin, 'redis-server')))
      assert.equal(box.run().status, 0) // second run: nothing to do
      assert.equal(box.calls().filter((line) => line.startsWith('apt-get')).length, 2)
    } finally {
      box.remove()
    }
  })

  it('--check prints the apt command and exits 1 without installing', () => {
    const box = sandbox()
    try {
      const result = box.run('--check')
      assert.equal(result.status, 1)
      assert.match(result.stderr, /missing: `redis-server`.*`redis-cli`.*`chromium`/)
      assert.match(result.stderr, /apt-get update && (sudo )?apt-get install -y --no-install-recommends redis-server redis-tools chromium/)
      assert.deepEqual(box.calls(), [])
    } finally {
      box.remove()
    }
  })

  it('without a package manager it prints the commands for apt, dnf and brew and exits 1', () => {
    const box = sandbox({ apt: false })
    try {
      const result = box.run()
      assert.equal(result.status, 1)
      assert.match(result.stderr, /redis-server redis-tools chromium/)
      assert.match(result.stderr, /dnf install -y redis chromium/)
      assert.match(result.stderr, /brew install redis && brew install --cask chromium/)
    } finally {
      box.remove()
    }
  })
})
