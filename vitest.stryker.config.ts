/**
 * The vitest config Stryker runs (`npm run mutate`, see stryker.config.mjs): core's and
 * store-memory's suites as two projects, so rotation, sessions and the revocation mirror are also
 * exercised through the describeAuthFlows suite that store-memory runs. Vitest's typecheck pass is
 * off (the TypeScript checker of Stryker does that job, once per mutant).
 */
import { defineConfig, mergeConfig } from 'vitest/config'
import { definePackageTests } from './vitest.shared'

const project = (name: string) =>
  mergeConfig(definePackageTests(), { test: { name, root: `./packages/${name}`, typecheck: { enabled: false } } })

export default defineConfig({ test: { projects: [project('core'), project('store-memory')] } })
