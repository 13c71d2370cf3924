import type { LoggedTxn } from '../proto'
import type { ProcessTxnResult } from '../tree/api'
import type { ServerRequest } from './request'

/** One request on its way through prep → log → apply → reply. */
export interface PipelineEntry {
  readonly request: ServerRequest
  /**
   * The txn prep produced (error txns included); null for reads and for writes Apache sends on without one. A
   * learner's forwarded write gets it when the committed txn comes back.
   */
  txn: LoggedTxn | null
  /** The request's error from prep (for a multi: its failing op's code; the reply still says 0). */
  readonly err: number
  /** A txn entry becomes answerable once applied; a read is answerable when it reaches the queue head. */
  applied: boolean
  result: ProcessTxnResult | undefined
}
