import { definePackage } from '../../tsup.preset'

export default definePackage({ entry: ['src/index.ts', 'src/errors.ts', 'src/node.ts', 'src/store.ts', 'src/testing.ts'] })
