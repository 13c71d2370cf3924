import { JuteDecodeError } from '../../jute'
import { epochOf } from '../zxid'

/** `QuorumPeer.ServerState`, by wire ordinal. */
export const ServerState = { LOOKING: 0, FOLLOWING: 1, LEADING: 2, OBSERVING: 3 } as const
export type ServerState = (typeof ServerState)[keyof typeof ServerState]

const STATE_NAMES = ['LOOKING', 'FOLLOWING', 'LEADING', 'OBSERVING'] as const
export function serverStateName(state: ServerState): (typeof STATE_NAMES)[number] {
  return STATE_NAMES[state]
}

export function isServerState(value: number): value is ServerState {
  return value === 0 || value === 1 || value === 2 || value === 3
}

/** The notification format version we send (`Notification.CURRENTVERSION`, 3.4.6+, with the config). */
export const NOTIFICATION_VERSION = 2

/**
 * A fast-leader-election notification (`FastLeaderElection.buildMsg` / `WorkerReceiver`): the sender's state and
 * the vote it currently proposes (leader sid, that leader's last zxid and epoch) in its election round.
 */
export interface Notification {
  state: ServerState
  /** Proposed leader's sid (Long.MIN_VALUE from an observer's initial vote). */
  leader: bigint
  /** Proposed leader's last logged zxid. */
  zxid: bigint
  /** The sender's logical clock (election round). */
  electionEpoch: bigint
  /** Proposed leader's current epoch. */
  peerEpoch: bigint
  /** Format version: 0 for the 28- and 40-byte legacy forms, else as sent (2 today). */
  version: number
  /** The sender's membership text (`QuorumVerifier.toString()`), present from version 2. */
  config: Buffer | null
}

/** Version-2 bytes: state, leader, zxid, electionEpoch, peerEpoch, version, config length, config. */
export function encodeNotification(n: Omit<Notification, 'version'>): Buffer {
  const config = n.config ?? EMPTY
  const bytes = Buffer.allocUnsafe(44 + config.length)
  bytes.writeInt32BE(n.state, 0)
  bytes.writeBigInt64BE(n.leader, 4)
  bytes.writeBigInt64BE(n.zxid, 12)
  bytes.writeBigInt64BE(n.electionEpoch, 20)
  bytes.writeBigInt64BE(n.peerEpoch, 28)
  bytes.writeInt32BE(NOTIFICATION_VERSION, 36)
  bytes.writeInt32BE(config.length, 40)
  config.copy(bytes, 44)
  return bytes
}

const EMPTY = Buffer.alloc(0)

/**
 * Reads a notification as Apache's WorkerReceiver does: fewer than 28 bytes is refused; exactly 28 is the format
 * without peerEpoch (taken from the zxid's epoch); exactly 40 has peerEpoch but no version (the last 4 bytes are
 * ignored); otherwise version follows, and from version 2 a length-prefixed config whose length must lie within the
 * message. A state ordinal outside 0..3 is refused too (Apache skips such messages).
 */
export function decodeNotification(bytes: Buffer): Notification {
  const capacity = bytes.length
  if (capacity < 28) throw new JuteDecodeError(`notification of ${capacity} bytes is shorter than 28`)
  const state = bytes.readInt32BE(0)
  const leader = bytes.readBigInt64BE(4)
  const zxid = bytes.readBigInt64BE(12)
  const electionEpoch = bytes.readBigInt64BE(20)
  if (!isServerState(state)) throw new JuteDecodeError(`notification state ${state} is not a server state`)
  if (capacity === 28) return { state, leader, zxid, electionEpoch, peerEpoch: epochOf(zxid), version: 0, config: null }
  need(bytes, 36)
  const peerEpoch = bytes.readBigInt64BE(28)
  if (capacity === 40) return { state, leader, zxid, electionEpoch, peerEpoch, version: 0, config: null }
  need(bytes, 40)
  const version = bytes.readInt32BE(36)
  if (version <= 1) return { state, leader, zxid, electionEpoch, peerEpoch, version, config: null }
  need(bytes, 44)
  const configLength = bytes.readInt32BE(40)
  if (configLength < 0 || configLength > capacity) throw new JuteDecodeError(`notification config length ${configLength} is invalid`)
  need(bytes, 44 + configLength)
  const config = Buffer.from(bytes.subarray(44, 44 + configLength))
  return { state, leader, zxid, electionEpoch, peerEpoch, version, config }
}

function need(bytes: Buffer, end: number): void {
  if (bytes.length < end) throw new JuteDecodeError(`notification truncated: ${bytes.length} bytes, needs ${end}`)
}
