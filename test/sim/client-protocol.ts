/**
 * What simulated clients and members say to each other. Not bytes on a wire (the client port's codecs are tested
 * elsewhere): the same requests and answers, as values, with what ZooKeeper's reply header carries.
 */

export type ClientOp =
  | { type: 'getData'; path: string }
  | { type: 'sync'; path: string }
  | { type: 'setData'; path: string; data: string; version: number }
  | { type: 'create'; path: string; data: string; ephemeral: boolean; sequential: boolean }
  | { type: 'delete'; path: string; version: number }
  | { type: 'closeSession' }

export interface ClientReply {
  cxid: number
  /** ReplyHeader.zxid: a write's txn zxid; for reads and syncs the member's last applied zxid. */
  zxid: bigint
  /** ReplyHeader.err (ErrorCode). */
  err: number
  /** getData: the data and stat.version; setData: the new stat.version. */
  data?: string
  version?: number
  /** create: the created path (with its sequence suffix). */
  path?: string
  /**
   * sync only, ground truth rather than anything on the wire: the leader that answered the sync was the newest
   * established one when it did. A deposed leader that has not noticed yet answers syncs from its stale state, as
   * Apache's does (a sync is not a quorum operation).
   */
  syncByNewestLeader?: boolean
}

/** What a client asks when it opens a connection (ConnectRequest). */
export interface ConnectAsk {
  /** null: a new session. */
  sessionId: bigint | null
  timeoutMs: number
  /** The highest zxid the client has seen: a member behind it must refuse the connection. */
  lastZxidSeen: bigint
}

export type CloseReason = 'refused' | 'sessionExpired' | 'lost'

/** The client end of a connection: what the member's side calls (after the network delay). */
export interface ClientEnd {
  connected(sessionId: bigint, timeoutMs: number): void
  reply(reply: ClientReply): void
  closed(reason: CloseReason): void
}

/** One client connection to one member process. */
export class ClientConnection {
  /** False once the member's side closed it (or its process died): later requests are ignored. */
  open = true
  sessionId: bigint | null = null
  established = false
  /** The negotiated session timeout. */
  timeoutMs = 0
  /** When the member last reported a touch of the session for this connection (true ms). */
  touchedAtMs = Number.NEGATIVE_INFINITY
  /** Last scheduled delivery per direction: each direction is FIFO, like the TCP stream it stands for. */
  lastToMemberMs = 0
  lastToClientMs = 0

  constructor(
    readonly id: number,
    readonly memberId: number,
    /** The member process it reached (a restarted member does not know it). */
    readonly memberIncarnation: number,
    readonly end: ClientEnd,
  ) {}
}
