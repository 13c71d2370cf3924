import type { Id } from '../proto'

/** What a connection hands the pipeline: the raw request of one frame, plus who sent it. */
export interface ServerRequest<C = unknown> {
  /** The client connection, or null for requests the server makes itself (expiry, container reaping). */
  readonly cnx: C | null
  readonly sessionId: bigint
  /** The client's xid, echoed in the reply (`cxid` in Apache's txn header). */
  readonly cxid: number
  readonly type: number
  /** The request record after the RequestHeader. */
  readonly body: Buffer
  /** The connection's auth ids when the request arrived (later auth packets do not apply to it). */
  readonly authIds: readonly Id[]
  /** Monotonic arrival time, for latency figures. */
  readonly receivedMs: number
}
