import { ServerState } from '../wire/notification'

/**
 * A vote (`Vote.java`): a proposed leader (id), its last zxid and epoch (peerEpoch), the election round it was cast
 * in (electionEpoch), and, for votes learnt from notifications, the sender's state and message version.
 */
export interface Vote {
  readonly id: bigint
  readonly zxid: bigint
  readonly electionEpoch: bigint
  readonly peerEpoch: bigint
  readonly state: ServerState
  readonly version: number
}

export function vote(
  id: bigint,
  zxid: bigint,
  electionEpoch = -1n,
  peerEpoch = -1n,
  state: ServerState = ServerState.LOOKING,
  version = 0,
): Vote {
  return { id, zxid, electionEpoch, peerEpoch, state, version }
}

/**
 * `Vote.equals`. Between votes where either side is LOOKING, everything but state must match. Between votes of
 * servers out of election (FOLLOWING/LEADING), zxid and electionEpoch are ignored (they may legitimately differ,
 * ZOOKEEPER-1805), and so is peerEpoch when exactly one side comes from a pre-ZOOKEEPER-1732 server (version 0).
 */
export function votesEqual(a: Vote, b: Vote): boolean {
  if (a.state === ServerState.LOOKING || b.state === ServerState.LOOKING) {
    return a.id === b.id && a.zxid === b.zxid && a.electionEpoch === b.electionEpoch && a.peerEpoch === b.peerEpoch
  }
  if (a.version > 0 !== b.version > 0) return a.id === b.id
  return a.id === b.id && a.peerEpoch === b.peerEpoch
}

/**
 * `totalOrderPredicate`: does (newId, newZxid, newEpoch) beat (curId, curZxid, curEpoch)? Higher epoch wins, then
 * higher zxid, then higher sid. (Majority quorums give every id weight 1, so the weight test never excludes one;
 * observers lose because they propose Long.MIN_VALUE for all three and because their sid is not a valid voter.)
 */
export function totalOrderPredicate(newId: bigint, newZxid: bigint, newEpoch: bigint, curId: bigint, curZxid: bigint, curEpoch: bigint): boolean {
  if (newEpoch !== curEpoch) return newEpoch > curEpoch
  if (newZxid !== curZxid) return newZxid > curZxid
  return newId > curId
}

export function describeVote(v: Vote): string {
  return `(${v.id}, ${BigInt.asUintN(64, v.zxid).toString(16)}, ${BigInt.asUintN(64, v.peerEpoch).toString(16)})`
}
