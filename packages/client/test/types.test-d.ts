import { describe, expectTypeOf, it } from 'vitest'
import { type AuthClient, type AuthClientErrorCode, type AuthClientEvents, createAuthClient } from '../src/index.js'

describe('types', () => {
  it('types each event payload by its name', () => {
    const client = createAuthClient({ transport: 'cookie' })
    client.on('loggedOut', (event) => expectTypeOf(event).toEqualTypeOf<AuthClientEvents['loggedOut']>())
    client.on('userChanged', (event) => expectTypeOf(event.user).toEqualTypeOf<string | null>())
    client.on('refreshLoop', (event) => expectTypeOf(event.count).toBeNumber())
    // @ts-expect-error: not an event of the client
    client.on('loggedIn', () => {})
  })

  it('is a drop-in fetch, with the auth opt-out', () => {
    expectTypeOf<AuthClient['fetch']>().toBeCallableWith('/api/me')
    expectTypeOf<AuthClient['fetch']>().toBeCallableWith(new URL('https://a.test'), { method: 'POST', auth: false })
    expectTypeOf<ReturnType<AuthClient['fetch']>>().toEqualTypeOf<Promise<Response>>()
  })

  it('names the transports and the error codes as unions', () => {
    // @ts-expect-error: the session transport is not the client's
    createAuthClient({ transport: 'session' })
    expectTypeOf<AuthClientErrorCode>().toEqualTypeOf<'signed_out' | 'refresh_failed' | 'refresh_loop'>()
  })
})
