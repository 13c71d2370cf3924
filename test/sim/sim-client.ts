import { ErrorCode } from '../../engine/proto'
import type { ClientHistory, ClientOperation } from './client-history'
import type { ClientConnection, ClientEnd, ClientOp, ClientReply, CloseReason, ConnectAsk } from './client-protocol'
import type { EventQueue } from './event-queue'
import type { Prng } from './prng'
import { SEQUENCE_PARENT } from './sim-tree'

/** What a simulated client needs of the world: the network to members and the history to record into. */
export interface ClientWorld {
  readonly queue: EventQueue
  readonly history: ClientHistory
  readonly memberIds: readonly number[]
  /** The workload's regular znodes and its lock (ephemeral) znodes. */
  readonly keys: readonly string[]
  readonly locks: readonly string[]
  connect(memberId: number, end: ClientEnd, ask: ConnectAsk): ClientConnection
  send(connection: ClientConnection, cxid: number, op: ClientOp): void
  hangUp(connection: ClientConnection): void
}

export interface ClientProfile {
  /** Share of requests that are reads (a reader keeps reading from a lagging member; a writer keeps writing). */
  readShare: number
  /** Pause between one answer and the next request. */
  thinkMs: readonly [number, number]
  /** Requested session timeout (the member clamps it to 2..20 ticks). */
  sessionTimeoutMs: number
}

interface InFlight {
  record: ClientOperation
  cxid: number
  /** A synced read first waits for its sync's answer. */
  awaitingSync: boolean
}

/**
 * A ZooKeeper client as the Java one behaves, closed-loop with one request at a time: it connects to members in a
 * shuffled round robin (refused while they do not serve, or when they are behind the zxid it has seen), reconnects
 * its session elsewhere when a connection breaks or a request times out (readTimeout = 2/3 of the session timeout;
 * the outcome of that request is then unknown), and starts a new session when told its session expired. Each
 * request is recorded in the history with its true call and return times.
 */
export class SimClient {
  private session: bigint | null = null
  private process = 0
  private timeoutMs: number
  private lastZxidSeen = 0n
  private connection: ClientConnection | null = null
  private connected = false
  private inFlight: InFlight | null = null
  private cxid = 0
  private stopping = false
  private closeWhenStopping = false
  private stopped = false
  /** Bumped whenever a pending timer must be ignored (new connection, answer arrived…). */
  private timerGeneration = 0
  private readonly members: number[]
  private nextMember = 0
  private writes = 0
  private readonly knownVersion = new Map<string, number>()
  stats = { connects: 0, sessions: 0, timeouts: 0 }

  constructor(
    readonly index: number,
    private readonly world: ClientWorld,
    private readonly random: Prng,
    private readonly profile: ClientProfile,
  ) {
    this.timeoutMs = profile.sessionTimeoutMs
    this.members = random.shuffle(world.memberIds)
  }

  start(): void {
    this.world.queue.after(this.random.float() * 50, () => this.connectNext())
  }

  /** The workload is over: close the session (half of the clients do) or just go away, and go quiet for good. */
  stop(): void {
    if (this.stopping) return
    this.stopping = true
    this.closeWhenStopping = this.random.chance(0.5)
    this.wrapUp()
  }

  /** Stopping: once nothing is in flight, send the closeSession if we mean to, else leave. */
  private wrapUp(): void {
    if (this.stopped || this.inFlight !== null) return
    if (this.connected && this.closeWhenStopping) {
      this.closeWhenStopping = false
      return this.issue({ type: 'closeSession' })
    }
    this.finish()
  }

  private finish(): void {
    this.stopped = true
    this.timerGeneration++
    if (this.connection !== null) this.world.hangUp(this.connection)
    this.connection = null
    this.connected = false
  }

  // ---- connections --------------------------------------------------------------------------------------------

  private connectNext(): void {
    if (this.stopped || this.connection !== null) return
    if (this.stopping) return this.finish()
    const memberId = this.members[this.nextMember++ % this.members.length]!
    this.stats.connects++
    const end: ClientEnd = {
      connected: (sessionId, timeoutMs) => this.onConnected(connection, sessionId, timeoutMs),
      reply: (reply) => this.onReply(connection, reply),
      closed: (reason) => this.onClosed(connection, reason),
    }
    const connection = this.world.connect(memberId, end, { sessionId: this.session, timeoutMs: this.timeoutMs, lastZxidSeen: this.lastZxidSeen })
    this.connection = connection
    this.connected = false
    // Apache's connectTimeout: the session timeout shared among the servers of the connect string.
    this.armTimer(Math.max(100, this.timeoutMs / this.members.length), () => this.abandon())
  }

  private onConnected(connection: ClientConnection, sessionId: bigint, timeoutMs: number): void {
    if (connection !== this.connection || this.stopped) return
    if (this.session !== sessionId) {
      this.session = sessionId
      this.process = this.world.history.newProcess()
      this.stats.sessions++
    }
    this.timeoutMs = timeoutMs
    this.connected = true
    this.timerGeneration++
    if (this.stopping) return this.wrapUp()
    this.scheduleNext()
  }

  private onClosed(connection: ClientConnection, reason: CloseReason): void {
    if (connection !== this.connection || this.stopped) return
    if (reason === 'sessionExpired') this.sessionEnded()
    this.dropConnection()
  }

  /** No answer in time: give up on this member (the request's outcome is unknown) and go elsewhere. */
  private abandon(): void {
    if (this.connection === null) return
    if (this.inFlight !== null) this.stats.timeouts++
    this.world.hangUp(this.connection)
    this.dropConnection()
  }

  private dropConnection(): void {
    this.inFlight = null
    this.connection = null
    this.connected = false
    this.timerGeneration++
    // Apache's client sleeps up to a second between attempts; a quarter of that keeps simulations short.
    this.world.queue.after(this.random.float() * 250, () => this.connectNext())
  }

  /** The session is gone: a new ZooKeeper handle starts from scratch (new session, nothing seen yet). */
  private sessionEnded(): void {
    this.session = null
    this.lastZxidSeen = 0n
    this.timeoutMs = this.profile.sessionTimeoutMs
    this.knownVersion.clear()
  }

  // ---- requests -----------------------------------------------------------------------------------------------

  private scheduleNext(): void {
    const [minMs, maxMs] = this.profile.thinkMs
    const generation = this.timerGeneration
    this.world.queue.after(minMs + this.random.float() * (maxMs - minMs), () => {
      if (generation !== this.timerGeneration || !this.connected || this.inFlight !== null || this.stopping) return
      this.issue(this.chooseOp())
    })
  }

  private issue(op: ClientOp): void {
    const connection = this.connection!
    const synced = op.type === 'getData' && this.random.chance(0.25)
    const record = this.world.history.record({
      process: this.process,
      client: this.index,
      session: this.session!,
      op,
      cxid: 0,
      synced,
      callMs: this.world.queue.nowMs,
      returnMs: null,
      reply: null,
      syncByNewestLeader: false,
      member: connection.memberId,
    })
    const cxid = ++this.cxid
    record.cxid = cxid
    this.inFlight = { record, cxid, awaitingSync: synced }
    this.world.send(connection, cxid, synced ? { type: 'sync', path: op.type === 'getData' ? op.path : '/' } : op)
    this.armTimer((this.timeoutMs * 2) / 3, () => this.abandon())
  }

  private onReply(connection: ClientConnection, reply: ClientReply): void {
    const inFlight = this.inFlight
    if (connection !== this.connection || inFlight === null || reply.cxid !== inFlight.cxid || this.stopped) return
    if (reply.zxid > this.lastZxidSeen) this.lastZxidSeen = reply.zxid
    const record = inFlight.record
    if (inFlight.awaitingSync) {
      record.syncByNewestLeader = reply.syncByNewestLeader === true
      const cxid = ++this.cxid
      record.cxid = cxid
      this.inFlight = { record, cxid, awaitingSync: false }
      this.world.send(connection, cxid, record.op)
      this.armTimer((this.timeoutMs * 2) / 3, () => this.abandon())
      return
    }
    record.returnMs = this.world.queue.nowMs
    record.reply = reply
    this.inFlight = null
    this.timerGeneration++
    this.learn(record.op, reply)
    if (record.op.type === 'closeSession' && reply.err === ErrorCode.OK) {
      this.sessionEnded()
      this.world.hangUp(connection)
      this.connection = null
      this.connected = false
      if (this.stopping) return this.finish()
      return this.connectNext()
    }
    if (this.stopping) return this.wrapUp()
    if (this.random.chance(0.03)) {
      // The client moves to another member (its connection broke, or it rebalances): the session goes along.
      this.world.hangUp(connection)
      this.dropConnection()
      return
    }
    this.scheduleNext()
  }

  /** Versions seen, for the next compare-and-set. */
  private learn(op: ClientOp, reply: ClientReply): void {
    if (op.type === 'closeSession' || op.type === 'sync') return
    if (reply.err === ErrorCode.NONODE) this.knownVersion.delete(op.path)
    if (reply.err !== ErrorCode.OK) return
    if (op.type === 'getData' || op.type === 'setData') this.knownVersion.set(op.path, reply.version ?? 0)
    else if (op.type === 'create' && !op.sequential) this.knownVersion.set(op.path, 0)
    else if (op.type === 'delete') this.knownVersion.delete(op.path)
  }

  private chooseOp(): ClientOp {
    const random = this.random
    const key = random.pick(this.world.keys)
    const value = (): string => `c${this.index}-${++this.writes}`
    if (random.chance(this.profile.readShare)) return { type: 'getData', path: random.chance(0.85) ? key : random.pick(this.world.locks) }
    const roll = 0.4 + random.float() * 0.6
    if (roll < 0.6) return { type: 'setData', path: key, data: value(), version: -1 }
    if (roll < 0.72) return { type: 'setData', path: key, data: value(), version: this.knownVersion.get(key) ?? 0 }
    if (roll < 0.79) return { type: 'create', path: key, data: value(), ephemeral: false, sequential: false }
    if (roll < 0.84) return { type: 'delete', path: key, version: random.chance(0.5) ? -1 : (this.knownVersion.get(key) ?? 0) }
    if (roll < 0.9) return { type: 'create', path: `${SEQUENCE_PARENT}/n-`, data: value(), ephemeral: false, sequential: true }
    if (roll < 0.97) return { type: 'create', path: random.pick(this.world.locks), data: value(), ephemeral: true, sequential: false }
    if (roll < 0.99) return { type: 'delete', path: random.pick(this.world.locks), version: -1 }
    return { type: 'closeSession' }
  }

  private armTimer(delayMs: number, action: () => void): void {
    const generation = ++this.timerGeneration
    this.world.queue.after(delayMs, () => {
      if (generation === this.timerGeneration && !this.stopped) action()
    })
  }
}
