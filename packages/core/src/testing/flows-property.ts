/**
 * Flows: a model-based property test over random interleavings of login, refresh (current,
 * previous, older token), logout, logoutAll, verify and the passing of time.
 *
 * @module
 * @internal
 */
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { type FlowHarness, generationOf, outcome } from './auth-flows.js'

type Action =
  | { type: 'login'; user: number }
  | { type: 'refresh'; session: number; which: 'current' | 'previous' | 'old' }
  | { type: 'logout'; session: number }
  | { type: 'logoutAll'; user: number }
  | { type: 'verify'; session: number }
  | { type: 'advance'; ms: number }

interface ModelSession {
  sub: string
  id: string
  alive: boolean
  tokens: string[] // refresh tokens by generation
  rotatedAt: number
  accessToken: string
}

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant('login' as const), user: fc.integer({ min: 0, max: 2 }) }),
  fc.record({
    type: fc.constant('refresh' as const),
    session: fc.nat(),
    which: fc.constantFrom('current' as const, 'current' as const, 'previous' as const, 'old' as const),
  }),
  fc.record({ type: fc.constant('logout' as const), session: fc.nat() }),
  fc.record({ type: fc.constant('logoutAll' as const), user: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ type: fc.constant('verify' as const), session: fc.nat() }),
  fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 12_000 }) }),
)

/** @internal */
export function definePropertyFlows(setup: () => Promise<FlowHarness>): void {
  it('keeps the invariants under random interleavings (fast-check)', async () => {
    const h = await setup()
    const auth = h.auth({ revocation: 'strict' })
    let run = 0
    await fc.assert(
      // size 'max': fast-check's default size would keep the sequences at about 10 actions.
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 30, size: 'max' }), async (actions) => {
        run++
        const sessions: ModelSession[] = []
        const users = [0, 1, 2].map((u) => `run${run}-user${u}`)
        for (const step of actions) {
          const now = h.clock()
          switch (step.type) {
            case 'login': {
              const tokens = await auth.login({ sub: users[step.user]! })
              sessions.push({ sub: users[step.user]!, id: tokens.sessionId, alive: true, tokens: [tokens.refreshToken], rotatedAt: now, accessToken: tokens.accessToken })
              break
            }
            case 'refresh': {
              if (sessions.length === 0) break
              const s = sessions[step.session % sessions.length]!
              const latest = s.tokens.length - 1
              const generation = step.which === 'current' ? latest : step.which === 'previous' ? latest - 1 : latest - 2
              if (generation < 0) break
              const result = auth.refresh(s.tokens[generation]!)
              if (!s.alive) {
                expect(await outcome(result)).toBe('refresh_invalid')
              } else if (generation === latest) {
                const next = await result
                expect(generationOf(next)).toBe(latest + 1)
                s.tokens.push(next.refreshToken)
                s.rotatedAt = now
                s.accessToken = next.accessToken
              } else if (generation === latest - 1 && now - s.rotatedAt <= 10_000) {
                // within grace: never a false reuse, and the very same successor
                const again = await result
                expect(again.refreshToken).toBe(s.tokens[latest])
              } else {
                expect(await outcome(result)).toBe('refresh_reused')
                s.alive = false
              }
              break
            }
            case 'logout': {
              if (sessions.length === 0) break
              const s = sessions[step.session % sessions.length]!
              await auth.logout({ sub: s.sub, id: s.id })
              s.alive = false
              break
            }
            case 'logoutAll': {
              await auth.logoutAll(users[step.user]!)
              for (const s of sessions) if (s.sub === users[step.user]) s.alive = false
              break
            }
            case 'verify': {
              if (sessions.length === 0) break
              const s = sessions[step.session % sessions.length]!
              const verdict = await outcome(auth.verifyAccessToken(s.accessToken))
              if (s.alive) expect(verdict).toBe('ok')
              else expect(verdict).toMatch(/^(session_revoked|token_revoked)$/)
              break
            }
            case 'advance':
              h.clock.advance(step.ms)
              break
          }
        }
        // Invariants at the end: the store agrees with the model, and a dead session never works.
        for (const s of sessions) {
          const record = await auth.getSession({ sub: s.sub, id: s.id })
          expect(record !== null).toBe(s.alive)
          if (record) expect(record.refresh?.generation).toBe(s.tokens.length - 1)
          if (!s.alive) expect(await outcome(auth.verifyAccessToken(s.accessToken))).not.toBe('ok')
        }
        for (const sub of users) {
          const listed = (await auth.listSessions(sub)).map((x) => x.id).sort()
          expect(listed).toEqual(sessions.filter((s) => s.sub === sub && s.alive).map((s) => s.id).sort())
        }
      }),
      { numRuns: 60 },
    )
  })
}
