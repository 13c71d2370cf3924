import type { TreeEntry } from './sim-tree'

const hex = (zxid: bigint): string => `0x${BigInt.asUintN(64, zxid).toString(16)}`
const same = (a: TreeEntry | undefined, b: TreeEntry | undefined): boolean => a !== undefined && b !== undefined && a.zxid === b.zxid && a.id === b.id

/**
 * ZAB's safety properties, checked as the simulation runs:
 *
 * 1. At most one leader is established per epoch.
 * 2. The committed history is one sequence (`canon`): a leader's commits extend it in zxid order, and a newly
 *    established leader's history must contain all of it (no committed transaction is ever lost) and then becomes
 *    committed itself (a quorum has logged it).
 * 3. A member that serves clients holds a prefix of that sequence, and every transaction it applies while serving
 *    is the next one in it (same zxid order everywhere, no divergence).
 * 4. Each member applies in increasing zxid order (until a TRUNC or SNAP rewinds it).
 * 5. A sync completes only after the member has applied every txn the leader had logged before it.
 * 6. Sessions and ephemerals: no member ever applies an ephemeral create for a session it does not hold open, once a
 *    member applied a session's closeSession it holds none of that session's ephemerals, and every txn a member
 *    applies succeeds exactly as the leader's prep said it would (an error txn, or a change that applies cleanly).
 *
 * At the end (after faults heal) `checkConverged` demands liveness: one established leader, everyone serving in
 * its epoch, new writes committed after the heal, and every member's tree equal to the committed history.
 */
export class Checker {
  readonly canon: TreeEntry[] = []
  /** When each canon entry became committed (simulated ms): the end of its linearization interval. */
  readonly canonCommittedMs: number[] = []
  private readonly canonIndex = new Map<bigint, number>()
  private readonly leaderOfEpoch = new Map<bigint, number>()
  readonly violations: string[] = []
  acknowledgedWrites = 0
  establishedLeaders = 0
  staleEstablishments = 0
  private highestEpoch = -1n

  constructor(private readonly nowMs: () => number) {}

  private violation(message: string): void {
    this.violations.push(`t=${this.nowMs().toFixed(1)}ms ${message}`)
  }

  /** A leader became established for `epoch` with `history` (its whole tree, which equals its log). */
  leaderEstablished(member: number, epoch: bigint, history: readonly TreeEntry[]): void {
    this.establishedLeaders++
    const previous = this.leaderOfEpoch.get(epoch)
    if (previous !== undefined && previous !== member) this.violation(`two leaders established in epoch ${epoch}: ${previous} and ${member}`)
    this.leaderOfEpoch.set(epoch, member)
    if (epoch < this.highestEpoch) {
      // Its NEWLEADER quorum formed long ago, but its own disk was slow: by now its followers have moved on to a
      // newer epoch, so it can commit nothing. Its history must still agree with what was committed.
      this.staleEstablishments++
      return this.checkAgreement(member, history, `late leader of epoch ${epoch}`)
    }
    this.highestEpoch = epoch
    for (let i = 0; i < this.canon.length; i++) {
      if (!same(history[i], this.canon[i])) {
        const expected = this.canon[i]!
        const found = history[i]
        return this.violation(
          `leader ${member} of epoch ${epoch} lacks committed txn #${i} ${hex(expected.zxid)} (txn ${expected.id}): ` +
            (found === undefined ? `its history ends at #${history.length}` : `has ${hex(found.zxid)} (txn ${found.id})`),
        )
      }
    }
    for (let i = this.canon.length; i < history.length; i++) this.extend(member, history[i]!)
  }

  /** An established leader committed (and applied) a transaction: acknowledged to its client. */
  leaderCommitted(member: number, entry: TreeEntry): void {
    this.acknowledgedWrites++
    const index = this.canonIndex.get(entry.zxid)
    if (index !== undefined) {
      if (!same(this.canon[index], entry)) this.violation(`leader ${member} committed ${hex(entry.zxid)} (txn ${entry.id}) but the committed one is txn ${this.canon[index]!.id}`)
      return
    }
    this.extend(member, entry)
  }

  private extend(member: number, entry: TreeEntry): void {
    const last = this.canon[this.canon.length - 1]
    if (last !== undefined && entry.zxid <= last.zxid) {
      return this.violation(`member ${member} commits ${hex(entry.zxid)} after the committed ${hex(last.zxid)}: out of order`)
    }
    this.canonIndex.set(entry.zxid, this.canon.length)
    this.canon.push(entry)
    this.canonCommittedMs.push(this.nowMs())
  }

  /** The position of a committed zxid in the committed history, if it is there. */
  indexOfCommitted(zxid: bigint): number | undefined {
    return this.canonIndex.get(zxid)
  }

  /** The newest epoch a leader was established in (-1 before any): a leader of an older one is deposed. */
  get newestEpoch(): bigint {
    return this.highestEpoch
  }

  /** A learner started serving (UPTODATE): its whole state must be committed history. */
  learnerServing(member: number, tree: readonly TreeEntry[]): void {
    this.checkPrefix(member, tree, 'starts serving')
  }

  /** A serving member applied its newest entry. */
  servingApplied(member: number, tree: readonly TreeEntry[]): void {
    const index = tree.length - 1
    if (!same(tree[index], this.canon[index])) {
      const entry = tree[index]!
      const expected = this.canon[index]
      this.violation(
        `member ${member} applies #${index} ${hex(entry.zxid)} (txn ${entry.id}) while serving, ` +
          (expected === undefined ? 'beyond the committed history' : `committed is ${hex(expected.zxid)} (txn ${expected.id})`),
      )
    }
  }

  /** Any apply, serving or not: zxids must grow. */
  applied(member: number, previous: TreeEntry | undefined, entry: TreeEntry): void {
    if (previous !== undefined && entry.zxid <= previous.zxid) {
      this.violation(`member ${member} applies ${hex(entry.zxid)} after ${hex(previous.zxid)}`)
    }
  }

  /** A member applied a txn: `result` is what the tree said; anything but the txn's own verdict is a divergence. */
  txnApplied(member: number, entry: TreeEntry, result: number, expected: number): void {
    if (result !== expected) this.violation(`member ${member} applies txn ${entry.id} (${hex(entry.zxid)}, type ${entry.txn.header.type}) with result ${result}, prep meant ${expected}`)
  }

  /** An ephemeral create was applied: its owner must be a live session on that member. */
  ephemeralCreated(member: number, path: string, owner: bigint, ownerLive: boolean): void {
    if (!ownerLive) this.violation(`member ${member} creates ephemeral ${path} for session ${hex(owner)}, which it does not hold open (closed or never created)`)
  }

  /**
   * A closeSession was applied: nothing of that session may remain, and its txn must have listed every ephemeral
   * the member held for it (the leader's prep saw them all; Apache only logs a warning for the others).
   */
  sessionClosed(member: number, session: bigint, remaining: readonly string[], unlisted: readonly string[]): void {
    if (remaining.length > 0) this.violation(`member ${member} still has ephemerals [${remaining.join(', ')}] of session ${hex(session)} after applying its closeSession`)
    if (unlisted.length > 0) this.violation(`member ${member} held ephemerals [${unlisted.join(', ')}] of session ${hex(session)} that its closeSession txn does not list`)
  }

  syncCompleted(member: number, appliedZxid: bigint, requiredZxid: bigint): void {
    if (appliedZxid < requiredZxid) this.violation(`member ${member} completed a sync at ${hex(appliedZxid)} before the leader's ${hex(requiredZxid)}`)
  }

  /** Equal as far as both go. */
  private checkAgreement(member: number, tree: readonly TreeEntry[], who: string): void {
    const common = Math.min(tree.length, this.canon.length)
    for (let i = 0; i < common; i++) {
      if (!same(tree[i], this.canon[i])) {
        return this.violation(`${who} ${member} diverges at #${i}: ${hex(tree[i]!.zxid)} (txn ${tree[i]!.id}) vs committed ${hex(this.canon[i]!.zxid)} (txn ${this.canon[i]!.id})`)
      }
    }
  }

  private checkPrefix(member: number, tree: readonly TreeEntry[], when: string): void {
    if (tree.length > this.canon.length) {
      const extra = tree[this.canon.length]!
      return this.violation(`member ${member} ${when} with ${tree.length} txns, committed only ${this.canon.length} (extra ${hex(extra.zxid)} txn ${extra.id})`)
    }
    for (let i = 0; i < tree.length; i++) {
      if (!same(tree[i], this.canon[i])) {
        return this.violation(`member ${member} ${when} diverging at #${i}: ${hex(tree[i]!.zxid)} (txn ${tree[i]!.id}) vs committed ${hex(this.canon[i]!.zxid)} (txn ${this.canon[i]!.id})`)
      }
    }
  }

  /** Liveness and convergence once every fault has healed and the system had time to recover. */
  checkConverged(
    members: readonly { id: number; up: boolean; tree: readonly TreeEntry[]; servingEpoch: bigint | null; establishedLeader: boolean }[],
    committedAtHeal: number,
  ): void {
    const leaders = members.filter((m) => m.establishedLeader)
    if (leaders.length !== 1) return this.violation(`liveness: ${leaders.length} established leaders after recovery (want 1)`)
    const epoch = leaders[0]!.servingEpoch
    for (const m of members) {
      if (!m.up) this.violation(`liveness: member ${m.id} is not up after recovery`)
      else if (m.servingEpoch !== epoch) this.violation(`liveness: member ${m.id} serves epoch ${m.servingEpoch} instead of ${epoch}`)
    }
    if (this.canon.length <= committedAtHeal) this.violation(`liveness: no write committed after the faults healed (${committedAtHeal} before)`)
    for (const m of members) {
      if (m.tree.length !== this.canon.length) {
        this.violation(`convergence: member ${m.id} has ${m.tree.length} txns, committed history has ${this.canon.length}`)
        continue
      }
      this.checkPrefix(m.id, m.tree, 'at the end')
    }
  }
}
