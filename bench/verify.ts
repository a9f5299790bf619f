/**
 * The verify benchmark: our verifier (node:crypto and WebCrypto backends, cold and warm) against
 * jose, fast-jwt, jsonwebtoken and a raw node:crypto floor, for ES256, EdDSA, RS256 and HS256.
 * See bench/README.md for what every row means.
 */
import {
  createHmac,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
  verify as cryptoVerify,
} from 'node:crypto'
import {
  type Algorithm,
  createKeySet,
  createVerifier as createWebVerifier,
  DEFAULT_CACHE_SIZE,
  generateKeySet,
  importHmacSecret,
  type KeySet,
  signAccessToken,
  type Verifier,
} from '@auth/core'
import { createVerifier as createNodeVerifier } from '@auth/core/node'
import { createVerifier as createFastJwtVerifier } from 'fast-jwt'
import { importJWK, jwtVerify } from 'jose'
import jsonwebtoken from 'jsonwebtoken'
import {
  formatInteger,
  formatMicros,
  type Measurement,
  measure,
  poolInputs,
  repeatedInputs,
  sameStringInputs,
  type Subject,
  table,
} from './lib/harness.js'
import { APP_CLAIMS, AUDIENCE, CLOCK_TOLERANCE_SECONDS, fastJwtVerifyOptions, ISSUER, joseVerifyOptions, TTL_SECONDS } from './lib/fixture.js'


/** The targets the summary checks. */
const COLD_TARGET = 1.15

const ALGS: readonly Algorithm[] = ['ES256', 'EdDSA', 'RS256', 'HS256']

/** Warm batches hold one fresh copy of the token per call; this caps their memory (~200 MB). */
const WARM_BATCH_MAX = 500_000

interface Settings {
  readonly quick: boolean
  readonly rounds: number
  readonly sampleMs: number
  readonly warmupMs: number
  /** Distinct cold tokens per algorithm: at least one timed batch of the floor at `sampleMs`. */
  readonly poolSize: Record<Algorithm, number>
}

function settings(): Settings {
  const quick = process.env.BENCH_QUICK === '1'
  return quick
    ? {
        quick,
        rounds: 3,
        sampleMs: 80,
        warmupMs: 50,
        poolSize: { ES256: 1_500, EdDSA: 1_200, RS256: 4_000, HS256: 20_000 },
      }
    : {
        quick,
        rounds: 7,
        sampleMs: 400,
        warmupMs: 300,
        poolSize: { ES256: 8_000, EdDSA: 6_000, RS256: 24_000, HS256: 100_000 },
      }
}

const progress = (message: string) => process.stderr.write(`  … ${message}\n`)

// ---------------------------------------------------------------------------------------------
// Keys and tokens

interface Fixture {
  readonly alg: Algorithm
  readonly keySet: KeySet
  /** The verification key for the floor and jsonwebtoken: public KeyObject, or secret KeyObject. */
  readonly keyObject: KeyObject
  /** jose's key: a CryptoKey (public, or HMAC). */
  readonly joseKey: CryptoKey
  /** fast-jwt's key: an SPKI PEM, or the secret bytes. */
  readonly fastJwtKey: string | Buffer
  /** Distinct tokens, each verified at most once by any one cold verifier. */
  readonly pool: readonly string[]
  /** One more token, not in the pool: the warm token, and the set-up token of cold verifiers. */
  readonly spare: string
}

async function createFixture(alg: Algorithm, poolSize: number): Promise<Fixture> {
  if (alg === 'HS256') return createHmacFixture(poolSize)
  const keySet = await generateKeySet({ alg })
  const publicJwk = keySet.signingKey!.publicJwk()!
  const keyObject = createPublicKey({ key: publicJwk as unknown as JsonWebKey, format: 'jwk' })
  const joseKey = (await importJWK({ ...publicJwk, use: undefined }, alg)) as CryptoKey
  const fastJwtKey = keyObject.export({ type: 'spki', format: 'pem' }) as string
  progress(`${alg}: signing ${formatInteger(poolSize + 1)} tokens with signAccessToken`)
  const tokens: string[] = []
  // WebCrypto signs on the libuv pool: a few in flight at once use both cores.
  for (let i = 0; i <= poolSize; i += 64) {
    const batch = []
    for (let j = i; j < Math.min(i + 64, poolSize + 1); j++) {
      batch.push(signAccessToken(keySet, { issuer: ISSUER, audience: AUDIENCE, ...subject(j), claims: APP_CLAIMS }))
    }
    for (const { token } of await Promise.all(batch)) tokens.push(token)
  }
  return { alg, keySet, keyObject, joseKey, fastJwtKey, pool: tokens.slice(0, poolSize), spare: tokens[poolSize]! }
}

function subject(i: number): { sub: string; sid: string } {
  const id = String(i).padStart(6, '0')
  return { sub: `user-${id}`, sid: `session-${id}` }
}

/**
 * HS256 pools are large (a cold HS256 batch runs ~100 000 calls), so they are signed here with
 * node:crypto in exactly signAccessToken's format; `createHmacFixture` proves it byte for byte.
 */
function signHs256(
  secret: KeyObject,
  kid: string,
  fields: { sub: string; sid: string; jti: string; now: number },
): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid, typ: 'at+jwt' })).toString('base64url')
  const claims = {
    ...APP_CLAIMS,
    iss: ISSUER,
    aud: AUDIENCE,
    sub: fields.sub,
    sid: fields.sid,
    jti: fields.jti,
    iat: fields.now,
    exp: fields.now + TTL_SECONDS,
    ver: 0,
  }
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

async function createHmacFixture(poolSize: number): Promise<Fixture> {
  const secret = randomBytes(32)
  const key = await importHmacSecret(secret)
  const keySet = createKeySet([key])
  const keyObject = createSecretKey(secret)
  const joseKey = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])

  // The hand signer must agree with signAccessToken exactly (HMAC is deterministic).
  const fixedNow = Math.floor(Date.now() / 1000)
  const reference = await signAccessToken(keySet, {
    issuer: ISSUER,
    audience: AUDIENCE,
    ...subject(0),
    claims: APP_CLAIMS,
    jti: 'reference-jti',
    clock: () => fixedNow * 1000,
  })
  const mine = signHs256(keyObject, key.kid, { ...subject(0), jti: 'reference-jti', now: fixedNow })
  if (mine !== reference.token) throw new Error('HS256: the hand-signed token differs from signAccessToken')

  progress(`HS256: signing ${formatInteger(poolSize + 1)} tokens with node:crypto (format checked against signAccessToken)`)
  const now = Math.floor(Date.now() / 1000)
  const jtis = randomBytes(16 * (poolSize + 1))
  const tokens: string[] = []
  for (let i = 0; i <= poolSize; i++) {
    const jti = jtis.subarray(16 * i, 16 * i + 16).toString('base64url')
    tokens.push(signHs256(keyObject, key.kid, { ...subject(i), jti, now }))
  }
  return {
    alg: 'HS256',
    keySet,
    keyObject,
    joseKey,
    fastJwtKey: secret,
    pool: tokens.slice(0, poolSize),
    spare: tokens[poolSize]!,
  }
}

// ---------------------------------------------------------------------------------------------
// The floor: the least work that checks the signature and yields the claims

function createFloor(alg: Algorithm, key: KeyObject): (token: string) => unknown {
  const checkSignature = (data: string, signature: Buffer): boolean => {
    switch (alg) {
      case 'ES256':
        return cryptoVerify('sha256', Buffer.from(data, 'latin1'), { key, dsaEncoding: 'ieee-p1363' }, signature)
      case 'EdDSA':
        return cryptoVerify(null, Buffer.from(data, 'latin1'), key, signature)
      case 'RS256':
        return cryptoVerify('sha256', Buffer.from(data, 'latin1'), key, signature)
      case 'HS256': {
        const expected = createHmac('sha256', key).update(data).digest()
        return expected.length === signature.length && timingSafeEqual(expected, signature)
      }
    }
  }
  return (token) => {
    const dot1 = token.indexOf('.')
    const dot2 = token.indexOf('.', dot1 + 1)
    const signature = Buffer.from(token.slice(dot2 + 1), 'base64url')
    if (!checkSignature(token.slice(0, dot2), signature)) throw new Error('floor: bad signature')
    return JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8'))
  }
}

/**
 * HS256 only: the floor with the MAC compared the way our node:crypto backend compares it, as
 * base64url text in constant time, instead of decoding the signature into a Buffer for
 * `timingSafeEqual`. That saves ~0.5 µs of the floor's 4 µs, so this row shows our pipeline's
 * own overhead, which the ratio to the plain floor hides.
 */
function createEncodedMacFloor(key: KeyObject): (token: string) => unknown {
  return (token) => {
    const dot1 = token.indexOf('.')
    const dot2 = token.indexOf('.', dot1 + 1)
    const expected = createHmac('sha256', key).update(token.slice(0, dot2)).digest('base64url')
    if (token.length - dot2 - 1 !== expected.length) throw new Error('floor: bad signature')
    let difference = 0
    for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ token.charCodeAt(dot2 + 1 + i)
    if (difference !== 0) throw new Error('floor: bad signature')
    return JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8'))
  }
}

// ---------------------------------------------------------------------------------------------
// Candidates

/** Row names, in table order. The floor comes last. */
const ROW = {
  oursCold: 'ours node:crypto, cold',
  oursWarm: 'ours node:crypto, warm',
  oursWarmSame: 'ours warm, one string object',
  oursWebCold: 'ours WebCrypto, cold',
  jose: 'jose jwtVerify',
  fastJwt: 'fast-jwt, no cache',
  fastJwtCache: 'fast-jwt, cache (warm)',
  jsonwebtoken: 'jsonwebtoken',
  floor: 'floor (raw node:crypto)',
  floorText: "floor', MAC compared as text",
} as const

interface Candidates {
  readonly subjects: Subject[]
  /** Rows that cannot run, with the reason. */
  readonly notApplicable: Map<string, string>
}

async function createCandidates(f: Fixture): Promise<Candidates> {
  const verifierOptions = { issuer: ISSUER, audience: AUDIENCE, jwks: f.keySet }
  const cold = poolInputs(f.pool)
  const warm = repeatedInputs(f.spare, WARM_BATCH_MAX)

  /** A cold candidate of ours: a fresh verifier before every batch, so no token repeats. */
  const freshVerifier = (name: string, create: () => Verifier): Subject => {
    let verifier = create()
    return {
      name,
      inputs: cold,
      async setup() {
        verifier = create()
        await verifier.verify(f.spare) // imports the key, remembers the header
      },
      run: (token) => verifier.verify(token),
    }
  }

  // Warm: the cache admits a token on its second sighting, so the third call is the first hit.
  const warmVerifier = createNodeVerifier(verifierOptions)
  await warmVerifier.verify(f.spare)
  const second = await warmVerifier.verify(f.spare)
  const third = await warmVerifier.verify(f.spare)
  if (second !== third) throw new Error(`${f.alg}: the warm token is not served from our cache`)

  const joseOptions = joseVerifyOptions(f.alg)
  const fastJwtOptions = fastJwtVerifyOptions(f.alg, f.fastJwtKey)
  const fastJwt = createFastJwtVerifier({ ...fastJwtOptions, cache: false })
  const fastJwtCached = createFastJwtVerifier({ ...fastJwtOptions, cache: true })
  fastJwtCached(f.spare)
  const jwtOptions: jsonwebtoken.VerifyOptions = {
    algorithms: [f.alg as jsonwebtoken.Algorithm],
    issuer: ISSUER,
    audience: AUDIENCE,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    maxAge: TTL_SECONDS,
  }
  const floor = createFloor(f.alg, f.keyObject)

  const subjects: Subject[] = [
    freshVerifier(ROW.oursCold, () => createNodeVerifier(verifierOptions)),
    { name: ROW.oursWarm, inputs: warm, run: (token) => warmVerifier.verify(token) },
    { name: ROW.oursWarmSame, inputs: sameStringInputs(f.spare), run: (token) => warmVerifier.verify(token) },
    freshVerifier(ROW.oursWebCold, () => createWebVerifier(verifierOptions)),
    { name: ROW.jose, inputs: cold, run: (token) => jwtVerify(token, f.joseKey, joseOptions) },
    { name: ROW.fastJwt, inputs: cold, run: async (token) => fastJwt(token) },
    { name: ROW.fastJwtCache, inputs: warm, run: async (token) => fastJwtCached(token) },
  ]
  const notApplicable = new Map<string, string>()
  if (f.alg === 'EdDSA') {
    notApplicable.set(ROW.jsonwebtoken, 'no EdDSA support')
  } else {
    subjects.push({ name: ROW.jsonwebtoken, inputs: cold, run: async (token) => jsonwebtoken.verify(token, f.keyObject, jwtOptions) })
  }
  subjects.push({ name: ROW.floor, inputs: cold, run: async (token) => floor(token) })
  if (f.alg === 'HS256') {
    const floorText = createEncodedMacFloor(f.keyObject)
    // Like the floor, it must be a real check: a forged MAC is refused.
    const token = f.pool[0]!
    const forged = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.slice(-1)
    let refused = false
    try {
      floorText(forged)
    } catch {
      refused = true
    }
    if (!refused) throw new Error("HS256: floor' accepted a forged token")
    subjects.push({ name: ROW.floorText, inputs: cold, run: async (token) => floorText(token) })
  } else {
    notApplicable.set(ROW.floorText, 'HS256 only')
  }

  await checkCandidates(f, subjects, floor)
  return { subjects, notApplicable }
}

/** Every candidate accepts the first and last pool tokens and the warm token with the same claims. */
async function checkCandidates(f: Fixture, subjects: readonly Subject[], floor: (token: string) => unknown): Promise<void> {
  const sample = [f.pool[0]!, f.pool[f.pool.length - 1]!, f.spare]
  const expected = sample.map((token) => (floor(token) as { jti: string }).jti)
  for (const s of subjects) {
    if (s.setup) await s.setup()
    for (let i = 0; i < sample.length; i++) {
      const out = (await s.run(sample[i]!)) as Record<string, unknown>
      // ours → { claims }, jose → { payload }, the others → the payload itself.
      const claims = (out.claims ?? out.payload ?? out) as { jti?: unknown }
      if (claims.jti !== expected[i]) throw new Error(`${f.alg}: ${s.name} did not verify a sample token`)
    }
  }
  // The floor and ours must refuse a forged signature (the floor is a real verify).
  const token = f.pool[0]!
  const last = token.at(-2) === 'A' ? 'B' : 'A'
  const forged = token.slice(0, -2) + last + token.slice(-1)
  let floorRefused = false
  try {
    floor(forged)
  } catch {
    floorRefused = true
  }
  const oursRefused = await createNodeVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: f.keySet })
    .verify(forged)
    .then(
      () => false,
      () => true,
    )
  if (!floorRefused || !oursRefused) throw new Error(`${f.alg}: a forged token was accepted`)
}

// ---------------------------------------------------------------------------------------------
// Report

interface AlgResult {
  readonly alg: Algorithm
  readonly byName: Map<string, Measurement>
  readonly notApplicable: Map<string, string>
}

function render(result: AlgResult, poolSize: number): string {
  const floor = result.byName.get(ROW.floor)!
  const rows = Object.values(ROW).map((name) => {
    const na = result.notApplicable.get(name)
    if (na) return [name, 'n/a', '', '', '', '']
    const m = result.byName.get(name)!
    return [
      name,
      formatInteger(m.opsPerSec),
      formatMicros(m.nsPerOp),
      `${(m.nsPerOp / floor.nsPerOp).toFixed(2)}×`,
      `${Math.round(m.spread * 100)}%`,
      `${formatInteger(m.iterations)}${m.capped ? '*' : ''}`,
    ]
  })
  const title = `${result.alg}  (cold pool: ${formatInteger(poolSize)} distinct tokens)`
  const body = table(['candidate', 'ops/s', 'µs/op', 'vs floor', 'spread', 'calls/round'], rows, 'lrrrrr')
  const notes = [...result.notApplicable].map(([name, reason]) => `  n/a: ${name}: ${reason}`)
  return [title, body, ...notes].join('\n')
}

function summary(results: readonly AlgResult[]): string {
  const lines: string[] = ['Targets']
  let coldPass = true
  let warmPass = true
  const cold: string[] = []
  const warm: string[] = []
  for (const r of results) {
    const ours = r.byName.get(ROW.oursCold)!
    const floor = r.byName.get(ROW.floor)!
    const ratio = ours.nsPerOp / floor.nsPerOp
    // Decided on the printed figure, so "1.150×" never reads as a MISS.
    const ok = Number(ratio.toFixed(3)) <= COLD_TARGET
    coldPass &&= ok
    cold.push(
      `    ${r.alg.padEnd(6)} ${ok ? 'PASS' : 'MISS'}  ${formatMicros(ours.nsPerOp)} µs vs floor ${formatMicros(floor.nsPerOp)} µs = ${ratio.toFixed(3)}×`,
    )
    const floorText = r.byName.get(ROW.floorText)
    if (floorText) {
      cold.push(
        `           (vs floor' with the MAC compared as text, as ours does: ${formatMicros(floorText.nsPerOp)} µs = ${(ours.nsPerOp / floorText.nsPerOp).toFixed(3)}×)`,
      )
    }
    const oursWarm = r.byName.get(ROW.oursWarm)!
    const fast = r.byName.get(ROW.fastJwtCache)!
    const warmOk = oursWarm.opsPerSec >= fast.opsPerSec
    warmPass &&= warmOk
    warm.push(
      `    ${r.alg.padEnd(6)} ${warmOk ? 'PASS' : 'MISS'}  ${formatInteger(oursWarm.opsPerSec)} ops/s vs fast-jwt ${formatInteger(fast.opsPerSec)} ops/s = ${(oursWarm.opsPerSec / fast.opsPerSec).toFixed(2)}×`,
    )
  }
  lines.push(`  (1) ours cold within ${COLD_TARGET}× of the floor, every algorithm: ${coldPass ? 'PASS' : 'MISS'}`, ...cold)
  lines.push(`  (2) ours warm at least as fast as fast-jwt with its cache: ${warmPass ? 'PASS' : 'MISS'}`, ...warm)
  return lines.join('\n')
}

export async function runVerifyBench(): Promise<void> {
  const s = settings()
  const started = Date.now()
  console.log(`verify benchmark — Node ${process.version}, ${s.quick ? 'QUICK smoke run' : 'full run'}`)
  console.log(
    `${s.rounds} rounds per algorithm (median reported), ~${s.sampleMs} ms per timed batch, ${s.warmupMs} ms warm-up; ` +
      `every call goes through \`await\` in one shared loop.`,
  )
  console.log(
    `cold = ${DEFAULT_CACHE_SIZE}-entry cache (the default), a fresh verifier before every batch, ` +
      'each batch walking distinct tokens from the start of the pool: no token is seen twice by one verifier.',
  )
  console.log(
    'Every call gets its own copy of the token string (as from a request header), so V8 has never hashed it; ' +
      '"one string object" passes the same string every time.\n',
  )
  const results: AlgResult[] = []
  for (const alg of ALGS) {
    const fixture = await createFixture(alg, s.poolSize[alg])
    const { subjects, notApplicable } = await createCandidates(fixture)
    const measurements = await measure(subjects, {
      rounds: s.rounds,
      sampleMs: s.sampleMs,
      warmupMs: s.warmupMs,
      progress: (m) => progress(`${alg}: ${m}`),
    })
    const result: AlgResult = { alg, byName: new Map(measurements.map((m) => [m.name, m])), notApplicable }
    results.push(result)
    console.log(`${render(result, fixture.pool.length)}\n`)
  }
  console.log(summary(results))
  console.log(
    '\nspread = (slowest − fastest round) ÷ median. calls/round marked * were capped (cold: by the pool size; ' +
      `warm: at ${formatInteger(WARM_BATCH_MAX)} string copies), so that batch ran shorter than the target.`,
  )
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`)
}
