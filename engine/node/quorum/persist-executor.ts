import type { LoggedTxn, TxnDigest } from '../../proto'

/** The durable side of one persist effect, run in ticket order. */
export type DurableStep =
  | { kind: 'append'; txn: LoggedTxn; digest: TxnDigest | null }
  | { kind: 'run'; what: string; run: () => Promise<void> }

export interface PersistTarget {
  /** Buffers a txn in the log (after everything appended or run before it). */
  append(txn: LoggedTxn, digest: TxnDigest | null): void
  /** Resolves when every appended txn is on disk. */
  commit(): Promise<void>
}

export interface PersistListener {
  persisted(ticket: number): void
  failed(ticket: number, reason: string): void
}

type QueuedItem =
  | { kind: 'appends'; lastTicket: number; txns: Array<{ txn: LoggedTxn; digest: TxnDigest | null }> }
  | { kind: 'run'; ticket: number; what: string; run: () => Promise<void> }

/**
 * Performs a quorum peer's persist effects in ticket order and reports each durable ticket. Consecutive appends
 * share one commit (group commit): while one batch is being fsynced the next accumulates. Other work (epoch
 * files, log truncation, snapshots) runs alone, after everything before it is durable and before anything after
 * it starts, so the log never sees an append that was issued after a truncation before that truncation.
 * After a failure nothing more is done: the member halts.
 */
export class PersistExecutor {
  private readonly queue: QueuedItem[] = []
  private busy = false
  private failedAlready = false

  constructor(
    private readonly target: PersistTarget,
    private readonly listener: PersistListener,
  ) {}

  enqueue(ticket: number, step: DurableStep): void {
    if (this.failedAlready) return
    if (step.kind === 'append') {
      const last = this.queue[this.queue.length - 1]
      if (last?.kind === 'appends') {
        last.txns.push({ txn: step.txn, digest: step.digest })
        last.lastTicket = ticket
      } else {
        this.queue.push({ kind: 'appends', lastTicket: ticket, txns: [{ txn: step.txn, digest: step.digest }] })
      }
    } else {
      this.queue.push({ kind: 'run', ticket, what: step.what, run: step.run })
    }
    if (!this.busy) void this.pump()
  }

  /** Resolves once everything queued so far is durable (or failed). */
  async idle(): Promise<void> {
    while (this.busy) await new Promise((resolve) => setImmediate(resolve))
  }

  private async pump(): Promise<void> {
    this.busy = true
    try {
      while (this.queue.length > 0 && !this.failedAlready) {
        const item = this.queue.shift()!
        const ticket = item.kind === 'appends' ? item.lastTicket : item.ticket
        try {
          if (item.kind === 'appends') {
            for (const { txn, digest } of item.txns) this.target.append(txn, digest)
            await this.target.commit()
          } else {
            await item.run()
          }
        } catch (error) {
          this.failedAlready = true
          const what = item.kind === 'appends' ? 'txn log commit' : item.what
          this.listener.failed(ticket, `${what}: ${(error as Error).message}`)
          return
        }
        this.listener.persisted(ticket)
      }
    } finally {
      this.busy = false
    }
  }
}
