// The session lens, sans IO: what `dump` and `wchc` print, and the merge of every member's `cons`, `dump` and `wchc`
// into one list of live sessions, each with the member and address it is connected through, its ephemerals and
// its watches. engine/monitor/session-probe.ts asks the members.
import type { ConsConnection } from './cons'

/** `dump`: the sessions the member tracks and the ephemerals of each (Apache's SessionTracker + DataTree dumps). */
export interface ParsedDump {
  /** Sessions with their timeout when the member prints it (a learner's `Global Sessions`), else null. */
  sessions: Map<bigint, number | null>
  /** The leader (or a standalone server) lists expiry sets; a learner lists `Global Sessions(n)`. */
  tracker: 'expiry-sets' | 'global-sessions' | 'unknown'
  ephemerals: Map<bigint, string[]>
}

const SESSION_HEX = /^0x([0-9a-fA-F]{1,16})/

function sessionOf(text: string): bigint | null {
  const match = SESSION_HEX.exec(text.trim())
  return match === null ? null : BigInt.asUintN(64, BigInt(`0x${match[1]!}`))
}

/** Parses `dump` as Apache 3.8 and ZooDesk print it (leader, learner or standalone). */
export function parseDump(text: string): ParsedDump {
  const dump: ParsedDump = { sessions: new Map(), tracker: 'unknown', ephemerals: new Map() }
  let section: 'tracker' | 'ephemerals' | 'connections' = 'tracker'
  let owner: bigint | null = null
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '')
    if (line.startsWith('ephemeral nodes dump:')) section = 'ephemerals'
    else if (line.startsWith('Connections dump:')) section = 'connections'
    else if (section === 'tracker') {
      if (line.startsWith('Session Sets')) dump.tracker = 'expiry-sets'
      else if (line.startsWith('Global Sessions')) dump.tracker = 'global-sessions'
      else {
        // `\t0x…` in an expiry set; `0x…\t10000ms` in a learner's global sessions.
        const sessionId = sessionOf(line)
        if (sessionId === null) continue
        const timeout = /\t(\d+)ms\s*$/.exec(line)
        dump.sessions.set(sessionId, timeout === null ? null : Number(timeout[1]))
      }
    } else if (section === 'ephemerals') {
      if (line.startsWith('\t')) {
        if (owner !== null) dump.ephemerals.get(owner)!.push(line.slice(1))
      } else if (line.endsWith(':') && !line.startsWith('Sessions with Ephemerals')) {
        owner = sessionOf(line)
        if (owner !== null && !dump.ephemerals.has(owner)) dump.ephemerals.set(owner, [])
      }
    }
  }
  return dump
}

/** Parses `wchc`: a session id line, then its watched paths indented by a tab. */
export function parseWatchesBySession(text: string): Map<bigint, string[]> {
  const watches = new Map<bigint, string[]>()
  let owner: bigint | null = null
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '')
    if (line.startsWith('\t')) {
      if (owner !== null) watches.get(owner)!.push(line.slice(1))
      continue
    }
    owner = sessionOf(line)
    if (owner !== null && !watches.has(owner)) watches.set(owner, [])
  }
  return watches
}

/** One four-letter word's answer from one member: the parsed value, or why there is none. */
export type WordAnswer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: 'not-allowed' | 'unreachable'; readonly message: string }

/** What one member answered to the session lens's words. */
export interface MemberSessionReport {
  /** The member's client address, `host:port`. */
  readonly address: string
  /** Its `srvr` Mode (leader, follower, observer, standalone, read-only), or null when it did not say. */
  readonly mode: string | null
  readonly cons: WordAnswer<ConsConnection[]>
  readonly dump: WordAnswer<ParsedDump>
  readonly wchc: WordAnswer<Map<bigint, string[]>>
}

/** A client connection of a session, as the member it is connected to lists it. */
export interface SessionConnection {
  readonly member: string
  readonly connection: ConsConnection
}

export interface LiveSession {
  readonly sessionId: bigint
  /** Usually one; none when the client is between members (or the member's `cons` is not allowed). */
  readonly connections: SessionConnection[]
  readonly timeoutMs: number | null
  readonly ephemerals: string[]
  /** Paths it watches, on the member(s) it is connected to (watches live on the member, not in the ensemble). */
  readonly watches: string[]
  /** Listed by the dump the ephemerals came from (a session known to the ensemble, not only to a connection). */
  readonly tracked: boolean
}

export interface SessionLens {
  readonly sessions: LiveSession[]
  /** The member whose `dump` gave the sessions and ephemerals (the leader when it allowed it), or null. */
  readonly dumpFrom: string | null
  /** `word on member: why`, for every word a member did not answer (not whitelisted, unreachable). */
  readonly gaps: { member: string; word: 'cons' | 'dump' | 'wchc'; reason: 'not-allowed' | 'unreachable'; message: string }[]
}

/**
 * Merges the members' reports. Sessions come from every `cons` (a connected session) and the chosen `dump` (every
 * session the ensemble tracks); ephemerals from that dump (the tree is the same on every member); watches from the
 * `wchc` of every member (each member only knows its own connections' watches).
 */
export function mergeSessionReports(reports: readonly MemberSessionReport[]): SessionLens {
  const gaps: SessionLens['gaps'] = []
  for (const report of reports) {
    for (const word of ['cons', 'dump', 'wchc'] as const) {
      const answer = report[word]
      if (!answer.ok) gaps.push({ member: report.address, word, reason: answer.reason, message: answer.message })
    }
  }
  // The leader's dump lists every session with its expiry; a standalone server's too; a learner's is a fallback.
  const rank = (mode: string | null): number => (mode === 'leader' || mode === 'standalone' ? 0 : mode === 'follower' || mode === 'observer' ? 1 : 2)
  const dumpSource = [...reports].filter((report) => report.dump.ok).sort((a, b) => rank(a.mode) - rank(b.mode))[0]
  const dump = dumpSource !== undefined && dumpSource.dump.ok ? dumpSource.dump.value : null

  interface Building {
    connections: SessionConnection[]
    timeoutMs: number | null
    watches: Set<string>
    tracked: boolean
  }
  const sessions = new Map<bigint, Building>()
  const entry = (sessionId: bigint): Building => {
    let building = sessions.get(sessionId)
    if (building === undefined) {
      building = { connections: [], timeoutMs: null, watches: new Set(), tracked: false }
      sessions.set(sessionId, building)
    }
    return building
  }
  if (dump !== null) {
    for (const [sessionId, timeoutMs] of dump.sessions) {
      const building = entry(sessionId)
      building.tracked = true
      building.timeoutMs ??= timeoutMs
    }
    // A session with ephemerals is live even when the tracker section is missing.
    for (const sessionId of dump.ephemerals.keys()) entry(sessionId).tracked = true
  }
  for (const report of reports) {
    if (report.cons.ok) {
      for (const connection of report.cons.value) {
        // A connection still in its handshake (no session) or a 4lw connection itself (sid 0) is not a session.
        if (connection.sessionId === null || connection.sessionId === 0n) continue
        const building = entry(connection.sessionId)
        building.connections.push({ member: report.address, connection })
        if (connection.timeoutMs !== null) building.timeoutMs = connection.timeoutMs
      }
    }
    if (report.wchc.ok) {
      for (const [sessionId, paths] of report.wchc.value) {
        const building = sessions.get(sessionId)
        // A watch of a session nobody lists (closing right now) is not shown as a session of its own.
        if (building !== undefined) for (const path of paths) building.watches.add(path)
      }
    }
  }
  const list: LiveSession[] = [...sessions.entries()]
    .map(([sessionId, building]) => ({
      sessionId,
      connections: building.connections,
      timeoutMs: building.timeoutMs,
      ephemerals: [...(dump?.ephemerals.get(sessionId) ?? [])].sort(),
      watches: [...building.watches].sort(),
      tracked: building.tracked,
    }))
    .sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0))
  return { sessions: list, dumpFrom: dumpSource?.address ?? null, gaps }
}
