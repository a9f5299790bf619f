import type { AuthPrincipal } from '@auth/core'
import type { Request, RequestHandler } from 'express'
import { describe, expectTypeOf, it } from 'vitest'
import { createAuthMiddleware, login, requireAuth } from '../src/index.js'

describe('@auth/express types', () => {
  it('types req.auth by declaration merging, and returns Express handlers', () => {
    expectTypeOf<Request['auth']>().toEqualTypeOf<AuthPrincipal | null | undefined>()
    expectTypeOf(requireAuth({ roles: ['admin'] })).toEqualTypeOf<RequestHandler>()
    expectTypeOf(createAuthMiddleware).returns.toEqualTypeOf<RequestHandler>()
    expectTypeOf(login).parameter(2).toHaveProperty('transport').toEqualTypeOf<'cookie' | 'bearer' | 'session' | undefined>()
  })
})
