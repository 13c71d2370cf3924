import type { PeerInput } from '../../quorum/peer/inputs'
import type { Notification } from '../../quorum/wire/notification'
import type { QuorumPacket } from '../../quorum/wire/quorum-packet'

/**
 * The sockets of one member's quorum side (election port, quorum port), as the host drives them. Everything that
 * happens on them comes back as a PeerInput through the `deliver` callback the network was built with. Sends never
 * throw: a message to a peer that cannot be reached is dropped (the machines re-send on their timeouts).
 */
export interface QuorumNetwork {
  sendNotification(to: number, notification: Notification): void
  /** Learner side: open a connection to `leader`'s quorum port; answer leaderConnected / leaderConnectFailed. */
  connectToLeader(attempt: number, leader: number): void
  sendToLeader(attempt: number, packet: QuorumPacket): void
  closeLeaderConnection(attempt: number): void
  /** Leader side: accepted learner connections carry the ids given in `learnerConnected`. */
  sendToLearner(connection: number, packet: QuorumPacket): void
  /** The bytes that follow a SNAP packet, in order after it. */
  sendRawToLearner(connection: number, bytes: Buffer): void
  closeLearnerConnection(connection: number): void
  /** The quorum port takes learners only while this member leads; otherwise it refuses them. */
  setAcceptingLearners(accepting: boolean): void
  close(): Promise<void>
}

/** Where a network hands what arrived. */
export type DeliverInput = (input: PeerInput) => void
