/**
 * Which ioredis this run tests: `npm test` runs the suite twice, on ioredis 6 and (with
 * AUTH_TEST_IOREDIS=5) on ioredis 5, the two majors of the peer range.
 */
import { createRequire } from 'node:module'
import { Redis } from 'ioredis'
import { expect, it } from 'vitest'

it('runs on the ioredis major this run is for', async () => {
  const expected = process.env.AUTH_TEST_IOREDIS === '5' ? 'ioredis5' : 'ioredis'
  const { version } = createRequire(import.meta.url)(`${expected}/package.json`) as { version: string }
  expect(version.split('.')[0]).toBe(process.env.AUTH_TEST_IOREDIS === '5' ? '5' : '6')
  // The client every other test file imports as 'ioredis' is that package's.
  const { Redis: direct } = (await import(expected)) as typeof import('ioredis')
  expect(Redis).toBe(direct)
})
