import { DEFAULT_ELECTION_TIMING, type ElectionDecision, type ElectionTiming, FastLeaderElection, type ProposedVote } from '../election/fast-leader-election'
import { type Vote, vote } from '../election/vote'
import type { MajorityQuorum } from '../quorum-verifier'
import { DEFAULT_COMMIT_LOG_COUNT } from '../zab/committed-log'
import { Leader } from '../zab/leader'
import { Learner } from '../zab/learner'
import type { OnDurable } from '../zab/outbox'
import { ReplicaLog } from '../zab/replica-log'
import type { RoleContext, ZabTiming } from '../zab/role-context'
import { type Notification, NOTIFICATION_VERSION, ServerState, serverStateName } from '../wire/notification'
import type { Proposal } from '../wire/proposal-data'
import { zxidHex } from '../zxid'
import type { Effect, PersistOp } from './effects'
import type { PeerInput } from './inputs'

export interface QuorumPeerOptions {
  myId: number
  quorum: MajorityQuorum
  timing: ZabTiming
  /** Election timing overrides (Apache's defaults: finalizeWait 200 ms, notification interval 200 ms → 60 s). */
  election?: Partial<ElectionTiming>
  /** `server.N=...` lines, each ending in "\n" (the membership text without its `version=` line). */
  membershipText: string
  /** Active configuration version; 0 without dynamic reconfiguration. */
  configVersion?: bigint
  /** `zookeeper.commitLogCount`: committed proposals kept for DIFF syncs (at least 500, as Apache enforces). */
  commitLogCount?: number
}

/** What the host restored from disk before starting the member (`FileTxnSnapLog.restore` + epoch files). */
export interface RecoveredState {
  currentEpoch: bigint
  acceptedEpoch: bigint
  /** The zxid of the restored database: the last txn replayed, or the snapshot's zxid when no txn followed it. */
  lastLoggedZxid: bigint
  /** The txns replayed from the log after the snapshot, oldest first (the last `commitLogCount` are kept). */
  recentProposals: readonly Proposal[]
}

/**
 * One ensemble member's quorum side (`QuorumPeer`): fast leader election, then the role it decides (leader,
 * follower, observer), then election again when the role ends. Pure: `step(nowMs, input)` in, `takeEffects()` out,
 * `nextDeadlineMs()` says when to call `step` with a tick. See engine/quorum/README.md for the host's duties.
 */
export class QuorumPeer implements RoleContext {
  readonly myId: number
  readonly quorum: MajorityQuorum
  readonly timing: ZabTiming
  readonly membershipText: string
  readonly configVersion: bigint
  readonly db: ReplicaLog
  state: ServerState = ServerState.LOOKING
  /** The vote this member reports to peers that ask (`QuorumPeer.currentVote`). */
  currentVote: Vote
  private acceptedEpochValue: bigint
  private currentEpochValue: bigint
  private readonly participant: boolean
  private readonly election: FastLeaderElection
  private readonly notificationConfig: Buffer
  private role: Leader | Learner | null = null
  private effects: Effect[] = []
  private nextTicket = 1
  private durableTicket = 0
  private readonly durableCallbacks = new Map<number, OnDurable>()
  private readonly loopback: Notification[] = []
  private connectionAttempts = 0
  private started = false
  private halted = false
  private servingEpoch: bigint | null = null

  constructor(options: QuorumPeerOptions, recovered: RecoveredState) {
    this.myId = options.myId
    this.quorum = options.quorum
    this.timing = options.timing
    this.membershipText = options.membershipText
    this.configVersion = options.configVersion ?? 0n
    if (!this.quorum.isMember(this.myId)) throw new Error(`server ${this.myId} is not in the configuration`)
    this.participant = this.quorum.isVoter(this.myId)
    this.acceptedEpochValue = recovered.acceptedEpoch
    this.currentEpochValue = recovered.currentEpoch
    this.db = new ReplicaLog(this, recovered, Math.max(options.commitLogCount ?? DEFAULT_COMMIT_LOG_COUNT, DEFAULT_COMMIT_LOG_COUNT))
    this.currentVote = vote(BigInt(this.myId), recovered.lastLoggedZxid, -1n, recovered.currentEpoch)
    this.notificationConfig = Buffer.from(`${this.membershipText}version=${zxidHex(this.configVersion)}`, 'utf8')
    this.election = new FastLeaderElection(
      { myId: this.myId, quorum: this.quorum, participant: this.participant, ...DEFAULT_ELECTION_TIMING, ...options.election },
      { sendNotification: (to, proposal) => this.sendNotification(to, ServerState.LOOKING, proposal), log: (message) => this.log('info', message) },
    )
  }

  // ---- the host's view ----------------------------------------------------------------------------------------

  get acceptedEpoch(): bigint {
    return this.acceptedEpochValue
  }

  get currentEpoch(): bigint {
    return this.currentEpochValue
  }

  get isHalted(): boolean {
    return this.halted
  }

  /** The leader's sid while following/observing/leading, else null. */
  get leaderId(): number | null {
    return this.state === ServerState.LOOKING ? null : Number(this.currentVote.id)
  }

  /** The epoch this member serves in, or null while it does not serve clients. */
  get serving(): bigint | null {
    return this.servingEpoch
  }

  /** The running leader role (for `nextZxid`, learner lists), or null. */
  get leader(): Leader | null {
    return this.role instanceof Leader ? this.role : null
  }

  get learner(): Learner | null {
    return this.role instanceof Learner ? this.role : null
  }

  get logicalClock(): bigint {
    return this.election.logicalClock
  }

  /** When the next tick is due (absolute ms), or null when nothing is timed. */
  nextDeadlineMs(): number | null {
    const deadline = Math.min(this.election.deadlineMs ?? Number.POSITIVE_INFINITY, this.role?.deadlineMs ?? Number.POSITIVE_INFINITY)
    return Number.isFinite(deadline) ? deadline : null
  }

  /** The effects produced since the last call, in order. */
  takeEffects(): Effect[] {
    const taken = this.effects
    this.effects = []
    return taken
  }

  // ---- inputs -------------------------------------------------------------------------------------------------

  step(nowMs: number, input: PeerInput): void {
    if (this.halted) return
    this.dispatch(nowMs, input)
    while (this.loopback.length > 0 && !this.halted) this.receiveNotification(nowMs, this.myId, this.loopback.shift()!)
  }

  private dispatch(nowMs: number, input: PeerInput): void {
    switch (input.kind) {
      case 'start':
        if (this.started) return
        this.started = true
        return this.lookForLeader(nowMs)
      case 'tick':
        return this.tick(nowMs)
      case 'notification':
        return this.receiveNotification(nowMs, input.from, input.notification)
      case 'persisted':
        return this.persisted(nowMs, input.ticket)
      case 'persistFailed':
        return this.halt(nowMs, `persist ${input.ticket} failed: ${input.reason}`)
      case 'shutdown':
        return this.stop(nowMs, 'shutdown')
      case 'leaderConnected':
        return this.learner?.leaderConnected(nowMs, input.attempt)
      case 'leaderConnectFailed':
        return this.learner?.leaderConnectFailed(nowMs, input.attempt)
      case 'fromLeader':
        return this.learner?.fromLeader(nowMs, input.attempt, input.packet, input.snapshot)
      case 'leaderDisconnected':
        return this.learner?.leaderDisconnected(nowMs, input.attempt)
      case 'forwardRequest':
        if (this.learner?.forwardRequest(input.request) !== true) this.log('warn', 'dropping a forwarded request: not a serving learner')
        return
      case 'touchSession':
        return this.learner?.touchSession(input.sessionId, input.timeoutMs)
      case 'revalidateSession':
        if (this.learner?.revalidateSession(input.sessionId, input.timeoutMs) !== true) {
          this.emit({ kind: 'revalidated', sessionId: input.sessionId, valid: false })
        }
        return
      case 'learnerConnected':
        if (this.leader === null || this.leader.phase === 'shutdown') {
          return this.emit({ kind: 'closeLearnerConnection', connection: input.connection, reason: 'not leading' })
        }
        return this.leader.learnerConnected(nowMs, input.connection)
      case 'fromLearner':
        return this.leader?.fromLearner(nowMs, input.connection, input.packet)
      case 'learnerDisconnected':
        return this.leader?.learnerDisconnected(input.connection)
      case 'propose': {
        const leader = this.leader
        if (leader === null) throw new Error('propose on a member that is not leading')
        return leader.propose(nowMs, input.proposal)
      }
      case 'sync':
        return this.leader?.sync(nowMs, input.connection)
      case 'revalidateAnswer':
        return this.leader?.revalidateAnswer(nowMs, input.connection, input.sessionId, input.valid)
    }
  }

  private tick(nowMs: number): void {
    const decision = this.election.tick(nowMs)
    if (decision !== null) return this.decided(nowMs, decision)
    this.role?.tick(nowMs)
  }

  // ---- election -----------------------------------------------------------------------------------------------

  private lookForLeader(nowMs: number): void {
    this.state = ServerState.LOOKING
    this.emit({ kind: 'stateChanged', state: ServerState.LOOKING, leader: null })
    this.election.start(nowMs, this.db.lastProcessedZxid, this.currentEpochValue)
  }

  /**
   * Apache's WorkerReceiver around the election: non-voters always get our current vote; while LOOKING a voter's
   * notification goes to the election (and a LOOKING voter behind us gets our proposal); out of the election we
   * answer LOOKING voters with the vote we settled on.
   */
  private receiveNotification(nowMs: number, from: number, n: Notification): void {
    if (!this.quorum.isMember(from)) {
      this.log('warn', `Ignoring notification from sid ${from}: not a member of the ensemble`)
      return
    }
    if (!this.quorum.isVoter(from)) {
      // Apache answers every non-voter; we answer only a LOOKING one (the only kind that uses the answer). An
      // OBSERVING observer answers LOOKING voters, so answering it too makes the two echo each other forever.
      if (n.state !== ServerState.LOOKING) return
      return this.sendVote(from, this.currentVote.id, this.currentVote.zxid, this.election.logicalClock, this.currentVote.peerEpoch)
    }
    if (this.state === ServerState.LOOKING) {
      // A voter behind us gets our proposal to catch up. Only a participant's counts; Apache's observers send it too,
      // and with a voter's answer to every LOOKING non-voter that makes another endless echo.
      if (n.state === ServerState.LOOKING && n.electionEpoch < this.election.logicalClock && this.participant) {
        const proposal = this.election.proposal()
        this.sendVote(from, proposal.id, proposal.zxid, this.election.logicalClock, proposal.peerEpoch)
      }
      const decision = this.election.receive(nowMs, from, n)
      if (decision !== null) this.decided(nowMs, decision)
      return
    }
    // Out of the election, tell a LOOKING voter whom we follow. (An observer's answer would be ignored by the voter,
    // which only answers non-voters; Apache's observers send it anyway and start the echo described above.)
    if (n.state === ServerState.LOOKING && this.participant) {
      this.sendVote(from, this.currentVote.id, this.currentVote.zxid, this.currentVote.electionEpoch, this.currentVote.peerEpoch)
    }
  }

  private sendVote(to: number, leader: bigint, zxid: bigint, electionEpoch: bigint, peerEpoch: bigint): void {
    this.sendNotification(to, this.state, { leader, zxid, electionEpoch, peerEpoch })
  }

  private sendNotification(to: number, state: ServerState, proposal: ProposedVote): void {
    const notification: Notification = { state, ...proposal, version: NOTIFICATION_VERSION, config: this.notificationConfig }
    if (to === this.myId) this.loopback.push(notification)
    else this.emit({ kind: 'sendNotification', to, notification })
  }

  private decided(nowMs: number, decision: ElectionDecision): void {
    this.currentVote = decision.vote
    this.state = decision.state
    const leaderId = Number(decision.vote.id)
    this.log('info', `${serverStateName(decision.state)} (leader ${leaderId}, zxid 0x${zxidHex(decision.vote.zxid)}, epoch ${decision.vote.peerEpoch})`)
    this.emit({ kind: 'stateChanged', state: decision.state, leader: leaderId })
    this.role =
      decision.state === ServerState.LEADING
        ? new Leader(this, nowMs)
        : new Learner(this, nowMs, leaderId, decision.state === ServerState.OBSERVING)
  }

  // ---- RoleContext --------------------------------------------------------------------------------------------

  roleEnded(nowMs: number, reason: string): void {
    this.role = null
    const applied = this.db.fastForward()
    if (applied > 0) this.log('info', `fast-forwarded ${applied} logged txns to 0x${zxidHex(this.db.lastProcessedZxid)}`)
    this.log('warn', `${serverStateName(this.state)} ended: ${reason}`)
    this.lookForLeader(nowMs)
  }

  emit(effect: Effect): void {
    this.effects.push(effect)
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.effects.push({ kind: 'log', level, message })
  }

  persist(op: PersistOp, onDurable?: OnDurable): number {
    const ticket = this.nextTicket++
    this.effects.push({ kind: 'persist', ticket, op })
    if (onDurable !== undefined) this.durableCallbacks.set(ticket, onDurable)
    return ticket
  }

  setAcceptedEpoch(epoch: bigint, onDurable: OnDurable): void {
    this.acceptedEpochValue = epoch
    this.persist({ op: 'acceptedEpoch', epoch }, onDurable)
  }

  setCurrentEpoch(epoch: bigint, onDurable: OnDurable): void {
    this.currentEpochValue = epoch
    this.persist({ op: 'currentEpoch', epoch }, onDurable)
  }

  updateElectionVote(epoch: bigint): void {
    const v = this.currentVote
    this.currentVote = vote(v.id, v.zxid, v.electionEpoch, epoch, v.state, v.version)
  }

  setServing(serving: boolean, epoch: bigint): void {
    this.servingEpoch = serving ? epoch : null
    this.emit({ kind: 'serving', serving, epoch })
  }

  newConnectionAttempt(): number {
    return ++this.connectionAttempts
  }

  // ---- persistence --------------------------------------------------------------------------------------------

  private persisted(nowMs: number, ticket: number): void {
    if (ticket >= this.nextTicket) throw new Error(`persisted(${ticket}) but only ${this.nextTicket - 1} tickets were issued`)
    while (this.durableTicket < ticket) {
      this.durableTicket++
      const callback = this.durableCallbacks.get(this.durableTicket)
      if (callback === undefined) continue
      this.durableCallbacks.delete(this.durableTicket)
      callback(nowMs)
      if (this.halted) return
    }
  }

  /** The disk failed: stop, and tell the host to stop serving (Apache exits the process). */
  private halt(nowMs: number, reason: string): void {
    this.stop(nowMs, reason)
    this.emit({ kind: 'halt', reason })
  }

  /** No more roles, no more elections; every later input is ignored. */
  private stop(nowMs: number, reason: string): void {
    this.role?.shutdown(nowMs, reason, false)
    this.role = null
    this.election.stop()
    this.halted = true
    this.durableCallbacks.clear()
  }
}
