import { mergeConfig } from 'vitest/config'
import { definePackageTests } from '../../vitest.shared'

// Real redis-server processes: the Cluster suites need more than the default per-test budget.
const config = definePackageTests({ testTimeout: 30_000 })

// The peer range is ioredis ^5.9.0 || ^6.0.0. `npm test` runs the suite on both: on the ioredis
// this package develops with (6), then with AUTH_TEST_IOREDIS=5 on ioredis 5 (the `ioredis5`
// alias), which every test file then imports as 'ioredis'.
export default process.env.AUTH_TEST_IOREDIS === '5'
  ? mergeConfig(config, { resolve: { alias: { ioredis: 'ioredis5' } } })
  : config
