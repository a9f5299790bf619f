/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and sums self time per function, for
 * the HTTP benchmark's profile summaries.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}

interface Profile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/** One function's share of a profile. */
export interface SelfTime {
  /** `name (file:line)`, the file relative to the repository (or the package under node_modules). */
  readonly where: string
  readonly ms: number
  /** Of the busy time (everything but `(idle)`). */
  readonly share: number
}

/** The summary of one profile. */
export interface ProfileSummary {
  readonly busyMs: number
  readonly idleMs: number
  /** The functions with the most self time. */
  readonly top: readonly SelfTime[]
  /** Self time by where the code lives: an npm package, one of ours (`packages/core`), a Node area (`node:_http_outgoing`), or native. */
  readonly byPlace: readonly SelfTime[]
}

/** Sums self time by function (name, file, line) and answers the `top` largest, idle left out. */
export function summarizeCpuProfile(file: string, root: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const msBy = new Map<string, number>()
  const msByPlace = new Map<string, number>()
  let idleMs = 0
  let busyMs = 0
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time from the previous sample to sample i: charge it to sample i's frame.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000
    const frame = byId.get(profile.samples[i]!)!.callFrame
    if (frame.functionName === '(idle)') {
      idleMs += ms
      continue
    }
    busyMs += ms
    const key = `${frame.functionName || '(anonymous)'} (${shortUrl(frame.url, root)}${frame.url ? `:${frame.lineNumber + 1}` : ''})`
    msBy.set(key, (msBy.get(key) ?? 0) + ms)
    const place = placeOf(frame.url, frame.functionName, root)
    msByPlace.set(place, (msByPlace.get(place) ?? 0) + ms)
  }
  const largest = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, ms]) => ({ where, ms, share: ms / busyMs }))
  return { busyMs, idleMs, top: largest(msBy), byPlace: largest(msByPlace) }
}

/** `express`, `@fastify/session`, `packages/core`, `bench`, `node:_http_outgoing`, or the native frame's name (`writev`, `(garbage collector)`). */
function placeOf(url: string, functionName: string, root: string): string {
  if (!url) return functionName
  if (url.startsWith('node:')) return url.split('/').slice(0, url.startsWith('node:internal/') ? 2 : 1).join('/')
  const path = url.startsWith('file://') ? new URL(url).pathname : url
  const inModules = path.lastIndexOf('/node_modules/')
  if (inModules >= 0) {
    const parts = path.slice(inModules + '/node_modules/'.length).split('/')
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!
  }
  const local = relative(root, path).split('/')
  return local[0] === 'packages' ? `packages/${local[1]}` : local[0]!
}

function shortUrl(url: string, root: string): string {
  if (!url) return 'native'
  const path = url.startsWith('file://') ? new URL(url).pathname : url
  const inModules = path.lastIndexOf('/node_modules/')
  if (inModules >= 0) return path.slice(inModules + '/node_modules/'.length)
  return path.startsWith('/') ? relative(root, path) : path
}
