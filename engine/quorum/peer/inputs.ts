import type { ForwardedRequest } from '../wire/learner-payloads'
import type { Notification } from '../wire/notification'
import type { Proposal } from '../wire/proposal-data'
import type { QuorumPacket } from '../wire/quorum-packet'

/** Everything that can happen to a member's quorum machines, with the time it happened (`step(nowMs, input)`). */
export type PeerInput =
  /** Begin: the member turns LOOKING and starts an election. */
  | { kind: 'start' }
  /** A timer fired; call at (or after) `nextDeadlineMs()`. */
  | { kind: 'tick' }
  /** Election port: a decoded notification from server `from`. */
  | { kind: 'notification'; from: number; notification: Notification }
  /** Learner side of the quorum port (the connection asked for with `connectToLeader`). */
  | { kind: 'leaderConnected'; attempt: number }
  | { kind: 'leaderConnectFailed'; attempt: number }
  /** A packet from the leader; after a SNAP packet, `snapshot` carries the parsed snapshot body. */
  | { kind: 'fromLeader'; attempt: number; packet: QuorumPacket; snapshot?: unknown }
  | { kind: 'leaderDisconnected'; attempt: number }
  /** Leader side of the quorum port: `connection` is the host's id for an accepted socket. */
  | { kind: 'learnerConnected'; connection: number }
  | { kind: 'fromLearner'; connection: number; packet: QuorumPacket }
  | { kind: 'learnerDisconnected'; connection: number }
  /** Every persist effect with ticket <= `ticket` is durable. */
  | { kind: 'persisted'; ticket: number }
  /** A persist failed (fsync error): the member halts. */
  | { kind: 'persistFailed'; ticket: number; reason: string }
  /** Leader (serving): a prepared transaction; `zxid` must be `nextZxid()`. */
  | { kind: 'propose'; proposal: Proposal }
  /** Leader: a forwarded sync reached the proposal stage; answer that learner once everything before it commits. */
  | { kind: 'sync'; connection: number }
  /** Leader: the answer to a `revalidate` effect. */
  | { kind: 'revalidateAnswer'; connection: number; sessionId: bigint; valid: boolean }
  /** Learner (serving): forward a client write or sync to the leader. */
  | { kind: 'forwardRequest'; request: ForwardedRequest }
  /** Learner: a client of ours touched this session (reported to the leader with the next PING reply). */
  | { kind: 'touchSession'; sessionId: bigint; timeoutMs: number }
  /** Learner: a client reconnected with this session; ask the leader whether it is still valid. */
  | { kind: 'revalidateSession'; sessionId: bigint; timeoutMs: number }
  /** Stop everything (member shutting down). */
  | { kind: 'shutdown' }
