/**
 * The HTTP exchange of the protocol (docs/concepts.md#the-http-protocol): the few things the protocol reads from a request
 * and the few it writes into a response, independent of any framework. An adapter maps its
 * framework's request to an {@link AuthHttpRequest} and writes an {@link AuthHttpResponse} back;
 * the Node bridge (`'@auth/core/node'`) and the Fetch bridge (`'@auth/core'`) do both for
 * `IncomingMessage`/`ServerResponse` and `Request`/`Response`.
 *
 * @module
 */
import type { AccessTokenClaims } from '../token/claims.js'

/** A header as a framework gives it: one value, several (Node's `headersDistinct`), or none. */
export type HeaderValue = string | readonly string[] | null | undefined

/** What the protocol reads from a request. */
export interface AuthHttpRequest {
  /** The method as sent (`GET`, `POST`…). */
  readonly method: string
  /** The request target as received: path and query, not decoded (`/auth/refresh?x=1`). */
  readonly url: string
  /**
   * Reads one header by its lower-case name. Give repeated headers as a list where the framework
   * keeps them apart (Node's `req.headersDistinct`): two `Authorization` headers are then refused
   * rather than one of them picked.
   */
  header(name: string): HeaderValue
  /**
   * Reads the body as text, refusing more than `maxBytes` bytes with an
   * `AuthError('payload_too_large')`. Called at most once, only by routes that take a body.
   * Where a framework has already parsed a JSON body, give {@link parsedBody} instead.
   */
  readBody?(maxBytes: number): Promise<string>
  /** A body the framework already parsed (Express' `express.json()`, Fastify): used as is. */
  readonly parsedBody?: unknown
  /** The client address, for "your devices" lists. */
  readonly ip?: string | undefined
}

/** What the protocol answers: the adapter writes it as it is. */
export interface AuthHttpResponse {
  /** The status code. */
  readonly status: number
  /** Headers other than `Set-Cookie`, by lower-case name. */
  readonly headers: Readonly<Record<string, string>>
  /** The `Set-Cookie` values, each its own header. */
  readonly cookies: readonly string[]
  /**
   * The JSON body, or `undefined` for none (204). An answer to `HEAD` keeps the body `GET` would
   * have: whoever writes the response drops it (`sendNodeResponse`, `toFetchResponse` and the
   * frameworks do), so the headers stay those of `GET`.
   */
  readonly body?: unknown
}

/**
 * How a request carried its credential:
 * - `bearer`: an access token in `Authorization: Bearer`; tokens travel in JSON bodies.
 * - `cookie`: an access token in the `__Host-auth-at` cookie, the refresh token in the
 *   path-scoped `__Secure-auth-rt` cookie; no token is ever visible to page scripts.
 * - `session`: an opaque session token in the `__Host-auth-session` cookie, looked up in the store
 *   on every request (classic server sessions, sliding idle expiry).
 */
export type HttpTransport = 'bearer' | 'cookie' | 'session'

/** The authenticated caller, as adapters put it on the request (`req.auth`, `ctx.state.auth`). */
export interface AuthPrincipal<TClaims extends Record<string, unknown> = Record<string, unknown>> {
  /** The user id. */
  readonly sub: string
  /** The session id. */
  readonly sid: string
  /** How the credential came. */
  readonly transport: HttpTransport
  /** The verified access-token claims (`bearer` and `cookie`), else `null`. Read-only: it may be shared. */
  readonly claims: AccessTokenClaims<TClaims> | null
  /** The session's data and expiry (`session` transport), else `null`. */
  readonly session: {
    /** Session data, as stored at login or by `auth.updateSessionData`. */
    readonly data: Readonly<Record<string, unknown>> | null
    /** When the session expires if unused (ms). */
    readonly expiresAt: number
    /** The record's revision, for `auth.setSessionData`. */
    readonly revision: number
  } | null
  /**
   * The roles of the caller: the `roles` claim (token transports) or `data.roles` (session
   * transport) when it is an array of strings, else empty. {@link RequireAuthOptions.roles} reads it.
   */
  readonly roles: readonly string[]
}

/** Options of a guard (`requireAuth(options)` in every adapter). */
export interface RequireAuthOptions {
  /** The caller must have every one of these roles (see {@link AuthPrincipal.roles}); else 403 `forbidden`. */
  roles?: readonly string[]
  /** A check of your own on the principal; `false` answers 403 `forbidden`. */
  allow?: (principal: AuthPrincipal) => boolean
}
