// Engine values of an offline data dir ↔ the contract's JSON shapes (longs as 0x… strings, data as base64).
import type { FileProblem, LogFileReport, SnapshotReport, TreeAtZxid } from '../../../engine/forensics'
import { txnTypeName } from '../../../engine/forensics'
import { errorName } from '../../../engine/proto/errors'
import { OpCode } from '../../../engine/proto/opcodes'
import type { TxnBody } from '../../../engine/proto/txn'
import { OwnerKind, ownerKind, ttlOfOwner } from '../../../engine/tree/ephemeral-type'
import type { LogEntry } from '../../../engine/txn'
import type {
  ForensicLogFile,
  ForensicProblem,
  ForensicSnapshotFile,
  ForensicTreeTarget,
  ForensicTreeView,
  ForensicTxnBody,
  ForensicTxnDetail,
  ForensicTxnRow,
  NodeKind,
} from '../../contract/model'
import { hexLong, toAclEntries, toBase64 } from '../znodes/convert'

export function toProblem(problem: FileProblem): ForensicProblem {
  return {
    file: problem.file,
    kind: problem.kind,
    offset: problem.offset,
    lastGoodZxid: problem.lastGoodZxid === null ? null : hexLong(problem.lastGoodZxid),
    readable: problem.readable,
    lastGoodPath: problem.lastGoodPath ?? null,
    message: problem.message,
  }
}

export function toSnapshotFile(report: SnapshotReport): ForensicSnapshotFile {
  return {
    name: report.file.name,
    path: report.file.path,
    zxid: hexLong(report.file.zxid),
    sizeBytes: report.file.sizeBytes,
    valid: report.valid,
    nodeCount: report.nodeCount,
    sessionCount: report.sessionCount,
    problem: report.problem === null ? null : toProblem(report.problem),
  }
}

export function toLogFile(report: LogFileReport): ForensicLogFile {
  return {
    name: report.file.name,
    path: report.file.path,
    zxid: hexLong(report.file.zxid),
    sizeBytes: report.file.sizeBytes,
    txnCount: report.txnCount,
    firstZxid: report.firstZxid === null ? null : hexLong(report.firstZxid),
    lastZxid: report.lastZxid === null ? null : hexLong(report.lastZxid),
    firstTime: report.firstTimeMs,
    lastTime: report.lastTimeMs,
    problem: report.problem === null ? null : toProblem(report.problem),
  }
}

export function toTreeView(dataDirId: string, target: ForensicTreeTarget, built: TreeAtZxid): ForensicTreeView {
  return {
    dataDirId,
    target,
    snapshotFile: built.snapshotFile,
    snapshotZxid: built.snapshotZxid === null ? null : hexLong(built.snapshotZxid),
    txnsReplayed: built.txnsReplayed,
    reachedZxid: hexLong(built.reachedZxid),
    // The tree keeps the root under "" and "/": one node.
    nodeCount: built.tree.nodeCount - 1,
    sessions: [...built.sessions].map(([sessionId, timeoutMs]) => ({ sessionId: hexLong(sessionId), timeoutMs })),
    problems: built.problems.map(toProblem),
  }
}

/** A node's real kind from its stored owner (offline we see what clients cannot: containers and TTL nodes). */
export function kindOfOwner(owner: bigint): { kind: NodeKind; ttlMs: number | null } {
  switch (ownerKind(owner, true)) {
    case OwnerKind.plain:
      return { kind: 'persistent', ttlMs: null }
    case OwnerKind.container:
      return { kind: 'container', ttlMs: null }
    case OwnerKind.ttl:
      return { kind: 'ttl', ttlMs: Number(ttlOfOwner(owner)) }
    default:
      return { kind: 'ephemeral', ttlMs: null }
  }
}

export function toTxnBody(body: TxnBody): ForensicTxnBody {
  const type = txnTypeName(body.type)
  switch (body.type) {
    case OpCode.create:
    case OpCode.create2:
      return { type, path: body.txn.path, data: toBase64(body.txn.data), acl: toAclEntries(body.txn.acl), ephemeral: body.txn.ephemeral, parentCVersion: body.txn.parentCVersion }
    case OpCode.createContainer:
      return { type, path: body.txn.path, data: toBase64(body.txn.data), acl: toAclEntries(body.txn.acl), parentCVersion: body.txn.parentCVersion }
    case OpCode.createTTL:
      return { type, path: body.txn.path, data: toBase64(body.txn.data), acl: toAclEntries(body.txn.acl), parentCVersion: body.txn.parentCVersion, ttlMs: Number(body.txn.ttl) }
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type, path: body.txn.path }
    case OpCode.setData:
    case OpCode.reconfig:
      return { type, path: body.txn.path, data: toBase64(body.txn.data), version: body.txn.version }
    case OpCode.setACL:
      return { type, path: body.txn.path, acl: toAclEntries(body.txn.acl), version: body.txn.version }
    case OpCode.check:
      return { type, path: body.txn.path, version: body.txn.version }
    case OpCode.createSession:
      return { type, timeoutMs: body.txn.timeOut }
    case OpCode.closeSession:
      return { type, paths2Delete: body.txn.paths2Delete }
    case OpCode.error:
      return { type, err: errorName(body.txn.err) ?? String(body.txn.err) }
    case OpCode.multi:
      return { type, ops: body.txns.map(toTxnBody) }
  }
}

export function toTxnRow(row: number, entry: { zxid: bigint; timeMs: number; type: number; sessionId: bigint; paths: string[]; fileName: string }): ForensicTxnRow {
  return {
    row,
    zxid: hexLong(entry.zxid),
    time: entry.timeMs,
    type: txnTypeName(entry.type),
    sessionId: hexLong(entry.sessionId),
    paths: entry.paths,
    fileName: entry.fileName,
  }
}

export function toTxnDetail(base: ForensicTxnRow, entry: LogEntry): ForensicTxnDetail {
  return {
    ...base,
    cxid: entry.header.cxid,
    filePath: entry.file,
    offset: entry.offset,
    digest: entry.digest === null ? null : { version: entry.digest.version, treeDigest: hexLong(entry.digest.treeDigest) },
    body: toTxnBody(entry.body),
  }
}
