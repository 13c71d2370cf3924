import { MemberPoller } from './member-poller'
import type { HealthAlertEvent, MemberHealth, MonitoredMember } from './types'

export interface EnsembleMonitorOptions {
  /** Time between the starts of two poll rounds. Default 1000 ms. */
  readonly intervalMs?: number
  /** How much history to keep. Default one hour. */
  readonly historyMs?: number
  /** Per command. Default: 80% of the interval, at most 2 s. */
  readonly commandTimeoutMs?: number
  readonly onRound?: (samples: readonly MemberHealth[]) => void
  readonly onAlert?: (alert: HealthAlertEvent) => void
  readonly now?: () => number
}

/** Samples of one member, oldest first, trimmed to the history window. */
class Series {
  private samples: MemberHealth[] = []
  private start = 0

  push(sample: MemberHealth, oldestMs: number): void {
    this.samples.push(sample)
    while (this.start < this.samples.length && this.samples[this.start]!.time < oldestMs) this.start++
    // Compact now and then rather than shifting on every push.
    if (this.start > 1024 && this.start * 2 > this.samples.length) {
      this.samples = this.samples.slice(this.start)
      this.start = 0
    }
  }

  since(timeMs: number): MemberHealth[] {
    const out: MemberHealth[] = []
    for (let i = this.start; i < this.samples.length; i++) if (this.samples[i]!.time >= timeMs) out.push(this.samples[i]!)
    return out
  }

  get latest(): MemberHealth | undefined {
    return this.samples.length > this.start ? this.samples[this.samples.length - 1] : undefined
  }
}

/** The member that serves as leader: the leader, or a standalone server. */
function servingLeader(samples: readonly MemberHealth[]): string | null {
  return samples.find((sample) => sample.role === 'leader' || sample.role === 'standalone')?.member ?? null
}

/**
 * Polls every member of an ensemble (ours or Apache's) each interval, keeps an hour of samples per member, and
 * reports leader changes, quorum loss and recovery, members going down or up, and new notices (a command not
 * whitelisted, the AdminServer off). Pure Node: timers and sockets only.
 */
export class EnsembleMonitor {
  private readonly pollers: MemberPoller[]
  private readonly series = new Map<string, Series>()
  private readonly intervalMs: number
  private readonly historyMs: number
  private readonly now: () => number
  private timer: NodeJS.Timeout | undefined
  private running = false
  private round: Promise<void> | undefined
  private leader: string | null = null
  private hadQuorum: boolean | undefined
  private readonly reachable = new Map<string, boolean>()
  private readonly noticesSeen = new Set<string>()

  constructor(
    members: readonly MonitoredMember[],
    private readonly options: EnsembleMonitorOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000
    this.historyMs = options.historyMs ?? 3_600_000
    this.now = options.now ?? Date.now
    const timeoutMs = options.commandTimeoutMs ?? Math.min(2000, Math.max(100, Math.floor(this.intervalMs * 0.8)))
    this.pollers = members.map((member) => new MemberPoller(member, timeoutMs))
    for (const poller of this.pollers) this.series.set(poller.name, new Series())
  }

  get members(): readonly MonitoredMember[] {
    return this.pollers.map((poller) => poller.member)
  }

  get currentLeader(): string | null {
    return this.leader
  }

  get hasQuorum(): boolean {
    return this.hadQuorum ?? false
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.schedule(0)
  }

  async stop(): Promise<void> {
    this.running = false
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    await this.round
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      const began = performance.now()
      this.round = this.pollOnce().then(() => {
        if (this.running) this.schedule(Math.max(0, this.intervalMs - (performance.now() - began)))
      })
    }, delayMs)
    this.timer.unref?.()
  }

  /** One round: every member polled at once; also usable without start() (tests, one-off checks). */
  async pollOnce(): Promise<MemberHealth[]> {
    const samples = await Promise.all(this.pollers.map((poller) => poller.poll(this.now)))
    const oldest = this.now() - this.historyMs
    for (const sample of samples) this.series.get(sample.member)?.push(sample, oldest)
    this.options.onRound?.(samples)
    this.detect(samples)
    return samples
  }

  private alert(kind: HealthAlertEvent['kind'], member: string | null, message: string, previousLeader: string | null = this.leader): void {
    this.options.onAlert?.({ time: this.now(), kind, member, previousLeader, leader: this.leader, message })
  }

  private detect(samples: readonly MemberHealth[]): void {
    for (const sample of samples) {
      const was = this.reachable.get(sample.member)
      if (was !== undefined && was !== sample.reachable) {
        this.alert(sample.reachable ? 'member-up' : 'member-down', sample.member, `${sample.member} is ${sample.reachable ? 'reachable again' : 'not reachable'}.`)
      }
      this.reachable.set(sample.member, sample.reachable)
      for (const notice of sample.notices) {
        if (!this.noticesSeen.has(notice) && !notice.includes('does not answer')) {
          this.noticesSeen.add(notice)
          this.alert('notice', sample.member, notice)
        }
      }
    }
    const leader = servingLeader(samples)
    const hasQuorum = leader !== null
    const previous = this.leader
    if (leader !== null && previous !== null && leader !== previous) {
      this.leader = leader
      this.alert('leader-change', leader, `The leader changed from ${previous} to ${leader}.`, previous)
    } else if (leader !== null && previous === null && this.hadQuorum !== undefined) {
      this.leader = leader
      this.alert('leader-change', leader, `${leader} leads.`, previous)
    }
    if (leader !== null) this.leader = leader
    if (this.hadQuorum === true && !hasQuorum) {
      this.alert('quorum-lost', null, 'Quorum lost: no member is serving as leader; the ensemble accepts no requests.')
    } else if (this.hadQuorum === false && hasQuorum) {
      this.alert('quorum-restored', leader, `Quorum restored: ${leader} leads.`)
    }
    this.hadQuorum = hasQuorum
  }

  /** Samples since `sinceMs` (default: the whole window), of one member or all. */
  history(member?: string, sinceMs = 0): MemberHealth[] {
    if (member !== undefined) return this.series.get(member)?.since(sinceMs) ?? []
    return [...this.series.values()].flatMap((series) => series.since(sinceMs)).sort((a, b) => a.time - b.time)
  }

  latest(): MemberHealth[] {
    return [...this.series.values()].flatMap((series) => (series.latest === undefined ? [] : [series.latest]))
  }
}
