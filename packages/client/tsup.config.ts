import { definePackage } from '../../tsup.preset'

export default definePackage({ entry: ['src/index.ts', 'src/axios.ts'] })
