import type { JuteWriter } from '../jute'
import {
  type ACL,
  AddWatchRequest,
  Create2Response,
  CreateResponse,
  ErrorCode,
  ErrorResponse,
  GetACLResponse,
  GetAllChildrenNumberResponse,
  GetDataResponse,
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  KeeperError,
  MultiHeader,
  OpCode,
  PathRequest,
  PathWatchRequest,
  Perms,
  SetWatches,
  SetWatches2,
  Stat,
  StatResponse,
  SyncResponse,
  WatchesRequest,
  WhoAmIResponse,
  Xid,
} from '../proto'
import type { DataTreeApi, ProcessTxnResult, Watcher } from '../tree/api'
import type { AccessControl } from './access-control'
import { clientInfos } from './auth-ids'
import type { PipelineEntry } from './pipeline-entry'
import { errorCodeOf } from './prep'
import { type ReadOp, decodeMulti, reader } from './requests'
import { childrenReplyFrame, replyFrame, replyFrameWith } from './reply-writer'

/** What FinalRequestProcessor needs besides the request. */
export interface FinalContext {
  readonly tree: DataTreeApi
  readonly access: AccessControl
}

export interface FinalReply {
  frame: Buffer
  /** `lastOp` for connection stats ("NA" when the request failed before its case ran, as in Apache). */
  operation: string
  err: number
}

/** The 4-letter operation names of `cons` (`lop=`). */
const OPERATION_NAMES: ReadonlyMap<number, string> = new Map([
  [OpCode.ping, 'PING'],
  [OpCode.createSession, 'SESS'],
  [OpCode.multi, 'MULT'],
  [OpCode.multiRead, 'MLTR'],
  [OpCode.create, 'CREA'],
  [OpCode.create2, 'CREA'],
  [OpCode.createTTL, 'CREA'],
  [OpCode.createContainer, 'CREA'],
  [OpCode.delete, 'DELE'],
  [OpCode.deleteContainer, 'DELE'],
  [OpCode.setData, 'SETD'],
  [OpCode.reconfig, 'RECO'],
  [OpCode.setACL, 'SETA'],
  [OpCode.closeSession, 'CLOS'],
  [OpCode.sync, 'SYNC'],
  [OpCode.check, 'CHEC'],
  [OpCode.exists, 'EXIS'],
  [OpCode.getData, 'GETD'],
  [OpCode.setWatches, 'SETW'],
  [OpCode.setWatches2, 'STW2'],
  [OpCode.addWatch, 'ADDW'],
  [OpCode.getACL, 'GETA'],
  [OpCode.getChildren, 'GETC'],
  [OpCode.getAllChildrenNumber, 'GETACN'],
  [OpCode.getChildren2, 'GETC'],
  [OpCode.checkWatches, 'CHKW'],
  [OpCode.removeWatches, 'REMW'],
  [OpCode.whoAmI, 'HOMI'],
  [OpCode.getEphemerals, 'GETE'],
])

export function operationName(type: number): string {
  return OPERATION_NAMES.get(type) ?? 'NA'
}

function headerOnly(xid: number, zxid: bigint, err: number, operation: string): FinalReply {
  return { frame: replyFrame(xid, zxid, err), operation, err }
}

/** The reply to an applied txn (`zxid` = the tree's last processed zxid, i.e. this txn's). */
export function replyToTxn(entry: PipelineEntry, zxid: bigint): FinalReply {
  const { cxid, type } = entry.request
  const txn = entry.txn
  if (txn === null || txn.header.type === OpCode.error) {
    const err = txn !== null && txn.body.type === OpCode.error ? txn.body.txn.err : entry.err
    return headerOnly(cxid, zxid, err || ErrorCode.MARSHALLINGERROR, 'NA')
  }
  const result = entry.result
  const operation = operationName(type)
  if (result === undefined) return headerOnly(cxid, zxid, ErrorCode.SYSTEMERROR, operation)
  if (type === OpCode.multi) {
    return { frame: replyFrameWith(cxid, zxid, 0, (w) => writeMultiResults(w, result.multiResult ?? [])), operation, err: 0 }
  }
  if (result.err !== 0) return headerOnly(cxid, zxid, result.err, operation)
  switch (type) {
    case OpCode.create:
      return { frame: replyFrame(cxid, zxid, 0, CreateResponse, { path: result.path }), operation, err: 0 }
    case OpCode.create2:
    case OpCode.createTTL:
    case OpCode.createContainer:
      return { frame: replyFrame(cxid, zxid, 0, Create2Response, { path: result.path, stat: statOrEmpty(result) }), operation, err: 0 }
    case OpCode.setData:
    case OpCode.setACL:
      return { frame: replyFrame(cxid, zxid, 0, StatResponse, { stat: statOrEmpty(result) }), operation, err: 0 }
    case OpCode.reconfig: {
      // Apache answers the active configuration's text (the one this txn carries, activated at its commit).
      const data = txn.body.type === OpCode.reconfig ? txn.body.txn.data : null
      return { frame: replyFrame(cxid, zxid, 0, GetDataResponse, { data, stat: statOrEmpty(result) }), operation, err: 0 }
    }
    default:
      // delete, deleteContainer, closeSession: header only.
      return headerOnly(cxid, zxid, 0, operation)
  }
}

function statOrEmpty(result: ProcessTxnResult): Stat {
  if (result.stat === undefined) throw new Error(`no stat in result of txn type ${result.type}`)
  return result.stat
}

/** MultiResponse: one MultiHeader (+ record) per result, then `{-1, true, -1}`. */
function writeMultiResults(w: JuteWriter, results: readonly ProcessTxnResult[]): void {
  for (const sub of results) {
    switch (sub.type) {
      case OpCode.check:
        MultiHeader.write(w, { type: OpCode.check, done: false, err: 0 })
        break
      case OpCode.create:
        MultiHeader.write(w, { type: OpCode.create, done: false, err: 0 })
        CreateResponse.write(w, { path: sub.path })
        break
      case OpCode.create2:
      case OpCode.createTTL:
      case OpCode.createContainer:
        MultiHeader.write(w, { type: OpCode.create2, done: false, err: 0 })
        Create2Response.write(w, { path: sub.path, stat: statOrEmpty(sub) })
        break
      case OpCode.delete:
      case OpCode.deleteContainer:
        MultiHeader.write(w, { type: OpCode.delete, done: false, err: 0 })
        break
      case OpCode.setData:
        MultiHeader.write(w, { type: OpCode.setData, done: false, err: 0 })
        StatResponse.write(w, { stat: statOrEmpty(sub) })
        break
      default:
        MultiHeader.write(w, { type: OpCode.error, done: false, err: sub.err })
        ErrorResponse.write(w, { err: sub.err })
    }
  }
  writeMultiEnd(w)
}

/**
 * Answers a request that has no txn, against the tree as it is now (every earlier request of the same session has
 * been answered). Mirrors the read cases of FinalRequestProcessor, including their check order and the decode errors
 * that become MARSHALLINGERROR.
 */
export function executeRead(ctx: FinalContext, entry: PipelineEntry, watcher: Watcher | undefined, zxid: bigint): FinalReply {
  const { request } = entry
  if (entry.err !== 0) return headerOnly(request.cxid, zxid, entry.err, 'NA')
  const operation = operationName(request.type)
  if (request.type === OpCode.ping) {
    return { frame: replyFrame(Xid.ping, zxid, 0), operation, err: 0 }
  }
  try {
    const frame = readReply(ctx, entry, watcher, zxid)
    return { frame, operation, err: 0 }
  } catch (error) {
    return headerOnly(request.cxid, zxid, errorCodeOf(error), operation)
  }
}

function readReply(ctx: FinalContext, entry: PipelineEntry, watcher: Watcher | undefined, zxid: bigint): Buffer {
  const { tree, access } = ctx
  const { request } = entry
  const xid = request.cxid
  const body = request.body
  switch (request.type) {
    case OpCode.sync: {
      const { path } = PathRequest.read(reader(body))
      return replyFrame(xid, zxid, 0, SyncResponse, { path })
    }
    case OpCode.exists: {
      const { path, watch } = PathWatchRequest.read(reader(body))
      if (path.includes('\0')) throw new KeeperError(ErrorCode.BADARGUMENTS)
      const node = tree.getNode(path)
      if (node !== undefined) access.check(tree.aclOf(node), Perms.READ, request.authIds)
      const stat = tree.exists(path, watch ? watcher : undefined)
      if (stat === null) throw new KeeperError(ErrorCode.NONODE)
      return replyFrame(xid, zxid, 0, StatResponse, { stat })
    }
    case OpCode.getData: {
      const { path, watch } = PathWatchRequest.read(reader(body))
      const { data, stat } = getData(ctx, path, request.authIds, watch ? watcher : undefined)
      return replyFrame(xid, zxid, 0, GetDataResponse, { data, stat })
    }
    case OpCode.getChildren: {
      const { path, watch } = PathWatchRequest.read(reader(body))
      const { vector } = getChildren(ctx, path, request.authIds, watch ? watcher : undefined)
      return childrenReplyFrame(xid, zxid, vector, undefined)
    }
    case OpCode.getChildren2: {
      const { path, watch } = PathWatchRequest.read(reader(body))
      const { vector, stat } = getChildren(ctx, path, request.authIds, watch ? watcher : undefined)
      return childrenReplyFrame(xid, zxid, vector, stat)
    }
    case OpCode.getAllChildrenNumber: {
      const { path } = PathRequest.read(reader(body))
      const node = existingNode(tree, path)
      access.check(tree.aclOf(node), Perms.READ, request.authIds)
      return replyFrame(xid, zxid, 0, GetAllChildrenNumberResponse, { totalNumber: tree.getAllChildrenNumber(path) })
    }
    case OpCode.getACL: {
      const { path } = PathRequest.read(reader(body))
      const node = existingNode(tree, path)
      const acl = tree.aclOf(node)
      access.check(acl, Perms.READ | Perms.ADMIN, request.authIds)
      const stat = tree.statOf(node)
      return replyFrame(xid, zxid, 0, GetACLResponse, { acl: visibleAcl(access, acl, request.authIds), stat })
    }
    case OpCode.setWatches: {
      const lists = SetWatches.read(reader(body))
      tree.setWatches(lists.relativeZxid, { ...lists, persistentWatches: [], persistentRecursiveWatches: [] }, requireWatcher(watcher))
      return replyFrame(xid, zxid, 0)
    }
    case OpCode.setWatches2: {
      const lists = SetWatches2.read(reader(body))
      tree.setWatches(lists.relativeZxid, lists, requireWatcher(watcher))
      return replyFrame(xid, zxid, 0)
    }
    case OpCode.addWatch: {
      const { path, mode } = AddWatchRequest.read(reader(body))
      // WatcherMode.fromZooDef rejects other modes with an exception Apache reports as a marshalling error.
      if (mode !== 0 && mode !== 1) throw new Error(`unsupported mode ${mode}`)
      tree.addWatch(path, requireWatcher(watcher), mode)
      return replyFrame(xid, zxid, 0, ErrorResponse, { err: 0 })
    }
    case OpCode.checkWatches:
    case OpCode.removeWatches: {
      const { path, type } = WatchesRequest.read(reader(body))
      if (type !== 1 && type !== 2 && type !== 3) throw new Error(`invalid watcher type ${type}`)
      const found =
        request.type === OpCode.checkWatches
          ? tree.checkWatches(path, type, requireWatcher(watcher))
          : tree.removeWatches(path, type, requireWatcher(watcher))
      if (!found) throw new KeeperError(ErrorCode.NOWATCHER, path)
      return replyFrame(xid, zxid, 0)
    }
    case OpCode.whoAmI:
      return replyFrame(xid, zxid, 0, WhoAmIResponse, { clientInfo: clientInfos(request.authIds) })
    case OpCode.getEphemerals: {
      const { prefixPath } = GetEphemeralsRequest.read(reader(body))
      return replyFrame(xid, zxid, 0, GetEphemeralsResponse, { ephemerals: ephemeralsWithPrefix(tree, request.sessionId, prefixPath) })
    }
    case OpCode.multiRead: {
      const multi = decodeMulti(body)
      // Apache has already made its (empty) MultiResponse when it meets a write op, so the -5 carries that body.
      if (multi.kind === 'write') return replyFrameWith(xid, zxid, ErrorCode.MARSHALLINGERROR, writeMultiEnd)
      return replyFrameWith(xid, zxid, 0, multiReadWriter(ctx, entry, multi.kind === 'read' ? multi.ops : []))
    }
    default:
      // reconfig sent on without a txn (it did not decode), or an op Apache lets through without a case.
      throw new Error(`no read handler for op ${request.type}`)
  }
}

function requireWatcher(watcher: Watcher | undefined): Watcher {
  if (watcher === undefined) throw new Error('watch operation without a connection')
  return watcher
}

function existingNode(tree: DataTreeApi, path: string): NonNullable<ReturnType<DataTreeApi['getNode']>> {
  const node = tree.getNode(path)
  if (node === undefined) throw new KeeperError(ErrorCode.NONODE)
  return node
}

function getData(ctx: FinalContext, path: string, authIds: FinalAuthIds, watcher: Watcher | undefined): { data: Buffer | null; stat: Stat } {
  const node = existingNode(ctx.tree, path)
  ctx.access.check(ctx.tree.aclOf(node), Perms.READ, authIds)
  return ctx.tree.getData(path, watcher)
}

/** The children as the reply's encoded vector (GetChildrenResponse's only field), in Apache's order. */
function getChildren(ctx: FinalContext, path: string, authIds: FinalAuthIds, watcher: Watcher | undefined): { vector: Buffer; stat: Stat } {
  const node = existingNode(ctx.tree, path)
  ctx.access.check(ctx.tree.aclOf(node), Perms.READ, authIds)
  return ctx.tree.getChildrenVector(path, watcher)
}

type FinalAuthIds = PipelineEntry['request']['authIds']

/** Without ADMIN, digest ids are shown as `user:x` (the hash stays secret). */
function visibleAcl(access: AccessControl, acl: readonly ACL[], authIds: FinalAuthIds): ACL[] {
  try {
    access.check(acl, Perms.ADMIN, authIds)
    return [...acl]
  } catch (error) {
    if (!(error instanceof KeeperError)) throw error
    return acl.map((entry) =>
      entry.id.scheme === 'digest' ? { perms: entry.perms, id: { scheme: 'digest', id: entry.id.id.replace(/:.*/g, ':x') } } : entry,
    )
  }
}

/** Java's `String.trim()`: strips code units up to and including U+0020 at both ends. */
function javaTrim(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && text.charCodeAt(start) <= 0x20) start++
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--
  return text.slice(start, end)
}

/** Apache lists a `clone()` of the session's HashSet: a table sized for the current count, so its own order. */
function ephemeralsWithPrefix(tree: DataTreeApi, sessionId: bigint, prefix: string): string[] {
  const all = tree.ephemeralsOf(sessionId).javaClone().javaOrder()
  const trimmed = javaTrim(prefix)
  if (trimmed === '' || trimmed === '/') return all
  return all.filter((path) => path.startsWith(prefix))
}

function writeMultiEnd(w: JuteWriter): void {
  MultiHeader.write(w, { type: -1, done: true, err: -1 })
}

/** multiRead: each op answered on its own (its watch flag is ignored). */
function multiReadWriter(ctx: FinalContext, entry: PipelineEntry, ops: readonly ReadOp[]): (w: JuteWriter) => void {
  const authIds = entry.request.authIds
  // Evaluate before writing: the shared writer must not be interleaved with anything else.
  const results = ops.map((op) => {
    try {
      if (op.type === OpCode.getChildren) return { op, children: getChildren(ctx, op.path, authIds, undefined).vector }
      return { op, data: getData(ctx, op.path, authIds, undefined) }
    } catch (error) {
      if (!(error instanceof KeeperError)) throw error
      return { op, err: error.code }
    }
  })
  return (w) => {
    for (const result of results) {
      if ('err' in result && result.err !== undefined) {
        MultiHeader.write(w, { type: OpCode.error, done: false, err: result.err })
        ErrorResponse.write(w, { err: result.err })
      } else if ('children' in result && result.children !== undefined) {
        MultiHeader.write(w, { type: OpCode.getChildren, done: false, err: 0 })
        w.raw(result.children)
      } else if ('data' in result && result.data !== undefined) {
        MultiHeader.write(w, { type: OpCode.getData, done: false, err: 0 })
        GetDataResponse.write(w, result.data)
      }
    }
    writeMultiEnd(w)
  }
}
