import { defineConfig, type Options } from 'tsup'

/**
 * The one build preset every package uses: ESM + CJS with matching declaration files.
 * A package's `tsup.config.ts` only names its public entry files.
 */
export function definePackage(options: { entry: string[] } & Partial<Options>) {
  return defineConfig({
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    treeshake: true,
    splitting: true,
    ...options,
  })
}
