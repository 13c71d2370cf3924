/**
 * What one ensemble member tells about ZAB at work: role changes, its vote and the votes it hears, the end of an
 * election, the start of service, and proposal/commit counts. Plain JSON (zxids as `0x…` strings, epochs and rounds
 * as numbers), because these travel over a member's IPC channel to its cluster and on to the UI. ZooDesk members
 * produce them from their quorum machines (zab-trace.ts); Apache members from their log (engine/cluster).
 */

export type ZabState = 'LOOKING' | 'FOLLOWING' | 'LEADING' | 'OBSERVING'
export const ZAB_STATES: readonly ZabState[] = ['LOOKING', 'FOLLOWING', 'LEADING', 'OBSERVING']

/** An election vote: the proposed leader's sid, its last zxid and epoch, in the voter's election round. */
export interface ZabVote {
  /** -1 for an observer's "no leader" vote (Long.MIN_VALUE on the wire). */
  leader: number
  zxid: string
  epoch: number
  round: number
}

/** How a learner caught up with its leader. */
export type ZabSyncKind = 'diff' | 'trunc' | 'snap'

export type ZabEvent =
  /** The member's role changed; `leader` once an election decided. */
  | { type: 'state'; state: ZabState; leader: number | null }
  /** The member's own vote changed (a new election, or it adopted a better candidate). */
  | { type: 'vote'; vote: ZabVote }
  /** An election notification arrived from `from` (its state and the vote it proposes). */
  | { type: 'notification'; from: number; state: ZabState; vote: ZabVote }
  /** The election ended for this member: it leads, follows or observes `leader`; `electionMs` when known. */
  | { type: 'elected'; state: ZabState; leader: number; electionMs: number | null }
  /** A leader established its epoch and serves (a quorum acked NEWLEADER). */
  | { type: 'established'; epoch: number | null }
  /** A learner finished syncing with its leader and serves. */
  | { type: 'synced'; leader: number | null; epoch: number | null; sync: ZabSyncKind | null }
  /** Proposals seen (led or received) and transactions committed in the last window, never one event per txn. */
  | { type: 'txns'; proposals: number; commits: number; firstZxid: string | null; lastZxid: string | null; windowMs: number }

export type ZabEventType = ZabEvent['type']

/** `0x…` as zxids are shown everywhere (Long.toHexString). */
export function zxidText(zxid: bigint): string {
  return `0x${(zxid < 0n ? 0n : zxid).toString(16)}`
}

/** A sid as a number; Long.MIN_VALUE and other values outside a sid's range become -1. */
export function sidNumber(sid: bigint): number {
  return sid < 0n || sid > 0xffff_ffffn ? -1 : Number(sid)
}

/** A 64-bit round or epoch as a number (they are small in practice; clamped to stay a safe integer). */
export function smallNumber(value: bigint): number {
  if (value < 0n) return -1
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value)
}
