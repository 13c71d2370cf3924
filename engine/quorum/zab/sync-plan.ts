import { type QuorumPacket, packet } from '../wire/quorum-packet'
import { PacketType } from '../wire/packet-type'
import type { Proposal } from '../wire/proposal-data'
import { epochOf, isEpochStart, zxidHex } from '../zxid'
import type { CommittedLog } from './committed-log'

/**
 * How a leader brings one learner up to date (`LearnerHandler.syncFollower` and `queueCommittedProposals`), as a
 * pure function of the learner's last zxid and the leader's committed-log window:
 *
 * - the learner is exactly where the leader is: an empty DIFF;
 * - the learner is ahead of the whole window (and not at an epoch start): TRUNC to the window's end;
 * - the learner's zxid is within the window: DIFF then a PROPOSAL + COMMIT pair for each later txn; if its zxid is
 *   not in the leader's history it has an uncommitted tail: TRUNC to the preceding zxid (same epoch only), else SNAP;
 * - anything else: SNAP (Apache would first try its on-disk txn log; we keep only the in-memory window).
 *
 * `lastQueuedZxid` is where the learner will be after the queued packets; the leader then queues its outstanding
 * proposals above it (`startForwarding`).
 */
export type SyncPlan =
  | { kind: 'snap'; reason: string }
  | { kind: 'diff' | 'trunc'; packets: QuorumPacket[]; lastQueuedZxid: bigint; reason: string }

export function planSync(peerLastZxid: bigint, window: CommittedLog, lastProcessedZxid: bigint): SyncPlan {
  const peerAtEpochStart = isEpochStart(peerLastZxid)
  let minCommitted = window.minZxid
  let maxCommitted = window.maxZxid
  if (window.isEmpty) {
    minCommitted = lastProcessedZxid
    maxCommitted = lastProcessedZxid
  }
  if (lastProcessedZxid === peerLastZxid) {
    return { kind: 'diff', packets: [packet(PacketType.DIFF, peerLastZxid)], lastQueuedZxid: peerLastZxid, reason: 'in sync' }
  }
  if (peerLastZxid > maxCommitted && !peerAtEpochStart) {
    return {
      kind: 'trunc',
      packets: [packet(PacketType.TRUNC, maxCommitted)],
      lastQueuedZxid: maxCommitted,
      reason: `learner ahead of the committed log (max 0x${zxidHex(maxCommitted)})`,
    }
  }
  if (minCommitted <= peerLastZxid && peerLastZxid <= maxCommitted) {
    const queued = queueCommittedProposals(window, peerLastZxid, maxCommitted)
    if (queued.opType === null) return { kind: 'snap', reason: queued.reason }
    return { kind: queued.opType === PacketType.DIFF ? 'diff' : 'trunc', packets: queued.packets, lastQueuedZxid: queued.lastQueuedZxid, reason: queued.reason }
  }
  return { kind: 'snap', reason: `learner at 0x${zxidHex(peerLastZxid)} is outside the committed log [0x${zxidHex(minCommitted)}, 0x${zxidHex(maxCommitted)}]` }
}

interface Queued {
  opType: typeof PacketType.DIFF | typeof PacketType.TRUNC | null
  packets: QuorumPacket[]
  lastQueuedZxid: bigint
  reason: string
}

/** `queueCommittedProposals` over the whole window, with `maxZxid` = `lastCommittedZxid` = the window's end. */
function queueCommittedProposals(window: Iterable<Proposal>, peerLastZxid: bigint, maxCommitted: bigint): Queued {
  const peerAtEpochStart = isEpochStart(peerLastZxid)
  const packets: QuorumPacket[] = []
  let opType: Queued['opType'] = null
  let reason = 'learner within the committed log'
  let queuedZxid = peerLastZxid
  let previousZxid = -1n
  for (const proposal of window) {
    const zxid = proposal.zxid
    if (zxid > maxCommitted) break
    if (zxid < peerLastZxid) {
      previousZxid = zxid
      continue
    }
    if (opType === null) {
      if (zxid === peerLastZxid) {
        opType = PacketType.DIFF
        packets.push(packet(PacketType.DIFF, maxCommitted))
        continue
      }
      if (peerAtEpochStart) {
        opType = PacketType.DIFF
        packets.push(packet(PacketType.DIFF, maxCommitted))
      } else if (zxid > peerLastZxid) {
        if (epochOf(zxid) !== epochOf(peerLastZxid)) {
          return { opType: null, packets: [], lastQueuedZxid: queuedZxid, reason: 'learner has an uncommitted tail from another epoch: cannot TRUNC across epochs' }
        }
        opType = PacketType.TRUNC
        packets.push(packet(PacketType.TRUNC, previousZxid))
        reason = 'learner has an uncommitted tail'
      }
    }
    if (zxid <= queuedZxid) continue
    packets.push(packet(PacketType.PROPOSAL, zxid, proposal.data), packet(PacketType.COMMIT, zxid))
    queuedZxid = zxid
  }
  if (opType === null && peerAtEpochStart) {
    opType = PacketType.DIFF
    packets.push(packet(PacketType.DIFF, maxCommitted))
  }
  return { opType, packets, lastQueuedZxid: queuedZxid, reason }
}
