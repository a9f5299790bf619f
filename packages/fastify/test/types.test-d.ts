import type { AuthPrincipal } from '@auth/core'
import type { FastifyRequest, preHandlerHookHandler } from 'fastify'
import { describe, expectTypeOf, it } from 'vitest'
import { type AuthPluginOptions, requireAuth } from '../src/index.js'

describe('@auth/fastify types', () => {
  it('types request.auth by declaration merging; requireAuth is a preHandler', () => {
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<AuthPrincipal | null>()
    expectTypeOf(requireAuth()).toEqualTypeOf<preHandlerHookHandler>()
    expectTypeOf<AuthPluginOptions>().toHaveProperty('errorHandler').toEqualTypeOf<boolean | undefined>()
  })
})
