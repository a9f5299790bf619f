import { definePackageTests } from '../../vitest.shared'

// Real redis-server processes: the Cluster suites need more than the default per-test budget.
export default definePackageTests({ testTimeout: 30_000 })
