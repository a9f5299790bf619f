/**
 * Reading a JSON request body: the content type, the size limit, the parse, the shape.
 *
 * @internal
 * @module
 */
import { AuthError } from '../errors.js'
import type { AuthHttpRequest } from './exchange.js'

/** The default largest body the protocol reads: 16 KiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024

/** `application/json`, or any `+json` type, with any parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

const first = (value: string | readonly string[] | null | undefined): string | undefined =>
  typeof value === 'string' ? value : Array.isArray(value) ? (value as readonly string[])[0] : undefined

/**
 * @internal The body as a JSON object, or `undefined` when the request has none (no content type
 * and no length, an empty one, or an empty chunked body). Refuses another content type (415), more than `maxBytes`
 * (413), text that is not JSON or JSON that is not an object (400).
 */
export async function readJsonObject(request: AuthHttpRequest, maxBytes: number): Promise<Record<string, unknown> | undefined> {
  if (request.parsedBody !== undefined && request.parsedBody !== null) return asObject(request.parsedBody)
  const type = first(request.header('content-type'))
  const length = first(request.header('content-length'))
  const chunked = request.header('transfer-encoding') !== undefined && request.header('transfer-encoding') !== null
  if (type === undefined && (length === undefined || length === '0') && !chunked) return undefined
  if (type === undefined && length === undefined && chunked && request.readBody) {
    // Node's http client sends a bodiless POST as an empty chunked body: that is no body either.
    if ((await request.readBody(maxBytes)) === '') return undefined
    throw new AuthError('unsupported_media_type')
  }
  if (type === undefined || !JSON_MEDIA_TYPE.test(type)) throw new AuthError('unsupported_media_type')
  if (length !== undefined && Number(length) > maxBytes) throw new AuthError('payload_too_large', { reason: 'body' })
  if (!request.readBody) return undefined
  const text = await request.readBody(maxBytes)
  if (text.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new AuthError('bad_request', { reason: 'json' })
  }
  return asObject(value)
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AuthError('bad_request', { reason: 'body' })
  return value as Record<string, unknown>
}
