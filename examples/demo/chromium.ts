/**
 * Launching the machine's Chromium for the demo's browser tests (`browser.test.ts`,
 * `client-chromium.test.ts`): Debian's `/usr/bin/chromium` driven by playwright-core, never a
 * downloaded browser. A missing Chromium fails the test with how to get it; it never skips.
 */
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

/** Where Debian's `chromium` package installs the browser. */
export const CHROMIUM = '/usr/bin/chromium'

/** No sandbox (containers), no GPU, nothing that talks to the network on its own. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** Throws, saying how to install it, when Chromium is missing. */
export function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`node scripts/ensure-services.mjs\` (apt-get install -y chromium)`)
}

/** Launches one headless Chromium (playwright gives it a fresh temporary profile, removed on close). */
export async function launchChromium(): Promise<Browser> {
  assertChromiumInstalled()
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
}
