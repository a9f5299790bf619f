/**
 * The character classes of RFC 6265 §4.1.1 and RFC 9110 §5.6.2, shared by the cookie parser and
 * the serializer so that what we write is exactly what we read back.
 *
 * @internal
 * @module
 */

/** A cookie-name is an RFC 9110 `token`: no separators, no whitespace, no CTLs, no `=`, `;` or `,`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * `*cookie-octet`: US-ASCII without CTLs, whitespace, DQUOTE, comma, semicolon and backslash.
 * The empty value is allowed.
 */
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/

/** @internal Whether `name` is a valid cookie-name. */
export const isCookieName = (name: string): boolean => TOKEN.test(name)

/** @internal Whether `value` is a valid (unquoted) cookie-value. */
export const isCookieValue = (value: string): boolean => COOKIE_OCTETS.test(value)

/**
 * @internal Name plus value may not exceed 4096 octets: browsers drop a bigger cookie without a
 * word (RFC 6265 §6.1 asks for at least 4096 bytes per cookie; Chromium and Firefox cap name plus
 * value there).
 */
export const MAX_COOKIE_NAME_VALUE_LENGTH = 4096
