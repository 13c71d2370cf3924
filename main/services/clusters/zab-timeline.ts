import type { ClusterZabEvent } from '../../contract/model'

/** Events kept per cluster: a few elections with their votes, plus minutes of txn counts. */
export const ZAB_TIMELINE_LIMIT = 2000

/**
 * The recent ZAB history of one cluster, so that a panel opened late still shows the last election. A ring buffer:
 * the oldest events go first. Events arrive roughly in time order (members' clocks are the same machine's), but
 * `since` filters by time, not position, to stay right when two members' events interleave.
 */
export class ZabTimeline {
  private readonly events: (ClusterZabEvent | undefined)[]
  private start = 0
  private size = 0

  constructor(private readonly limit = ZAB_TIMELINE_LIMIT) {
    this.events = new Array<ClusterZabEvent | undefined>(limit)
  }

  add(event: ClusterZabEvent): void {
    const index = (this.start + this.size) % this.limit
    this.events[index] = event
    if (this.size < this.limit) this.size++
    else this.start = (this.start + 1) % this.limit
  }

  /** Oldest first; with `sinceMs`, only events at or after it. */
  list(sinceMs?: number): ClusterZabEvent[] {
    const out: ClusterZabEvent[] = []
    for (let i = 0; i < this.size; i++) {
      const event = this.events[(this.start + i) % this.limit]!
      if (sinceMs === undefined || event.time >= sinceMs) out.push(event)
    }
    return out
  }

  clear(): void {
    this.events.fill(undefined)
    this.start = 0
    this.size = 0
  }
}
