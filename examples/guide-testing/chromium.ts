/**
 * Real Chromium for the guides' browser tests: the demo's launcher (Debian's /usr/bin/chromium
 * driven by playwright-core, never a downloaded browser; a missing Chromium fails with how to get
 * it). Each `browser.newContext()` is a fresh profile (a separate device); pages of one context are tabs.
 */
export { launchChromium } from '../demo/chromium.js'
