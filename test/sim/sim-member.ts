import { ErrorCode, OpCode } from '../../engine/proto'
import type { Effect } from '../../engine/quorum/peer/effects'
import type { PeerInput } from '../../engine/quorum/peer/inputs'
import { QuorumPeer, type QuorumPeerOptions } from '../../engine/quorum/peer/quorum-peer'
import type { ForwardedRequest } from '../../engine/quorum/wire/learner-payloads'
import { ServerState, serverStateName } from '../../engine/quorum/wire/notification'
import type { Proposal } from '../../engine/quorum/wire/proposal-data'
import { epochOf } from '../../engine/quorum/zxid'
import type { Checker } from './checker'
import type { EventQueue } from './event-queue'
import { LeaderHost, type LeaderWorld } from './leader-host'
import type { Prng } from './prng'
import { SimClock } from './sim-clock'
import { SimDisk } from './sim-disk'
import type { SimNetwork } from './sim-network'
import { SimServer, type ServerWorld } from './sim-server'
import { SimTree, type TreeEntry } from './sim-tree'

/** What a member host needs from the simulated world. */
export interface World extends LeaderWorld, ServerWorld {
  readonly queue: EventQueue
  readonly network: SimNetwork
  readonly checker: Checker
  peerOptions(id: number): QuorumPeerOptions
  decodeEntry(proposal: Proposal): TreeEntry
  /** A leader got a forwarded request (a write or a sync) from a learner. */
  learnerRequest(leader: SimMember, connection: number, learner: number, request: ForwardedRequest): void
  memberHalted(member: SimMember, reason: string): void
}

const TRACE_LINES = 400

/**
 * The host of one simulated member: runs its QuorumPeer on the member's own clock, performs the effects (network,
 * disk, tree), feeds the results back as inputs, and keeps its timer armed. While it is the established leader it
 * also runs the leader's prep and session tracking (LeaderHost); while it serves, its client port (SimServer). It is
 * what engine/node will be for a real member, on a simulated network, disk and clock.
 */
export class SimMember {
  peer: QuorumPeer | null = null
  up = false
  incarnation = 0
  tree = new SimTree()
  readonly disk: SimDisk
  readonly clock: SimClock
  readonly server: SimServer
  leaderHost: LeaderHost | null = null
  pausedUntilMs = 0
  /** Mirrors of the role and serving state, updated in effect order. */
  role: ServerState = ServerState.LOOKING
  servingEpoch: bigint | null = null
  private readonly trace: { atMs: number; line: string }[] = []
  private traceStart = 0
  /** The pending timer, in the member's clock, and a generation that retires older timers. */
  private timerAtMs = Number.POSITIVE_INFINITY
  private timerGeneration = 0
  /** Work that arrived during a pause, in arrival order. */
  private deferred: (() => void)[] = []
  private resumeScheduled = false
  private readonly attemptConnections = new Map<number, number>()
  private currentConnection: number | null = null
  private readonly syncExpectations: { connection: number; zxid: bigint; byNewestLeader: boolean }[] = []
  stats = { elections: 0, restarts: 0, applies: 0 }

  constructor(
    readonly id: number,
    private readonly world: World,
    random: Prng,
  ) {
    this.disk = new SimDisk(world.queue, random, (proposal) => world.decodeEntry(proposal))
    this.clock = new SimClock(() => world.queue.nowMs)
    this.server = new SimServer(this, world)
  }

  get lastAppliedZxid(): bigint {
    return this.tree.lastZxid
  }

  get isEstablishedLeader(): boolean {
    return this.up && this.role === ServerState.LEADING && this.servingEpoch !== null
  }

  /** An established leader of the newest epoch any leader was established in. */
  get isNewestLeader(): boolean {
    return this.isEstablishedLeader && this.servingEpoch === this.world.checker.newestEpoch
  }

  localNowMs(): number {
    return this.clock.now()
  }

  note(line: string): void {
    // A ring buffer of the last TRACE_LINES lines, formatted only if someone reads the trace.
    const noted = { atMs: this.world.queue.nowMs, line }
    if (this.trace.length < TRACE_LINES) this.trace.push(noted)
    else {
      this.trace[this.traceStart] = noted
      this.traceStart = (this.traceStart + 1) % TRACE_LINES
    }
  }

  traceLines(): string[] {
    return [...this.trace.slice(this.traceStart), ...this.trace.slice(0, this.traceStart)].map(
      ({ atMs, line }) => `${atMs.toFixed(1).padStart(9)} [${this.id}] ${line}`,
    )
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------------

  /** Starts (or restarts) the process from what is on disk. */
  start(): void {
    if (this.up) return
    const restored = this.disk.restore()
    const epochOfLast = epochOf(restored.lastZxid)
    // Epoch files missing → derived from the last zxid (Apache); an epoch file behind the log's last epoch means
    // the member crashed after logging the new epoch's history but before writing the epoch: raise it (see README).
    const currentEpoch = maxBig(this.disk.durable.currentEpoch ?? epochOfLast, epochOfLast)
    const acceptedEpoch = maxBig(this.disk.durable.acceptedEpoch ?? epochOfLast, currentEpoch)
    this.tree = restored.tree
    this.up = true
    this.incarnation++
    this.role = ServerState.LOOKING
    this.servingEpoch = null
    this.leaderHost = null
    this.pausedUntilMs = 0
    this.deferred = []
    this.resumeScheduled = false
    this.timerAtMs = Number.POSITIVE_INFINITY
    this.timerGeneration++
    this.attemptConnections.clear()
    this.currentConnection = null
    this.syncExpectations.length = 0
    this.peer = new QuorumPeer(this.world.peerOptions(this.id), {
      currentEpoch,
      acceptedEpoch,
      lastLoggedZxid: restored.lastZxid,
      recentProposals: restored.replayed.slice(-600),
    })
    this.disk.onDurable = (ticket) => this.input({ kind: 'persisted', ticket })
    this.disk.onFailed = (ticket, reason) => this.input({ kind: 'persistFailed', ticket, reason })
    this.note(`start: zxid 0x${restored.lastZxid.toString(16)}, epochs ${currentEpoch}/${acceptedEpoch}, ${this.tree.length} txns`)
    this.world.network.memberRestarted(this.id)
    this.input({ kind: 'start' })
  }

  /** The process dies: memory and unsynced writes are gone, client connections reset. */
  crash(reason: string): void {
    if (!this.up) return
    this.note(`crash: ${reason}`)
    this.up = false
    this.peer = null
    this.role = ServerState.LOOKING
    this.servingEpoch = null
    this.leaderHost = null
    this.server.stopServing('lost')
    this.disk.crash()
    this.world.network.memberCrashed(this.id)
    this.stats.restarts++
  }

  /** A stop-the-world pause (GC, VM stall): inputs wait until it ends, then arrive late. */
  pause(untilMs: number): void {
    if (!this.up) return
    this.note(`pause until ${untilMs.toFixed(1)}`)
    this.pausedUntilMs = Math.max(this.pausedUntilMs, untilMs)
  }

  /** The member's clock was changed (leap, stand still, drift): re-arm its timer on the new clock. */
  clockChanged(description: string): void {
    this.note(`clock ${description}: now reads ${this.clock.now().toFixed(1)}`)
    if (!this.up) return
    this.timerAtMs = Number.POSITIVE_INFINITY
    this.timerGeneration++
    this.armTimer()
  }

  // ---- inputs -------------------------------------------------------------------------------------------------

  /** Runs `action` now, or (in arrival order) when the current pause ends; never after a restart. */
  whenRunning(action: () => void): void {
    if (!this.up) return
    if (this.world.queue.nowMs < this.pausedUntilMs || this.deferred.length > 0) {
      this.deferred.push(action)
      this.scheduleResume()
      return
    }
    action()
  }

  private scheduleResume(): void {
    if (this.resumeScheduled) return
    this.resumeScheduled = true
    const incarnation = this.incarnation
    this.world.queue.at(this.pausedUntilMs, () => {
      if (this.incarnation !== incarnation) return
      this.resumeScheduled = false
      if (this.world.queue.nowMs < this.pausedUntilMs) return this.scheduleResume()
      while (this.deferred.length > 0 && this.up && this.incarnation === incarnation) {
        if (this.world.queue.nowMs < this.pausedUntilMs) return this.scheduleResume()
        this.deferred.shift()!()
      }
    })
  }

  input(input: PeerInput): void {
    this.whenRunning(() => this.step(input))
  }

  /**
   * The leader host's prep hands a txn to the machines at once: it is running already, and the zxid it stamped
   * must be the next one when the machine sees it (a deferred propose could be overtaken by another prep).
   */
  propose(proposal: Proposal): void {
    this.step({ kind: 'propose', proposal })
  }

  nextZxid(): bigint {
    const leader = this.peer?.leader
    if (leader == null || !leader.established) throw new Error(`member ${this.id} prepares a txn but is not an established leader`)
    return leader.nextZxid()
  }

  private step(input: PeerInput): void {
    const peer = this.peer
    if (!this.up || peer === null) return
    peer.step(this.clock.now(), input)
    this.perform(peer.takeEffects())
    if (this.peer === peer) this.armTimer()
  }

  private armTimer(): void {
    const peer = this.peer
    if (peer === null) return
    const deadline = Math.min(peer.nextDeadlineMs() ?? Number.POSITIVE_INFINITY, this.leaderHost?.nextDeadlineMs ?? Number.POSITIVE_INFINITY)
    if (!Number.isFinite(deadline) || deadline >= this.timerAtMs) return
    this.timerAtMs = deadline
    const incarnation = this.incarnation
    const generation = ++this.timerGeneration
    this.world.queue.at(this.clock.trueTimeOf(deadline), () => {
      if (this.incarnation !== incarnation || this.timerGeneration !== generation) return
      this.timerAtMs = Number.POSITIVE_INFINITY
      this.whenRunning(() => this.onTimer())
    })
  }

  private onTimer(): void {
    const peer = this.peer
    if (peer === null) return
    const nowMs = this.clock.now()
    this.leaderHost?.tick(nowMs)
    const deadline = peer.nextDeadlineMs()
    if (deadline !== null && deadline <= nowMs) this.step({ kind: 'tick' })
    else this.armTimer()
  }

  // ---- effects ------------------------------------------------------------------------------------------------

  private perform(effects: Effect[]): void {
    const { network } = this.world
    for (const effect of effects) {
      if (!this.up) return
      switch (effect.kind) {
        case 'sendNotification':
          network.sendNotification(this.id, effect.to, effect.notification)
          break
        case 'connectToLeader':
          network.connect(this.id, effect.leader, effect.attempt)
          break
        case 'sendToLeader': {
          const connection = this.attemptConnections.get(effect.attempt)
          if (connection !== undefined) network.send(connection, 'learner', effect.packet)
          break
        }
        case 'closeLeaderConnection': {
          const connection = this.attemptConnections.get(effect.attempt)
          if (connection !== undefined) network.close(connection, 'learner')
          this.attemptConnections.delete(effect.attempt)
          break
        }
        case 'sendToLearner':
          network.send(effect.connection, 'leader', effect.packet)
          break
        case 'sendSnapshotToLearner':
          network.sendSnapshot(effect.connection, [...this.tree.entries])
          break
        case 'closeLearnerConnection':
          network.close(effect.connection, 'leader')
          break
        case 'persist':
          if (effect.op.op === 'truncate') {
            if (this.tree.lastZxid > effect.op.zxid) this.tree = this.tree.truncatedTo(effect.op.zxid)
          } else if (effect.op.op === 'snapshot') {
            this.tree = new SimTree(effect.op.snapshot as TreeEntry[])
          }
          this.disk.enqueue(effect.ticket, effect.op)
          break
        case 'apply':
          this.apply(effect.proposal)
          break
        case 'stateChanged':
          this.role = effect.state
          if (effect.state === ServerState.LOOKING) this.stats.elections++
          this.note(`state ${serverStateName(effect.state)}${effect.leader === null ? '' : ` (leader ${effect.leader})`}`)
          break
        case 'serving':
          this.servingChanged(effect.serving, effect.epoch)
          break
        case 'learnerRequest':
          this.world.learnerRequest(this, effect.connection, effect.learner, effect.request)
          break
        case 'touchSessions':
          this.leaderHost?.touchAll(effect.touches, this.clock.now())
          break
        case 'revalidate': {
          const { connection, sessionId, timeoutMs } = effect
          this.world.queue.after(0.1, () =>
            this.whenRunning(() => {
              const valid = this.leaderHost?.touch(sessionId, timeoutMs, this.clock.now()) ?? false
              this.step({ kind: 'revalidateAnswer', connection, sessionId, valid })
            }),
          )
          break
        }
        case 'revalidated':
          this.server.revalidated(effect.sessionId, effect.valid)
          break
        case 'syncDone':
          this.syncDone()
          break
        case 'log':
          this.note(`${effect.level}: ${effect.message}`)
          break
        case 'halt':
          this.note(`HALT: ${effect.reason}`)
          this.world.memberHalted(this, effect.reason)
          return
      }
    }
  }

  private servingChanged(serving: boolean, epoch: bigint): void {
    const { checker } = this.world
    this.servingEpoch = serving ? epoch : null
    this.note(`${serving ? 'serving' : 'not serving'} epoch ${epoch}, ${this.tree.length} txns, last 0x${this.lastAppliedZxid.toString(16)}`)
    if (!serving) {
      this.leaderHost = null
      this.server.stopServing('lost')
      return
    }
    if (this.role === ServerState.LEADING) {
      checker.leaderEstablished(this.id, epoch, this.tree.entries)
      this.leaderHost = new LeaderHost(this, this.world, this.clock.now())
    } else {
      checker.learnerServing(this.id, this.tree.entries)
    }
    this.server.startServing()
  }

  private apply(proposal: Proposal): void {
    const entry = this.world.decodeEntry(proposal)
    const { checker } = this.world
    const { header, body } = entry.txn
    checker.applied(this.id, this.tree.entries[this.tree.entries.length - 1], entry)
    if (body.type === OpCode.create && body.txn.ephemeral) checker.ephemeralCreated(this.id, body.txn.path, header.clientId, this.tree.sessions.has(header.clientId))
    const unlisted = body.type === OpCode.closeSession ? [...this.tree.ephemeralsOf(header.clientId)].filter((path) => !body.txn.paths2Delete.includes(path)) : []
    const result = this.tree.apply(entry)
    checker.txnApplied(this.id, entry, result, body.type === OpCode.error ? body.txn.err : ErrorCode.OK)
    if (body.type === OpCode.closeSession) {
      const remaining = [...this.tree.nodes].filter(([, node]) => node.ephemeralOwner === header.clientId).map(([path]) => path)
      checker.sessionClosed(this.id, header.clientId, remaining, unlisted)
    }
    this.stats.applies++
    if (this.servingEpoch === null) return
    if (this.role === ServerState.LEADING) checker.leaderCommitted(this.id, entry)
    else checker.servingApplied(this.id, this.tree.entries)
    this.leaderHost?.applied(entry.zxid, body, header.clientId)
    this.server.applied(entry, result)
  }

  // ---- learner-side bookkeeping for syncs ---------------------------------------------------------------------

  leaderConnected(attempt: number, connection: number): void {
    this.attemptConnections.set(attempt, connection)
    this.currentConnection = connection
    this.input({ kind: 'leaderConnected', attempt })
  }

  /** The leader processed a sync of ours on `connection`: when SYNC comes back we must have applied `zxid`. */
  expectSync(connection: number, zxid: bigint, byNewestLeader: boolean): void {
    this.syncExpectations.push({ connection, zxid, byNewestLeader })
  }

  private syncDone(): void {
    while (this.syncExpectations.length > 0 && this.syncExpectations[0]!.connection !== this.currentConnection) this.syncExpectations.shift()
    const expected = this.syncExpectations.shift()
    if (expected !== undefined) this.world.checker.syncCompleted(this.id, this.lastAppliedZxid, expected.zxid)
    this.server.syncDone(expected?.byNewestLeader ?? false)
  }
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
