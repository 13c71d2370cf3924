import {
  decodeInt,
  decodeLearnerInfo,
  decodeRequestData,
  decodeRevalidateRequest,
  decodeTouches,
  encodeInt,
  encodeRevalidateReply,
} from '../wire/learner-payloads'
import { type QuorumConfig, isReconfigProposal, reconfigConfigOf } from '../membership'
import type { MajorityQuorum } from '../quorum-verifier'
import { PacketType, ZAB_PROTOCOL_VERSION } from '../wire/packet-type'
import type { Proposal } from '../wire/proposal-data'
import { type QuorumPacket, describePacket, packet } from '../wire/quorum-packet'
import { COUNTER_ROLLOVER, counterOf, epochOf, isEpochStart, makeZxid, zxidHex } from '../zxid'
import { HANDLER_INBOX_LIMIT, LearnerHandler } from './learner-handler'
import type { RoleContext } from './role-context'
import { planSync } from './sync-plan'

/** A member's own state as a leader compares it with its learners' (`StateSummary`). */
interface StateSummary {
  currentEpoch: bigint
  lastZxid: bigint
}

function isMoreRecent(a: StateSummary, b: StateSummary): boolean {
  return a.currentEpoch > b.currentEpoch || (a.currentEpoch === b.currentEpoch && a.lastZxid > b.lastZxid)
}

interface Outstanding {
  proposal: Proposal
  /** Servers that have logged it (the leader counts once its own log write is durable); each quorum counts its voters. */
  acks: Set<number>
  /**
   * Apache's `qvAcksetPairs`: the proposal commits once its acks hold a quorum of every verifier here: the active
   * one, and while a reconfig is pending (proposed, not committed) the proposed one too.
   */
  quorums: MajorityQuorum[]
  /** The configuration a reconfig proposal activates when it commits. */
  reconfig: QuorumConfig | null
}

/** A proposal commits when its acks contain a quorum of each of its verifiers (`Proposal.hasAllQuorums`). */
export function hasAllQuorums(acks: ReadonlySet<number>, quorums: readonly MajorityQuorum[]): boolean {
  for (const quorum of quorums) if (!quorum.containsQuorum(acks)) return false
  return true
}

/**
 * Where the leader is (`Leader.lead`):
 * - discovery: collecting FOLLOWERINFOs until a quorum (with us) lets it fix the new epoch;
 * - ackEpoch: epoch chosen and accepted by us; collecting ACKEPOCHs from a quorum;
 * - newLeader: syncing learners; waiting for a quorum of NEWLEADER acks;
 * - broadcast: established: proposing, committing, pinging;
 * - shutdown: over (the member is LOOKING again).
 */
export type LeaderPhase = 'discovery' | 'ackEpoch' | 'newLeader' | 'broadcast' | 'shutdown'

/**
 * The ZAB leader, sans IO: Apache's `Leader` and its `LearnerHandler`s. Every learner connection gets a handler
 * that walks discovery (FOLLOWERINFO → LEADERINFO → ACKEPOCH), synchronisation (DIFF/TRUNC/SNAP, NEWLEADER, ACK,
 * UPTODATE) and broadcast (PROPOSAL/ACK/COMMIT/INFORM, PING, REQUEST, REVALIDATE, SYNC).
 */
export class Leader {
  phase: LeaderPhase = 'discovery'
  /** The epoch this leader proposes; fixed once a quorum has connected. */
  private proposedEpoch = -1n
  private waitingForNewEpoch = true
  private acceptedEpochDurable = false
  private electionFinished = false
  private currentEpochDurable = false
  private quorumFormed = false
  /** Voters (us included) that asked to follow: once a quorum, the epoch is fixed (`connectingFollowers`). */
  private readonly connecting = new Set<number>()
  /** Voters (us included) that acked the epoch with a real current epoch (`electingFollowers`). */
  private readonly electing = new Set<number>()
  /** Voters (us included) that acked NEWLEADER. */
  private readonly newLeaderAcks = new Set<number>()
  private readonly summary: StateSummary
  /** Deadline of the leader's own current wait (initLimit ticks per step); infinite while it waits on its disk. */
  private phaseDeadlineMs: number
  private readonly handlers = new Map<number, LearnerHandler>()

  /** `newEpoch << 32`: the NEWLEADER zxid and the first zxid of the epoch (never a txn). */
  newLeaderZxid = -1n
  lastProposed = -1n
  lastCommitted = -1n
  private readonly outstanding = new Map<bigint, Outstanding>()
  /** Apache's lastSeenQuorumVerifier while a reconfig is proposed and not yet committed. */
  private pendingConfig: QuorumConfig | null = null
  /** False once we committed a reconfig that designated another leader: from then on we commit nothing. */
  private allowedToCommit = true
  private readonly pendingSyncs = new Map<bigint, number[]>()
  /** `self.tick`: half-ticks come every tickTime/2; the tick advances every other one. */
  private currentTick = 0
  private tickSkip = true
  private nextHalfTickMs = Number.POSITIVE_INFINITY

  constructor(
    private readonly ctx: RoleContext,
    nowMs: number,
  ) {
    this.summary = { currentEpoch: ctx.currentEpoch, lastZxid: ctx.db.lastProcessedZxid }
    this.phaseDeadlineMs = nowMs + this.initLimitMs
    ctx.log('info', `LEADING: last processed zxid 0x${zxidHex(this.summary.lastZxid)}, current epoch ${this.summary.currentEpoch}`)
    this.offerEpoch(ctx.myId, ctx.acceptedEpoch)
  }

  get epoch(): bigint {
    return this.proposedEpoch
  }

  get established(): boolean {
    return this.phase === 'broadcast'
  }

  /** The zxid the next `propose` must carry. */
  nextZxid(): bigint {
    return this.lastProposed + 1n
  }

  /** A reconfig is proposed and not committed yet (prep answers RECONFIGINPROGRESS). */
  get reconfigPending(): boolean {
    return this.pendingConfig !== null
  }

  /**
   * Apache's `isQuorumSynced(qv)`: we (if a voter of `quorum`) and the synced followers that vote in it hold a
   * quorum of it. Observers never count (they are not forwarding followers).
   */
  isQuorumSynced(quorum: MajorityQuorum): boolean {
    const ids: number[] = []
    if (quorum.isVoter(this.ctx.myId)) ids.push(this.ctx.myId)
    for (const h of this.handlers.values()) {
      if (h.forwarding && !h.observer && this.currentTick <= h.tickOfNextAckDeadline && quorum.isVoter(h.sid)) ids.push(h.sid)
    }
    return quorum.containsQuorum(ids)
  }

  get outstandingCount(): number {
    return this.outstanding.size
  }

  /** Sids of the learners currently connected, and whether each has been synced (got UPTODATE). */
  learners(): { sid: number; observer: boolean; synced: boolean }[] {
    return [...this.handlers.values()]
      .filter((h) => h.sid !== 0)
      .map((h) => ({ sid: h.sid, observer: h.observer, synced: h.stage === 'broadcast' }))
  }

  /**
   * Every learner connection (read-only, for `mntr`/`observers`): `forwarding` is Apache's forwardingFollowers /
   * observingLearners membership (from the start of its sync), `stage` where its handler is.
   */
  learnerConnections(): { connection: number; sid: number; observer: boolean; forwarding: boolean; stage: LearnerHandler['stage'] }[] {
    return [...this.handlers.values()].map((h) => ({ connection: h.connection, sid: h.sid, observer: h.observer, forwarding: h.forwarding, stage: h.stage }))
  }

  /** One learner connection's handler, read-only (sid 0 until its FOLLOWERINFO/OBSERVERINFO), or undefined. */
  learnerConnection(connection: number): Readonly<Pick<LearnerHandler, 'connection' | 'sid' | 'observer' | 'forwarding' | 'stage'>> | undefined {
    return this.handlers.get(connection)
  }

  /** Apache's `getNumPendingSyncs`: zxids with learner syncs waiting for their commit. */
  get pendingSyncCount(): number {
    return this.pendingSyncs.size
  }

  get deadlineMs(): number {
    let deadline = Math.min(this.phaseDeadlineMs, this.nextHalfTickMs)
    for (const h of this.handlers.values()) deadline = Math.min(deadline, h.deadlineMs)
    return deadline
  }

  private get initLimitMs(): number {
    return this.ctx.timing.initLimitTicks * this.ctx.timing.tickTimeMs
  }

  private get syncLimitMs(): number {
    return this.ctx.timing.syncLimitTicks * this.ctx.timing.tickTimeMs
  }

  // ---- inputs -------------------------------------------------------------------------------------------------

  learnerConnected(nowMs: number, connection: number): void {
    if (this.phase === 'shutdown') return
    const { initLimitTicks, syncLimitTicks } = this.ctx.timing
    this.handlers.set(connection, new LearnerHandler(connection, nowMs, this.initLimitMs, this.currentTick + initLimitTicks + syncLimitTicks))
  }

  learnerDisconnected(connection: number): void {
    const h = this.handlers.get(connection)
    if (h === undefined) return
    this.ctx.log('warn', `******* GOODBYE ${h.describe()} ********`)
    this.forget(h)
  }

  fromLearner(nowMs: number, connection: number, received: QuorumPacket): void {
    const h = this.handlers.get(connection)
    if (h === undefined || this.phase === 'shutdown') return
    if (!h.reading) {
      h.inbox.push(received)
      if (h.inbox.length > HANDLER_INBOX_LIMIT) this.close(h, 'too many packets while waiting for the quorum')
      return
    }
    this.readPacket(nowMs, h, received)
  }

  tick(nowMs: number): void {
    if (this.phase === 'shutdown') return
    if (nowMs >= this.phaseDeadlineMs) return this.shutdown(nowMs, this.phaseTimeoutReason())
    for (const h of [...this.handlers.values()]) {
      if (h.reading && nowMs >= h.readDeadlineMs) this.close(h, `read timeout (${h.readTimeoutMs} ms) waiting for ${h.describe()}`)
      else if (nowMs >= h.waitDeadlineMs) this.close(h, `timeout in stage ${h.stage}: no quorum in time`)
    }
    if (this.phase === 'broadcast' && nowMs >= this.nextHalfTickMs) this.halfTick(nowMs)
  }

  /** A prepared transaction (the host's prep assigned `nextZxid()`). */
  propose(nowMs: number, proposal: Proposal): void {
    if (this.phase !== 'broadcast') throw new Error(`propose while ${this.phase}: only an established leader proposes`)
    if (counterOf(proposal.zxid) === COUNTER_ROLLOVER) {
      return this.shutdown(nowMs, 'zxid lower 32 bits have rolled over, forcing re-election, and therefore new epoch start')
    }
    if (proposal.zxid !== this.lastProposed + 1n) {
      throw new Error(`proposal 0x${zxidHex(proposal.zxid)} is not the next zxid 0x${zxidHex(this.lastProposed + 1n)}`)
    }
    this.lastProposed = proposal.zxid
    const reconfig = this.ctx.reconfigEnabled && isReconfigProposal(proposal.data) ? reconfigConfigOf(proposal) : null
    if (reconfig !== null) this.pendingConfig = reconfig
    const quorums = this.pendingConfig === null ? [this.ctx.quorum] : [this.ctx.quorum, this.pendingConfig.quorum]
    this.outstanding.set(proposal.zxid, { proposal, acks: new Set(), quorums, reconfig })
    const message = packet(PacketType.PROPOSAL, proposal.zxid, proposal.data)
    for (const h of this.handlers.values()) if (h.forwarding && !h.observer) this.send(nowMs, h, message)
    this.ctx.db.append(proposal, (durableMs) => this.processAck(durableMs, this.ctx.myId, proposal.zxid))
  }

  /** A forwarded sync reached the proposal stage: answer once everything proposed so far has committed. */
  sync(nowMs: number, connection: number): void {
    const h = this.handlers.get(connection)
    if (h === undefined || this.phase !== 'broadcast') return
    if (this.outstanding.size === 0) return this.send(nowMs, h, packet(PacketType.SYNC, 0n))
    const waiting = this.pendingSyncs.get(this.lastProposed)
    if (waiting === undefined) this.pendingSyncs.set(this.lastProposed, [connection])
    else waiting.push(connection)
  }

  revalidateAnswer(nowMs: number, connection: number, sessionId: bigint, valid: boolean): void {
    const h = this.handlers.get(connection)
    if (h === undefined) return
    this.send(nowMs, h, packet(PacketType.REVALIDATE, -1n, encodeRevalidateReply(sessionId, valid)))
  }

  /** Stops leading: closes every learner connection; `notify` tells the member (false when it stops us itself). */
  shutdown(nowMs: number, reason: string, notify = true): void {
    if (this.phase === 'shutdown') return
    const wasServing = this.phase === 'broadcast'
    this.phase = 'shutdown'
    this.ctx.log('info', `Shutting down leader: ${reason}`)
    for (const h of [...this.handlers.values()]) this.close(h, reason)
    this.phaseDeadlineMs = Number.POSITIVE_INFINITY
    this.nextHalfTickMs = Number.POSITIVE_INFINITY
    if (wasServing) this.ctx.setServing(false, this.proposedEpoch)
    if (notify) this.ctx.roleEnded(nowMs, reason)
  }

  // ---- discovery ----------------------------------------------------------------------------------------------

  /** `getEpochToPropose`: a voter (or we) wants to follow; a quorum fixes the epoch, which we accept first. */
  private offerEpoch(sid: number, lastAcceptedEpoch: bigint): void {
    if (!this.waitingForNewEpoch) return
    if (lastAcceptedEpoch >= this.proposedEpoch) this.proposedEpoch = lastAcceptedEpoch + 1n
    if (this.ctx.quorum.isVoter(sid)) this.connecting.add(sid)
    if (!this.connecting.has(this.ctx.myId) || !this.ctx.quorum.containsQuorum(this.connecting)) return
    this.waitingForNewEpoch = false
    this.phaseDeadlineMs = Number.POSITIVE_INFINITY
    this.ctx.setAcceptedEpoch(this.proposedEpoch, (nowMs) => this.epochAccepted(nowMs))
  }

  private epochAccepted(nowMs: number): void {
    if (this.phase === 'shutdown') return
    this.acceptedEpochDurable = true
    this.newLeaderZxid = makeZxid(this.proposedEpoch, 0n)
    this.lastProposed = this.newLeaderZxid
    this.phase = 'ackEpoch'
    this.phaseDeadlineMs = nowMs + this.initLimitMs
    this.ctx.log('info', `Proposing epoch ${this.proposedEpoch} to [${[...this.connecting].join(', ')}]`)
    for (const h of this.handlers.values()) if (h.stage === 'epoch') this.sendLeaderInfo(nowMs, h)
    this.ackEpoch(nowMs, this.ctx.myId, this.summary)
  }

  /** `waitForEpochAck`: false when the learner is ahead of us (its handler must close). */
  private ackEpoch(nowMs: number, sid: number, summary: StateSummary): boolean {
    if (this.electionFinished) return true
    if (summary.currentEpoch !== -1n) {
      if (isMoreRecent(summary, this.summary)) return false
      if (summary.lastZxid !== -1n && this.ctx.quorum.isVoter(sid)) this.electing.add(sid)
    }
    if (this.electing.has(this.ctx.myId) && this.ctx.quorum.containsQuorum(this.electing)) {
      this.electionFinished = true
      this.epochAckedByQuorum(nowMs)
    }
    return true
  }

  private epochAckedByQuorum(nowMs: number): void {
    this.phase = 'newLeader'
    this.phaseDeadlineMs = Number.POSITIVE_INFINITY
    this.ctx.setCurrentEpoch(this.proposedEpoch, (durableMs) => this.epochCurrent(durableMs))
    for (const h of [...this.handlers.values()]) if (h.stage === 'electing') this.startSync(nowMs, h)
  }

  private epochCurrent(nowMs: number): void {
    if (this.phase === 'shutdown') return
    this.currentEpochDurable = true
    this.phaseDeadlineMs = nowMs + this.initLimitMs
    this.ackNewLeader(this.ctx.myId, this.newLeaderZxid)
    this.establishIfReady(nowMs)
  }

  // ---- synchronisation ----------------------------------------------------------------------------------------

  /** `waitForNewLeaderAck`: counts a voter's NEWLEADER ack. */
  private ackNewLeader(sid: number, zxid: bigint): void {
    if (this.quorumFormed) return
    if (zxid !== this.newLeaderZxid) {
      this.ctx.log('error', `NEWLEADER ACK from sid: ${sid} is from a different epoch - current 0x${zxidHex(this.newLeaderZxid)} received 0x${zxidHex(zxid)}`)
      return
    }
    if (this.ctx.quorum.isVoter(sid)) this.newLeaderAcks.add(sid)
    if (!this.ctx.quorum.containsQuorum(this.newLeaderAcks)) return
    this.quorumFormed = true
    for (const h of this.handlers.values()) if (h.stage === 'startup') h.waitDeadlineMs = Number.POSITIVE_INFINITY
  }

  /** `startZkServer`: a quorum acked NEWLEADER and our own current epoch is on disk. */
  private establishIfReady(nowMs: number): void {
    if (!this.quorumFormed || !this.currentEpochDurable || this.phase !== 'newLeader') return
    this.phase = 'broadcast'
    this.phaseDeadlineMs = Number.POSITIVE_INFINITY
    this.lastCommitted = this.newLeaderZxid
    this.ctx.db.lastProcessedZxid = this.newLeaderZxid
    this.ctx.log('info', `Have quorum of supporters, sids: [${[...this.newLeaderAcks].join(', ')}]; established epoch ${this.proposedEpoch}`)
    this.ctx.updateElectionVote(this.proposedEpoch)
    if (this.ctx.reconfigEnabled) {
      // startZkServer: the configuration NEWLEADER carried (a static one gets the NEWLEADER zxid as its version,
      // ZOOKEEPER-1783) becomes the active one; we lead on since we are a voter of it.
      this.ctx.activateConfig({ ...this.ctx.config, version: this.newLeaderConfigVersion() }, this.ctx.myId, this.newLeaderZxid)
    }
    this.ctx.setServing(true, this.proposedEpoch)
    this.tickSkip = true
    this.nextHalfTickMs = nowMs + this.ctx.timing.tickTimeMs / 2
    for (const h of [...this.handlers.values()]) if (h.stage === 'startup') this.sendUptodate(nowMs, h)
  }

  /**
   * `syncFollower` + `startForwarding` + NEWLEADER: bring the learner to our state with DIFF/TRUNC/SNAP, queue our
   * outstanding proposals after that, and from now on forward it what we propose and commit.
   */
  private startSync(nowMs: number, h: LearnerHandler): void {
    const db = this.ctx.db
    const plan = planSync(h.peerLastZxid, db.window, db.lastProcessedZxid)
    const queued = plan.kind === 'snap' ? [] : plan.packets
    const syncedZxid = plan.kind === 'snap' ? db.lastProcessedZxid : plan.lastQueuedZxid
    if (!h.observer && this.lastProposed > syncedZxid) {
      for (const [zxid, pending] of this.outstanding) {
        if (zxid > syncedZxid) queued.push(packet(PacketType.PROPOSAL, zxid, pending.proposal.data))
      }
    }
    h.forwarding = true
    this.ctx.log(
      'info',
      `Synchronizing with ${h.describe()} (peer 0x${zxidHex(h.peerLastZxid)}, ours 0x${zxidHex(db.lastProcessedZxid)}): ${plan.kind.toUpperCase()}, ${plan.reason}`,
    )
    if (plan.kind === 'snap') {
      this.send(nowMs, h, packet(PacketType.SNAP, db.lastProcessedZxid))
      this.ctx.emit({ kind: 'sendSnapshotToLearner', connection: h.connection })
    }
    for (const message of queued) this.send(nowMs, h, message)
    this.send(nowMs, h, packet(PacketType.NEWLEADER, this.newLeaderZxid, this.newLeaderConfig()))
    h.sendingStarted = true
    this.enterReadingStage(nowMs, h, 'newLeaderAck')
  }

  /** NEWLEADER carries the membership with version = the NEWLEADER zxid (ZOOKEEPER-1783, initial configs). */
  private newLeaderConfig(): Buffer {
    return Buffer.from(`${this.ctx.membershipText}version=${zxidHex(this.newLeaderConfigVersion())}`, 'utf8')
  }

  private newLeaderConfigVersion(): bigint {
    return this.ctx.configVersion === 0n ? this.newLeaderZxid : this.ctx.configVersion
  }

  private sendLeaderInfo(nowMs: number, h: LearnerHandler): void {
    this.send(nowMs, h, packet(PacketType.LEADERINFO, this.newLeaderZxid, encodeInt(ZAB_PROTOCOL_VERSION)))
    this.enterReadingStage(nowMs, h, 'ackEpoch')
  }

  private sendUptodate(nowMs: number, h: LearnerHandler): void {
    this.send(nowMs, h, packet(PacketType.UPTODATE, -1n))
    this.enterReadingStage(nowMs, h, 'broadcast')
  }

  private enterWaitingStage(nowMs: number, h: LearnerHandler, stage: 'epoch' | 'electing' | 'startup', bounded: boolean): void {
    h.stage = stage
    h.waitDeadlineMs = bounded ? nowMs + this.initLimitMs : Number.POSITIVE_INFINITY
  }

  private enterReadingStage(nowMs: number, h: LearnerHandler, stage: 'ackEpoch' | 'newLeaderAck' | 'broadcast'): void {
    h.stage = stage
    h.waitDeadlineMs = Number.POSITIVE_INFINITY
    h.readDeadlineMs = nowMs + h.readTimeoutMs
    while (h.reading && h.inbox.length > 0 && this.handlers.get(h.connection) === h) this.readPacket(nowMs, h, h.inbox.shift()!)
  }

  // ---- reading learner packets --------------------------------------------------------------------------------

  private readPacket(nowMs: number, h: LearnerHandler, received: QuorumPacket): void {
    h.readDeadlineMs = nowMs + h.readTimeoutMs
    try {
      switch (h.stage) {
        case 'info':
          return this.readLearnerInfo(nowMs, h, received)
        case 'ackEpoch':
          return this.readAckEpoch(nowMs, h, received)
        case 'newLeaderAck':
          return this.readNewLeaderAck(nowMs, h, received)
        case 'broadcast':
          return this.readBroadcast(nowMs, h, received)
        default:
          return
      }
    } catch (error) {
      this.close(h, `bad ${describePacket(received)}: ${(error as Error).message}`)
    }
  }

  private readLearnerInfo(nowMs: number, h: LearnerHandler, received: QuorumPacket): void {
    if (received.type !== PacketType.FOLLOWERINFO && received.type !== PacketType.OBSERVERINFO) {
      return this.close(h, `First packet ${describePacket(received)} is not FOLLOWERINFO or OBSERVERINFO!`)
    }
    const info = decodeLearnerInfo(received.data)
    if (info.serverId === null) return this.close(h, 'learner sent no server id')
    const sid = Number(info.serverId)
    // Apache's LearnerHandler takes an OBSERVERINFO from any sid (it only logs one outside the configuration): such a
    // learner never counts towards a quorum, and observer taps (engine/tap) attach that way. FOLLOWERINFO must come
    // from a member.
    // With reconfig on, a FOLLOWERINFO from outside the view is taken too (a joiner, or a member a reconfig removed,
    // following as a non-voting participant), as Apache does.
    const outsider = !this.ctx.quorum.isMember(sid) && received.type !== PacketType.OBSERVERINFO && !this.ctx.reconfigEnabled
    if (!Number.isSafeInteger(sid) || outsider || sid === this.ctx.myId) {
      return this.close(h, `Follower sid: ${info.serverId} not in the current config`)
    }
    if (info.protocolVersion < ZAB_PROTOCOL_VERSION) return this.close(h, `learner ${sid} speaks pre-Zab-1.0 protocol 0x${info.protocolVersion.toString(16)}`)
    if (info.configVersion !== null && info.configVersion > this.ctx.configVersion) {
      return this.close(h, 'Follower is ahead of the leader (has a later activated configuration)')
    }
    for (const other of [...this.handlers.values()]) {
      if (other !== h && other.sid === sid) this.close(other, `learner ${sid} connected again`)
    }
    h.sid = sid
    h.observer = received.type === PacketType.OBSERVERINFO
    h.lastAcceptedEpoch = epochOf(received.zxid)
    if (!this.waitingForNewEpoch && h.lastAcceptedEpoch > this.proposedEpoch) {
      // It promised a later epoch (to a leader that never got established) and will refuse ours, for good. Apache
      // leaves it out until this leader fails; stepping down lets the next election pick an epoch it can accept.
      return this.shutdown(nowMs, `learner ${sid} has accepted epoch ${h.lastAcceptedEpoch}, above ours (${this.proposedEpoch}): stepping down`)
    }
    this.enterWaitingStage(nowMs, h, 'epoch', true)
    this.offerEpoch(sid, h.lastAcceptedEpoch)
    if (this.acceptedEpochDurable) this.sendLeaderInfo(nowMs, h)
  }

  private readAckEpoch(nowMs: number, h: LearnerHandler, received: QuorumPacket): void {
    if (received.type !== PacketType.ACKEPOCH) return this.close(h, `${describePacket(received)} is not ACKEPOCH`)
    const summary: StateSummary = { currentEpoch: BigInt(decodeInt(received.data, 'ACKEPOCH')), lastZxid: received.zxid }
    h.peerLastZxid = received.zxid
    if (!this.ackEpoch(nowMs, h.sid, summary)) {
      return this.close(
        h,
        `Follower is ahead of the leader, leader summary: ${this.summary.currentEpoch} (current epoch), 0x${zxidHex(this.summary.lastZxid)} (last zxid)`,
      )
    }
    if (this.electionFinished) this.startSync(nowMs, h)
    else this.enterWaitingStage(nowMs, h, 'electing', true)
  }

  private readNewLeaderAck(nowMs: number, h: LearnerHandler, received: QuorumPacket): void {
    if (received.type !== PacketType.ACK) {
      return this.close(h, `Next packet was supposed to be an ACK, but received packet: ${describePacket(received)}`)
    }
    this.ackNewLeader(h.sid, received.zxid)
    h.syncLimitCheck.start()
    h.readTimeoutMs = this.syncLimitMs
    if (this.phase === 'broadcast') return this.sendUptodate(nowMs, h)
    this.enterWaitingStage(nowMs, h, 'startup', !this.quorumFormed)
    this.establishIfReady(nowMs)
  }

  private readBroadcast(nowMs: number, h: LearnerHandler, received: QuorumPacket): void {
    h.tickOfNextAckDeadline = this.currentTick + this.ctx.timing.syncLimitTicks
    switch (received.type) {
      case PacketType.ACK:
        h.syncLimitCheck.ackReceived(received.zxid)
        return this.processAck(nowMs, h.sid, received.zxid)
      case PacketType.PING: {
        const touches = decodeTouches(received.data)
        if (touches.length > 0) this.ctx.emit({ kind: 'touchSessions', learner: h.sid, touches })
        return
      }
      case PacketType.REVALIDATE: {
        const { sessionId, timeoutMs } = decodeRevalidateRequest(received.data)
        return this.ctx.emit({ kind: 'revalidate', connection: h.connection, learner: h.sid, sessionId, timeoutMs })
      }
      case PacketType.REQUEST:
        return this.ctx.emit({ kind: 'learnerRequest', connection: h.connection, learner: h.sid, request: decodeRequestData(received.data, received.authinfo) })
      default:
        this.ctx.log('warn', `unexpected quorum packet, type: ${describePacket(received)}`)
    }
  }

  // ---- broadcast ----------------------------------------------------------------------------------------------

  /** `processAck` + `tryToCommit`: commit, in zxid order, every proposal a quorum (with us) has logged. */
  private processAck(nowMs: number, sid: number, zxid: bigint): void {
    if (!this.allowedToCommit) return
    if (this.phase !== 'broadcast' || isEpochStart(zxid) || this.outstanding.size === 0 || this.lastCommitted >= zxid) return
    const pending = this.outstanding.get(zxid)
    if (pending === undefined) {
      this.ctx.log('warn', `Trying to commit future proposal: zxid 0x${zxidHex(zxid)} from ${sid}`)
      return
    }
    pending.acks.add(sid)
    while (this.allowedToCommit) {
      const first = this.outstanding.values().next()
      if (first.done === true || !hasAllQuorums(first.value.acks, first.value.quorums)) return
      this.commit(nowMs, first.value)
    }
  }

  private commit(nowMs: number, pending: Outstanding): void {
    const { proposal } = pending
    this.outstanding.delete(proposal.zxid)
    this.lastCommitted = proposal.zxid
    if (pending.reconfig !== null) this.activate(nowMs, pending)
    else {
      const commit = packet(PacketType.COMMIT, proposal.zxid)
      let inform: QuorumPacket | null = null
      for (const h of this.handlers.values()) {
        if (!h.forwarding) continue
        if (h.observer) this.send(nowMs, h, (inform ??= packet(PacketType.INFORM, proposal.zxid, proposal.data)))
        else this.send(nowMs, h, commit)
      }
    }
    if (!this.ctx.db.applyNext(proposal.zxid)) throw new Error(`leader committed 0x${zxidHex(proposal.zxid)} out of log order`)
    const syncs = this.pendingSyncs.get(proposal.zxid)
    if (syncs === undefined) return
    this.pendingSyncs.delete(proposal.zxid)
    for (const connection of syncs) {
      const h = this.handlers.get(connection)
      if (h !== undefined) this.send(nowMs, h, packet(PacketType.SYNC, 0n))
    }
  }

  /**
   * A reconfig commits (`tryToCommit`): pick the designated leader, activate the new configuration here, then tell
   * followers (COMMITANDACTIVATE) and observers (INFORMANDACTIVATE) which leader to follow. A leader that is not
   * designated commits nothing more; its followers leave it for the designated one.
   */
  private activate(nowMs: number, pending: Outstanding): void {
    const next = pending.reconfig!
    const zxid = pending.proposal.zxid
    const designated = this.designatedLeader(next, pending.acks, zxid)
    this.pendingConfig = null
    this.ctx.activateConfig(next, designated, this.lastProposed)
    if (designated !== this.ctx.myId) {
      this.ctx.log('info', `Committing a reconfiguration (reconfigEnabled=true); this leader is not the designated leader anymore, setting allowedToCommit=false`)
      this.allowedToCommit = false
    }
    const leaderBytes = Buffer.alloc(8)
    leaderBytes.writeBigInt64BE(BigInt(designated))
    const commit = packet(PacketType.COMMITANDACTIVATE, zxid, leaderBytes)
    let inform: QuorumPacket | null = null
    for (const h of this.handlers.values()) {
      if (!h.forwarding) continue
      if (h.observer) this.send(nowMs, h, (inform ??= packet(PacketType.INFORMANDACTIVATE, zxid, Buffer.concat([leaderBytes, pending.proposal.data]))))
      else this.send(nowMs, h, commit)
    }
  }

  /**
   * `getDesignatedLeader`: we stay leader if we vote in the new configuration; otherwise one of the new voters that
   * acked the reconfig, preferring one that also acked the most of the proposals after it.
   */
  private designatedLeader(next: QuorumConfig, acks: ReadonlySet<number>, zxid: bigint): number {
    if (next.quorum.isVoter(this.ctx.myId)) return this.ctx.myId
    let candidates = [...acks].filter((sid) => sid !== this.ctx.myId && next.quorum.isVoter(sid)).sort((a, b) => a - b)
    let best = candidates[0]!
    for (let later = zxid + 1n; candidates.length > 1; later++) {
      const p = this.outstanding.get(later)
      if (p === undefined) break
      const remaining = candidates.filter((sid) => p.acks.has(sid))
      if (remaining.length === 0) break
      candidates = remaining
      best = candidates[0]!
    }
    return best
  }

  /** Every tickTime/2: every other time advance the tick and check we still have a synced quorum; ping. */
  private halfTick(nowMs: number): void {
    this.nextHalfTickMs = nowMs + this.ctx.timing.tickTimeMs / 2
    if (!this.tickSkip) this.currentTick++
    if (!this.tickSkip) {
      const synced = [this.ctx.myId]
      for (const h of this.handlers.values()) if (h.sid !== 0 && this.currentTick <= h.tickOfNextAckDeadline) synced.push(h.sid)
      if (!this.ctx.quorum.containsQuorum(synced) || (this.pendingConfig !== null && !this.pendingConfig.quorum.containsQuorum(synced))) {
        return this.shutdown(nowMs, `Not sufficient followers synced, only synced with sids: [ ${synced.join(',')} ]`)
      }
    }
    this.tickSkip = !this.tickSkip
    for (const h of [...this.handlers.values()]) this.ping(nowMs, h)
  }

  private ping(nowMs: number, h: LearnerHandler): void {
    if (!h.sendingStarted || h.stage === 'closed') return
    if (!h.syncLimitCheck.withinLimit(nowMs, this.syncLimitMs)) return this.close(h, 'Closing connection to peer due to transaction timeout.')
    this.send(nowMs, h, packet(PacketType.PING, this.lastProposed))
  }

  // ---- plumbing -----------------------------------------------------------------------------------------------

  private send(nowMs: number, h: LearnerHandler, message: QuorumPacket): void {
    if (message.type === PacketType.PROPOSAL) h.syncLimitCheck.proposalSent(message.zxid, nowMs)
    this.ctx.emit({ kind: 'sendToLearner', connection: h.connection, packet: message })
  }

  private close(h: LearnerHandler, reason: string): void {
    if (h.stage === 'closed') return
    this.ctx.log('warn', `Closing ${h.describe()}: ${reason}`)
    this.ctx.emit({ kind: 'closeLearnerConnection', connection: h.connection, reason })
    this.forget(h)
  }

  private forget(h: LearnerHandler): void {
    h.stage = 'closed'
    h.forwarding = false
    this.handlers.delete(h.connection)
  }

  private phaseTimeoutReason(): string {
    switch (this.phase) {
      case 'discovery':
        return 'Timeout while waiting for epoch from quorum'
      case 'ackEpoch':
        return 'Timeout while waiting for epoch to be acked by quorum'
      default:
        return `Timeout while waiting for NEWLEADER to be acked by quorum (only synced with sids: [ ${[...this.newLeaderAcks].join(',')} ])`
    }
  }
}

