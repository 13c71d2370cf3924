import type { Effect } from '../../engine/quorum/peer/effects'
import type { PeerInput } from '../../engine/quorum/peer/inputs'
import { QuorumPeer, type QuorumPeerOptions } from '../../engine/quorum/peer/quorum-peer'
import { ServerState, serverStateName } from '../../engine/quorum/wire/notification'
import type { Proposal } from '../../engine/quorum/wire/proposal-data'
import { epochOf } from '../../engine/quorum/zxid'
import type { Checker } from './checker'
import type { EventQueue } from './event-queue'
import type { Prng } from './prng'
import { SimDisk, type TreeEntry } from './sim-disk'
import type { SimNetwork } from './sim-network'

/** What a member host needs from the simulated world. */
export interface World {
  readonly queue: EventQueue
  readonly network: SimNetwork
  readonly checker: Checker
  peerOptions(id: number): QuorumPeerOptions
  decodeWrite(proposal: Proposal): number
  /** A leader got a forwarded request (a write or a sync) from a learner. */
  learnerRequest(leader: SimMember, connection: number, learner: number, type: number, body: Buffer): void
  memberHalted(member: SimMember, reason: string): void
}

const TRACE_LINES = 400

/**
 * The host of one simulated member: runs its QuorumPeer, performs the effects (network, disk, tree), feeds the
 * results back as inputs, and keeps its timer armed. It is what engine/node will be for a real member, on a
 * simulated network, disk and clock.
 */
export class SimMember {
  peer: QuorumPeer | null = null
  up = false
  incarnation = 0
  tree: TreeEntry[] = []
  readonly disk: SimDisk
  pausedUntilMs = 0
  /** Mirrors of the role and serving state, updated in effect order. */
  role: ServerState = ServerState.LOOKING
  servingEpoch: bigint | null = null
  readonly trace: string[] = []
  private timerAtMs = Number.POSITIVE_INFINITY
  /** Work that arrived during a pause, in arrival order. */
  private deferred: (() => void)[] = []
  private resumeScheduled = false
  private readonly attemptConnections = new Map<number, number>()
  private currentConnection: number | null = null
  private readonly syncExpectations: { connection: number; zxid: bigint }[] = []
  stats = { elections: 0, restarts: 0, applies: 0 }

  constructor(
    readonly id: number,
    private readonly world: World,
    random: Prng,
  ) {
    this.disk = new SimDisk(world.queue, random, (proposal) => world.decodeWrite(proposal))
  }

  get lastAppliedZxid(): bigint {
    return this.tree[this.tree.length - 1]?.zxid ?? 0n
  }

  get isEstablishedLeader(): boolean {
    return this.up && this.role === ServerState.LEADING && this.servingEpoch !== null
  }

  note(line: string): void {
    this.trace.push(`${this.world.queue.nowMs.toFixed(1).padStart(9)} [${this.id}] ${line}`)
    if (this.trace.length > TRACE_LINES) this.trace.splice(0, this.trace.length - TRACE_LINES)
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
    this.pausedUntilMs = 0
    this.deferred = []
    this.resumeScheduled = false
    this.timerAtMs = Number.POSITIVE_INFINITY
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

  /** The process dies: memory and unsynced writes are gone. */
  crash(reason: string): void {
    if (!this.up) return
    this.note(`crash: ${reason}`)
    this.up = false
    this.peer = null
    this.role = ServerState.LOOKING
    this.servingEpoch = null
    this.disk.crash()
    this.world.network.memberCrashed(this.id)
    this.stats.restarts++
  }

  /** A stop-the-world pause (GC, VM stall, clock jump): inputs wait until it ends, then arrive late. */
  pause(untilMs: number): void {
    if (!this.up) return
    this.note(`pause until ${untilMs.toFixed(1)}`)
    this.pausedUntilMs = Math.max(this.pausedUntilMs, untilMs)
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

  private step(input: PeerInput): void {
    const peer = this.peer
    if (!this.up || peer === null) return
    peer.step(this.world.queue.nowMs, input)
    this.perform(peer.takeEffects())
    if (this.peer === peer) this.armTimer(peer)
  }

  private armTimer(peer: QuorumPeer): void {
    const deadline = peer.nextDeadlineMs()
    if (deadline === null || deadline >= this.timerAtMs) return
    this.timerAtMs = deadline
    const incarnation = this.incarnation
    this.world.queue.at(deadline, () => {
      if (this.incarnation !== incarnation || this.timerAtMs !== deadline) return
      this.timerAtMs = Number.POSITIVE_INFINITY
      this.input({ kind: 'tick' })
    })
  }

  // ---- effects ------------------------------------------------------------------------------------------------

  private perform(effects: Effect[]): void {
    const { network, checker } = this.world
    for (const effect of effects) {
      if (!this.up) return
      switch (effect.kind) {
        case 'sendNotification':
          if (process.env.SIM_DEBUG_ELECTION) this.note(`notify ${effect.to}: state ${effect.notification.state} leader ${effect.notification.leader} zxid 0x${effect.notification.zxid.toString(16)} ee ${effect.notification.electionEpoch} pe ${effect.notification.peerEpoch}`)
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
          network.sendSnapshot(effect.connection, [...this.tree])
          break
        case 'closeLearnerConnection':
          network.close(effect.connection, 'leader')
          break
        case 'persist':
          if (effect.op.op === 'truncate') {
            const zxid = effect.op.zxid
            this.tree = this.tree.filter((entry) => entry.zxid <= zxid)
          } else if (effect.op.op === 'snapshot') {
            this.tree = [...(effect.op.snapshot as TreeEntry[])]
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
          this.servingEpoch = effect.serving ? effect.epoch : null
          this.note(`${effect.serving ? 'serving' : 'not serving'} epoch ${effect.epoch}, ${this.tree.length} txns, last 0x${this.lastAppliedZxid.toString(16)}`)
          if (!effect.serving) break
          if (this.role === ServerState.LEADING) checker.leaderEstablished(this.id, effect.epoch, this.tree)
          else checker.learnerServing(this.id, this.tree)
          break
        case 'learnerRequest':
          this.world.learnerRequest(this, effect.connection, effect.learner, effect.request.type, effect.request.body)
          break
        case 'revalidate': {
          const { connection, sessionId } = effect
          this.world.queue.after(0.1, () => this.input({ kind: 'revalidateAnswer', connection, sessionId, valid: true }))
          break
        }
        case 'syncDone':
          this.syncDone()
          break
        case 'touchSessions':
        case 'revalidated':
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

  private apply(proposal: Proposal): void {
    const entry: TreeEntry = { zxid: proposal.zxid, write: this.world.decodeWrite(proposal) }
    const { checker } = this.world
    checker.applied(this.id, this.tree[this.tree.length - 1], entry)
    this.tree.push(entry)
    this.stats.applies++
    if (this.servingEpoch === null) return
    if (this.role === ServerState.LEADING) checker.leaderCommitted(this.id, entry)
    else checker.servingApplied(this.id, this.tree)
  }

  // ---- learner-side bookkeeping for syncs ---------------------------------------------------------------------

  leaderConnected(attempt: number, connection: number): void {
    this.attemptConnections.set(attempt, connection)
    this.currentConnection = connection
    this.input({ kind: 'leaderConnected', attempt })
  }

  /** The leader processed a sync of ours on `connection`: when SYNC comes back we must have applied `zxid`. */
  expectSync(connection: number, zxid: bigint): void {
    this.syncExpectations.push({ connection, zxid })
  }

  private syncDone(): void {
    while (this.syncExpectations.length > 0 && this.syncExpectations[0]!.connection !== this.currentConnection) this.syncExpectations.shift()
    const expected = this.syncExpectations.shift()
    if (expected !== undefined) this.world.checker.syncCompleted(this.id, this.lastAppliedZxid, expected.zxid)
  }
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
