import type { ForwardedRequest, SessionTouch } from '../wire/learner-payloads'
import type { Notification, ServerState } from '../wire/notification'
import type { Proposal } from '../wire/proposal-data'
import type { QuorumPacket } from '../wire/quorum-packet'

/**
 * What a member's quorum machines ask their host to do. The host performs effects in the order given: sends go out
 * in order per connection, `apply` and the tree side of `persist` happen synchronously in that order, and the
 * disk side of `persist` completes asynchronously, in ticket order (report it with a `persisted` input).
 */
export type Effect =
  /** Election port: send (or loop back, when `to` is ourselves: the peer does that itself) a notification. */
  | { kind: 'sendNotification'; to: number; notification: Notification }
  /** Quorum port, learner side: open a connection to the leader; answer with leaderConnected / leaderConnectFailed. */
  | { kind: 'connectToLeader'; attempt: number; leader: number }
  | { kind: 'sendToLeader'; attempt: number; packet: QuorumPacket }
  | { kind: 'closeLeaderConnection'; attempt: number; reason: string }
  /** Quorum port, leader side: `connection` is the id the host gave an accepted learner connection. */
  | { kind: 'sendToLearner'; connection: number; packet: QuorumPacket }
  /**
   * Right after a SNAP packet to this learner: serialise the tree as it is now (it holds exactly the applies
   * issued so far) as Apache's snapshot body, then the string "BenWasHere".
   */
  | { kind: 'sendSnapshotToLearner'; connection: number }
  | { kind: 'closeLearnerConnection'; connection: number; reason: string }
  /** Make something durable; report completion with `persisted` (tickets complete in increasing order). */
  | { kind: 'persist'; ticket: number; op: PersistOp }
  /** A committed transaction, to apply to the tree now (and answer the client if it was ours). */
  | { kind: 'apply'; proposal: Proposal }
  /** The member's role changed. `leader` and `epoch` are known once an election has decided. */
  | { kind: 'stateChanged'; state: ServerState; leader: number | null }
  /** Start (leader established / learner got UPTODATE) or stop serving clients. */
  | { kind: 'serving'; serving: boolean; epoch: bigint }
  /** Leader: a learner forwarded a client request; run it through prep, then `propose` (or `sync` for syncs). */
  | { kind: 'learnerRequest'; connection: number; learner: number; request: ForwardedRequest }
  /** Leader: sessions a learner's clients touched (from its PING reply); touch them in the session tracker. */
  | { kind: 'touchSessions'; learner: number; touches: SessionTouch[] }
  /** Leader: a learner asks whether a session is valid; answer with `revalidateAnswer`. */
  | { kind: 'revalidate'; connection: number; learner: number; sessionId: bigint; timeoutMs: number }
  /** Learner: the leader's answer to our REVALIDATE. */
  | { kind: 'revalidated'; sessionId: bigint; valid: boolean }
  /** Learner: the leader reached our oldest pending sync; complete it (FIFO). */
  | { kind: 'syncDone' }
  /**
   * The active configuration is now `text` (server lines + `version=<hex>`): rewrite /zookeeper/config (data, version
   * -1, mzxid = `version`, mtime = now), and use this membership for reconfig checks, `conf` and the config files.
   */
  | { kind: 'configActivated'; text: string; version: bigint }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /** Stop the member: the disk failed. Apache exits the JVM; the host must stop serving and never restart silently. */
  | { kind: 'halt'; reason: string }

/**
 * Durable operations, in issue order. `truncate` and `snapshot` also change the tree at once (before any later
 * effect): Apache reloads its database after a TRUNC and replaces it on a SNAP.
 */
export type PersistOp =
  /** Append to the txn log (group-committed: many appends may share one fsync). */
  | { op: 'append'; proposal: Proposal }
  /** Cut the log after `zxid`; if the tree has applied past it, rebuild the tree from disk up to `zxid`. */
  | { op: 'truncate'; zxid: bigint }
  /** Replace the tree with the leader's snapshot and make it durable as the new base at `zxid`. */
  | { op: 'snapshot'; zxid: bigint; snapshot: unknown }
  /** `<dataDir>/version-2/acceptedEpoch` */
  | { op: 'acceptedEpoch'; epoch: bigint }
  /** `<dataDir>/version-2/currentEpoch` */
  | { op: 'currentEpoch'; epoch: bigint }
