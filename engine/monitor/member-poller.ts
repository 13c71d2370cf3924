import { NOT_SERVING_TEXT, adminCommand, fourLetterWord, notWhitelisted } from './four-letter'
import { type ParsedFigures, parseAdminMonitor, parseAdminSrvr, parseMntr, parseSrvr } from './parse'
import type { HealthSource, MemberHealth, MonitoredMember } from './types'

/** Commands found unavailable are tried again after this many polls (the user may fix the config meanwhile). */
const RETRY_UNAVAILABLE_EVERY = 30

type Availability = 'unknown' | 'available' | 'refused'

/**
 * Polls one member: srvr (allowed by Apache's default whitelist) for role and zxid, plus mntr for the counts, or,
 * when mntr is not whitelisted, the AdminServer's monitor command. Remembers what was refused so that it does not
 * ask again every second, and says so in plain words.
 */
export class MemberPoller {
  readonly name: string
  private srvr: Availability = 'unknown'
  private mntr: Availability = 'unknown'
  private admin: Availability = 'unknown'
  private polls = 0
  /** The counters of the previous round, for per-second rates. */
  private previousCounters: { timeMs: number; proposals: number | undefined; commits: number | undefined } | undefined

  constructor(
    readonly member: MonitoredMember,
    private readonly timeoutMs: number,
  ) {
    this.name = `${member.host}:${member.clientPort}`
  }

  private due(availability: Availability): boolean {
    return availability !== 'refused' || this.polls % RETRY_UNAVAILABLE_EVERY === 0
  }

  async poll(now: () => number): Promise<MemberHealth> {
    this.polls++
    const { host, clientPort, adminPort } = this.member
    const notices: string[] = []
    const sources: HealthSource[] = []
    let figures: ParsedFigures = {}
    let reachable = false
    let notServing = false

    const ask = async (word: 'srvr' | 'mntr'): Promise<string | null> => {
      try {
        const text = await fourLetterWord(host, clientPort, word, this.timeoutMs)
        reachable = true
        if (notWhitelisted(text)) {
          this[word] = 'refused'
          return null
        }
        this[word] = 'available'
        if (text.includes(NOT_SERVING_TEXT)) {
          notServing = true
          return null
        }
        return text
      } catch {
        return null
      }
    }

    if (this.due(this.srvr)) {
      const text = await ask('srvr')
      if (text !== null) {
        figures = { ...figures, ...defined(parseSrvr(text)) }
        sources.push('srvr')
      }
    }
    if (this.due(this.mntr) && (reachable || this.srvr === 'refused')) {
      const text = await ask('mntr')
      if (text !== null) {
        figures = { ...figures, ...defined(parseMntr(text)) }
        sources.push('mntr')
      }
    }
    const wantAdmin = this.mntr === 'refused' || this.srvr === 'refused'
    if (wantAdmin && adminPort !== null && this.due(this.admin)) {
      try {
        const monitor = await adminCommand(host, adminPort, 'monitor', this.timeoutMs)
        figures = { ...figures, ...defined(parseAdminMonitor(monitor)) }
        if (figures.zxid === undefined) figures = { ...figures, ...defined(parseAdminSrvr(await adminCommand(host, adminPort, 'srvr', this.timeoutMs))) }
        this.admin = 'available'
        sources.push('admin')
        reachable = true
      } catch {
        this.admin = 'refused'
      }
    }

    if (!reachable) notices.push(`${this.name} does not answer on its client port.`)
    if (this.srvr === 'refused') notices.push(`srvr is not in 4lw.commands.whitelist on ${this.name}.`)
    if (this.mntr === 'refused') {
      let notice = `mntr is not in 4lw.commands.whitelist on ${this.name} (Apache 3.5+ allows only srvr by default), so znode, watch, ephemeral and follower counts`
      if (adminPort === null) notice += ' are not shown: add mntr to the whitelist, or give the AdminServer port.'
      else if (this.admin === 'refused') notice += ` are not shown, and the AdminServer on ${host}:${adminPort} does not answer (admin.enableServer=false?).`
      else notice += ` come from the AdminServer on ${host}:${adminPort}.`
      notices.push(notice)
    }
    if (notServing) notices.push(`${this.name} is running but not serving requests (no quorum, or still starting).`)

    const zxid = figures.zxid ?? null
    const time = now()
    const previous = this.previousCounters
    const rate = (current: number | undefined, before: number | undefined): number | null => {
      if (current === undefined || before === undefined || previous === undefined || current < before) return null
      const seconds = (time - previous.timeMs) / 1000
      return seconds > 0 ? Math.round(((current - before) / seconds) * 10) / 10 : null
    }
    const proposalsPerSecond = rate(figures.proposalCount, previous?.proposals)
    const commitsPerSecond = rate(figures.commitCount, previous?.commits)
    this.previousCounters = { timeMs: time, proposals: figures.proposalCount, commits: figures.commitCount }
    return {
      time,
      member: this.name,
      reachable,
      role: !reachable ? 'unreachable' : notServing ? 'not-serving' : (figures.role ?? 'not-serving'),
      sources,
      zxid,
      epoch: zxid === null ? null : Number(zxid >> 32n),
      latencyMinMs: figures.latencyMinMs ?? null,
      latencyAvgMs: figures.latencyAvgMs ?? null,
      latencyMaxMs: figures.latencyMaxMs ?? null,
      outstandingRequests: figures.outstandingRequests ?? null,
      connections: figures.connections ?? null,
      znodes: figures.znodes ?? null,
      watches: figures.watches ?? null,
      ephemerals: figures.ephemerals ?? null,
      dataSizeBytes: figures.dataSizeBytes ?? null,
      syncedFollowers: figures.syncedFollowers ?? null,
      pendingSyncs: figures.pendingSyncs ?? null,
      proposalsPerSecond,
      commitsPerSecond,
      notices,
    }
  }
}

/** Drops undefined fields so that a later source does not erase an earlier one's figure. */
function defined(figures: ParsedFigures): ParsedFigures {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(figures)) if (value !== undefined) out[key] = value
  return out as ParsedFigures
}
