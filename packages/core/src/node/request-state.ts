/**
 * Per-request state kept beside the request object instead of on it, for adapters whose framework
 * makes every property added to a request expensive.
 *
 * Express 5 gives each request its app's prototype with `Object.setPrototypeOf(req, app.request)`,
 * and on V8 a property added to an object after `setPrototypeOf` makes a new hidden class on every
 * request instead of following a cached transition: ~1.4 KB allocated per added property per
 * request (measured in `bench/http-alloc.ts`). So the state goes in a `WeakMap`, and the one
 * property users read (`req.auth`) is an accessor defined once on the framework's shared request
 * prototype.
 *
 * @module
 */
import { IncomingMessage } from 'node:http'

/** State kept per request object, and optionally readable as a property of it. */
export interface RequestState<R extends object, S> {
  /** The state set for `req`, or `undefined`. */
  get(req: R): S | undefined
  /** Sets `req`'s state; with a `property`, `req[property]` then reads `read(state)`. */
  set(req: R, state: S): void
}

/** The property of {@link createRequestState}. */
export interface RequestStateProperty<S> {
  /** Its name (`'auth'`). */
  readonly name: string
  /** Its value for a request's state. */
  readonly read: (state: S) => unknown
  /**
   * The prototype of plain Node requests, never patched: the accessor goes on the prototype just
   * below it in a request's chain (Express: `express.request`, shared by every app and sub-app).
   * Default `IncomingMessage.prototype`.
   */
  readonly base?: object
}

/**
 * A `WeakMap` of per-request state, with an optional property that reads it. The property is an
 * accessor defined once on the framework's shared request prototype (the one just below
 * `IncomingMessage.prototype` in the request's chain), so setting a request's state writes nothing
 * on the request. It reads `undefined` for a request without state, and assigning it makes an own
 * property, as before. Where there is no such prototype (a plain `node:http` request), or the name
 * is already taken there by something else, or the request has an own property of that name, the
 * value is assigned to the request itself instead.
 *
 * Exported from `'@auth/core/node'`.
 *
 * @example
 * ```ts
 * import { createRequestState } from '@auth/core/node'
 *
 * const state = createRequestState<Request, { result: AuthenticateResult }>({ name: 'auth', read: (s) => s.result.principal })
 * state.set(req, { result }) // req.auth is result.principal, and nothing was written on req
 * ```
 *
 * @param property - the property to define, if any
 */
export function createRequestState<R extends object, S>(property?: RequestStateProperty<S>): RequestState<R, S> {
  const states = new WeakMap<object, S>()
  if (property === undefined) return { get: (req) => states.get(req), set: (req, state) => void states.set(req, state) }
  const { name, read, base = IncomingMessage.prototype } = property
  /** Immediate prototypes whose chain has our accessor, and those where it cannot go. */
  const covered = new WeakSet<object>()
  const refused = new WeakSet<object>()
  const accessor: PropertyDescriptor = {
    configurable: true,
    enumerable: false,
    get(this: object) {
      const state = states.get(this)
      return state === undefined ? undefined : read(state)
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true })
    },
  }

  function cover(proto: object | null): boolean {
    if (proto === null || refused.has(proto)) return false
    let target: object | null = null
    for (let p: object | null = proto; p !== null && p !== base; p = Object.getPrototypeOf(p) as object | null) {
      const own = Object.getOwnPropertyDescriptor(p, name)
      if (own !== undefined) return mark(proto, own.get === accessor.get)
      if (Object.getPrototypeOf(p) === base) target = p
    }
    if (target === null) return mark(proto, false)
    Object.defineProperty(target, name, accessor)
    return mark(proto, true)
  }

  function mark(proto: object, ok: boolean): boolean {
    ;(ok ? covered : refused).add(proto)
    return ok
  }

  return {
    get: (req) => states.get(req),
    set(req, state) {
      states.set(req, state)
      const proto = Object.getPrototypeOf(req) as object | null
      if ((proto !== null && covered.has(proto)) || cover(proto)) {
        if (!Object.hasOwn(req, name)) return
      }
      ;(req as Record<string, unknown>)[name] = read(state)
    },
  }
}
