import { OpCode } from '../proto'
import { initialSessionId, nextSessionId } from './session-identity'

/**
 * Read-only mode (Apache's ReadOnlyZooKeeperServer): a member that has been looking for a quorum for
 * `readOnlyGraceMs` serves clients that accept a read-only server, answers their reads from what it has, and refuses
 * every change. The core switches in and out of it (ServerCore.startReadOnly/stopReadOnly); the quorum host decides
 * when.
 */

/** QuorumPeer.run: the read-only server starts once the member has been LOOKING this long (at least 2 s). */
export function readOnlyGraceMs(tickTimeMs: number): number {
  return Math.max(2000, tickTimeMs)
}

/** ReadOnlyRequestProcessor's list: answered NOTREADONLY at once, before any session or path check. */
const REFUSED: ReadonlySet<number> = new Set<number>([
  OpCode.sync,
  OpCode.create,
  OpCode.create2,
  OpCode.createTTL,
  OpCode.createContainer,
  OpCode.delete,
  OpCode.deleteContainer,
  OpCode.setData,
  OpCode.reconfig,
  OpCode.setACL,
  OpCode.multi,
  OpCode.check,
])

/** Whether a read-only member refuses this request; createSession/closeSession pass only for a local session. */
export function refusedWhileReadOnly(type: number, localSession: boolean): boolean {
  if (REFUSED.has(type)) return true
  return (type === OpCode.createSession || type === OpCode.closeSession) && !localSession
}

/**
 * Session ids of a read-only member without local sessions (LearnerSessionTracker.nextSessionId): handed out to
 * new clients whose createSession is then refused, never tracked. A new source per read-only period.
 */
export class UntrackedSessionIds {
  private next: bigint

  constructor(serverId: number, wallMs: number) {
    this.next = initialSessionId(serverId, wallMs)
  }

  take(): bigint {
    const id = this.next
    this.next = nextSessionId(id)
    return id
  }
}
