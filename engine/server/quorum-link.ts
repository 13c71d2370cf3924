import type { LoggedTxn } from '../proto'
import type { ServerRequest } from './request'

/** What `srvr` and `mntr` call a member (`Mode:` / `zk_server_state`); read-only: cut off from its quorum. */
export type ServerMode = 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only'

/**
 * How a serving ensemble member's client pipeline reaches the quorum (Apache's LeaderZooKeeperServer /
 * FollowerZooKeeperServer / ObserverZooKeeperServer request processors). The core prepares writes itself on a
 * leader and forwards them from a learner; either way a write is answered only when its committed txn comes back
 * through `ServerCore.applyCommitted`.
 */
export interface QuorumLink {
  readonly mode: Exclude<ServerMode, 'standalone' | 'read-only'>
  /** Leader: the zxid the next prepared txn must carry (the proposal counter of the established epoch). */
  nextZxid(): bigint
  /** Leader: a prepared txn (a client's, a learner's, or the server's own) to propose, in zxid order. */
  propose(txn: LoggedTxn): void
  /** Learner: send a client's write or sync to the leader (REQUEST). */
  forward(request: ServerRequest): void
  /** Learner: a client used this session; the leader hears of it with the next PING reply. */
  touch(sessionId: bigint, timeoutMs: number): void
  /** Learner: a client reconnected with this session; the answer comes back through `ServerCore.revalidated`. */
  revalidate(sessionId: bigint, timeoutMs: number): void
}
