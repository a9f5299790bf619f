/**
 * The CSRF rule of the protocol (docs/concepts.md#the-http-protocol, docs/security.md): a request
 * **authenticated by a cookie** with an unsafe method must show where it comes from.
 *
 * | request | outcome |
 * |---|---|
 * | `GET`, `HEAD`, `OPTIONS` | pass (safe methods change nothing) |
 * | `Origin` present: one of the allowed origins (after normalizing) | pass |
 * | `Origin` present: anything else, `null`, a path, two values | `csrf_rejected`, reason `origin` |
 * | no `Origin`; `Sec-Fetch-Site: same-origin` | pass |
 * | no `Origin`; `Sec-Fetch-Site: same-site` | pass only with `allowSameSite` |
 * | no `Origin`; `Sec-Fetch-Site: cross-site`, `none`, or anything else | `csrf_rejected`, reason `sec_fetch_site` |
 * | neither header | `csrf_rejected`, reason `no_origin` (unless `unsafeAllowMissingOrigin`) |
 *
 * Why this order: every current browser sends `Origin` on unsafe requests, and it names the
 * exact origin, so it decides whenever it is there. `Sec-Fetch-Site` only says how the sites
 * relate. `none` means the user typed the URL or used a bookmark: fine for a GET, never the
 * source of an unsafe request. A request with neither header is an old browser or not a browser
 * at all; a non-browser client should use the Bearer transport, which needs no check.
 *
 * **Bearer requests skip this check**: the caller does not call {@link checkCsrf} for them. A
 * browser never attaches an `Authorization` header on its own, so a cross-site page cannot
 * forge one.
 *
 * @module
 */
import { AuthError } from '../errors.js'
import { normalizeConfiguredOrigin, normalizeOrigin } from './origin.js'

/** Options of {@link createCsrfPolicy}. */
export interface CreateCsrfPolicyOptions {
  /**
   * The origins allowed to send cookie-authenticated unsafe requests, for example
   * `['https://app.example.com']`: scheme, host and port only. List your own site too: browsers
   * send `Origin` on same-origin `POST`s.
   */
  allowedOrigins: readonly string[]
  /**
   * Without `Origin`, accept `Sec-Fetch-Site: same-site` (a sibling subdomain). Default `false`:
   * a sibling subdomain may be run by somebody else.
   */
  allowSameSite?: boolean
  /**
   * **Unsafe.** Accept requests that carry neither `Origin` nor `Sec-Fetch-Site`. Default
   * `false`. Only for non-browser clients that authenticate with cookies and cannot move to the
   * Bearer transport; any proxy that strips `Origin` then disables CSRF protection.
   */
  unsafeAllowMissingOrigin?: boolean
}

/** A validated CSRF policy, created by {@link createCsrfPolicy}. */
export interface CsrfPolicy {
  /** The allowed origins, normalized (`https://a.test:443` is listed as `https://a.test`). */
  readonly allowedOrigins: readonly string[]
  /** Whether `Sec-Fetch-Site: same-site` passes when `Origin` is absent. */
  readonly allowSameSite: boolean
  /** Whether a request with neither header passes. */
  readonly unsafeAllowMissingOrigin: boolean
}

/** What {@link checkCsrf} reads from a request. Header values as the framework gives them. */
export interface CsrfRequest {
  /** The request method, as sent (`GET`, `POST`…): compared case-sensitively, as HTTP does. */
  method: string
  /** The `Origin` header. */
  origin?: string | readonly string[] | null
  /** The `Sec-Fetch-Site` header. */
  secFetchSite?: string | readonly string[] | null
}

/** What {@link checkCsrf} answers. */
export type CheckCsrfResult =
  | {
      /** The request may go on. */
      readonly ok: true
    }
  | {
      /** The request is refused. */
      readonly ok: false
      /** The 403 to answer, with the reason for logs. */
      readonly error: AuthError<'csrf_rejected'>
    }

const SAFE_METHODS: ReadonlySet<unknown> = new Set(['GET', 'HEAD', 'OPTIONS'])
const OK: CheckCsrfResult = Object.freeze({ ok: true })
const KNOWN = new Set(['allowedOrigins', 'allowSameSite', 'unsafeAllowMissingOrigin'])
const originSets = new WeakMap<CsrfPolicy, ReadonlySet<string>>()

const reject = (reason: 'origin' | 'sec_fetch_site' | 'no_origin'): CheckCsrfResult => ({
  ok: false,
  error: new AuthError('csrf_rejected', { reason }),
})

/**
 * Creates a CSRF policy, validating it at setup: an allowed origin with a path, a wildcard, no
 * scheme, or the `null` origin is a `TypeError` (a trailing `/` alone is accepted and dropped).
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { createCsrfPolicy } from '@auth/core'
 *
 * const csrf = createCsrfPolicy({ allowedOrigins: ['https://app.example.com', 'http://localhost:5173'] })
 * ```
 *
 * @param options - the allowed origins and the two relaxations
 */
export function createCsrfPolicy(options: CreateCsrfPolicyOptions): CsrfPolicy {
  if (typeof options !== 'object' || options === null) throw new TypeError('createCsrfPolicy: options must be an object')
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw new TypeError(`createCsrfPolicy: unknown option "${key}"`)
  const { allowedOrigins, allowSameSite = false, unsafeAllowMissingOrigin = false } = options
  if (!Array.isArray(allowedOrigins) || allowedOrigins.length === 0) {
    throw new TypeError('createCsrfPolicy: allowedOrigins must list at least one origin, e.g. ["https://app.example.com"]')
  }
  if (typeof allowSameSite !== 'boolean' || typeof unsafeAllowMissingOrigin !== 'boolean') {
    throw new TypeError('createCsrfPolicy: allowSameSite and unsafeAllowMissingOrigin must be booleans')
  }
  const origins = new Set(allowedOrigins.map((origin) => normalizeConfiguredOrigin(origin, 'createCsrfPolicy: allowedOrigins')))
  const policy: CsrfPolicy = Object.freeze({ allowedOrigins: Object.freeze([...origins]), allowSameSite, unsafeAllowMissingOrigin })
  originSets.set(policy, origins)
  return policy
}

/**
 * Applies the CSRF rule (see the module table) to a **cookie-authenticated** request. Answers
 * `{ ok: true }`, or `{ ok: false, error }` with an `AuthError('csrf_rejected')` (403) whose
 * `reason` names the check: `origin`, `sec_fetch_site` or `no_origin`.
 *
 * Exported from `'@auth/core'`.
 *
 * @example
 * ```ts
 * import { checkCsrf, createCsrfPolicy } from '@auth/core'
 *
 * const csrf = createCsrfPolicy({ allowedOrigins: ['https://app.example.com'] })
 * const result = checkCsrf(csrf, {
 *   method: request.method,
 *   origin: request.headers.get('origin'),
 *   secFetchSite: request.headers.get('sec-fetch-site'),
 * })
 * if (!result.ok) throw result.error // 403 csrf_rejected
 * ```
 *
 * > [!NOTE]
 * > Call it only for requests authenticated by a cookie (and for a cookie-transport login, where
 * > a forged login would sign the victim into the attacker's account). Bearer requests skip it.
 *
 * @param policy - from {@link createCsrfPolicy}
 * @param request - the method and the two headers
 */
export function checkCsrf(policy: CsrfPolicy, request: CsrfRequest): CheckCsrfResult {
  const origins = originSets.get(policy)
  if (!origins) throw new TypeError('checkCsrf: the policy must come from createCsrfPolicy')
  if (SAFE_METHODS.has(request.method)) return OK

  const { origin } = request
  if (origin !== undefined && origin !== null) {
    const normalized = normalizeOrigin(origin) // a list (two Origin headers) is no origin
    return normalized !== undefined && origins.has(normalized) ? OK : reject('origin')
  }
  const site = request.secFetchSite
  if (site !== undefined && site !== null) {
    if (site === 'same-origin' || (site === 'same-site' && policy.allowSameSite)) return OK
    return reject('sec_fetch_site')
  }
  return policy.unsafeAllowMissingOrigin ? OK : reject('no_origin')
}
