import type { Proposal } from '../wire/proposal-data'
import { zxidHex } from '../zxid'
import { CommittedLog } from './committed-log'
import type { OnDurable, Outbox } from './outbox'

/**
 * A member's bookkeeping of its own database, as the quorum machines see it (the host holds the data):
 *
 * - the txn log: `lastLoggedZxid` is the last zxid appended (durable or on its way; the host writes in order);
 * - the tree: `lastAppliedZxid`, and Apache's `lastProcessedZxid`, which a new leader raises to `epoch << 32` and a
 *   SNAP sets to the leader's zxid (it is the zxid the member offers in elections and ACKEPOCH);
 * - proposals logged but not yet applied, in order (a follower's `pendingTxns`, a leader's outstanding proposals);
 * - the committed-log window a leader syncs learners from.
 *
 * Whenever a member leaves a role it applies what it has logged (`fastForward`, as Apache's
 * `ZKDatabase.fastForwardDataBase` does on shutdown), so between roles tree and log agree.
 */
export class ReplicaLog {
  lastLoggedZxid: bigint
  lastAppliedZxid: bigint
  lastProcessedZxid: bigint
  readonly window: CommittedLog
  private unapplied: Proposal[] = []
  private unappliedHead = 0

  constructor(
    private readonly outbox: Outbox,
    restored: { lastLoggedZxid: bigint; recentProposals: readonly Proposal[] },
    commitLogCount: number,
  ) {
    this.lastLoggedZxid = restored.lastLoggedZxid
    this.lastAppliedZxid = restored.lastLoggedZxid
    this.lastProcessedZxid = restored.lastLoggedZxid
    this.window = new CommittedLog(commitLogCount)
    for (const proposal of restored.recentProposals) this.window.add(proposal)
  }

  get unappliedCount(): number {
    return this.unapplied.length - this.unappliedHead
  }

  /** The oldest logged-but-unapplied proposal. */
  nextUnapplied(): Proposal | undefined {
    return this.unapplied[this.unappliedHead]
  }

  /** Logs a proposal. Zxids only grow: anything else is a protocol violation the caller must have refused. */
  append(proposal: Proposal, onDurable?: OnDurable): number {
    if (proposal.zxid <= this.lastLoggedZxid) {
      throw new Error(`append of 0x${zxidHex(proposal.zxid)} after 0x${zxidHex(this.lastLoggedZxid)}`)
    }
    this.lastLoggedZxid = proposal.zxid
    this.unapplied.push(proposal)
    return this.outbox.persist({ op: 'append', proposal }, onDurable)
  }

  /** Applies the oldest unapplied proposal, which must be `zxid`; returns false (doing nothing) when it is not. */
  applyNext(zxid: bigint): boolean {
    const next = this.unapplied[this.unappliedHead]
    if (next === undefined || next.zxid !== zxid) return false
    this.unappliedHead++
    if (this.unappliedHead > 1024 && this.unappliedHead * 2 > this.unapplied.length) {
      this.unapplied = this.unapplied.slice(this.unappliedHead)
      this.unappliedHead = 0
    }
    this.applied(next)
    return true
  }

  /** Applies everything logged (leaving a role). */
  fastForward(): number {
    let count = 0
    while (this.unappliedHead < this.unapplied.length) {
      this.applied(this.unapplied[this.unappliedHead++]!)
      count++
    }
    this.unapplied = []
    this.unappliedHead = 0
    return count
  }

  /** TRUNC: the log ends at `zxid`; the host rebuilds the tree if it had applied beyond. */
  truncate(zxid: bigint, onDurable?: OnDurable): number {
    this.unapplied = this.unapplied.slice(this.unappliedHead).filter((proposal) => proposal.zxid <= zxid)
    this.unappliedHead = 0
    this.window.truncateAfter(zxid)
    this.lastLoggedZxid = zxid
    if (this.lastAppliedZxid > zxid) this.lastAppliedZxid = zxid
    this.lastProcessedZxid = zxid
    return this.outbox.persist({ op: 'truncate', zxid }, onDurable)
  }

  /** SNAP: the tree becomes the leader's snapshot at `zxid`; log and window start afresh from there. */
  installSnapshot(zxid: bigint, snapshot: unknown, onDurable?: OnDurable): number {
    this.unapplied = []
    this.unappliedHead = 0
    this.window.clear()
    this.lastLoggedZxid = zxid
    this.lastAppliedZxid = zxid
    this.lastProcessedZxid = zxid
    return this.outbox.persist({ op: 'snapshot', zxid, snapshot }, onDurable)
  }

  private applied(proposal: Proposal): void {
    this.outbox.emit({ kind: 'apply', proposal })
    this.window.add(proposal)
    this.lastAppliedZxid = proposal.zxid
    if (proposal.zxid > this.lastProcessedZxid) this.lastProcessedZxid = proposal.zxid
  }
}
