import { defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

/** Shared vitest config: resolve workspace packages to their sources via the `@auth/source` condition. */
export function definePackageTests(overrides: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions: ['@auth/source', ...defaultServerConditions] },
    ssr: { resolve: { conditions: ['@auth/source', ...defaultServerConditions] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      typecheck: { enabled: true, include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'] },
      testTimeout: overrides.testTimeout ?? 20_000,
    },
  })
}
