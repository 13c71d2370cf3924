import type { Proposal } from '../wire/proposal-data'

/** Apache's default `zookeeper.commitLogCount` (also its minimum). */
export const DEFAULT_COMMIT_LOG_COUNT = 500

/**
 * The last committed proposals kept in memory (`ZKDatabase.committedLog` with min/maxCommittedLog): what a leader
 * can send a learner as a DIFF. Every member keeps one, because any member may become leader. Like Apache, an entry
 * is dropped only once the window holds more than `capacity`, so it can hold capacity + 1.
 */
export class CommittedLog {
  private entries: Proposal[] = []
  private head = 0

  constructor(private readonly capacity = DEFAULT_COMMIT_LOG_COUNT) {}

  get size(): number {
    return this.entries.length - this.head
  }

  get isEmpty(): boolean {
    return this.size === 0
  }

  /** Zxid of the oldest entry (Apache: 0 when empty). */
  get minZxid(): bigint {
    return this.entries[this.head]?.zxid ?? 0n
  }

  /** Zxid of the newest entry (Apache: 0 when empty). */
  get maxZxid(): bigint {
    return this.entries[this.entries.length - 1]?.zxid ?? 0n
  }

  add(proposal: Proposal): void {
    if (this.size > this.capacity) this.head++
    this.entries.push(proposal)
    // Compact now and then so dropped entries do not pin memory; amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head)
      this.head = 0
    }
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<Proposal> {
    for (let i = this.head; i < this.entries.length; i++) yield this.entries[i]!
  }

  /** Drops every entry above `zxid` (after a TRUNC). */
  truncateAfter(zxid: bigint): void {
    while (this.size > 0 && this.maxZxid > zxid) this.entries.pop()
  }

  clear(): void {
    this.entries = []
    this.head = 0
  }
}
