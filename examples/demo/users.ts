/**
 * The demo's user table: two built-in users, so one can see that a user lists and ends only
 * their own sessions. This is why the demo refuses `NODE_ENV=production`.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto'

/** A demo user. */
export interface DemoUser {
  /** The user id: the `sub` of sessions and tokens. */
  readonly id: string
  readonly email: string
}

interface StoredUser extends DemoUser {
  /**
   * SHA-256 of the password. Only so that {@link checkPassword} compares equal-length values;
   * a real application stores a slow, salted hash (scrypt, argon2id) and verifies with it.
   */
  readonly passwordHash: Buffer
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest()

const USERS: readonly StoredUser[] = [
  { id: 'user-demo', email: 'demo@example.com', passwordHash: sha256('demo-password') },
  { id: 'user-alice', email: 'alice@example.com', passwordHash: sha256('alice-password') },
]

/** The built-in credentials, for the start-up banner and the page. */
export const DEMO_CREDENTIALS = [
  { email: 'demo@example.com', password: 'demo-password' },
  { email: 'alice@example.com', password: 'alice-password' },
] as const

/** A hash no password has, compared against when the email is unknown. */
const NO_USER = sha256('no such user')

/**
 * The user with this email and password, or `null`. The comparison takes the same time whether
 * the email is unknown, the password wrong or right (both sides hashed to 32 bytes, then
 * `timingSafeEqual`), so timing tells an attacker neither which emails exist nor how much of a
 * password matched.
 */
export function checkPassword(email: string, password: string): DemoUser | null {
  const user = USERS.find((candidate) => candidate.email === email.trim().toLowerCase())
  const same = timingSafeEqual(sha256(password), user?.passwordHash ?? NO_USER)
  return user && same ? { id: user.id, email: user.email } : null
}

/** The user with this id (a session's `sub`), or `null`. */
export function findUser(id: string): DemoUser | null {
  const user = USERS.find((candidate) => candidate.id === id)
  return user ? { id: user.id, email: user.email } : null
}
