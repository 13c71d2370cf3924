import type { ACL, StatPersisted } from '../proto'
import type { DataTreeApi } from '../tree/api'
import { type Digest64, ZERO_DIGEST } from '../tree/digest'

/**
 * Apache's ChangeRecord: the speculative state of one path after a prepared but not yet applied txn. `stat` null
 * means "deleted by an outstanding txn".
 */
export interface ChangeRecord {
  zxid: bigint
  path: string
  stat: StatPersisted | null
  childCount: number
  acl: readonly ACL[]
  data: Buffer | null
  /**
   * Apache's PrecalculatedDigest: the path's node digest in this state (unsigned; 0 once deleted) and the tree digest
   * once this record's change is applied (unused, zero, for records read from the committed tree).
   */
  nodeDigest: number
  treeDigest: Digest64
}

/** The committed tree seen through the outstanding changes (`outstandingChanges` + `outstandingChangesForPath`). */
export class OutstandingChanges {
  private readonly queue: ChangeRecord[] = []
  private head = 0
  private readonly byPath = new Map<string, ChangeRecord>()

  constructor(private readonly tree: DataTreeApi) {}

  /** The latest record for a path, or one made from the committed node; undefined when the path does not exist. */
  lookup(path: string): ChangeRecord | undefined {
    const change = this.byPath.get(path)
    if (change !== undefined) return change.stat === null ? undefined : change
    // The root's parent path is "" (Apache keeps the root under that alias too).
    const node = this.tree.getNode(path) ?? (path === '' ? this.tree.getNode('/') : undefined)
    if (node === undefined) return undefined
    return {
      zxid: -1n,
      path,
      stat: node.stat,
      childCount: node.children.size,
      acl: this.tree.aclOf(node),
      data: node.data,
      nodeDigest: node.digest >>> 0,
      treeDigest: ZERO_DIGEST,
    }
  }

  /**
   * Apache's `getCurrentTreeDigest`: the tree digest once every outstanding change is applied, i.e. the newest
   * record's, or the committed tree's when nothing is outstanding.
   */
  currentDigest(): Digest64 {
    return this.queue.length > this.head ? this.queue[this.queue.length - 1]!.treeDigest : this.tree.treeDigest()
  }

  /** The outstanding record for a path (deletions included), ignoring the committed tree. */
  outstanding(path: string): ChangeRecord | undefined {
    return this.byPath.get(path)
  }

  add(change: ChangeRecord): void {
    this.queue.push(change)
    this.byPath.set(change.path, change)
  }

  /** Records still outstanding, oldest first. */
  *pending(): IterableIterator<ChangeRecord> {
    for (let i = this.head; i < this.queue.length; i++) yield this.queue[i]!
  }

  get size(): number {
    return this.queue.length - this.head
  }

  /** Drops the records of every txn up to `zxid` once it is applied (the tree now holds their effect). */
  applied(zxid: bigint): void {
    while (this.head < this.queue.length && this.queue[this.head]!.zxid <= zxid) {
      const change = this.queue[this.head]!
      this.queue[this.head++] = undefined as unknown as ChangeRecord
      if (this.byPath.get(change.path) === change) this.byPath.delete(change.path)
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head)
      this.head = 0
    }
  }

  /**
   * Undoes a failed multi (`rollbackPendingChanges`): removes the records it added (all carry its zxid) and restores
   * the records that were current for its paths before it, if those are still outstanding.
   */
  rollback(zxid: bigint, previous: ReadonlyMap<string, ChangeRecord>): void {
    while (this.queue.length > this.head && this.queue[this.queue.length - 1]!.zxid === zxid) {
      const change = this.queue.pop()!
      this.byPath.delete(change.path)
    }
    if (this.queue.length === this.head) return
    const firstZxid = this.queue[this.head]!.zxid
    for (const change of previous.values()) {
      if (change.zxid >= firstZxid) this.byPath.set(change.path, change)
    }
  }
}

export function copyStat(stat: StatPersisted): StatPersisted {
  return { ...stat }
}
