import type { PersistOp } from '../../engine/quorum/peer/effects'
import type { Proposal } from '../../engine/quorum/wire/proposal-data'
import type { EventQueue } from './event-queue'
import type { Prng } from './prng'
import { SimTree, type TreeEntry } from './sim-tree'

/** What survives a crash. */
export interface DurableState {
  snapshot: { zxid: bigint; entries: TreeEntry[] } | null
  /** Txns after the snapshot, in zxid order. */
  log: Proposal[]
  acceptedEpoch: bigint | null
  currentEpoch: bigint | null
}

export interface DiskFaults {
  /** Chance that an fsync takes `slowMs` instead of 0.2–3 ms. */
  slowProbability: number
  slowMs: readonly [number, number]
  /** Chance that an fsync fails (the member must halt). */
  failProbability: number
}

export const HEALTHY_DISK: DiskFaults = { slowProbability: 0, slowMs: [0, 0], failProbability: 0 }

/**
 * A disk with group commit: persist ops queue up; one fsync at a time makes everything queued so far durable,
 * in order, after a random latency. A crash loses whatever was not durable; a failed fsync loses its batch.
 */
export class SimDisk {
  readonly durable: DurableState = { snapshot: null, log: [], acceptedEpoch: null, currentEpoch: null }
  faults: DiskFaults = HEALTHY_DISK
  private pending: { ticket: number; op: PersistOp }[] = []
  private syncing = false
  private generation = 0

  constructor(
    private readonly queue: EventQueue,
    private readonly random: Prng,
    private readonly decodeEntry: (proposal: Proposal) => TreeEntry,
  ) {}

  /** Callbacks for the member currently running on this disk. */
  onDurable: (ticket: number) => void = () => {}
  onFailed: (ticket: number, reason: string) => void = () => {}

  enqueue(ticket: number, op: PersistOp): void {
    this.pending.push({ ticket, op })
    if (!this.syncing) this.startSync()
  }

  /** The process died: whatever was not yet durable is gone, and no completion will be reported. */
  crash(): void {
    this.pending = []
    this.syncing = false
    this.generation++
  }

  private startSync(): void {
    const batch = this.pending
    this.pending = []
    this.syncing = true
    const generation = this.generation
    const slow = this.random.chance(this.faults.slowProbability)
    const latencyMs = slow ? this.random.int(this.faults.slowMs[0], this.faults.slowMs[1]) : 0.2 + this.random.float() * 2.8
    const fails = this.random.chance(this.faults.failProbability)
    this.queue.after(latencyMs, () => {
      if (generation !== this.generation) return
      this.syncing = false
      const last = batch[batch.length - 1]!
      if (fails) {
        this.generation++
        this.pending = []
        return this.onFailed(batch[0]!.ticket, 'fsync failed (simulated EIO)')
      }
      for (const { op } of batch) this.apply(op)
      this.onDurable(last.ticket)
      if (this.pending.length > 0 && !this.syncing) this.startSync()
    })
  }

  private apply(op: PersistOp): void {
    const durable = this.durable
    switch (op.op) {
      case 'append': {
        const last = durable.log[durable.log.length - 1]?.zxid ?? durable.snapshot?.zxid ?? -1n
        if (op.proposal.zxid <= last) throw new Error(`disk: append 0x${op.proposal.zxid.toString(16)} after 0x${last.toString(16)}`)
        durable.log.push(op.proposal)
        return
      }
      case 'truncate':
        durable.log = durable.log.filter((proposal) => proposal.zxid <= op.zxid)
        // A real host rebuilds from an older snapshot when the newest is past the TRUNC point; entries carry their
        // zxids here, so cutting the snapshot is the same thing.
        if (durable.snapshot !== null && durable.snapshot.zxid > op.zxid) {
          durable.snapshot = { zxid: op.zxid, entries: durable.snapshot.entries.filter((entry) => entry.zxid <= op.zxid) }
        }
        return
      case 'snapshot':
        durable.snapshot = { zxid: op.zxid, entries: [...(op.snapshot as TreeEntry[])] }
        durable.log = []
        return
      case 'acceptedEpoch':
        durable.acceptedEpoch = op.epoch
        return
      case 'currentEpoch':
        durable.currentEpoch = op.epoch
        return
    }
  }

  /** The database as a restart finds it: snapshot + log replayed (what `FileTxnSnapLog.restore` gives). */
  restore(): { tree: SimTree; lastZxid: bigint; replayed: Proposal[] } {
    const entries = [...(this.durable.snapshot?.entries ?? [])]
    let lastZxid = this.durable.snapshot?.zxid ?? 0n
    const replayed: Proposal[] = []
    for (const proposal of this.durable.log) {
      if (proposal.zxid <= lastZxid) continue
      entries.push(this.decodeEntry(proposal))
      replayed.push(proposal)
      lastZxid = proposal.zxid
    }
    return { tree: new SimTree(entries), lastZxid, replayed }
  }
}
