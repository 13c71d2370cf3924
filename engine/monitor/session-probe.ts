// The session lens's IO edge: asks each member `srvr`, `cons`, `dump` and `wchc` over its client port, in parallel.
import { parseCons } from './cons'
import { fourLetterWord, notWhitelisted } from './four-letter'
import { parseSrvr } from './parse'
import { type MemberSessionReport, type SessionLens, type WordAnswer, mergeSessionReports, parseDump, parseWatchesBySession } from './sessions'

export interface SessionProbeTarget {
  readonly host: string
  readonly port: number
}

export const SESSION_PROBE_TIMEOUT_MS = 4000

async function ask<T>(target: SessionProbeTarget, word: string, parse: (text: string) => T, timeoutMs: number): Promise<WordAnswer<T>> {
  try {
    const text = await fourLetterWord(target.host, target.port, word, timeoutMs)
    if (notWhitelisted(text)) return { ok: false, reason: 'not-allowed', message: `${word} is not in this member's 4lw.commands.whitelist` }
    return { ok: true, value: parse(text) }
  } catch (error) {
    return { ok: false, reason: 'unreachable', message: error instanceof Error ? error.message : String(error) }
  }
}

/** One member's answers (never rejects: a word it does not answer is recorded as such). */
export async function probeMemberSessions(target: SessionProbeTarget, timeoutMs = SESSION_PROBE_TIMEOUT_MS): Promise<MemberSessionReport> {
  const address = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`
  const [srvr, cons, dump, wchc] = await Promise.all([
    ask(target, 'srvr', (text) => parseSrvr(text).role ?? null, timeoutMs),
    ask(target, 'cons', parseCons, timeoutMs),
    ask(target, 'dump', parseDump, timeoutMs),
    ask(target, 'wchc', parseWatchesBySession, timeoutMs),
  ])
  return { address, mode: srvr.ok ? srvr.value : null, cons, dump, wchc }
}

/** Every member's sessions, merged (engine/monitor/sessions.ts). */
export async function probeSessions(targets: readonly SessionProbeTarget[], timeoutMs = SESSION_PROBE_TIMEOUT_MS): Promise<SessionLens & { reports: MemberSessionReport[] }> {
  const reports = await Promise.all(targets.map((target) => probeMemberSessions(target, timeoutMs)))
  return { ...mergeSessionReports(reports), reports }
}
