export {
  DEFAULT_ELECTION_CONNECT_TIMEOUT_MS,
  DEFAULT_ELECTION_HANDSHAKE_TIMEOUT_MS,
  ElectionTransport,
  type ElectionTransportOptions,
} from './election-transport'
export { DEFAULT_LEADER_CONNECT_TIMEOUT_MS, type LeaderConnectionOptions, connectToLeader } from './leader-connection'
export {
  DEFAULT_QUORUM_HIGH_WATER_BYTES,
  QuorumConnection,
  type QuorumCloseCause,
  type QuorumConnectionClosed,
  type QuorumConnectionEvents,
  type QuorumConnectionOptions,
  nextQuorumConnectionId,
} from './quorum-connection'
export { QuorumListener, type QuorumListenerOptions } from './quorum-listener'
export { SNAPSHOT_SIGNATURE, SnapshotScanner } from './snapshot-scanner'
export { type SocketAddress, formatSocketAddress, parseSocketAddress } from './socket-address'
