import type { MajorityQuorum } from '../quorum-verifier'
import { type Notification, ServerState } from '../wire/notification'
import { LONG_MIN, zxidHex } from '../zxid'
import { type Vote, describeVote, totalOrderPredicate, vote, votesEqual } from './vote'

/**
 * Apache's fast leader election (`FastLeaderElection.lookForLeader`) as a pure state machine: notifications and
 * timer ticks in; notifications out and, eventually, a decision. One instance lives as long as the member (its
 * logical clock survives rounds); `start` begins a round each time the member turns LOOKING.
 *
 * What the owner does around it (Apache's WorkerReceiver, answering peers that are behind or out of the election)
 * lives in the peer, which knows the member's state and current vote.
 */

export interface ElectionOptions {
  myId: number
  quorum: MajorityQuorum
  /** LearnerType PARTICIPANT; an observer runs the election too but proposes Long.MIN_VALUE and can never win. */
  participant: boolean
  /** `finalizeWait`: how long to keep listening for a better vote once a quorum agrees. Apache: 200 ms. */
  finalizeWaitMs: number
  /** `zookeeper.fastleader.minNotificationInterval` (200 ms): the first wait before re-sending notifications. */
  minNotificationIntervalMs: number
  /** `zookeeper.fastleader.maxNotificationInterval` (60 000 ms): the backoff ceiling. */
  maxNotificationIntervalMs: number
}

export type ElectionTiming = Pick<ElectionOptions, 'finalizeWaitMs' | 'minNotificationIntervalMs' | 'maxNotificationIntervalMs'>

export const DEFAULT_ELECTION_TIMING: Readonly<ElectionTiming> = {
  finalizeWaitMs: 200,
  minNotificationIntervalMs: 200,
  maxNotificationIntervalMs: 60_000,
}

/** The proposal a notification carries. */
export interface ProposedVote {
  leader: bigint
  zxid: bigint
  electionEpoch: bigint
  peerEpoch: bigint
}

export interface ElectionContext {
  /** Queue a LOOKING notification for `to` (which may be this member itself: Apache loops those back). */
  sendNotification(to: number, proposal: ProposedVote): void
  log(message: string): void
}

export interface ElectionDecision {
  state: typeof ServerState.LEADING | typeof ServerState.FOLLOWING | typeof ServerState.OBSERVING
  /** The vote the member keeps as its current vote (what it tells peers that ask later). */
  vote: Vote
}

export class FastLeaderElection {
  /** The election round (`logicalclock`). */
  logicalClock = 0n
  private proposedLeader = -1n
  private proposedZxid = -1n
  private proposedEpoch = -1n
  private initialId = -1n
  private initialZxid = -1n
  private initialEpoch = -1n
  /** Votes of this round, by sender (`recvset`). */
  private readonly received = new Map<number, Vote>()
  /** FOLLOWING/LEADING votes of any round (`outofelection`): lets a late joiner find the established leader. */
  private readonly outOfElection = new Map<number, Vote>()
  private running = false
  private notificationTimeoutMs: number
  private pollDeadlineMs = Number.POSITIVE_INFINITY
  /** Set while draining for finalizeWait after a quorum agreed with our proposal. */
  private finalizeDeadlineMs: number | null = null

  constructor(
    private readonly options: ElectionOptions,
    private readonly context: ElectionContext,
  ) {
    this.notificationTimeoutMs = options.minNotificationIntervalMs
  }

  get isRunning(): boolean {
    return this.running
  }

  /** When `tick` next has something to do, or null when no round is running. */
  get deadlineMs(): number | null {
    if (!this.running) return null
    return this.finalizeDeadlineMs ?? this.pollDeadlineMs
  }

  /** `getVote()`: the current proposal (electionEpoch -1, as Apache's 3-argument Vote). */
  proposal(): Vote {
    return vote(this.proposedLeader, this.proposedZxid, -1n, this.proposedEpoch)
  }

  /** Begins a round: next logical clock, vote for ourselves, tell every voter. */
  start(nowMs: number, lastLoggedZxid: bigint, currentEpoch: bigint): void {
    const { myId, quorum, participant } = this.options
    this.received.clear()
    this.outOfElection.clear()
    this.notificationTimeoutMs = this.options.minNotificationIntervalMs
    this.initialId = quorum.isVoter(myId) ? BigInt(myId) : LONG_MIN
    this.initialZxid = participant ? lastLoggedZxid : LONG_MIN
    this.initialEpoch = participant ? currentEpoch : LONG_MIN
    this.logicalClock++
    this.updateProposal(this.initialId, this.initialZxid, this.initialEpoch)
    this.context.log(`New election. My id = ${myId}, proposed zxid=0x${zxidHex(this.proposedZxid)}`)
    this.running = true
    this.finalizeDeadlineMs = null
    this.pollDeadlineMs = nowMs + this.notificationTimeoutMs
    this.sendNotifications()
  }

  /** Ends the round without a decision (the member shuts down). */
  stop(): void {
    this.running = false
    this.finalizeDeadlineMs = null
  }

  /** A notification from voter or observer `from`, taken off the receive queue. */
  receive(nowMs: number, from: number, n: Notification): ElectionDecision | null {
    if (!this.running) return null
    if (this.finalizeDeadlineMs !== null) {
      // Draining during finalizeWait: anything that does not beat our proposal is consumed and dropped.
      if (!totalOrderPredicate(n.leader, n.zxid, n.peerEpoch, this.proposedLeader, this.proposedZxid, this.proposedEpoch)) {
        this.finalizeDeadlineMs = nowMs + this.options.finalizeWaitMs
        return null
      }
      this.finalizeDeadlineMs = null
    }
    this.pollDeadlineMs = nowMs + this.notificationTimeoutMs
    const { quorum } = this.options
    if (!quorum.isVoter(from) || !quorum.isVoter(n.leader)) {
      this.context.log(`Ignoring notification for sid ${n.leader} from sid ${from}: not both voters`)
      return null
    }
    switch (n.state) {
      case ServerState.LOOKING:
        this.receiveLooking(nowMs, from, n)
        return null
      case ServerState.OBSERVING:
        return null
      case ServerState.FOLLOWING:
      case ServerState.LEADING:
        return this.receiveOutOfElection(from, n)
    }
  }

  /** Timer: finish after finalizeWait, or re-send notifications and back off when nothing arrived. */
  tick(nowMs: number): ElectionDecision | null {
    if (!this.running) return null
    if (this.finalizeDeadlineMs !== null) {
      if (nowMs < this.finalizeDeadlineMs) return null
      return this.finish(this.proposedLeader, vote(this.proposedLeader, this.proposedZxid, this.logicalClock, this.proposedEpoch))
    }
    if (nowMs < this.pollDeadlineMs) return null
    this.sendNotifications()
    this.notificationTimeoutMs = Math.min(this.notificationTimeoutMs * 2, this.options.maxNotificationIntervalMs)
    this.pollDeadlineMs = nowMs + this.notificationTimeoutMs
    this.context.log(`Notification time out: ${this.notificationTimeoutMs} ms`)
    return null
  }

  private receiveLooking(nowMs: number, from: number, n: Notification): void {
    if (this.initialZxid === -1n || n.zxid === -1n) return
    if (n.electionEpoch > this.logicalClock) {
      this.logicalClock = n.electionEpoch
      this.received.clear()
      if (totalOrderPredicate(n.leader, n.zxid, n.peerEpoch, this.initialId, this.initialZxid, this.initialEpoch)) {
        this.updateProposal(n.leader, n.zxid, n.peerEpoch)
      } else {
        this.updateProposal(this.initialId, this.initialZxid, this.initialEpoch)
      }
      this.sendNotifications()
    } else if (n.electionEpoch < this.logicalClock) {
      return
    } else if (totalOrderPredicate(n.leader, n.zxid, n.peerEpoch, this.proposedLeader, this.proposedZxid, this.proposedEpoch)) {
      this.updateProposal(n.leader, n.zxid, n.peerEpoch)
      this.sendNotifications()
    }
    this.received.set(from, vote(n.leader, n.zxid, n.electionEpoch, n.peerEpoch))
    const mine = vote(this.proposedLeader, this.proposedZxid, this.logicalClock, this.proposedEpoch)
    if (this.agreeingQuorum(this.received, mine)) this.finalizeDeadlineMs = nowMs + this.options.finalizeWaitMs
  }

  /** `receivedFollowingNotification` (LEADING adds only the oracle, which majority quorums never need). */
  private receiveOutOfElection(from: number, n: Notification): ElectionDecision | null {
    const theirs = vote(n.leader, n.zxid, n.electionEpoch, n.peerEpoch, n.state, n.version)
    const endVote = vote(n.leader, n.zxid, n.electionEpoch, n.peerEpoch)
    if (n.electionEpoch === this.logicalClock) {
      this.received.set(from, vote(n.leader, n.zxid, n.electionEpoch, n.peerEpoch, n.state))
      if (this.agreeingQuorum(this.received, theirs) && this.leaderConfirmed(this.received, n.leader, n.electionEpoch)) {
        return this.finish(n.leader, endVote)
      }
    }
    // Also counts votes of earlier rounds, so a member that arrives late joins the leader already in charge.
    this.outOfElection.set(from, theirs)
    if (this.agreeingQuorum(this.outOfElection, theirs) && this.leaderConfirmed(this.outOfElection, n.leader, n.electionEpoch)) {
      this.logicalClock = n.electionEpoch
      return this.finish(n.leader, endVote)
    }
    return null
  }

  /** `checkLeader`: someone else must have told us it is LEADING; if it is us, the round must be ours. */
  private leaderConfirmed(votes: ReadonlyMap<number, Vote>, leader: bigint, electionEpoch: bigint): boolean {
    if (leader !== BigInt(this.options.myId)) return votes.get(Number(leader))?.state === ServerState.LEADING
    return this.logicalClock === electionEpoch
  }

  /** `getVoteTracker(...).hasAllQuorums()`: do the senders of votes equal to `candidate` form a quorum? */
  private agreeingQuorum(votes: ReadonlyMap<number, Vote>, candidate: Vote): boolean {
    const agreeing: number[] = []
    for (const [sid, v] of votes) if (votesEqual(candidate, v)) agreeing.push(sid)
    return this.options.quorum.containsQuorum(agreeing)
  }

  private finish(leader: bigint, endVote: Vote): ElectionDecision {
    this.running = false
    this.finalizeDeadlineMs = null
    const state =
      leader === BigInt(this.options.myId) ? ServerState.LEADING : this.options.participant ? ServerState.FOLLOWING : ServerState.OBSERVING
    this.context.log(`Election decided: ${describeVote(endVote)} in round 0x${zxidHex(this.logicalClock)}`)
    return { state, vote: endVote }
  }

  private updateProposal(leader: bigint, zxid: bigint, epoch: bigint): void {
    this.proposedLeader = leader
    this.proposedZxid = zxid
    this.proposedEpoch = epoch
  }

  private sendNotifications(): void {
    const proposal: ProposedVote = {
      leader: this.proposedLeader,
      zxid: this.proposedZxid,
      electionEpoch: this.logicalClock,
      peerEpoch: this.proposedEpoch,
    }
    for (const sid of this.options.quorum.voters) this.context.sendNotification(sid, proposal)
  }
}
