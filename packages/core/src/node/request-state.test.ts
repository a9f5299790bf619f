/**
 * `createRequestState`: state beside the request, `req.auth` an accessor on the framework's shared
 * request prototype, and the cases where it falls back to an own property.
 */
import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createRequestState } from './request-state.js'

/** An Express-shaped request: `shared` (express.request) → IncomingMessage.prototype; `app` (app.request) → shared. */
function framework() {
  const shared = Object.create(IncomingMessage.prototype) as object
  const app = Object.create(shared) as object
  const request = () => Object.setPrototypeOf(new IncomingMessage(new Socket()), app) as IncomingMessage & { auth?: unknown }
  return { shared, app, request }
}

const stateWithAuth = () => createRequestState<IncomingMessage & { auth?: unknown }, { principal: string | null }>({ name: 'auth', read: (s) => s.principal })

describe('createRequestState', () => {
  it('keeps the state beside the request and reads it through an accessor on the shared prototype, writing nothing on the request', () => {
    const { shared, app, request } = framework()
    const state = stateWithAuth()
    const req = request()
    const keys = Reflect.ownKeys(req)
    state.set(req, { principal: 'user-1' })
    expect(Reflect.ownKeys(req)).toEqual(keys)
    expect([state.get(req), req.auth]).toEqual([{ principal: 'user-1' }, 'user-1'])
    expect(Object.getOwnPropertyDescriptor(shared, 'auth')?.get).toBeTypeOf('function')
    expect(Object.hasOwn(app, 'auth')).toBe(false)
    expect(Object.hasOwn(IncomingMessage.prototype, 'auth')).toBe(false)
    expect(Object.hasOwn(Object.prototype, 'auth')).toBe(false)
  })

  it('reads undefined for a request without state, and the state of each request on its own', () => {
    const { request } = framework()
    const state = stateWithAuth()
    const [a, b, c] = [request(), request(), request()]
    state.set(a, { principal: 'a' })
    state.set(b, { principal: null })
    expect([a.auth, b.auth, c.auth, state.get(c)]).toEqual(['a', null, undefined, undefined])
    state.set(a, { principal: 'a2' })
    expect(a.auth).toBe('a2')
  })

  it('is read under another app of the same framework (a mounted sub-app swaps the request prototype)', () => {
    const { shared, request } = framework()
    const state = stateWithAuth()
    const req = request()
    state.set(req, { principal: 'user-1' })
    Object.setPrototypeOf(req, Object.create(shared))
    expect(req.auth).toBe('user-1')
  })

  it('lets code assign the property (an own property, as before), and a later set wins over it', () => {
    const { request } = framework()
    const state = stateWithAuth()
    const req = request()
    state.set(request(), { principal: 'other' }) // the accessor is in place
    req.auth = 'assigned'
    expect([req.auth, Object.hasOwn(req, 'auth')]).toEqual(['assigned', true])
    state.set(req, { principal: 'user-1' })
    expect(req.auth).toBe('user-1')
  })

  it('assigns an own property on a plain node:http request (never patches IncomingMessage.prototype)', () => {
    const state = stateWithAuth()
    const req = new IncomingMessage(new Socket()) as IncomingMessage & { auth?: unknown }
    state.set(req, { principal: 'user-1' })
    expect([req.auth, Object.hasOwn(req, 'auth'), Object.hasOwn(IncomingMessage.prototype, 'auth')]).toEqual(['user-1', true, false])
  })

  it('assigns an own property when the name is taken on the prototype by something else, or by another state', () => {
    const { shared, request } = framework()
    Object.defineProperty(shared, 'auth', { value: 'default', writable: true, configurable: true })
    const state = stateWithAuth()
    const req = request()
    state.set(req, { principal: 'user-1' })
    expect([req.auth, Object.hasOwn(req, 'auth'), (shared as { auth: unknown }).auth]).toEqual(['user-1', true, 'default'])

    const other = framework()
    const first = stateWithAuth()
    const second = stateWithAuth()
    const [x, y] = [other.request(), other.request()]
    first.set(x, { principal: 'first' })
    second.set(y, { principal: 'second' })
    expect([x.auth, y.auth, Object.hasOwn(x, 'auth'), Object.hasOwn(y, 'auth')]).toEqual(['first', 'second', false, true])
  })

  it('without a property, only keeps the state', () => {
    const { request } = framework()
    const state = createRequestState<IncomingMessage & { auth?: unknown }, number>()
    const req = request()
    state.set(req, 7)
    expect([state.get(req), req.auth, 'auth' in req]).toEqual([7, undefined, false])
  })
})
