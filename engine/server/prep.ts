import {
  type ACL,
  type LoggedTxn,
  type StatPersisted,
  type TxnBody,
  type TxnDigest,
  type TxnHeader,
  CheckVersionRequest,
  DeleteRequest,
  ErrorCode,
  KeeperError,
  OpCode,
  Perms,
  ReconfigRequest,
  SetACLRequest,
  SetDataRequest,
  createModeInfo,
  CONTAINER_EPHEMERAL_OWNER,
} from '../proto'
import type { DataTreeApi } from '../tree/api'
import { DIGEST_VERSION, ZERO_DIGEST, digestToLong, nodeDigest, replaceInDigest } from '../tree/digest'
import { validatePath } from '../tree/path'
import type { AccessControl } from './access-control'
import { type ChangeRecord, OutstandingChanges } from './change-records'
import { formatSequentialSuffix } from '../tree/data-node'
import { isSpecialPath } from '../tree/path'
import { isSessionEphemeral, validTtlOwner } from './node-kinds'
import { type CreateSpec, type WriteOp, decodeCreate, decodeCreateTTL, decodeMulti, reader } from './requests'
import { type ReconfigView, configTextOf, plannedServers } from './reconfig-plan'
import type { ServerRequest } from './request'
import type { SessionTracker } from './session-tracker'

/** A quota verdict for adding `bytesDelta` bytes and `countDelta` nodes under a path (the tree's `quotaCheck`). */
export type QuotaCheck = (path: string, bytesDelta: number, countDelta: number) => { hard: boolean; exceeded: boolean; quotaPath?: string }

export interface PrepOptions {
  extendedTypesEnabled: boolean
  reconfigEnabled: boolean
  /** `zookeeper.enforceQuota`: hard limits refuse writes with QUOTAEXCEEDED (otherwise quotas are only tracked). */
  enforceQuota: boolean
  quotaCheck?: QuotaCheck
  /** An ensemble's configuration version (reconfig checks run against it); undefined when standalone. */
  ensembleConfigVersion?: bigint
  /**
   * The leader's quorum, for reconfig (null while this member does not lead). Without this option a reconfig that
   * passes the first checks is answered UNIMPLEMENTED, as before dynamic reconfiguration existed here.
   */
  reconfigView?: () => ReconfigView | null
  /** `zookeeper.digest.enabled` (default true): each txn gets the tree digest it will leave (TxnDigest). */
  digestEnabled?: boolean
}

/** The outcome of preparing one write: the txn to log (error txns included) and the error a reply must carry. */
export interface Prepared {
  /**
   * Null only when Apache sends the request on without a txn (a reconfig that does not decode). With digests on,
   * `txn.digest` is the tree digest once it is applied (none for an error txn, as Apache's prep sets none there).
   */
  txn: LoggedTxn | null
  /** The request's error (the failing op's code for a multi, whose reply still has err 0). 0 when none. */
  err: number
}

/**
 * Apache's PrepRequestProcessor: validates each write against the speculative state (the committed tree plus the
 * outstanding change records), in the exact check order of `pRequest2Txn`, and turns it into an idempotent txn.
 * A write that fails still gets a zxid and becomes an error txn, so every server logs the same sequence.
 */
export class PrepRequestProcessor {
  readonly changes: OutstandingChanges
  /** The highest zxid handed out (`hzxid`). */
  lastZxid: bigint
  private readonly digestEnabled: boolean

  constructor(
    private readonly tree: DataTreeApi,
    private readonly sessions: SessionTracker,
    private readonly access: AccessControl,
    private readonly options: PrepOptions,
  ) {
    this.changes = new OutstandingChanges(tree)
    this.lastZxid = tree.lastProcessedZxid
    this.digestEnabled = options.digestEnabled ?? true
  }

  /** A read only needs a live session; the error (if any) is answered in order by the final stage. */
  checkReadSession(sessionId: bigint): number {
    try {
      this.sessions.checkSession(sessionId)
      return 0
    } catch (error) {
      return errorCodeOf(error)
    }
  }

  /** `wallMs` stamps the txn (ctime/mtime); `nowMs` is the monotonic clock for session bookkeeping. */
  prepare(request: ServerRequest, wallMs: number, nowMs: number): Prepared {
    if (request.type === OpCode.reconfig) {
      // Apache decodes a reconfig before it allocates the zxid: an undecodable one has no txn at all.
      try {
        ReconfigRequest.read(reader(request.body))
      } catch {
        return { txn: null, err: ErrorCode.MARSHALLINGERROR }
      }
    }
    const header: TxnHeader = {
      clientId: request.sessionId,
      cxid: request.cxid,
      zxid: ++this.lastZxid,
      time: wallMs,
      type: request.type,
    }
    try {
      const body =
        request.type === OpCode.multi
          ? this.prepareMulti(request, header, nowMs)
          : this.txnFor(request.type, request, header, undefined, nowMs)
      // Every txn that prepares (a failed multi too) carries the digest the tree will have once it is applied: the
      // newest outstanding change's, or the tree's own when it changes nothing (createSession).
      const digest = this.txnDigest()
      if (body.type === OpCode.multi) {
        const failed = body.txns.find((sub) => sub.type === OpCode.error)
        const err = failed?.type === OpCode.error ? failed.txn.err : 0
        return { txn: { header, body, digest }, err }
      }
      return { txn: { header, body, digest }, err: 0 }
    } catch (error) {
      const err = errorCodeOf(error)
      header.type = OpCode.error
      return { txn: { header, body: { type: OpCode.error, txn: { err } } }, err }
    }
  }

  private prepareMulti(request: ServerRequest, header: TxnHeader, nowMs: number): TxnBody {
    const multi = decodeMulti(request.body)
    // Read ops inside a multi make Apache fail while serialising a missing txn: a marshalling error.
    if (multi.kind === 'read') throw new Error('read op in multi')
    const ops = multi.kind === 'write' ? multi.ops : []
    const previous = this.pendingChangesFor(ops)
    const txns: TxnBody[] = []
    let failed = false
    for (const op of ops) {
      if (failed) {
        txns.push({ type: OpCode.error, txn: { err: ErrorCode.RUNTIMEINCONSISTENCY } })
        continue
      }
      try {
        txns.push(this.txnFor(op.type, request, header, op, nowMs))
      } catch (error) {
        if (!(error instanceof KeeperError)) throw error
        failed = true
        txns.push({ type: OpCode.error, txn: { err: error.code } })
        this.changes.rollback(header.zxid, previous)
      }
    }
    return { type: OpCode.multi, txns }
  }

  /** `getPendingChanges`: the records current for each op's path and parent before the multi touches them. */
  private pendingChangesFor(ops: readonly WriteOp[]): Map<string, ChangeRecord> {
    const previous = new Map<string, ChangeRecord>()
    for (const op of ops) {
      const change = this.changes.outstanding(op.path)
      if (change !== undefined) previous.set(op.path, change)
      const slash = op.path.lastIndexOf('/')
      if (slash === -1 || op.path.includes('\0')) continue
      const parentPath = op.path.slice(0, slash)
      const parentChange = this.changes.outstanding(parentPath)
      if (parentChange !== undefined) previous.set(parentPath, parentChange)
    }
    return previous
  }

  /** `pRequest2Txn` for one request or one multi op (`op` carries the already decoded record). */
  private txnFor(type: number, request: ServerRequest, header: TxnHeader, op: WriteOp | undefined, nowMs: number): TxnBody {
    switch (type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL: {
        const spec = op !== undefined && 'create' in op ? op.create : type === OpCode.createTTL ? decodeCreateTTL(request.body) : decodeCreate(request.body)
        return this.txnForCreate(type, spec, request, header)
      }
      case OpCode.deleteContainer:
        return this.txnForDeleteContainer(request, header)
      case OpCode.delete: {
        this.sessions.checkSession(request.sessionId)
        const { path, version } = op?.type === OpCode.delete ? op : DeleteRequest.read(reader(request.body))
        return this.txnForDelete(path, version, request, header)
      }
      case OpCode.setData: {
        this.sessions.checkSession(request.sessionId)
        const { path, data, version } = op?.type === OpCode.setData ? op : SetDataRequest.read(reader(request.body))
        return this.txnForSetData(path, data, version, request, header)
      }
      case OpCode.reconfig:
        return this.txnForReconfig(request, header)
      case OpCode.setACL: {
        this.sessions.checkSession(request.sessionId)
        const { path, acl, version } = SetACLRequest.read(reader(request.body))
        return this.txnForSetACL(path, acl, version, request, header)
      }
      case OpCode.createSession:
        return this.txnForCreateSession(request, nowMs)
      case OpCode.closeSession:
        return this.txnForCloseSession(request, header)
      case OpCode.check: {
        this.sessions.checkSession(request.sessionId)
        const { path, version } = op?.type === OpCode.check ? op : CheckVersionRequest.read(reader(request.body))
        validatePath(path)
        const node = this.recordFor(path)
        this.access.check(node.acl, Perms.READ, request.authIds)
        return { type: OpCode.check, txn: { path, version: checkAndIncVersion(node.stat!.version, version, path) } }
      }
      default:
        throw new Error(`no txn for op ${type}`)
    }
  }

  private txnForCreate(type: number, spec: CreateSpec, request: ServerRequest, header: TxnHeader): TxnBody {
    const mode = createModeInfo(spec.flags)
    if (mode === undefined) throw new KeeperError(ErrorCode.BADARGUMENTS, spec.path)
    if (mode.ttl && !this.options.extendedTypesEnabled) throw new KeeperError(ErrorCode.UNIMPLEMENTED)
    if (mode.ttl ? validTtlOwner(spec.ttl) === undefined : spec.ttl >= 0n) throw new KeeperError(ErrorCode.BADARGUMENTS, spec.path)
    if (mode.ephemeral) this.sessions.checkGlobalSession(request.sessionId)
    else this.sessions.checkSession(request.sessionId)
    const parentPath = parentForCreate(spec.path)
    const acl = this.access.fixup(spec.acl, request.authIds)
    const parent = this.recordFor(parentPath)
    this.access.check(parent.acl, Perms.CREATE, request.authIds)
    const parentStat = parent.stat!
    const path = mode.sequential ? spec.path + formatSequentialSuffix(parentStat.cversion) : spec.path
    validatePath(path)
    if (this.changes.lookup(path) !== undefined) throw new KeeperError(ErrorCode.NODEEXISTS, path)
    if (isSessionEphemeral(parentStat.ephemeralOwner, this.options.extendedTypesEnabled)) {
      throw new KeeperError(ErrorCode.NOCHILDRENFOREPHEMERALS, path)
    }
    const parentCVersion = (parentStat.cversion + 1) | 0 // a Java int: wraps after 2^31 - 1
    this.checkQuota(path, spec.data?.length ?? 0, 1)

    let body: TxnBody
    if (type === OpCode.createContainer) body = { type, txn: { path, data: spec.data, acl, parentCVersion } }
    else if (type === OpCode.createTTL) body = { type, txn: { path, data: spec.data, acl, parentCVersion, ttl: spec.ttl } }
    else body = { type: type as typeof OpCode.create, txn: { path, data: spec.data, acl, ephemeral: mode.ephemeral, parentCVersion } }
    // The speculative owner follows the mode, whatever the opcode, exactly as Apache's prep computes it.
    let owner = 0n
    if (mode.container) owner = CONTAINER_EPHEMERAL_OWNER
    else if (mode.ttl) owner = validTtlOwner(spec.ttl)!
    else if (mode.ephemeral) owner = request.sessionId

    const parentRecord: ChangeRecord = {
      ...parent,
      zxid: header.zxid,
      childCount: parent.childCount + 1,
      stat: { ...parentStat, cversion: parentCVersion, pzxid: header.zxid },
    }
    this.addUpdated(parentRecord, parent)
    const stat = newStat(header, owner)
    this.addCreated({ zxid: header.zxid, path, stat, childCount: 0, acl, data: spec.data, nodeDigest: 0, treeDigest: ZERO_DIGEST })
    return body
  }

  private txnForDelete(path: string, version: number, request: ServerRequest, header: TxnHeader): TxnBody {
    const parentPath = parentForDelete(path)
    const parent = this.recordFor(parentPath)
    this.access.check(parent.acl, Perms.DELETE, request.authIds)
    const node = this.recordFor(path)
    checkAndIncVersion(node.stat!.version, version, path)
    if (node.childCount > 0) throw new KeeperError(ErrorCode.NOTEMPTY, path)
    this.recordDelete(parent, node, header.zxid)
    return { type: OpCode.delete, txn: { path } }
  }

  /**
   * The reaper's delete. Apache reads the path from the whole frame buffer, so one sent by a client (whose header
   * bytes precede the path) always fails with BADARGUMENTS; only the server's own requests carry a bare path.
   */
  private txnForDeleteContainer(request: ServerRequest, header: TxnHeader): TxnBody {
    const path = request.cnx === null ? request.body.toString('utf8') : '\0'
    const parentPath = parentForDelete(path)
    const node = this.recordFor(path)
    if (node.childCount > 0) throw new KeeperError(ErrorCode.NOTEMPTY, path)
    if (isSessionEphemeral(node.stat!.ephemeralOwner, this.options.extendedTypesEnabled)) {
      throw new KeeperError(ErrorCode.BADVERSION, path)
    }
    const parent = this.recordFor(parentPath)
    this.recordDelete(parent, node, header.zxid)
    return { type: OpCode.deleteContainer, txn: { path } }
  }

  private recordDelete(parent: ChangeRecord, node: ChangeRecord, zxid: bigint): void {
    const path = node.path
    this.addUpdated({ ...parent, zxid, childCount: parent.childCount - 1, stat: { ...parent.stat!, pzxid: zxid } }, parent)
    this.addRemoved({ zxid, path, stat: null, childCount: -1, acl: [], data: null, nodeDigest: 0, treeDigest: ZERO_DIGEST }, node)
  }

  private txnForSetData(path: string, data: Buffer | null, version: number, request: ServerRequest, header: TxnHeader): TxnBody {
    validatePath(path)
    const node = this.recordFor(path)
    this.access.check(node.acl, Perms.WRITE, request.authIds)
    this.checkQuota(path, (data?.length ?? 0) - (node.data?.length ?? 0), 0)
    const newVersion = checkAndIncVersion(node.stat!.version, version, path)
    this.addUpdated(
      {
        ...node,
        zxid: header.zxid,
        data,
        stat: { ...node.stat!, version: newVersion, mtime: header.time, mzxid: header.zxid },
      },
      node,
    )
    return { type: OpCode.setData, txn: { path, data, version: newVersion } }
  }

  private txnForSetACL(path: string, requested: ACL[], version: number, request: ServerRequest, header: TxnHeader): TxnBody {
    validatePath(path)
    const acl = this.access.fixup(requested, request.authIds)
    const node = this.recordFor(path)
    this.access.check(node.acl, Perms.ADMIN, request.authIds)
    const newVersion = checkAndIncVersion(node.stat!.aversion, version, path)
    this.addUpdated({ ...node, zxid: header.zxid, acl, stat: { ...node.stat!, aversion: newVersion } }, node)
    return { type: OpCode.setACL, txn: { path, acl, version: newVersion } }
  }

  /**
   * Apache's reconfig case of pRequest2Txn, in its order: disabled, session, not a leader (standalone: unsupported),
   * a reconfig in progress, the config version, the new configuration (incremental or not; BADARGUMENTS), its voter
   * count, a synced quorum of it, WRITE on /zookeeper/config. The txn is a SetDataTxn of /zookeeper/config holding the
   * new configuration (version = this txn's zxid); its record keeps version -1 and leaves the tree digest alone.
   */
  private txnForReconfig(request: ServerRequest, header: TxnHeader): TxnBody {
    if (!this.options.reconfigEnabled) throw new KeeperError(ErrorCode.RECONFIGDISABLED)
    this.sessions.checkSession(request.sessionId)
    if (this.options.ensembleConfigVersion === undefined) throw new KeeperError(ErrorCode.UNIMPLEMENTED)
    if (this.options.reconfigView !== undefined) return this.reconfigTxn(request, header, this.options.reconfigView())
    const reconfig = ReconfigRequest.read(reader(request.body))
    if (reconfig.curConfigId !== -1n && reconfig.curConfigId !== this.options.ensembleConfigVersion) throw new KeeperError(ErrorCode.BADVERSION)
    if (reconfig.newMembers === null) {
      for (const joiner of (reconfig.joiningServers ?? '').split(',').filter((entry) => entry.length > 0)) {
        const parts = joiner.split('=')
        if (parts.length !== 2) throw new KeeperError(ErrorCode.BADARGUMENTS)
        // server_spec;client_spec with the quorum, election and client ports.
        if (!/^[^:;]+:\d+:\d+(:(participant|observer))?;([^;]*:)?\d+$/.test(parts[1]!.trim())) throw new KeeperError(ErrorCode.BADARGUMENTS)
      }
    }
    const config = this.recordFor('/zookeeper/config')
    this.access.check(config.acl, Perms.WRITE, request.authIds)
    throw new KeeperError(ErrorCode.UNIMPLEMENTED)
  }

  private reconfigTxn(request: ServerRequest, header: TxnHeader, view: ReconfigView | null): TxnBody {
    if (view === null) throw new KeeperError(ErrorCode.UNIMPLEMENTED)
    // Apache's lastSeen != active: the quorum's pending reconfig, or one this prep has handed on and the quorum has
    // not proposed yet (its change record is still outstanding).
    if (view.inProgress() || this.changes.outstanding('/zookeeper/config') !== undefined) throw new KeeperError(ErrorCode.RECONFIGINPROGRESS)
    const reconfig = ReconfigRequest.read(reader(request.body))
    const lastSeen = view.lastSeen()
    if (reconfig.curConfigId !== -1n && reconfig.curConfigId !== lastSeen.version) throw new KeeperError(ErrorCode.BADVERSION)
    const servers = plannedServers(reconfig, lastSeen.servers)
    const voters = servers.filter((server) => server.role === 'participant').map((server) => server.id)
    if (voters.length < (view.standaloneEnabled ? 2 : 1)) throw new KeeperError(ErrorCode.BADARGUMENTS)
    if (!view.isQuorumSynced(voters)) throw new KeeperError(ErrorCode.NEWCONFIGNOQUORUM)
    const config = this.recordFor('/zookeeper/config')
    this.access.check(config.acl, Perms.WRITE, request.authIds)
    const data = Buffer.from(configTextOf(servers, header.zxid), 'utf8')
    // Apache: a NOOP for the digest (the config node is not covered by digests).
    this.changes.add({
      ...config,
      zxid: header.zxid,
      data,
      stat: { ...config.stat!, version: -1, mtime: header.time, mzxid: header.zxid },
      treeDigest: this.changes.currentDigest(),
    })
    return { type: OpCode.reconfig, txn: { path: '/zookeeper/config', data, version: -1 } }
  }

  /** The session was tracked when its id was allocated; the txn only records its timeout durably. */
  private txnForCreateSession(request: ServerRequest, nowMs: number): TxnBody {
    if (request.body.length < 4) throw new Error('createSession without a timeout')
    const timeOut = request.body.readInt32BE(0)
    this.sessions.trackSession(request.sessionId, timeOut, nowMs)
    this.sessions.checkGlobalSession(request.sessionId)
    return { type: OpCode.createSession, txn: { timeOut } }
  }

  /**
   * Lists the session's ephemerals as they will be when this txn applies: the committed ones, plus those created by
   * outstanding txns, minus those outstanding txns delete. No session check: expiry submits it for a closing session.
   */
  private txnForCloseSession(request: ServerRequest, header: TxnHeader): TxnBody {
    // Apache edits a clone() of the session's HashSet (its table sized for the current count, then grown by the adds)
    // and lists it in that clone's order, which is also the order the deletes (and their events) happen in.
    const paths = this.tree.ephemeralsOf(request.sessionId).javaClone()
    for (const change of this.changes.pending()) {
      if (change.stat === null) paths.delete(change.path)
      else if (change.stat.ephemeralOwner === request.sessionId) paths.add(change.path)
    }
    const paths2Delete = paths.javaOrder()
    const zxid = header.zxid
    for (const path of paths2Delete) {
      if (this.digestEnabled) {
        // Only with digests does Apache record the parents (pzxid moved, child count left as it is), for their digest.
        const parentPath = parentForDelete(path)
        const parent = this.recordFor(parentPath)
        this.addUpdated({ ...parent, zxid, stat: { ...parent.stat!, pzxid: zxid } }, parent)
      }
      const removed: ChangeRecord = { zxid, path, stat: null, childCount: 0, acl: [], data: null, nodeDigest: 0, treeDigest: ZERO_DIGEST }
      // The node's record gives the digest it leaves; Apache looks it up only for that.
      if (this.digestEnabled) this.addRemoved(removed, this.recordFor(path))
      else this.changes.add(removed)
    }
    this.sessions.setSessionClosing(request.sessionId)
    return { type: OpCode.closeSession, txn: { paths2Delete } }
  }

  /** Quotas are always tracked by the tree; only with enforcement does a hard limit refuse the write. */
  private checkQuota(path: string, bytesDelta: number, countDelta: number): void {
    if (!this.options.enforceQuota || this.options.quotaCheck === undefined) return
    const verdict = this.options.quotaCheck(path, bytesDelta, countDelta)
    if (verdict.exceeded && verdict.hard) throw new KeeperError(ErrorCode.QUOTAEXCEEDED, verdict.quotaPath)
  }

  private recordFor(path: string): ChangeRecord {
    const record = this.changes.lookup(path)
    if (record === undefined) throw new KeeperError(ErrorCode.NONODE, path)
    return record
  }

  // ---- digests (PrepRequestProcessor.precalculateDigest: ADD, REMOVE, UPDATE) ----

  /** A changed node: its digest recomputed from the record's state, replacing `previous`'s in the tree digest. */
  private addUpdated(record: ChangeRecord, previous: ChangeRecord): void {
    if (this.digestEnabled) this.precalculate(record, previous.nodeDigest, nodeDigest(record.path, record.data, record.stat!))
    this.changes.add(record)
  }

  /** A new node: its digest joins the tree digest. */
  private addCreated(record: ChangeRecord): void {
    if (this.digestEnabled) this.precalculate(record, 0, nodeDigest(record.path, record.data, record.stat!))
    this.changes.add(record)
  }

  /** A deleted node: `previous`'s digest leaves the tree digest. */
  private addRemoved(record: ChangeRecord, previous: ChangeRecord): void {
    if (this.digestEnabled) this.precalculate(record, previous.nodeDigest, 0)
    this.changes.add(record)
  }

  private precalculate(record: ChangeRecord, previousNodeDigest: number, newNodeDigest: number): void {
    record.nodeDigest = newNodeDigest
    record.treeDigest = replaceInDigest(this.changes.currentDigest(), previousNodeDigest, newNodeDigest)
  }

  /** Apache's `setTxnDigest(request)`: the digest after every outstanding change, this txn's included. */
  private txnDigest(): TxnDigest | null {
    if (!this.digestEnabled) return null
    return { version: DIGEST_VERSION, treeDigest: digestToLong(this.changes.currentDigest()) }
  }

  /** Called once a txn is applied: its change records are now the tree's state. */
  applied(zxid: bigint): void {
    this.changes.applied(zxid)
  }
}

function newStat(header: TxnHeader, ephemeralOwner: bigint): StatPersisted {
  return {
    czxid: header.zxid,
    mzxid: header.zxid,
    ctime: header.time,
    mtime: header.time,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner,
    pzxid: header.zxid,
  }
}

function checkAndIncVersion(current: number, expected: number, path: string): number {
  if (expected !== -1 && expected !== current) throw new KeeperError(ErrorCode.BADVERSION, path)
  return (current + 1) | 0
}

/** `validatePathForCreate`: only a slash and no NUL are required before the parent lookup. */
function parentForCreate(path: string): string {
  const slash = path.lastIndexOf('/')
  if (slash === -1 || path.includes('\0')) throw new KeeperError(ErrorCode.BADARGUMENTS, path)
  return path.slice(0, slash)
}

/** `getParentPathAndValidate`: as for create, and the built-in nodes cannot be deleted. */
function parentForDelete(path: string): string {
  const slash = path.lastIndexOf('/')
  if (slash === -1 || path.includes('\0') || isSpecialPath(path)) throw new KeeperError(ErrorCode.BADARGUMENTS, path)
  return path.slice(0, slash)
}

/** KeeperErrors keep their code; anything else (a decode failure) is Apache's MARSHALLINGERROR. */
export function errorCodeOf(error: unknown): number {
  return error instanceof KeeperError ? error.code : ErrorCode.MARSHALLINGERROR
}
