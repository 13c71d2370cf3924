/**
 * When to roll the log and take a snapshot (Apache's `SyncRequestProcessor.shouldSnapshot`): after each logged txn,
 * once `txnsSinceRoll > snapCount/2 + randRoll` or `bytesSinceRoll > snapSizeLimit/2 + randSize`. The random parts
 * are drawn again after every roll, so the members of an ensemble do not all snapshot at the same moment.
 *
 * Pure: the random source is injected (Math.random by default), no clocks, no I/O.
 *
 * One deliberate difference: Apache's size measure is the log files' length including their 64 MiB zero padding;
 * we count the bytes of the entries themselves.
 */

export interface SnapshotPolicyOptions {
  /** Apache `snapCount` (zookeeper.snapCount), default 100000; values below 2 become 2. */
  snapCount: number
  /** Apache `zookeeper.snapSizeLimitInKb` × 1024, default 4 GiB; ≤ 0 disables the size trigger. */
  snapSizeLimitBytes: number
  /** Uniform in [0, 1). */
  random?: () => number
}

export class SnapshotPolicy {
  readonly snapCount: number
  readonly snapSizeLimitBytes: number
  private readonly random: () => number
  private randRoll = 0
  private randSizeBytes = 0
  private txnsSinceRoll = 0
  private bytesSinceRoll = 0

  constructor(options: SnapshotPolicyOptions) {
    this.snapCount = Math.max(2, Math.floor(options.snapCount))
    this.snapSizeLimitBytes = options.snapSizeLimitBytes
    this.random = options.random ?? Math.random
    this.reset()
  }

  /**
   * Records one appended txn of `entryBytes`; true when the log should roll and a snapshot be taken now.
   * The counters restart at that point (as Apache's `resetSnapshotStats` + `resetTxnCount`).
   */
  txnLogged(entryBytes: number): boolean {
    this.txnsSinceRoll++
    this.bytesSinceRoll += entryBytes
    const halfCount = Math.floor(this.snapCount / 2)
    const overCount = this.txnsSinceRoll > halfCount + this.randRoll
    const halfSize = Math.floor(this.snapSizeLimitBytes / 2)
    const overSize = this.snapSizeLimitBytes > 0 && this.bytesSinceRoll > halfSize + this.randSizeBytes
    if (!overCount && !overSize) return false
    this.reset()
    return true
  }

  /** Restarts the counts (after a roll done for another reason, e.g. a new log after leader sync). */
  reset(): void {
    this.randRoll = Math.floor(this.random() * Math.floor(this.snapCount / 2))
    const halfSize = Math.floor(this.snapSizeLimitBytes / 2)
    this.randSizeBytes = halfSize > 0 ? Math.floor(this.random() * halfSize) : 0
    this.txnsSinceRoll = 0
    this.bytesSinceRoll = 0
  }

  /** Current thresholds, for tests and `conf`-style diagnostics. */
  get thresholds(): { txns: number; bytes: number } {
    return {
      txns: Math.floor(this.snapCount / 2) + this.randRoll,
      bytes: Math.floor(this.snapSizeLimitBytes / 2) + this.randSizeBytes,
    }
  }
}
