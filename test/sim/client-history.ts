import type { ClientOp, ClientReply } from './client-protocol'

/**
 * One operation as a simulated client saw it, in true simulated time. A read preceded by a sync in the same
 * operation (`synced`) spans both: called when the sync was sent, returned when the read's answer came.
 * `returnMs` null: the client never learned the outcome (timeout, lost connection).
 */
export interface ClientOperation {
  /** The session's history id (one per session, for explanations). */
  process: number
  client: number
  session: bigint
  op: ClientOp
  /** The request's cxid (for a synced read, the read's). */
  cxid: number
  synced: boolean
  callMs: number
  returnMs: number | null
  reply: ClientReply | null
  /** For a synced read: the sync was answered by the newest established leader (see ClientReply). */
  syncByNewestLeader: boolean
  /** The member that answered (or last held the request). */
  member: number
}

export class ClientHistory {
  readonly operations: ClientOperation[] = []
  private processes = 0

  newProcess(): number {
    return ++this.processes
  }

  record(operation: ClientOperation): ClientOperation {
    this.operations.push(operation)
    return operation
  }
}
