import {
  DEFAULT_ELECTION_TIMING,
  type ElectionDecision,
  type ElectionOptions,
  type ElectionTiming,
  FastLeaderElection,
  type ProposedVote,
} from '../election/fast-leader-election'
import { type Vote, vote } from '../election/vote'
import { type QuorumConfig, configText, parseQuorumConfig } from '../membership'
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
  /**
   * `reconfigEnabled`: configurations travel (NEWLEADER, COMMITANDACTIVATE/INFORMANDACTIVATE) and are activated. Off,
   * a member keeps its static configuration whatever its leader sends, as Apache does.
   */
  reconfigEnabled?: boolean
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
  readonly timing: ZabTiming
  readonly reconfigEnabled: boolean
  readonly db: ReplicaLog
  state: ServerState = ServerState.LOOKING
  /** The vote this member reports to peers that ask (`QuorumPeer.currentVote`). */
  currentVote: Vote
  private acceptedEpochValue: bigint
  private currentEpochValue: bigint
  /** The active configuration (Apache's quorumVerifier). */
  private activeConfig: QuorumConfig
  /** Apache's learnerType: an observer, or a participant (voting, or non-voting when outside the view). */
  private learnerType: 'participant' | 'observer'
  /** Apache's reconfigFlag: after a reconfig the next role follows from the new config, without an election. */
  private reconfigFlag = false
  private readonly electionOptions: ElectionOptions
  private readonly election: FastLeaderElection
  private notificationConfig: Buffer
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
    this.timing = options.timing
    this.reconfigEnabled = options.reconfigEnabled ?? false
    this.activeConfig = { quorum: options.quorum, membershipText: options.membershipText, version: options.configVersion ?? 0n }
    if (!this.quorum.isMember(this.myId)) throw new Error(`server ${this.myId} is not in the configuration`)
    this.learnerType = this.quorum.isVoter(this.myId) ? 'participant' : 'observer'
    this.acceptedEpochValue = recovered.acceptedEpoch
    this.currentEpochValue = recovered.currentEpoch
    this.db = new ReplicaLog(this, recovered, Math.max(options.commitLogCount ?? DEFAULT_COMMIT_LOG_COUNT, DEFAULT_COMMIT_LOG_COUNT))
    this.currentVote = vote(BigInt(this.myId), recovered.lastLoggedZxid, -1n, recovered.currentEpoch)
    this.notificationConfig = Buffer.from(configText(this.activeConfig), 'utf8')
    this.electionOptions = { myId: this.myId, quorum: this.quorum, participant: this.participant, ...DEFAULT_ELECTION_TIMING, ...options.election }
    this.election = new FastLeaderElection(
      this.electionOptions,
      { sendNotification: (to, proposal) => this.sendNotification(to, ServerState.LOOKING, proposal), log: (message) => this.log('info', message) },
    )
  }

  // ---- the host's view ----------------------------------------------------------------------------------------

  get quorum(): MajorityQuorum {
    return this.activeConfig.quorum
  }

  /** `server.N=...` lines of the active configuration, each ending in a newline. */
  get membershipText(): string {
    return this.activeConfig.membershipText
  }

  /** Version of the active configuration (0 until a reconfig-enabled ensemble first establishes a leader). */
  get configVersion(): bigint {
    return this.activeConfig.version
  }

  get config(): QuorumConfig {
    return this.activeConfig
  }

  /** Apache's learnerType: `observer`, or `participant` (voting, or non-voting while outside the view). */
  get learnerKind(): 'participant' | 'observer' {
    return this.learnerType
  }

  private get participant(): boolean {
    return this.learnerType === 'participant'
  }

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
    if (this.reconfigEnabled && this.state === ServerState.LOOKING && this.adoptGossipedConfig(n) && this.election.deadlineMs !== null) {
      // WorkerReceiver: a newer configuration with another membership restarts the election under it.
      this.log('info', 'restarting leader election')
      this.election.stop()
      this.election.start(nowMs, this.db.lastProcessedZxid, this.currentEpochValue)
      return
    }
    // With reconfig on, a server outside the view (a joiner) is answered like a non-voter, as Apache does: it learns
    // whom the ensemble follows and connects to that leader as a non-voting learner.
    if (!this.quorum.isMember(from) && !this.reconfigEnabled) {
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

  /**
   * Apache's WorkerReceiver, while LOOKING: a notification carrying a newer configuration than ours gets it
   * activated (processReconfig without a designated leader). True when the membership changed.
   */
  private adoptGossipedConfig(n: Notification): boolean {
    if (n.config === null || n.config.length === 0) return false
    let next: QuorumConfig
    try {
      next = parseQuorumConfig(n.config.toString('utf8'))
    } catch {
      return false
    }
    if (next.version <= this.configVersion) return false
    this.log('info', `${this.myId} Received version: ${zxidHex(next.version)} my version: ${zxidHex(this.configVersion)}`)
    const previousText = this.membershipText
    this.activateConfig(next, null, null)
    return next.membershipText !== previousText
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
    this.startRole(nowMs, decision.state, leaderId)
  }

  private startRole(nowMs: number, state: ServerState, leaderId: number): void {
    this.state = state
    this.emit({ kind: 'stateChanged', state, leader: leaderId })
    this.role = state === ServerState.LEADING ? new Leader(this, nowMs) : new Learner(this, nowMs, leaderId, state === ServerState.OBSERVING)
  }

  // ---- RoleContext --------------------------------------------------------------------------------------------

  roleEnded(nowMs: number, reason: string): void {
    this.role = null
    const applied = this.db.fastForward()
    if (applied > 0) this.log('info', `fast-forwarded ${applied} logged txns to 0x${zxidHex(this.db.lastProcessedZxid)}`)
    this.log('warn', `${serverStateName(this.state)} ended: ${reason}`)
    if (this.reconfigFlag) {
      // Apache's updateServerState: a reconfig named our next leader (or changed our role); go there directly.
      this.reconfigFlag = false
      const leaderId = Number(this.currentVote.id)
      const next = leaderId === this.myId ? ServerState.LEADING : this.participant ? ServerState.FOLLOWING : ServerState.OBSERVING
      this.log('info', `after reconfig: ${serverStateName(next)} (leader ${leaderId})`)
      return this.startRole(nowMs, next, leaderId)
    }
    this.lookForLeader(nowMs)
  }

  /**
   * Apache's `processReconfig`: make `next` the active configuration when it is newer (the host rewrites
   * /zookeeper/config either way, as initConfigInZKDatabase does). `designatedLeader` comes with COMMITANDACTIVATE /
   * INFORMANDACTIVATE (null for a configuration learned from NEWLEADER). True when the member's role or leader
   * changes: the caller ends its role, and the next one starts from the new configuration.
   */
  activateConfig(next: QuorumConfig, designatedLeader: number | null, zxid: bigint | null): boolean {
    if (!this.reconfigEnabled) return false
    const previous = this.activeConfig
    if (next.version <= previous.version) {
      this.emit({ kind: 'configActivated', text: configText(previous), version: previous.version })
      return false
    }
    this.activeConfig = next
    this.electionOptions.quorum = next.quorum
    this.notificationConfig = Buffer.from(configText(next), 'utf8')
    this.log('info', `activated configuration version ${zxidHex(next.version)}`)
    this.emit({ kind: 'configActivated', text: configText(next), version: next.version })
    if (next.membershipText === previous.membershipText) return false
    let roleChange = false
    const nextType = next.quorum.observers.has(this.myId) ? 'observer' : 'participant'
    if (nextType !== this.learnerType) {
      this.learnerType = nextType
      this.electionOptions.participant = nextType === 'participant'
      this.log('info', nextType === 'observer' ? 'Becoming an observer' : next.quorum.isVoter(this.myId) ? 'Becoming a voting participant' : 'Becoming a non-voting participant')
      this.reconfigFlag = true
      roleChange = true
    }
    let leaderChange: boolean
    if (designatedLeader !== null) {
      leaderChange = BigInt(designatedLeader) !== this.currentVote.id
      if (leaderChange) {
        this.currentVote = vote(BigInt(designatedLeader), zxid ?? this.db.lastProcessedZxid)
        this.reconfigFlag = true
        this.log('warn', `Suggested leader: ${designatedLeader}`)
      }
    } else {
      const leader = this.currentVote.id
      leaderChange = !previous.quorum.isVoter(leader) || !next.quorum.isVoter(leader)
      this.reconfigFlag = false
    }
    return roleChange || leaderChange
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
