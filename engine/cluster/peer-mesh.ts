import { type LinkFaults, PeerLink } from './peer-link'
import { PortInUseError } from './port-check'
import { LOOPBACK, type PortLayout, linkPort } from './port-layout'

export interface PartitionOptions {
  /** Only traffic from the first group to the second is lost (connections stay up, bytes vanish). Default false. */
  oneWay?: boolean
  /**
   * Symmetric partitions: accept new connections across the cut and never answer them, instead of refusing them
   * at once (a dead network rather than a closed port: diallers wait for their connect timeouts). Default false.
   */
  blackhole?: boolean
}

/** One blocked direction: bytes from `from` to `to` do not arrive. */
interface BlockedDirection {
  symmetric: boolean
  blackhole: boolean
}

/** Every peer link of a cluster (one proxy per ordered pair and port kind), and the partitions applied to them. */
export class PeerMesh {
  private readonly links: PeerLink[]
  private readonly blocked = new Map<string, BlockedDirection>()
  private running = false

  /**
   * `quorumConnectRetryMs`: how long quorum links keep dialling a target that refuses (a leader opens its quorum
   * port only once it leads); use the learners' connect window, initLimit × tickTime. Election ports are open for
   * as long as a member runs, so election links reset at once when refused (the member is down).
   */
  constructor(
    private readonly layout: PortLayout,
    options: { quorumConnectRetryMs?: number } = {},
  ) {
    this.links = layout.links.map(
      (ports) =>
        new PeerLink({
          ports,
          ...(ports.kind === 'election'
            ? { announceAddress: `${LOOPBACK}:${linkPort(layout.basePort, layout.memberCount, ports.to, ports.from, 'election')}` }
            : { connectRetryMs: options.quorumConnectRetryMs ?? 0 }),
        }),
    )
  }

  get isRunning(): boolean {
    return this.running
  }

  /** Opens every proxy; fails (with nothing left open) on the first port that is taken. */
  async start(): Promise<void> {
    if (this.running) return
    const opened: PeerLink[] = []
    try {
      for (const link of this.links) {
        try {
          await link.listen()
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
            throw new PortInUseError(link.ports.listenPort, `${link.ports.kind} link ${link.ports.from}→${link.ports.to}`)
          }
          throw error
        }
        opened.push(link)
      }
    } catch (error) {
      await Promise.all(opened.map((link) => link.close()))
      throw error
    }
    this.running = true
    this.applyFaults()
  }

  async close(): Promise<void> {
    if (!this.running) return
    this.running = false
    await Promise.all(this.links.map((link) => link.close()))
  }

  /**
   * Cuts every link between the two groups (both port kinds). Symmetric by default: open connections are reset and
   * new ones refused. Partitions add up until heal().
   */
  partition(groupA: readonly number[], groupB: readonly number[], options: PartitionOptions = {}): void {
    this.checkGroups(groupA, groupB)
    for (const a of groupA) {
      for (const b of groupB) {
        if (options.oneWay === true) {
          if (!this.blocked.has(key(a, b))) this.blocked.set(key(a, b), { symmetric: false, blackhole: false })
        } else {
          const direction = { symmetric: true, blackhole: options.blackhole === true }
          this.blocked.set(key(a, b), direction)
          this.blocked.set(key(b, a), direction)
        }
      }
    }
    this.applyFaults()
  }

  /** Lifts every partition. Connections that lost bytes in a one-way partition are reset. */
  heal(): void {
    this.blocked.clear()
    this.applyFaults()
  }

  /** Directed pairs currently blocked, e.g. for display: "1→3 (symmetric)". */
  partitions(): { from: number; to: number; symmetric: boolean }[] {
    return [...this.blocked].map(([pair, direction]) => {
      const [from, to] = pair.split('>').map(Number) as [number, number]
      return { from, to, symmetric: direction.symmetric }
    })
  }

  /** The link a member dials to reach a peer's port (tests and diagnostics). */
  link(from: number, to: number, kind: 'quorum' | 'election'): PeerLink {
    const found = this.links.find((l) => l.ports.from === from && l.ports.to === to && l.ports.kind === kind)
    if (found === undefined) throw new RangeError(`no ${kind} link ${from}→${to}`)
    return found
  }

  private faultsOf(from: number, to: number): LinkFaults {
    const forward = this.blocked.get(key(from, to))
    const backward = this.blocked.get(key(to, from))
    const cut = forward?.symmetric === true || backward?.symmetric === true
    return {
      cut,
      blackhole: cut && (forward?.blackhole === true || backward?.blackhole === true),
      dropForward: forward !== undefined,
      dropBackward: backward !== undefined,
    }
  }

  private applyFaults(): void {
    if (!this.running) return
    for (const link of this.links) link.setFaults(this.faultsOf(link.ports.from, link.ports.to))
  }

  private checkGroups(groupA: readonly number[], groupB: readonly number[]): void {
    const known = (id: number) => Number.isInteger(id) && id >= 1 && id <= this.layout.memberCount
    for (const id of [...groupA, ...groupB]) {
      if (!known(id)) throw new RangeError(`no member ${id} (members are 1..${this.layout.memberCount})`)
    }
    if (groupA.length === 0 || groupB.length === 0) throw new RangeError('a partition needs two non-empty groups')
    const overlap = groupA.filter((id) => groupB.includes(id))
    if (overlap.length > 0) throw new RangeError(`member ${overlap[0]} is on both sides of the partition`)
  }
}

function key(from: number, to: number): string {
  return `${from}>${to}`
}
