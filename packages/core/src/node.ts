/**
 * `@auth/core/node`: the Node entry. The same verifier as `'@auth/core'`, with signatures
 * checked by `node:crypto` directly (jose 6 goes through WebCrypto, which costs 40–70 µs more per
 * cold token on Node). Both backends give the same verdict on every token.
 *
 * @module @auth/core/node
 */
import { type Auth, createAuth as createAuthWith, type CreateAuthOptions } from './auth.js'
import { nodeCryptoBackend } from './node/crypto-backend.js'
import { createVerifier as createVerifierWith, type CreateVerifierOptions, type Verifier } from './verifier.js'

export { nodeCryptoBackend }
export { applyNodeHeaders, createNodeHandler, createNodeRequestMapper, fromNodeRequest, sendNodeResponse } from './node/http-bridge.js'
export type { FromNodeRequestOptions, NodeRequestMapping } from './node/http-bridge.js'
export { createRequestState } from './node/request-state.js'
export type { RequestState, RequestStateProperty } from './node/request-state.js'

/**
 * {@link @auth/core!createVerifier | createVerifier} with the `node:crypto` backend as default.
 *
 * Exported from `'@auth/core/node'`.
 *
 * @example
 * ```ts
 * import { createVerifier } from '@auth/core/node'
 *
 * const verifier = createVerifier({ issuer, audience, jwks: 'https://auth.example.com/.well-known/jwks.json' })
 * const { claims } = await verifier.verify(token)
 * ```
 *
 * @param options - issuer, audience, keys and limits; `backend` defaults to {@link nodeCryptoBackend}
 */
export function createVerifier(options: CreateVerifierOptions): Verifier {
  return createVerifierWith({ backend: nodeCryptoBackend, ...options })
}

/**
 * {@link @auth/core!createAuth | createAuth} with the `node:crypto` backend as default: access
 * tokens verified and signed, refresh and session tokens MACed and their secrets hashed with
 * `node:crypto`, synchronously, instead of awaiting WebCrypto jobs. The tokens are the same as
 * `'@auth/core'`'s, so processes of both kinds can share one store and secret.
 *
 * Exported from `'@auth/core/node'`.
 *
 * @example
 * ```ts
 * import { createAuth } from '@auth/core/node'
 * import { generateKeySet } from '@auth/core'
 * import { createMemoryStore } from '@auth/store-memory'
 *
 * const auth = createAuth({ store: createMemoryStore(), keys: await generateKeySet(), issuer, audience })
 * ```
 *
 * @param options - store, keys, issuer, audience and policy; `backend` defaults to {@link nodeCryptoBackend}
 */
export function createAuth(options: CreateAuthOptions): Auth {
  return createAuthWith({ backend: nodeCryptoBackend, ...options })
}
