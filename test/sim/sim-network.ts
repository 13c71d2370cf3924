import { decodeNotification, encodeNotification, type Notification } from '../../engine/quorum/wire/notification'
import { PacketType } from '../../engine/quorum/wire/packet-type'
import { type QuorumPacket, QuorumPacketReader, encodePacket } from '../../engine/quorum/wire/quorum-packet'
import type { EventQueue } from './event-queue'
import type { Prng } from './prng'

export interface NetworkFaults {
  /** One-way delay range. */
  delayMs: readonly [number, number]
  /** Election messages: Apache's QuorumCnxManager drops, re-sends and reconnects, so they may be lost or repeated. */
  electionLoss: number
  electionDuplicate: number
}

/** What the network delivers to, and needs to know about, members. */
export interface NetworkHosts {
  isUp(member: number): boolean
  incarnation(member: number): number
  /** The member listens on its quorum port only while it leads. */
  isListening(member: number): boolean
  notification(to: number, from: number, notification: Notification): void
  leaderConnected(learner: number, attempt: number, connection: number): void
  leaderConnectFailed(learner: number, attempt: number): void
  leaderDisconnected(learner: number, attempt: number): void
  fromLeader(learner: number, attempt: number, packet: QuorumPacket, snapshot?: unknown): void
  learnerConnected(leader: number, connection: number): void
  learnerDisconnected(leader: number, connection: number): void
  fromLearner(leader: number, connection: number, packet: QuorumPacket): void
}

type Side = 'learner' | 'leader'
type StreamItem = { bytes: Buffer } | { snapshot: unknown }

/**
 * One TCP connection on a quorum port: FIFO and reliable in each direction while it lives. A partition stalls a
 * direction for good (a stream cannot skip what it lost); the ends notice only through their timeouts, unless one
 * closes (FIN) or crashes (RST, sometimes).
 */
interface Connection {
  id: number
  learner: number
  leader: number
  attempt: number
  learnerIncarnation: number
  leaderIncarnation: number
  closedBy: Side | null
  stalled: Record<Side, boolean>
  /** Last scheduled delivery time per receiving side (keeps each direction FIFO). */
  lastDeliveryMs: Record<Side, number>
  learnerReader: QuorumPacketReader
  leaderReader: QuorumPacketReader
  snapWaiting: QuorumPacket | null
}

/**
 * The simulated network: election messages as lossy, reorderable, duplicable datagrams (what QuorumCnxManager's
 * drop-oldest queues and reconnects amount to), and learner connections as TCP streams. Every message crosses the
 * real wire codecs, and quorum streams are re-split into chunks, so the stream reader is exercised too.
 */
export class SimNetwork {
  faults: NetworkFaults = { delayMs: [0.5, 3], electionLoss: 0, electionDuplicate: 0 }
  private readonly blocked = new Set<string>()
  /** Extra one-way delay on quorum streams from one member to another (a slow or congested link). */
  private readonly slowLinks = new Map<string, number>()
  private readonly connections = new Map<number, Connection>()
  private readonly lastElectionMessage = new Map<string, Buffer>()
  private nextConnection = 1
  messagesSent = 0

  constructor(
    private readonly queue: EventQueue,
    private readonly random: Prng,
    private readonly hosts: NetworkHosts,
  ) {}

  // ---- partitions ---------------------------------------------------------------------------------------------

  isBlocked(from: number, to: number): boolean {
    return this.blocked.has(`${from}>${to}`)
  }

  block(from: number, to: number): void {
    this.blocked.add(`${from}>${to}`)
  }

  /** Heals one direction; the election connection re-forms and re-sends its last message (QuorumCnxManager does). */
  heal(from: number, to: number): void {
    if (!this.blocked.delete(`${from}>${to}`)) return
    this.resendLastElectionMessage(from, to)
  }

  /** Quorum-stream packets from `from` to `to` take `extraMs` longer (0: back to normal). */
  slowLink(from: number, to: number, extraMs: number): void {
    if (extraMs > 0) this.slowLinks.set(`${from}>${to}`, extraMs)
    else this.slowLinks.delete(`${from}>${to}`)
  }

  healAll(): void {
    this.slowLinks.clear()
    for (const key of [...this.blocked]) {
      const [from, to] = key.split('>').map(Number) as [number, number]
      this.heal(from, to)
    }
  }

  get partitioned(): boolean {
    return this.blocked.size > 0
  }

  private delay(): number {
    const [min, max] = this.faults.delayMs
    return min + this.random.float() * (max - min)
  }

  // ---- election port ------------------------------------------------------------------------------------------

  sendNotification(from: number, to: number, notification: Notification): void {
    const bytes = encodeNotification(notification)
    this.lastElectionMessage.set(`${from}>${to}`, bytes)
    if (this.isBlocked(from, to) || this.random.chance(this.faults.electionLoss)) return
    this.deliverElection(from, to, bytes)
    if (this.random.chance(this.faults.electionDuplicate)) this.deliverElection(from, to, bytes)
  }

  /** A member restarted: its peers' connections to it re-form and re-send their last message. */
  memberRestarted(member: number): void {
    for (const key of this.lastElectionMessage.keys()) {
      const [from, to] = key.split('>').map(Number) as [number, number]
      if (to === member) this.resendLastElectionMessage(from, to)
    }
  }

  private resendLastElectionMessage(from: number, to: number): void {
    const bytes = this.lastElectionMessage.get(`${from}>${to}`)
    if (bytes !== undefined && !this.isBlocked(from, to) && this.hosts.isUp(from)) this.deliverElection(from, to, bytes)
  }

  private deliverElection(from: number, to: number, bytes: Buffer): void {
    this.messagesSent++
    const incarnation = this.hosts.incarnation(to)
    this.queue.after(this.delay(), () => {
      if (!this.hosts.isUp(to) || this.hosts.incarnation(to) !== incarnation || this.isBlocked(from, to)) return
      this.hosts.notification(to, from, decodeNotification(bytes))
    })
  }

  // ---- quorum port --------------------------------------------------------------------------------------------

  connect(learner: number, leader: number, attempt: number): void {
    const rtt = this.delay() * 2
    if (this.isBlocked(learner, leader) || this.isBlocked(leader, learner)) return // SYN lost: the learner times out
    if (!this.hosts.isUp(leader) || !this.hosts.isListening(leader)) {
      const incarnation = this.hosts.incarnation(learner)
      this.queue.after(rtt, () => {
        if (this.hosts.incarnation(learner) === incarnation) this.hosts.leaderConnectFailed(learner, attempt)
      })
      return
    }
    const connection: Connection = {
      id: this.nextConnection++,
      learner,
      leader,
      attempt,
      learnerIncarnation: this.hosts.incarnation(learner),
      leaderIncarnation: this.hosts.incarnation(leader),
      closedBy: null,
      stalled: { learner: false, leader: false },
      lastDeliveryMs: { learner: 0, leader: 0 },
      learnerReader: new QuorumPacketReader(),
      leaderReader: new QuorumPacketReader(),
      snapWaiting: null,
    }
    this.connections.set(connection.id, connection)
    // The leader accepts first; the learner learns of the connection one round trip later.
    this.schedule(connection, 'leader', rtt / 2, () => this.hosts.learnerConnected(leader, connection.id))
    this.schedule(connection, 'learner', rtt, () => this.hosts.leaderConnected(learner, attempt, connection.id))
  }

  learnerOf(connection: number): number | null {
    return this.connections.get(connection)?.learner ?? null
  }

  send(connectionId: number, from: Side, message: QuorumPacket): void {
    this.sendItem(connectionId, from, { bytes: encodePacket(message) })
  }

  /** The snapshot body that follows a SNAP packet on the leader's stream. */
  sendSnapshot(connectionId: number, snapshot: unknown): void {
    this.sendItem(connectionId, 'leader', { snapshot })
  }

  close(connectionId: number, by: Side): void {
    const c = this.connections.get(connectionId)
    if (c === undefined || c.closedBy !== null) return
    c.closedBy = by
    const other: Side = by === 'learner' ? 'leader' : 'learner'
    // FIN travels behind the data already sent, if the direction still works.
    this.schedule(c, other, this.delay(), () => this.notifyClosed(c, other))
  }

  /** A member died: its sockets are gone. Sometimes the kernel resets them (peers hear at once), sometimes not. */
  memberCrashed(member: number): void {
    for (const c of this.connections.values()) {
      if (c.closedBy !== null) continue
      const side: Side | null = c.learner === member ? 'learner' : c.leader === member ? 'leader' : null
      if (side === null) continue
      c.closedBy = side
      if (this.random.chance(0.5)) {
        const other: Side = side === 'learner' ? 'leader' : 'learner'
        this.schedule(c, other, this.delay(), () => this.notifyClosed(c, other))
      }
    }
  }

  private sendItem(connectionId: number, from: Side, item: StreamItem): void {
    const c = this.connections.get(connectionId)
    if (c === undefined || c.closedBy !== null) return
    const to: Side = from === 'learner' ? 'leader' : 'learner'
    const fromMember = from === 'learner' ? c.learner : c.leader
    const toMember = to === 'learner' ? c.learner : c.leader
    if (this.isBlocked(fromMember, toMember)) c.stalled[to] = true
    if (c.stalled[to]) return
    this.messagesSent++
    const extraMs = this.slowLinks.size === 0 ? 0 : (this.slowLinks.get(`${fromMember}>${toMember}`) ?? 0)
    this.schedule(c, to, this.delay() + extraMs, () => this.receive(c, to, item))
  }

  /** Schedules a delivery to one side, FIFO per direction, dropped if that side's process is gone. */
  private schedule(c: Connection, to: Side, delayMs: number, deliver: () => void): void {
    const atMs = Math.max(this.queue.nowMs + delayMs, c.lastDeliveryMs[to])
    c.lastDeliveryMs[to] = atMs
    const member = to === 'learner' ? c.learner : c.leader
    const incarnation = to === 'learner' ? c.learnerIncarnation : c.leaderIncarnation
    this.queue.at(atMs, () => {
      if (c.closedBy === to || !this.hosts.isUp(member) || this.hosts.incarnation(member) !== incarnation) return
      deliver()
    })
  }

  private receive(c: Connection, to: Side, item: StreamItem): void {
    if ('snapshot' in item) {
      const snap = c.snapWaiting
      if (snap === null) throw new Error('snapshot body without a SNAP packet')
      c.snapWaiting = null
      this.hosts.fromLeader(c.learner, c.attempt, snap, item.snapshot)
      this.deliverPackets(c, to, c.learnerReader.resume(Buffer.alloc(0)))
      return
    }
    const reader = to === 'learner' ? c.learnerReader : c.leaderReader
    // Split the bytes at a random point now and then: readers must cope with partial packets.
    const cut = this.random.chance(0.2) ? this.random.int(1, item.bytes.length - 1) : item.bytes.length
    const packets = reader.push(item.bytes.subarray(0, cut))
    if (cut < item.bytes.length) packets.push(...reader.push(item.bytes.subarray(cut)))
    this.deliverPackets(c, to, packets)
  }

  private deliverPackets(c: Connection, to: Side, packets: QuorumPacket[]): void {
    for (const received of packets) {
      if (c.closedBy === to) return
      if (to === 'leader') {
        this.hosts.fromLearner(c.leader, c.id, received)
      } else if (received.type === PacketType.SNAP) {
        c.snapWaiting = received
      } else {
        this.hosts.fromLeader(c.learner, c.attempt, received)
      }
    }
  }

  private notifyClosed(c: Connection, side: Side): void {
    this.connections.delete(c.id)
    if (side === 'learner') this.hosts.leaderDisconnected(c.learner, c.attempt)
    else this.hosts.learnerDisconnected(c.leader, c.id)
  }
}
