import { createConnection } from 'node:net'
import type { QuorumPacket } from '../../quorum/wire/quorum-packet'
import type { Logger } from '../log'
import { QuorumConnection, type QuorumConnectionClosed, type QuorumConnectionOptions } from './quorum-connection'
import type { SocketAddress } from './socket-address'

/** Apache: connectToLearnerMasterLimit (or initLimit) × tickTime; the host passes its value. */
export const DEFAULT_LEADER_CONNECT_TIMEOUT_MS = 5000

export interface LeaderConnectionOptions<S> extends QuorumConnectionOptions<S> {
  /** The leader's quorum address (its `server.N` host and quorum port). */
  leader: SocketAddress
  connectTimeoutMs?: number
  /** The host's id for this connection (e.g. the peer's `attempt`); default a process-unique id. */
  id?: number
  log: Logger
  /** `leaderConnected`. */
  onConnected(connection: QuorumConnection<S>): void
  /** `fromLeader`; after a SNAP, `snapshot` is what `parseSnapshot` made of the body. */
  onPacket(connection: QuorumConnection<S>, packet: QuorumPacket, snapshot: S | undefined): void
  /**
   * Once. `wasConnected` false is `leaderConnectFailed`; otherwise a cause other than `local` is
   * `leaderDisconnected`.
   */
  onClose(connection: QuorumConnection<S>, closed: QuorumConnectionClosed): void
}

/**
 * The learner's connection to the leader's quorum port (Apache's Learner.connectToLeader, one attempt; the quorum
 * machine retries). Returns at once, connecting; `close()` also abandons a connect in progress.
 */
export function connectToLeader<S>(options: LeaderConnectionOptions<S>): QuorumConnection<S> {
  const socket = createConnection({ host: options.leader.host, port: options.leader.port })
  const where = `${options.leader.host}:${options.leader.port}`
  const connection = new QuorumConnection<S>(
    socket,
    false,
    {
      onConnected: (c) => {
        options.log.info(`Connected to leader ${where} (connection ${c.id})`)
        options.onConnected(c)
      },
      onPacket: options.onPacket,
      onClose: (c, closed) => {
        if (!closed.wasConnected && closed.cause !== 'local') options.log.warn(`Cannot connect to leader at ${where}: ${closed.reason}`)
        else if (closed.cause === 'error') options.log.warn(`Closing connection to leader ${where}: ${closed.reason}`)
        options.onClose(c, closed)
      },
    },
    options,
    options.id,
  )
  connection.limitConnectTime(options.connectTimeoutMs ?? DEFAULT_LEADER_CONNECT_TIMEOUT_MS)
  return connection
}
