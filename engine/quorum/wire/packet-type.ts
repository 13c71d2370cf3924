/**
 * Learner-protocol packet types on the quorum port, with Apache's names and numbers (`Leader.java`).
 * A packet is a `QuorumPacket`; the type says what its zxid and data mean.
 */
export const PacketType = {
  /** learner → leader: a client write (or sync) to run through the leader's pipeline; zxid -1. */
  REQUEST: 1,
  /** leader → follower: a transaction to log; data = TxnHeader + record [+ TxnDigest]. */
  PROPOSAL: 2,
  /** follower → leader: the proposal with this zxid is on disk (also: NEWLEADER and UPTODATE acknowledgements). */
  ACK: 3,
  /** leader → follower: the proposal with this zxid is committed. */
  COMMIT: 4,
  /** both ways: liveness; the learner's reply carries the sessions its clients touched. */
  PING: 5,
  /** both ways: is this session still valid (a client reconnected to a learner)? */
  REVALIDATE: 6,
  /** leader → learner: a forwarded sync has reached the leader's commit point. */
  SYNC: 7,
  /** leader → observer: a committed transaction (same data as its PROPOSAL). */
  INFORM: 8,
  /** leader → follower: COMMIT of a reconfig, with the designated leader's sid. */
  COMMITANDACTIVATE: 9,
  /** leader → learner: the new epoch (zxid = epoch << 32); data = the membership text. */
  NEWLEADER: 10,
  /** follower → leader: first packet; zxid = acceptedEpoch << 32, data = LearnerInfo. */
  FOLLOWERINFO: 11,
  /** leader → learner: synchronisation is over, start serving clients. */
  UPTODATE: 12,
  /** leader → learner: the following PROPOSAL/COMMIT pairs extend your log. */
  DIFF: 13,
  /** leader → learner: cut your log after this zxid. */
  TRUNC: 14,
  /** leader → learner: a snapshot of the leader's tree follows on the stream. */
  SNAP: 15,
  /** observer → leader: as FOLLOWERINFO. */
  OBSERVERINFO: 16,
  /** leader → learner: the proposed epoch (zxid = epoch << 32); data = int protocol version. */
  LEADERINFO: 17,
  /** learner → leader: accepts the epoch; zxid = last logged zxid, data = int current epoch (or -1). */
  ACKEPOCH: 18,
  /** leader → observer: INFORM of a reconfig, with the designated leader's sid. */
  INFORMANDACTIVATE: 19,
} as const

export type PacketType = (typeof PacketType)[keyof typeof PacketType]

const NAMES = new Map<number, string>(Object.entries(PacketType).map(([name, type]) => [type, name]))

/** Apache's `Leader.getPacketType`: the name, or UNKNOWN. */
export function packetTypeName(type: number): string {
  return NAMES.get(type) ?? 'UNKNOWN'
}

/** The learner protocol version both sides announce (Zab 1.0): LearnerInfo.protocolVersion and LEADERINFO data. */
export const ZAB_PROTOCOL_VERSION = 0x10000
