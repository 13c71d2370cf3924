import {
  type ForwardedRequest,
  decodeDesignatedLeader,
  decodeInt,
  decodeRevalidateReply,
  encodeAckEpoch,
  encodeLearnerInfo,
  encodeRequestData,
  encodeRevalidateRequest,
  encodeTouches,
} from '../wire/learner-payloads'
import { type QuorumConfig, parseQuorumConfig, reconfigConfigOf } from '../membership'
import { PacketType } from '../wire/packet-type'
import type { Proposal } from '../wire/proposal-data'
import { type QuorumPacket, describePacket, packet } from '../wire/quorum-packet'
import { epochOf, makeZxid, zxidHex } from '../zxid'
import type { RoleContext } from './role-context'

/** Apache's `zookeeper.leaderConnectDelayDuringRetryMs`. */
export const LEADER_CONNECT_RETRY_DELAY_MS = 100
/** Apache tries to connect to the leader at most 5 times. */
export const LEADER_CONNECT_TRIES = 5

/**
 * Where a learner is with its leader (`Learner.connectToLeader`, `registerWithLeader`, `syncWithLeader`, then
 * `Follower.processPacket` / `Observer.processPacket`).
 */
export type LearnerStage = 'connecting' | 'leaderInfo' | 'sync' | 'broadcast' | 'closed'

interface Received {
  packet: QuorumPacket
  snapshot: unknown
}

/** A logged proposal a follower owes an ACK for: once durable, and once the leader said UPTODATE. */
interface OwedAck {
  zxid: bigint
  durable: boolean
}

/**
 * A follower or observer, sans IO. It connects to the leader chosen by the election, agrees on the epoch, syncs
 * (DIFF/TRUNC/SNAP, proposals and commits, NEWLEADER, UPTODATE), then logs, ACKs and applies in order.
 *
 * Steps Apache performs synchronously on disk before answering (accepting an epoch before ACKEPOCH; logging and
 * writing the current epoch before acknowledging NEWLEADER) block reading here until the persist is durable;
 * packets that arrive meanwhile wait in order, as they would in the socket.
 */
export class Learner {
  stage: LearnerStage = 'connecting'
  private attempt = -1
  private tries = 0
  private readonly connectStartMs: number
  private retryAtMs = Number.POSITIVE_INFINITY
  private readTimeoutMs: number
  private readDeadlineMs = Number.POSITIVE_INFINITY
  private blocked = false
  private readonly inbox: Received[] = []
  private newEpoch = -1n
  private syncStarted = false
  private newLeaderSeen = false
  private uptodate = false
  /** The configuration NEWLEADER carried (reconfig on): activated at UPTODATE. */
  private newLeaderConfig: QuorumConfig | null = null
  private readonly owedAcks: OwedAck[] = []
  private readonly touches = new Map<bigint, number>()
  private readonly pendingRevalidations = new Set<bigint>()

  constructor(
    private readonly ctx: RoleContext,
    nowMs: number,
    readonly leaderId: number,
    readonly observer: boolean,
  ) {
    this.connectStartMs = nowMs
    this.readTimeoutMs = ctx.timing.initLimitTicks * ctx.timing.tickTimeMs
    ctx.log('info', `${observer ? 'OBSERVING' : 'FOLLOWING'} leader ${leaderId}`)
    this.connect()
  }

  get epoch(): bigint {
    return this.newEpoch
  }

  get serving(): boolean {
    return this.uptodate && this.stage === 'broadcast'
  }

  get deadlineMs(): number {
    let deadline = this.retryAtMs
    if (this.stage === 'connecting') deadline = Math.min(deadline, this.connectStartMs + this.connectLimitMs)
    else if (!this.blocked && this.stage !== 'closed') deadline = Math.min(deadline, this.readDeadlineMs)
    return deadline
  }

  private get connectLimitMs(): number {
    return this.ctx.timing.connectToLeaderLimitTicks * this.ctx.timing.tickTimeMs
  }

  // ---- connecting ---------------------------------------------------------------------------------------------

  private connect(): void {
    this.tries++
    this.attempt = this.ctx.newConnectionAttempt()
    this.ctx.emit({ kind: 'connectToLeader', attempt: this.attempt, leader: this.leaderId })
  }

  leaderConnectFailed(nowMs: number, attempt: number): void {
    if (attempt !== this.attempt || this.stage !== 'connecting') return
    const remainingMs = this.connectStartMs + this.connectLimitMs - nowMs
    if (remainingMs <= LEADER_CONNECT_RETRY_DELAY_MS || this.tries >= LEADER_CONNECT_TRIES) {
      return this.fail(nowMs, `Failed connect to leader ${this.leaderId} after ${this.tries} tries`)
    }
    this.retryAtMs = nowMs + LEADER_CONNECT_RETRY_DELAY_MS
  }

  leaderConnected(nowMs: number, attempt: number): void {
    if (attempt !== this.attempt || this.stage !== 'connecting') return
    this.stage = 'leaderInfo'
    this.readDeadlineMs = nowMs + this.readTimeoutMs
    const type = this.observer ? PacketType.OBSERVERINFO : PacketType.FOLLOWERINFO
    this.send(packet(type, makeZxid(this.ctx.acceptedEpoch, 0n), encodeLearnerInfo(this.ctx.myId, this.ctx.configVersion)))
  }

  leaderDisconnected(nowMs: number, attempt: number): void {
    if (attempt !== this.attempt || this.stage === 'closed') return
    if (this.stage === 'leaderInfo') {
      // Closed before the leader said anything: as good as a refused connect (a leader still binding its port
      // behind a proxy or load balancer looks like this). Retry within the connect limits instead of re-electing.
      this.stage = 'connecting'
      return this.leaderConnectFailed(nowMs, attempt)
    }
    this.fail(nowMs, 'connection to the leader closed')
  }

  tick(nowMs: number): void {
    if (this.stage === 'closed') return
    if (nowMs >= this.retryAtMs) {
      this.retryAtMs = Number.POSITIVE_INFINITY
      this.connect()
      return
    }
    if (this.stage === 'connecting') {
      if (nowMs >= this.connectStartMs + this.connectLimitMs) this.fail(nowMs, 'connectToLeader exceeded on retries.')
      return
    }
    if (!this.blocked && nowMs >= this.readDeadlineMs) this.fail(nowMs, `Read timed out: nothing from leader ${this.leaderId} for ${this.readTimeoutMs} ms`)
  }

  // ---- reading ------------------------------------------------------------------------------------------------

  fromLeader(nowMs: number, attempt: number, received: QuorumPacket, snapshot?: unknown): void {
    if (attempt !== this.attempt || this.stage === 'closed' || this.stage === 'connecting') return
    if (this.blocked) {
      this.inbox.push({ packet: received, snapshot })
      return
    }
    this.read(nowMs, received, snapshot)
  }

  private read(nowMs: number, received: QuorumPacket, snapshot: unknown): void {
    this.readDeadlineMs = nowMs + this.readTimeoutMs
    try {
      switch (this.stage) {
        case 'leaderInfo':
          return this.readLeaderInfo(nowMs, received)
        case 'sync':
          return this.readSync(nowMs, received, snapshot)
        case 'broadcast':
          return this.observer ? this.readObserved(nowMs, received) : this.readFollowed(nowMs, received)
        default:
          return
      }
    } catch (error) {
      this.fail(nowMs, `bad ${describePacket(received)} from leader: ${(error as Error).message}`)
    }
  }

  /** Waits for our own disk (Apache does these writes synchronously before reading on). */
  private block(): void {
    this.blocked = true
  }

  private unblock(nowMs: number): void {
    this.blocked = false
    this.readDeadlineMs = nowMs + this.readTimeoutMs
    while (!this.blocked && this.inbox.length > 0 && this.stage !== 'closed') {
      const next = this.inbox.shift()!
      this.read(nowMs, next.packet, next.snapshot)
    }
  }

  /** `registerWithLeader`: accept the leader's epoch (persisting it first) and report where we are. */
  private readLeaderInfo(nowMs: number, received: QuorumPacket): void {
    if (received.type !== PacketType.LEADERINFO) {
      return this.fail(nowMs, `First packet should have been LEADERINFO, got ${describePacket(received)}`)
    }
    decodeInt(received.data, 'LEADERINFO')
    this.newEpoch = epochOf(received.zxid)
    const acceptedEpoch = this.ctx.acceptedEpoch
    if (this.newEpoch > acceptedEpoch) {
      const currentEpoch = this.ctx.currentEpoch
      this.block()
      this.ctx.setAcceptedEpoch(this.newEpoch, (durableMs) => {
        if (this.stage === 'closed') return
        this.sendAckEpoch(currentEpoch)
        this.unblock(durableMs)
      })
    } else if (this.newEpoch === acceptedEpoch) {
      // Already promised this epoch (to this leader, earlier): say where we are, but it is not a fresh promise.
      this.sendAckEpoch(-1)
    } else {
      this.fail(nowMs, `Leaders epoch, ${this.newEpoch} is less than accepted epoch, ${acceptedEpoch}`)
    }
  }

  private sendAckEpoch(currentEpoch: bigint | -1): void {
    this.send(packet(PacketType.ACKEPOCH, this.ctx.db.lastProcessedZxid, encodeAckEpoch(currentEpoch)))
    this.stage = 'sync'
  }

  /** `syncWithLeader`: DIFF/TRUNC/SNAP first, then proposals and commits until NEWLEADER and UPTODATE. */
  private readSync(nowMs: number, received: QuorumPacket, snapshot: unknown): void {
    if (!this.syncStarted) return this.startSync(nowMs, received, snapshot)
    switch (received.type) {
      case PacketType.PROPOSAL:
        return this.logProposal(received)
      case PacketType.COMMIT:
        return this.commit(nowMs, received.zxid)
      case PacketType.COMMITANDACTIVATE:
        return this.commitAndActivate(nowMs, received)
      case PacketType.INFORM:
        return this.informed(received.zxid, received.data)
      case PacketType.INFORMANDACTIVATE:
        return this.informAndActivate(nowMs, received)
      case PacketType.NEWLEADER:
        if (this.ctx.reconfigEnabled && received.data !== null && received.data.length > 1) {
          this.newLeaderConfig = parseQuorumConfig(received.data.toString('utf8'))
        }
        return this.newLeader()
      case PacketType.UPTODATE:
        if (!this.newLeaderSeen) return this.fail(nowMs, 'UPTODATE before NEWLEADER: pre-Zab-1.0 leaders are not supported')
        if (this.newLeaderConfig !== null && this.ctx.activateConfig(this.newLeaderConfig, null, null)) {
          return this.fail(nowMs, 'changes proposed in reconfig')
        }
        return this.upToDate()
      default:
        return
    }
  }

  private startSync(nowMs: number, received: QuorumPacket, snapshot: unknown): void {
    switch (received.type) {
      case PacketType.DIFF:
        this.ctx.log('info', `Getting a diff from the leader 0x${zxidHex(received.zxid)}`)
        break
      case PacketType.SNAP:
        if (snapshot === undefined) return this.fail(nowMs, 'SNAP without a snapshot body')
        this.ctx.log('info', `Getting a snapshot from leader 0x${zxidHex(received.zxid)}`)
        this.ctx.db.installSnapshot(received.zxid, snapshot)
        break
      case PacketType.TRUNC:
        this.ctx.log('warn', `Truncating log to get in sync with the leader 0x${zxidHex(received.zxid)}`)
        this.ctx.db.truncate(received.zxid)
        break
      default:
        return this.fail(nowMs, `Got unexpected packet from leader: ${describePacket(received)}`)
    }
    this.syncStarted = true
  }

  /** NEWLEADER: once everything received is on disk and the new epoch is our current epoch, acknowledge. */
  private newLeader(): void {
    if (this.newLeaderSeen) return
    this.newLeaderSeen = true
    this.block()
    this.ctx.setCurrentEpoch(this.newEpoch, (durableMs) => {
      if (this.stage === 'closed') return
      this.send(packet(PacketType.ACK, makeZxid(this.newEpoch, 0n)))
      this.readTimeoutMs = this.ctx.timing.syncLimitTicks * this.ctx.timing.tickTimeMs
      this.unblock(durableMs)
    })
  }

  private upToDate(): void {
    this.send(packet(PacketType.ACK, makeZxid(this.newEpoch, 0n)))
    this.uptodate = true
    this.stage = 'broadcast'
    this.ctx.log('info', `Learner received UPTODATE: serving epoch ${this.newEpoch}`)
    this.ctx.updateElectionVote(this.newEpoch)
    this.ctx.setServing(true, this.newEpoch)
    this.flushAcks()
  }

  /** `Follower.processPacket` after sync. */
  private readFollowed(nowMs: number, received: QuorumPacket): void {
    switch (received.type) {
      case PacketType.PING:
        return this.answerPing(received)
      case PacketType.PROPOSAL:
        return this.logProposal(received)
      case PacketType.COMMIT:
        return this.commit(nowMs, received.zxid)
      case PacketType.COMMITANDACTIVATE:
        return this.commitAndActivate(nowMs, received)
      default:
        return this.readCommon(received)
    }
  }

  /** `Observer.processPacket` after sync. */
  private readObserved(nowMs: number, received: QuorumPacket): void {
    switch (received.type) {
      case PacketType.PING:
        return this.answerPing(received)
      case PacketType.INFORM:
        return this.informed(received.zxid, received.data)
      case PacketType.INFORMANDACTIVATE:
        return this.informAndActivate(nowMs, received)
      case PacketType.PROPOSAL:
        return this.ctx.log('warn', 'Ignoring proposal')
      case PacketType.COMMIT:
        return this.ctx.log('warn', 'Ignoring commit')
      default:
        return this.readCommon(received)
    }
  }

  private readCommon(received: QuorumPacket): void {
    switch (received.type) {
      case PacketType.UPTODATE:
        return this.ctx.log('error', 'Received an UPTODATE message after Follower started')
      case PacketType.REVALIDATE: {
        const { sessionId, valid } = decodeRevalidateReply(received.data)
        if (!this.pendingRevalidations.delete(sessionId)) return this.ctx.log('warn', `Missing session 0x${zxidHex(sessionId)} for validation`)
        return this.ctx.emit({ kind: 'revalidated', sessionId, valid })
      }
      case PacketType.SYNC:
        return this.ctx.emit({ kind: 'syncDone' })
      default:
        return this.ctx.log('warn', `Unknown packet type: ${describePacket(received)}`)
    }
  }

  // ---- the log ------------------------------------------------------------------------------------------------

  private logProposal(received: QuorumPacket): void {
    const { db } = this.ctx
    if (received.data === null) throw new Error('PROPOSAL without data')
    if (received.zxid <= db.lastLoggedZxid) throw new Error(`proposal 0x${zxidHex(received.zxid)} is not after our last zxid 0x${zxidHex(db.lastLoggedZxid)}`)
    const owed: OwedAck | null = this.observer ? null : { zxid: received.zxid, durable: false }
    if (owed !== null) this.owedAcks.push(owed)
    db.append({ zxid: received.zxid, data: received.data }, () => {
      if (owed === null) return
      owed.durable = true
      this.flushAcks()
    })
  }

  /** `FollowerZooKeeperServer.commit`: the COMMIT must match the oldest pending proposal. */
  private commit(nowMs: number, zxid: bigint): void {
    const { db } = this.ctx
    if (db.applyNext(zxid)) return
    const next = db.nextUnapplied()
    if (next === undefined) return this.ctx.log('warn', `Committing 0x${zxidHex(zxid)} without seeing txn`)
    this.fail(nowMs, `Committing zxid 0x${zxidHex(zxid)} but next pending txn 0x${zxidHex(next.zxid)}`)
  }

  /**
   * COMMITANDACTIVATE: activate the configuration of the pending reconfig (with the leader the old leader designated),
   * then commit it. A changed role or leader ends this role (Apache throws "changes proposed in reconfig").
   */
  private commitAndActivate(nowMs: number, received: QuorumPacket): void {
    const { leader } = decodeDesignatedLeader(received.data)
    const next = this.ctx.db.nextUnapplied()
    const config = next !== undefined && next.zxid === received.zxid ? configOf(next) : null
    const major = config !== null && this.ctx.activateConfig(config, Number(leader), received.zxid)
    this.commit(nowMs, received.zxid)
    if (major && this.stage !== 'closed') this.fail(nowMs, 'changes proposed in reconfig')
  }

  /** INFORMANDACTIVATE (observers): apply the reconfig, then activate its configuration as COMMITANDACTIVATE does. */
  private informAndActivate(nowMs: number, received: QuorumPacket): void {
    const { leader, rest } = decodeDesignatedLeader(received.data)
    this.informed(received.zxid, rest)
    const config = configOf({ zxid: received.zxid, data: rest })
    if (config !== null && this.ctx.activateConfig(config, Number(leader), received.zxid)) this.fail(nowMs, 'changes proposed in reconfig')
  }

  /** INFORM (observers): an already committed transaction; log it and apply it. */
  private informed(zxid: bigint, data: Buffer | null): void {
    const { db } = this.ctx
    if (data === null) throw new Error('INFORM without data')
    if (zxid <= db.lastLoggedZxid) throw new Error(`inform 0x${zxidHex(zxid)} is not after our last zxid 0x${zxidHex(db.lastLoggedZxid)}`)
    db.append({ zxid, data })
    db.applyNext(zxid)
  }

  /** ACK durable proposals in order, but only once UPTODATE came (Apache acks the sync backlog after it). */
  private flushAcks(): void {
    if (!this.uptodate || this.stage === 'closed') return
    while (this.owedAcks.length > 0 && this.owedAcks[0]!.durable) {
      this.send(packet(PacketType.ACK, this.owedAcks.shift()!.zxid))
    }
  }

  private answerPing(received: QuorumPacket): void {
    const touches = encodeTouches([...this.touches].map(([sessionId, timeoutMs]) => ({ sessionId, timeoutMs })))
    this.touches.clear()
    this.send({ type: PacketType.PING, zxid: received.zxid, data: touches, authinfo: received.authinfo })
  }

  // ---- host requests ------------------------------------------------------------------------------------------

  /** Forwards a client write or sync; false when not serving (the host must not accept writes then). */
  forwardRequest(request: ForwardedRequest): boolean {
    if (!this.serving) return false
    this.send({ type: PacketType.REQUEST, zxid: -1n, data: encodeRequestData(request), authinfo: request.authinfo })
    return true
  }

  touchSession(sessionId: bigint, timeoutMs: number): void {
    this.touches.set(sessionId, timeoutMs)
  }

  revalidateSession(sessionId: bigint, timeoutMs: number): boolean {
    if (!this.serving) return false
    this.pendingRevalidations.add(sessionId)
    this.send(packet(PacketType.REVALIDATE, -1n, encodeRevalidateRequest(sessionId, timeoutMs)))
    return true
  }

  // ---- plumbing -----------------------------------------------------------------------------------------------

  private send(message: QuorumPacket): void {
    this.ctx.emit({ kind: 'sendToLeader', attempt: this.attempt, packet: message })
  }

  private fail(nowMs: number, reason: string): void {
    this.shutdown(nowMs, reason)
  }

  shutdown(nowMs: number, reason: string, notify = true): void {
    if (this.stage === 'closed') return
    const wasServing = this.serving
    this.stage = 'closed'
    this.retryAtMs = Number.POSITIVE_INFINITY
    this.ctx.log('warn', `Exception when ${this.observer ? 'observing' : 'following'} the leader: ${reason}`)
    this.ctx.emit({ kind: 'closeLeaderConnection', attempt: this.attempt, reason })
    if (wasServing) this.ctx.setServing(false, this.newEpoch)
    if (notify) this.ctx.roleEnded(nowMs, reason)
  }
}

/** The configuration a reconfig proposal carries; null for any other txn (or with reconfig off: never activated). */
function configOf(proposal: Proposal): QuorumConfig | null {
  try {
    return reconfigConfigOf(proposal)
  } catch {
    return null
  }
}
