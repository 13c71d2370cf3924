/**
 * Majority quorums (`QuorumMaj`): participants vote, observers never do. A set of voters is a quorum when it holds
 * more than half of all voters. Hierarchical quorums (group/weight) are not supported.
 */
export class MajorityQuorum {
  readonly voters: ReadonlySet<number>
  readonly observers: ReadonlySet<number>
  private readonly half: number

  constructor(voters: Iterable<number>, observers: Iterable<number> = []) {
    this.voters = new Set(voters)
    this.observers = new Set(observers)
    for (const id of this.observers) {
      if (this.voters.has(id)) throw new Error(`server ${id} cannot be both a participant and an observer`)
    }
    if (this.voters.size === 0) throw new Error('a quorum needs at least one participant')
    this.half = Math.floor(this.voters.size / 2)
  }

  isVoter(sid: number | bigint): boolean {
    if (typeof sid === 'bigint') {
      if (sid < 0n || sid > BigInt(Number.MAX_SAFE_INTEGER)) return false
      sid = Number(sid)
    }
    return this.voters.has(sid)
  }

  isMember(sid: number): boolean {
    return this.voters.has(sid) || this.observers.has(sid)
  }

  /** Apache's `containsQuorum`: counts only the voters in `ids` (callers there pre-filter; we filter here). */
  containsQuorum(ids: Iterable<number>): boolean {
    let count = 0
    for (const id of ids) if (this.voters.has(id)) count++
    return count > this.half
  }

  /** The smallest number of voters that makes a quorum. */
  get quorumSize(): number {
    return this.half + 1
  }
}
