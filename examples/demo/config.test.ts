import { describe, expect, it } from 'vitest'
import { DemoConfigError, readDemoConfig } from './config.js'

describe('readDemoConfig', () => {
  it('defaults to express on 127.0.0.1:3000, the memory store, 900 s tokens and a 10 s grace', () => {
    expect(readDemoConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      framework: 'express',
      redisUrl: undefined,
      accessTokenTtlMs: 900_000,
      refreshGraceMs: 10_000,
      testHooks: false,
      allowedOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
      url: 'http://localhost:3000',
    })
  })

  it('reads every variable, durations in seconds', () => {
    const config = readDemoConfig({ PORT: '8080', HOST: 'localhost', REDIS_URL: 'redis://127.0.0.1:6380/2', ACCESS_TOKEN_TTL: '30', REFRESH_GRACE: '0', DEMO_TEST_HOOKS: '1' })
    expect(config).toMatchObject({ port: 8080, host: 'localhost', redisUrl: 'redis://127.0.0.1:6380/2', accessTokenTtlMs: 30_000, refreshGraceMs: 0, testHooks: true })
    expect(config.allowedOrigins).toEqual(['http://localhost:8080', 'http://127.0.0.1:8080'])
  })

  it('treats an empty variable as unset', () => {
    expect(readDemoConfig({ PORT: '', DEMO_FRAMEWORK: '', REDIS_URL: '', NODE_ENV: '' })).toMatchObject({ port: 3000, framework: 'express', redisUrl: undefined })
  })

  it.each([
    ['PORT', '1', 1],
    ['PORT', '65535', 65535],
    ['ACCESS_TOKEN_TTL', '1', 1000],
    ['ACCESS_TOKEN_TTL', '86400', 86_400_000],
    ['REFRESH_GRACE', '0', 0],
    ['REFRESH_GRACE', '300', 300_000],
  ])('accepts %s=%s at the edge of its range', (name, value, expected) => {
    const config = readDemoConfig({ [name]: value })
    expect(name === 'PORT' ? config.port : name === 'ACCESS_TOKEN_TTL' ? config.accessTokenTtlMs : config.refreshGraceMs).toBe(expected)
  })

  it.each([
    [{ NODE_ENV: 'production' }, 'refusing to start with NODE_ENV=production: the demo has built-in users and passwords and a fixed secret'],
    [{ DEMO_FRAMEWORK: 'hapi' }, 'DEMO_FRAMEWORK="hapi" is not supported; use one of: express, fastify, koa'],
    [{ DEMO_FRAMEWORK: 'Express' }, 'DEMO_FRAMEWORK="Express" is not supported; use one of: express, fastify, koa'],
    [{ PORT: '0' }, 'PORT must be a whole number from 1 to 65535 (got "0")'],
    [{ PORT: '65536' }, 'PORT must be a whole number from 1 to 65535 (got "65536")'],
    [{ PORT: '3000abc' }, 'PORT must be a whole number from 1 to 65535 (got "3000abc")'],
    [{ ACCESS_TOKEN_TTL: '0' }, 'ACCESS_TOKEN_TTL must be a whole number from 1 to 86400 (got "0")'],
    [{ ACCESS_TOKEN_TTL: '86401' }, 'ACCESS_TOKEN_TTL must be a whole number from 1 to 86400 (got "86401")'],
    [{ ACCESS_TOKEN_TTL: '1.5' }, 'ACCESS_TOKEN_TTL must be a whole number from 1 to 86400 (got "1.5")'],
    [{ ACCESS_TOKEN_TTL: '15m' }, 'ACCESS_TOKEN_TTL must be a whole number from 1 to 86400 (got "15m")'],
    [{ REFRESH_GRACE: '301' }, 'REFRESH_GRACE must be a whole number from 0 to 300 (got "301")'],
    [{ REFRESH_GRACE: '-1' }, 'REFRESH_GRACE must be a whole number from 0 to 300 (got "-1")'],
    [{ DEMO_TEST_HOOKS: 'yes' }, 'DEMO_TEST_HOOKS must be a whole number from 0 to 1 (got "yes")'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL, for example redis://127.0.0.1:6379'],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL, for example redis://127.0.0.1:6379'],
    [{ HOST: 'my host' }, 'HOST="my host" is not a host name or address'],
    [{ HOST: 'exa_mple.test' }, 'HOST="exa_mple.test" is not a host name or address'],
    [{ HOST: ':::1' }, 'HOST=":::1" is not a host name or address'],
  ])('refuses %o with one line that says what to change', (env, message) => {
    expect(() => readDemoConfig(env)).toThrow(new DemoConfigError(message))
  })

  it('adds the HOST origin when it is another address, and then prints that URL', () => {
    expect(readDemoConfig({ HOST: '192.168.1.5', PORT: '4000' })).toMatchObject({
      allowedOrigins: ['http://localhost:4000', 'http://127.0.0.1:4000', 'http://192.168.1.5:4000'],
      url: 'http://192.168.1.5:4000',
    })
    expect(readDemoConfig({ HOST: '::1' }).allowedOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000'])
  })

  it('adds no origin for a wildcard HOST, and prints the localhost URL', () => {
    expect(readDemoConfig({ HOST: '0.0.0.0' })).toMatchObject({ allowedOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'], url: 'http://localhost:3000' })
  })
})
