/**
 * JSON Schemas (draft-07, the dialect Fastify and OpenAPI tools read) of the protocol's response
 * bodies, per route and status class: what a framework that serializes by schema (Fastify's
 * fast-json-stringify) or documents an API (OpenAPI) needs. They describe exactly what
 * `createAuthHttp` answers; a field missing here would be dropped by a schema serializer, so the
 * adapter conformance suite runs through one (`@auth/fastify`).
 *
 * Request bodies have no schema here on purpose: the protocol reads and validates them itself
 * (content type, size limit, shape), identically for every framework.
 *
 * @module
 */

/** A JSON Schema object, as plain data. */
export type JsonSchema = Readonly<Record<string, unknown>>

const errorBody: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
}

const tokenBody: JsonSchema = {
  type: 'object',
  required: ['transport', 'accessTokenExpiresAt', 'refreshTokenExpiresAt', 'expiresIn', 'sessionId'],
  properties: {
    transport: { type: 'string', enum: ['cookie', 'bearer'] },
    accessToken: { type: 'string' },
    refreshToken: { type: 'string' },
    accessTokenExpiresAt: { type: 'number' },
    refreshTokenExpiresAt: { type: 'number' },
    expiresIn: { type: 'number' },
    sessionId: { type: 'string' },
  },
}

const sessionsBody: JsonSchema = {
  type: 'object',
  required: ['sessions'],
  properties: {
    sessions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'current', 'transport', 'createdAt', 'lastSeenAt', 'expiresAt', 'metadata'],
        properties: {
          id: { type: 'string' },
          current: { type: 'boolean' },
          transport: { type: 'string', enum: ['tokens', 'session'] },
          createdAt: { type: 'number' },
          lastSeenAt: { type: 'number' },
          expiresAt: { type: 'number' },
          metadata: {
            type: 'object',
            properties: { userAgent: { type: 'string' }, ip: { type: 'string' }, label: { type: 'string' } },
          },
        },
      },
    },
  },
}

const endedBody: JsonSchema = { type: 'object', required: ['ended'], properties: { ended: { type: 'integer' } } }

/** JWKs differ by key type: every member is kept as it is. */
const jwksBody: JsonSchema = {
  type: 'object',
  required: ['keys'],
  properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } },
}

const withErrors = (ok: Record<string, JsonSchema>): Readonly<Record<string, JsonSchema>> => Object.freeze({ ...ok, '4xx': errorBody, '5xx': errorBody })

/** @internal The response schemas of each route, by the route's key (the path after the prefix, or `jwks`). */
export const RESPONSE_SCHEMAS: Readonly<Record<string, Readonly<Record<string, JsonSchema>>>> = Object.freeze({
  '/refresh': withErrors({ 200: tokenBody }),
  '/logout': withErrors({}),
  '/logout-all': withErrors({ 200: endedBody }),
  '/sessions': withErrors({ 200: sessionsBody }),
  '/sessions/:id': withErrors({}),
  jwks: withErrors({ 200: jwksBody }),
})

/**
 * The response schemas of the login helper, by status: the token response (`cookie`, `bearer`)
 * or the session response (`session`), and the error body. A fresh copy on every call: Fastify 4
 * writes into the schemas it is given.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { loginResponseSchema } from '@auth/core'
 *
 * app.post('/auth/login', { schema: { response: loginResponseSchema() } }, handler) // Fastify
 * ```
 */
export function loginResponseSchema(): Record<string, JsonSchema> {
  return structuredClone(LOGIN_RESPONSE)
}

const LOGIN_RESPONSE: Readonly<Record<string, JsonSchema>> = withErrors({
  200: {
    type: 'object',
    required: ['transport', 'sessionId'],
    properties: {
      ...(tokenBody.properties as Record<string, unknown>),
      transport: { type: 'string', enum: ['cookie', 'bearer', 'session'] },
      expiresAt: { type: 'number' },
      expiresIn: { type: 'number' },
    },
  },
})
