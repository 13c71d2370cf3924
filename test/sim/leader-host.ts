import { decode } from '../../engine/jute'
import { CreateMode, CreateRequest, DeleteRequest, ErrorCode, type LoggedTxn, OpCode, OPEN_ACL_UNSAFE, SetDataRequest, type TxnBody, createModeInfo } from '../../engine/proto'
import type { ForwardedRequest, SessionTouch } from '../../engine/quorum/wire/learner-payloads'
import { type Proposal, proposalOf } from '../../engine/quorum/wire/proposal-data'
import { ExpiryQueue } from '../../engine/server/expiry-queue'
import { type SimNode, type SimTree, parentOf } from './sim-tree'

/** What the leader's host needs of its member. */
export interface LeaderMember {
  readonly id: number
  readonly tree: SimTree
  /** The zxid the next proposal must carry. */
  nextZxid(): bigint
  /** Hands a prepared txn to the quorum machines now (synchronously, so zxids stay in prep order). */
  propose(proposal: Proposal): void
  note(line: string): void
}

export interface LeaderWorld {
  readonly tickTimeMs: number
  /** See Sabotage in sim-server.ts. */
  readonly sabotage: 'staleSync' | 'forgetEphemerals' | null
  /** A unique id for a txn, stamped into TxnHeader.time. */
  nextTxnId(): number
  /** A closeSession was prepared at this true time (the start of its deletes' linearization interval). */
  closeSessionPrepared(txnId: number): void
}

interface SessionState {
  timeoutMs: number
  closing: boolean
}

/**
 * What an established leader's host does beside the quorum machines, the way Apache's leader does it:
 *
 * - session tracking (`LeaderSessionTracker`): sessions come from the tree at establishment (each with a fresh
 *   timeout), are created by createSession prep, touched by the leader's own clients and by learners' PING replies,
 *   and expire in tickTime buckets (`ExpiryQueue`), each expiry becoming a closeSession txn; a closing session's
 *   requests fail with SESSIONEXPIRED;
 * - prep (`PrepRequestProcessor`): requests become txns against the tree plus the changes still in flight
 *   (`outstandingChanges`), failures become error txns; then `propose`.
 *
 * It lives as long as one leadership: a new leader starts from its own tree.
 */
export class LeaderHost {
  private readonly sessions = new Map<bigint, SessionState>()
  private readonly expiry: ExpiryQueue<bigint>
  /** Changes proposed but not yet applied, by path (null: deleted), with the zxid of the latest. */
  private readonly inFlight = new Map<string, { zxid: bigint; node: SimNode | null }>()

  constructor(
    private readonly member: LeaderMember,
    private readonly world: LeaderWorld,
    nowMs: number,
  ) {
    this.expiry = new ExpiryQueue(world.tickTimeMs, nowMs)
    for (const [sessionId, timeoutMs] of member.tree.sessions) {
      this.sessions.set(sessionId, { timeoutMs, closing: false })
      this.expiry.update(sessionId, timeoutMs, nowMs)
    }
  }

  /** When the next expiry bucket is due (the member's clock). */
  get nextDeadlineMs(): number {
    return this.expiry.nextDueMs
  }

  // ---- sessions -----------------------------------------------------------------------------------------------

  /** A client request or a learner's PING reply used the session; false when it is unknown or closing. */
  touch(sessionId: bigint, timeoutMs: number, nowMs: number): boolean {
    const session = this.sessions.get(sessionId)
    if (session === undefined || session.closing) return false
    session.timeoutMs = timeoutMs
    this.expiry.update(sessionId, timeoutMs, nowMs)
    return true
  }

  touchAll(touches: readonly SessionTouch[], nowMs: number): void {
    for (const { sessionId, timeoutMs } of touches) this.touch(sessionId, timeoutMs, nowMs)
  }

  /** Expires every session whose bucket is due. */
  tick(nowMs: number): void {
    while (this.expiry.waitMs(nowMs) === 0) {
      for (const sessionId of [...this.expiry.poll(nowMs)]) {
        const session = this.sessions.get(sessionId)
        if (session === undefined || session.closing) continue
        this.member.note(`expiring session 0x${sessionId.toString(16)} (timeout ${session.timeoutMs} ms)`)
        this.prepare({ sessionId, cxid: 0, type: OpCode.closeSession, body: Buffer.alloc(0), authinfo: null }, nowMs)
      }
    }
  }

  // ---- prep ---------------------------------------------------------------------------------------------------

  /** A client write (ours or forwarded by a learner): prepare its txn (an error txn if it fails) and propose it. */
  prepare(request: ForwardedRequest, nowMs: number): void {
    const header = { clientId: request.sessionId, cxid: request.cxid, zxid: this.member.nextZxid(), time: this.world.nextTxnId(), type: request.type }
    const body = this.txnBody(request, header.zxid, nowMs)
    const txn: LoggedTxn =
      typeof body === 'number' ? { header: { ...header, type: OpCode.error }, body: { type: OpCode.error, txn: { err: body } } } : { header, body }
    if (txn.body.type === OpCode.closeSession) this.world.closeSessionPrepared(header.time)
    this.member.propose(proposalOf(txn))
  }

  /** The leader applied a committed txn: what it changed is no longer in flight. */
  applied(zxid: bigint, body: TxnBody, clientId: bigint): void {
    for (const [path, change] of this.inFlight) if (change.zxid <= zxid) this.inFlight.delete(path)
    if (body.type === OpCode.closeSession) {
      this.sessions.delete(clientId)
      this.expiry.remove(clientId)
    }
  }

  private node(path: string): SimNode | null {
    const change = this.inFlight.get(path)
    return change !== undefined ? change.node : (this.member.tree.nodes.get(path) ?? null)
  }

  private change(zxid: bigint, path: string, node: SimNode | null): void {
    this.inFlight.set(path, { zxid, node })
  }

  /** Apache's `checkSession`: an unknown or closing session gets SESSIONEXPIRED. */
  private sessionLive(sessionId: bigint): boolean {
    const session = this.sessions.get(sessionId)
    return session !== undefined && !session.closing
  }

  /** The txn for a request, or the error code it fails with (the checks in Apache's order). */
  private txnBody(request: ForwardedRequest, zxid: bigint, nowMs: number): TxnBody | number {
    switch (request.type) {
      case OpCode.createSession: {
        const timeoutMs = request.body.readInt32BE(0)
        this.sessions.set(request.sessionId, { timeoutMs, closing: false })
        this.expiry.update(request.sessionId, timeoutMs, nowMs)
        return { type: OpCode.createSession, txn: { timeOut: timeoutMs } }
      }
      case OpCode.closeSession:
        return { type: OpCode.closeSession, txn: { paths2Delete: this.closeSession(request.sessionId, zxid) } }
      case OpCode.create:
        return this.create(request, zxid)
      case OpCode.setData: {
        if (!this.sessionLive(request.sessionId)) return ErrorCode.SESSIONEXPIRED
        const { path, data, version } = decode(SetDataRequest, request.body)
        const node = this.node(path)
        if (node === null) return ErrorCode.NONODE
        if (version !== -1 && version !== node.version) return ErrorCode.BADVERSION
        const text = data === null ? '' : data.toString('utf8')
        this.change(zxid, path, { ...node, data: text, version: node.version + 1, mzxid: zxid })
        return { type: OpCode.setData, txn: { path, data, version: node.version + 1 } }
      }
      case OpCode.delete: {
        if (!this.sessionLive(request.sessionId)) return ErrorCode.SESSIONEXPIRED
        const { path, version } = decode(DeleteRequest, request.body)
        const node = this.node(path)
        if (node === null) return ErrorCode.NONODE
        if (version !== -1 && version !== node.version) return ErrorCode.BADVERSION
        this.change(zxid, path, null)
        return { type: OpCode.delete, txn: { path } }
      }
      default:
        throw new Error(`the simulated leader does not prepare request type ${request.type}`)
    }
  }

  private create(request: ForwardedRequest, zxid: bigint): TxnBody | number {
    if (!this.sessionLive(request.sessionId)) return ErrorCode.SESSIONEXPIRED
    const { path: asked, data, flags } = decode(CreateRequest, request.body)
    const mode = createModeInfo(flags)
    if (mode === undefined || mode.ttl || mode.container) return ErrorCode.BADARGUMENTS
    const parentPath = parentOf(asked)
    const parent = this.node(parentPath)
    if (parent === null) return ErrorCode.NONODE
    if (parent.ephemeralOwner !== 0n) return ErrorCode.NOCHILDRENFOREPHEMERALS
    const path = mode.sequential ? `${asked}${String(parent.cversion).padStart(10, '0')}` : asked
    if (this.node(path) !== null) return ErrorCode.NODEEXISTS
    const parentCVersion = parent.cversion + 1
    const owner = mode.ephemeral ? request.sessionId : 0n
    this.change(zxid, parentPath, { ...parent, cversion: parentCVersion })
    this.change(zxid, path, { data: data === null ? '' : data.toString('utf8'), version: 0, cversion: 0, czxid: zxid, mzxid: zxid, ephemeralOwner: owner })
    return { type: OpCode.create, txn: { path, data, acl: [...OPEN_ACL_UNSAFE], ephemeral: mode.ephemeral, parentCVersion } }
  }

  /** The session's ephemerals, in the tree or in flight (Apache walks `outstandingChanges` the same way). */
  private closeSession(sessionId: bigint, zxid: bigint): string[] {
    const paths = new Set(this.member.tree.ephemeralsOf(sessionId))
    for (const [path, change] of this.inFlight) {
      if (change.node !== null && change.node.ephemeralOwner === sessionId) paths.add(path)
      else paths.delete(path)
    }
    for (const path of paths) this.change(zxid, path, null)
    const session = this.sessions.get(sessionId)
    if (session !== undefined) session.closing = true
    if (this.world.sabotage === 'forgetEphemerals') return []
    return [...paths].sort()
  }
}

/** Apache's create flags for the workload's kinds of node. */
export function createFlags(ephemeral: boolean, sequential: boolean): number {
  if (ephemeral) return sequential ? CreateMode.EPHEMERAL_SEQUENTIAL : CreateMode.EPHEMERAL
  return sequential ? CreateMode.PERSISTENT_SEQUENTIAL : CreateMode.PERSISTENT
}
