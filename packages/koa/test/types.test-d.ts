import type { AuthPrincipal } from '@auth/core'
import type { DefaultState, Middleware } from 'koa'
import { describe, expectTypeOf, it } from 'vitest'
import { createAuthMiddleware, requireAuth } from '../src/index.js'

describe('@auth/koa types', () => {
  it('types ctx.state.auth by declaration merging, and returns Koa middleware', () => {
    expectTypeOf<DefaultState['auth']>().toEqualTypeOf<AuthPrincipal | null | undefined>()
    expectTypeOf(requireAuth()).toEqualTypeOf<Middleware>()
    expectTypeOf(createAuthMiddleware).returns.toEqualTypeOf<Middleware>()
  })
})
