import { fileURLToPath } from 'node:url'
import { defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

// The examples' tests (`npm run test:examples`, part of `npm test`). The demo's end-to-end test
// starts the demo as a child process (tsx) and a real redis-server, hence the longer budgets.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { conditions: ['@auth/source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['@auth/source', ...defaultServerConditions] } },
  test: {
    include: ['**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
