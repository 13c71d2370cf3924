import { ZAB_STATES, type ZabEvent, type ZabState, type ZabSyncKind, type ZabVote } from '../node/quorum/zab-event'

/**
 * Messages between a local cluster (the parent process) and its ZooDesk members, over the member's IPC channel.
 * Plain JSON-able objects, so they travel over Node's child_process IPC and Electron's utilityProcess alike.
 */

/**
 * - `ok`: the disk behaves normally.
 * - `slow`: every write and fsync of the txn log and snapshots takes `delayMs` longer.
 * - `fail`: writes and fsyncs fail (a member must stop serving rather than serve unsaved data).
 */
export type DiskMode = 'ok' | 'slow' | 'fail'

export interface DiskFaultMessage {
  type: 'disk'
  mode: DiskMode
  /** Extra latency per write/fsync for `slow`; 0 otherwise. */
  delayMs: number
}

/**
 * Expire one session now, exactly as its timeout would: the member that owns sessions (the leader, or a standalone
 * server) submits its closeSession txn through the normal pipeline; every other member ignores the message.
 */
export interface ExpireSessionMessage {
  type: 'expire-session'
  /** The session id as `0x` and 1 to 16 lowercase hex digits (a bigint does not cross IPC as JSON). */
  sessionId: string
}

export type ClusterToMemberMessage = DiskFaultMessage | ExpireSessionMessage

const SESSION_ID = /^0x[0-9a-f]{1,16}$/

const DISK_MODES: readonly string[] = ['ok', 'slow', 'fail'] satisfies DiskMode[]

/** Checks a message that arrived over IPC; undefined when it is not one we know (it is then ignored). */
export function parseClusterMessage(value: unknown): ClusterToMemberMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const candidate = value as Record<string, unknown>
  if (candidate['type'] === 'expire-session') {
    const sessionId = candidate['sessionId']
    return typeof sessionId === 'string' && SESSION_ID.test(sessionId) ? { type: 'expire-session', sessionId } : undefined
  }
  if (candidate['type'] !== 'disk') return undefined
  const mode = candidate['mode']
  const delayMs = candidate['delayMs']
  if (typeof mode !== 'string' || !DISK_MODES.includes(mode)) return undefined
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) return undefined
  return { type: 'disk', mode: mode as DiskMode, delayMs }
}

// ---- member → cluster ----------------------------------------------------------------------------------------------

/** One ZAB trace event of a ZooDesk member (engine/node/quorum/zab-trace.ts), stamped with the member's wall clock. */
export interface ZabTraceMessage {
  type: 'zab'
  time: number
  event: ZabEvent
}

export type MemberToClusterMessage = ZabTraceMessage

type Fields = Record<string, unknown>

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
const isSid = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= -1
const isNumberOrNull = (value: unknown): value is number | null => value === null || (typeof value === 'number' && Number.isSafeInteger(value) && value >= -1)
const isZxid = (value: unknown): value is string => typeof value === 'string' && /^0x[0-9a-f]{1,16}$/.test(value)
const isState = (value: unknown): value is ZabState => typeof value === 'string' && (ZAB_STATES as readonly string[]).includes(value)
const isSync = (value: unknown): value is ZabSyncKind | null => value === null || value === 'diff' || value === 'trunc' || value === 'snap'

function voteOf(value: unknown): ZabVote | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { leader, zxid, epoch, round } = value as Fields
  if (!isSid(leader) || !isZxid(zxid) || !isSid(epoch) || !isSid(round)) return undefined
  return { leader, zxid, epoch, round }
}

/** Checks a ZAB event field by field (it crossed a process boundary); undefined when anything is off. */
export function parseZabEvent(value: unknown): ZabEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const fields = value as Fields
  switch (fields['type']) {
    case 'state': {
      const { state, leader } = fields
      return isState(state) && isNumberOrNull(leader) ? { type: 'state', state, leader } : undefined
    }
    case 'vote': {
      const vote = voteOf(fields['vote'])
      return vote === undefined ? undefined : { type: 'vote', vote }
    }
    case 'notification': {
      const { from, state } = fields
      const vote = voteOf(fields['vote'])
      return isCount(from) && isState(state) && vote !== undefined ? { type: 'notification', from, state, vote } : undefined
    }
    case 'elected': {
      const { state, leader, electionMs } = fields
      return isState(state) && isSid(leader) && isNumberOrNull(electionMs) ? { type: 'elected', state, leader, electionMs } : undefined
    }
    case 'established': {
      const { epoch } = fields
      return isNumberOrNull(epoch) ? { type: 'established', epoch } : undefined
    }
    case 'synced': {
      const { leader, epoch, sync } = fields
      return isNumberOrNull(leader) && isNumberOrNull(epoch) && isSync(sync) ? { type: 'synced', leader, epoch, sync } : undefined
    }
    case 'txns': {
      const { proposals, commits, firstZxid, lastZxid, windowMs } = fields
      const zxidOrNull = (zxid: unknown): zxid is string | null => zxid === null || isZxid(zxid)
      if (!isCount(proposals) || !isCount(commits) || !zxidOrNull(firstZxid) || !zxidOrNull(lastZxid) || !isCount(windowMs)) return undefined
      return { type: 'txns', proposals, commits, firstZxid, lastZxid, windowMs }
    }
    default:
      return undefined
  }
}

/** Checks a message a member sent over IPC; undefined when it is not one we know (it is then ignored). */
export function parseMemberMessage(value: unknown): MemberToClusterMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { type, time, event } = value as Fields
  if (type !== 'zab' || typeof time !== 'number' || !Number.isFinite(time) || time < 0) return undefined
  const parsed = parseZabEvent(event)
  return parsed === undefined ? undefined : { type: 'zab', time, event: parsed }
}
