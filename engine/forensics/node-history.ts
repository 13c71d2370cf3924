import { OpCode } from '../proto/opcodes'
import type { ACL } from '../proto/data-records'
import type { TxnBody } from '../proto/txn'
import type { ForensicDataDir } from './forensic-data-dir'

/**
 * Every logged change of one znode, oldest first: its creations, each setData and setACL, its deletions (a delete
 * txn, or the closeSession that removed it as an ephemeral). Read from a data dir's txn logs through the index: only
 * the rows that touch the path are read back from disk and decoded.
 *
 * A change replays what the log says, so a version is the node's state right after that txn: the data a setACL or a
 * delete carries is the data before it (the log does not repeat it). What happened before the oldest log file (the
 * logs purged, the node made before them) is not known: `startsWithCreate` says whether the history starts at a create.
 */

export type NodeChangeKind = 'create' | 'setData' | 'setACL' | 'delete'

export interface NodeChange {
  /** Index row of the txn (forensics' row number). */
  row: number
  zxid: bigint
  timeMs: number
  sessionId: bigint
  kind: NodeChangeKind
  /** Inside a multi txn. */
  inMulti: boolean
  /** The data version after the change (for a delete: the last one), or null when unknown (before the log). */
  version: number | null
  aclVersion: number | null
  /** The data after the change: a delete keeps the data the node had; null when unknown or the node has no data. */
  data: Buffer | null
  /** The data is known (it is null only for a node created with null data). */
  dataKnown: boolean
  acl: readonly ACL[] | null
  /** ephemeralOwner-like: the owning session for ephemerals, 0n otherwise; null when unknown. */
  ephemeralOwner: bigint | null
}

export interface NodeHistory {
  path: string
  changes: NodeChange[]
  startsWithCreate: boolean
}

interface NodeState {
  version: number | null
  aclVersion: number | null
  data: Buffer | null
  dataKnown: boolean
  acl: readonly ACL[] | null
  ephemeralOwner: bigint | null
}

const UNKNOWN: NodeState = { version: null, aclVersion: null, data: null, dataKnown: false, acl: null, ephemeralOwner: null }

/** The node's state after one (sub-)txn that touches `path`, or null when it does not touch it. */
function applyTo(state: NodeState, body: TxnBody, path: string, sessionId: bigint): { kind: NodeChangeKind; state: NodeState } | null {
  switch (body.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL: {
      if (body.txn.path !== path) return null
      const ephemeral = 'ephemeral' in body.txn && body.txn.ephemeral
      return { kind: 'create', state: { version: 0, aclVersion: 0, data: body.txn.data, dataKnown: true, acl: body.txn.acl, ephemeralOwner: ephemeral ? sessionId : 0n } }
    }
    case OpCode.setData:
      if (body.txn.path !== path) return null
      return { kind: 'setData', state: { ...state, version: body.txn.version, data: body.txn.data, dataKnown: true } }
    case OpCode.setACL:
      if (body.txn.path !== path) return null
      return { kind: 'setACL', state: { ...state, aclVersion: body.txn.version, acl: body.txn.acl } }
    case OpCode.delete:
    case OpCode.deleteContainer:
      return body.txn.path === path ? { kind: 'delete', state } : null
    case OpCode.closeSession:
      return body.txn.paths2Delete.includes(path) ? { kind: 'delete', state } : null
    default:
      return null
  }
}

export async function nodeHistory(dir: ForensicDataDir, path: string, signal?: AbortSignal): Promise<NodeHistory> {
  const { index } = dir
  const pathId = index.paths.idOf(path)
  const changes: NodeChange[] = []
  if (pathId === undefined) return { path, changes, startsWithCreate: false }
  const rows = dir.filter({ pathPrefix: path })
  let state: NodeState = UNKNOWN
  for (const row of rows) {
    if (!index.pathIdsOf(row).includes(pathId)) continue
    signal?.throwIfAborted()
    const { header, body } = await dir.txnAt(row)
    // A failed multi is logged with its ops before the failing one intact and the rest as error txns; applying it
    // changes nothing (Apache's DataTree turns every sub-txn into an error when one is), so neither does history.
    if (body.type === OpCode.multi && body.txns.some((sub) => sub.type === OpCode.error)) continue
    const bodies = body.type === OpCode.multi ? body.txns : [body]
    for (const one of bodies) {
      const applied = applyTo(state, one, path, header.clientId)
      if (applied === null) continue
      state = applied.kind === 'delete' ? UNKNOWN : applied.state
      changes.push({
        row,
        zxid: header.zxid,
        timeMs: Number(header.time),
        sessionId: header.clientId,
        kind: applied.kind,
        inMulti: body.type === OpCode.multi,
        ...applied.state,
      })
    }
  }
  return { path, changes, startsWithCreate: changes[0]?.kind === 'create' }
}

/** When a session was created, from its createSession txn (null when it is not in the logs). */
export function sessionCreatedAt(dir: ForensicDataDir, sessionId: bigint): { zxid: bigint; timeMs: number } | null {
  const rows = dir.filter({ sessionId, types: [OpCode.createSession] })
  const row = rows[0]
  if (row === undefined) return null
  return { zxid: dir.index.zxidAt(row), timeMs: dir.index.timeAt(row) }
}
