import type { LoggedTxn } from '../proto'

/**
 * Where the pipeline makes transactions durable: the txn log with group commit. `append` buffers; `commit` resolves
 * once everything appended so far is on disk (one fsync for the whole batch). The pipeline applies and answers a txn
 * only after the commit that covers it has resolved.
 */
export interface TxnSink {
  append(txn: LoggedTxn): void
  commit(): Promise<void>
}

/** Keeps txns in memory: tests, and servers run without durability. */
export class MemoryTxnSink implements TxnSink {
  readonly committed: LoggedTxn[] = []
  private pending: LoggedTxn[] = []
  commitCount = 0

  append(txn: LoggedTxn): void {
    this.pending.push(txn)
  }

  commit(): Promise<void> {
    this.commitCount++
    for (const txn of this.pending) this.committed.push(txn)
    this.pending = []
    return Promise.resolve()
  }
}
