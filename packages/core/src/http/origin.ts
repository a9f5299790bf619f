/**
 * Web origins (RFC 6454) as the CSRF check compares them: `scheme://host[:port]`, scheme and host
 * lowercased, the default port dropped, IPv6 in canonical form — so `https://A.test:443` and
 * `https://a.test` are one origin and `http://a.test` is another.
 *
 * @internal
 * @module
 */

/** A serialized origin: http(s), a hostname or IPv4 or bracketed IPv6, an optional port, nothing else. */
const SERIALIZED_ORIGIN = /^https?:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i

/**
 * @internal The normalized origin of an `Origin` header value, or `undefined` for anything that
 * is not exactly one http(s) origin: `null`, a path or trailing slash, userinfo, a list, a port
 * out of range.
 */
export function normalizeOrigin(value: unknown): string | undefined {
  if (typeof value !== 'string' || !SERIALIZED_ORIGIN.test(value)) return undefined
  try {
    // WHATWG URL does the normalizing (case, default port, IPv6 and IPv4 forms) the way browsers do.
    const origin = new URL(value).origin
    return origin === 'null' ? undefined : origin
  } catch {
    return undefined
  }
}

/** @internal Normalizes a configured origin, or throws a `TypeError` that says what is wrong with it. */
export function normalizeConfiguredOrigin(value: unknown, where: string): string {
  const fail = (why: string): never => {
    throw new TypeError(`${where}: ${JSON.stringify(value)} ${why}`)
  }
  if (typeof value !== 'string') return fail('is not a string')
  if (value.includes('*')) fail('has a wildcard: list each origin')
  if (value === 'null') fail('is the opaque origin, which anybody can send (sandboxed frames, file: pages)')
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) fail('has no scheme: write https://host')
  if (!/^https?:/i.test(value)) fail('is not http or https')
  // `new URL(...).href` ends with "/": accept that one spelling, refuse any other path.
  const origin = normalizeOrigin(/^[^/]*\/\/[^/]+\/$/.test(value) ? value.slice(0, -1) : value)
  return origin ?? fail('is not an origin (scheme://host[:port]): no path, query, fragment or userinfo')
}
