// @ts-check
/**
 * Mutation testing of core's security-critical modules: `npm run mutate` (see
 * packages/core/README.md, "Mutation testing"). One module while iterating:
 *   npm run mutate -- --mutate packages/core/src/refresh/rotate.ts
 *
 * In place: Stryker writes the mutants into the mutated files of packages/core/src during a run
 * (in its sandbox copy `@auth/core` would resolve through the workspace symlink to the unmutated
 * sources, and every mutant would survive). It restores the files when the run ends, also on
 * Ctrl-C (SIGINT). Never commit while a run is active; after a killed run (SIGKILL, power loss)
 * restore them with `git checkout -- packages/core/src`.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: true },
  checkers: ['typescript'],
  tsconfigFile: 'packages/core/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  inPlace: true,
  // Vitest does not type-check here (vitest.stryker.config.ts), so no `// @ts-nocheck` is needed in
  // files that are not mutated: only the mutated files are touched during a run.
  disableTypeChecks: false,
  coverageAnalysis: 'perTest',
  // Module-level constants and tables (a mutant there needs the whole suite per mutant): ~20 min
  // saved; they are reported as ignored, not scored.
  ignoreStatic: true,
  // The machine is shared: one test runner (and one checker).
  concurrency: 1,
  timeoutMS: 20_000,
  mutate: [
    'packages/core/src/token/verify.ts',
    'packages/core/src/token/cache.ts',
    'packages/core/src/token/claims.ts',
    'packages/core/src/token/header.ts',
    'packages/core/src/refresh/*.ts',
    'packages/core/src/session/*.ts',
    'packages/core/src/revocation/*.ts',
    'packages/core/src/lib/base64url.ts',
    'packages/core/src/lib/mac.ts',
    'packages/core/src/key/import.ts',
    'packages/core/src/verifier.ts',
    '!packages/core/src/**/*.test.ts',
  ],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
}
