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
  /**
   * Four-letter words this poller got an answer to. The member counts each of them as a received packet (Apache's
   * checkFourLetterWord, before the whitelist check), so they are taken out of the requests/s it reports.
   */
  private ownWords = 0
  /** The packet counter of the previous round and how many of our own words it included. */
  private previousPackets: { timeMs: number; received: number; ownWords: number } | undefined

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
    /** ownWords as of the answer the packet counter came from (a later source overrides an earlier one). */
    let packetsOwnWords = 0
    const merge = (parsed: ParsedFigures): void => {
      figures = { ...figures, ...defined(parsed) }
      if (parsed.packetsReceived !== undefined) packetsOwnWords = this.ownWords
    }
    let reachable = false
    let notServing = false

    const ask = async (word: 'srvr' | 'mntr'): Promise<string | null> => {
      try {
        const text = await fourLetterWord(host, clientPort, word, this.timeoutMs)
        this.ownWords++
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
      } catch (error) {
        // A word that timed out most likely reached the member (slow, not down) and was counted there.
        if (error instanceof Error && error.message.includes('no answer within')) this.ownWords++
        return null
      }
    }

    if (this.due(this.srvr)) {
      const text = await ask('srvr')
      if (text !== null) {
        merge(parseSrvr(text))
        sources.push('srvr')
      }
    }
    if (this.due(this.mntr) && (reachable || this.srvr === 'refused')) {
      const text = await ask('mntr')
      if (text !== null) {
        merge(parseMntr(text))
        sources.push('mntr')
      }
    }
    const wantAdmin = this.mntr === 'refused' || this.srvr === 'refused'
    if (wantAdmin && adminPort !== null && this.due(this.admin)) {
      try {
        const monitor = await adminCommand(host, adminPort, 'monitor', this.timeoutMs)
        merge(parseAdminMonitor(monitor))
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
    const requestsPerSecond = this.requestRate(figures.packetsReceived, packetsOwnWords, figures.uptimeMs, time)
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
      requestsPerSecond,
      notices,
    }
  }

  /**
   * Packets per second since the last round that read the counter, less our own four-letter words in between. A
   * round without the counter (a slow or refused answer) is null and the next one averages over the gap. Null on
   * the first round and when the member restarted (the counter went down, or mntr's uptime is shorter than the gap)
   * or `srst` reset it: counting starts over.
   */
  private requestRate(received: number | undefined, ownWordsAtRead: number, uptimeMs: number | undefined, timeMs: number): number | null {
    const previous = this.previousPackets
    if (received === undefined) return null
    this.previousPackets = { timeMs, received, ownWords: ownWordsAtRead }
    if (previous === undefined || received < previous.received) return null
    if (uptimeMs !== undefined && uptimeMs < timeMs - previous.timeMs) return null
    const seconds = (timeMs - previous.timeMs) / 1000
    if (seconds <= 0) return null
    const others = Math.max(0, received - previous.received - (ownWordsAtRead - previous.ownWords))
    return Math.round((others / seconds) * 10) / 10
  }
}

/** Drops undefined fields so that a later source does not erase an earlier one's figure. */
function defined(figures: ParsedFigures): ParsedFigures {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(figures)) if (value !== undefined) out[key] = value
  return out as ParsedFigures
}
