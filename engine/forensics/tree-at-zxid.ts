import { OpCode } from '../proto/opcodes'
import type { TxnBody } from '../proto/txn'
import { DataTree } from '../tree/data-tree'
import { SnapshotInvalidError, TxnLogCorruptError } from '../txn/errors'
import { readSnapshotFile } from '../txn/snapshot'
import { dataTreeCodec } from '../txn/tree-codec'
import { FILE_HEADER_BYTES } from '../txn/txn-log-format'
import { type LogEntry, TxnLogIterator, logFilesFrom } from '../txn/txn-log-reader'
import type { DataDirFile } from './data-dir-files'
import { TxnEntryReader } from './entry-reader'
import type { FileProblem } from './file-problem'
import type { ScanOptions } from './log-indexer'

/**
 * The tree as it was at a zxid: the newest snapshot at or before it that reads back whole, then the logged txns
 * after the snapshot up to the zxid replayed on it (Apache's restore, stopped early). A snapshot that fails is
 * skipped for an older one and reported; a log that fails stops the replay there, and the tree is the one at the
 * last txn read whole (reported, with where it stopped).
 *
 * Apache's snapshots are fuzzy: snapshot.<z> holds at least every txn ≤ z and maybe some after it (up to the zxid
 * of its digest section), which replay repairs. So a tree "as of snapshot.<z>" is the file's content, and a tree as
 * of zxid x starts from the newest snapshot whose content cannot reach past x.
 */

export type TreeTarget = { kind: 'snapshot'; zxid: bigint } | { kind: 'zxid'; zxid: bigint }

export interface TreeAtZxid {
  tree: DataTree
  /** Session id → timeout (ms) at that point: the snapshot's, plus/minus the replayed session txns. */
  sessions: Map<bigint, number>
  /** The snapshot the tree started from; null when it was rebuilt from the logs alone (they start at zxid 1). */
  snapshotFile: string | null
  snapshotZxid: bigint | null
  txnsReplayed: number
  /** The last zxid applied (or the snapshot's); equal to the target unless the logs end or fail before it. */
  reachedZxid: bigint
  /** Snapshots skipped because they do not read back, and a log failure that cut the replay short. */
  problems: FileProblem[]
}

export interface TreeBuildOptions extends ScanOptions {
  /** How many txns the replay will apply, for progress (from the index); null when unknown. */
  expectedTxns?: number | null
  /** Progress in txns applied. */
  onReplayed?: (done: number, total: number | null) => void
}

/** Offline trees know TTL owners by their top byte (TTL nodes only exist with extended types on) and skip digests. */
export function offlineTreeCodec() {
  return dataTreeCodec({ extendedTypesEnabled: true, digestEnabled: false })
}

export async function treeAtZxid(
  snapshots: readonly DataDirFile[],
  logs: readonly DataDirFile[],
  target: TreeTarget,
  options: TreeBuildOptions = {},
): Promise<TreeAtZxid> {
  const problems: FileProblem[] = []
  const codec = offlineTreeCodec()
  const candidates = snapshots.filter((file) => (target.kind === 'snapshot' ? file.zxid === target.zxid : file.zxid <= target.zxid)).reverse()
  if (target.kind === 'snapshot' && candidates.length === 0) throw new SnapshotInvalidError(`snapshot.${target.zxid.toString(16)}`, 'no such snapshot')
  for (const candidate of candidates) {
    options.signal?.throwIfAborted()
    try {
      const loaded = await readSnapshotFile(candidate, codec)
      // A fuzzy snapshot may hold txns up to the zxid of its digest section (the last txn applied by the time the
      // tree was written): one that reaches past the target cannot give the tree as of it — an older one must.
      if (target.kind === 'zxid' && contentReachesZxid(loaded.zxid, loaded.digest) > target.zxid) continue
      const start = { tree: loaded.tree, sessions: loaded.sessions, snapshotFile: loaded.file, snapshotZxid: loaded.zxid }
      if (target.kind === 'snapshot') {
        loaded.tree.lastProcessedZxid = loaded.zxid
        return { ...start, txnsReplayed: 0, reachedZxid: loaded.zxid, problems }
      }
      return await replay(start, logs, target.zxid, problems, options)
    } catch (error) {
      if (!(error instanceof SnapshotInvalidError)) throw error
      if (target.kind === 'snapshot') throw error
      problems.push({ file: candidate.path, kind: 'invalidSnapshot', offset: null, lastGoodZxid: null, readable: 0, message: error.message })
    }
  }
  // No snapshot at or before the target: the logs alone will do when they start at the very beginning.
  const first = logs[0]
  if (first === undefined || first.zxid > 1n) {
    throw new SnapshotInvalidError(
      first === undefined ? 'the data directory' : first.path,
      `no readable snapshot whose content stops at or before 0x${target.zxid.toString(16)}, and the logs do not start at zxid 1`,
    )
  }
  const tree = new DataTree({ extendedTypesEnabled: true, digestEnabled: false })
  return replay({ tree, sessions: new Map(), snapshotFile: null, snapshotZxid: null }, logs, target.zxid, problems, options)
}

/** The newest txn a snapshot's content may hold: its name's zxid, or later when its digest section says so. */
function contentReachesZxid(nameZxid: bigint, digest: { zxid: bigint } | null): bigint {
  return digest !== null && digest.zxid > nameZxid ? digest.zxid : nameZxid
}

interface ReplayStart {
  tree: DataTree
  sessions: Map<bigint, number>
  snapshotFile: string | null
  snapshotZxid: bigint | null
}

async function replay(start: ReplayStart, logs: readonly DataDirFile[], targetZxid: bigint, problems: FileProblem[], options: TreeBuildOptions): Promise<TreeAtZxid> {
  const { tree, sessions } = start
  const fromZxid = (start.snapshotZxid ?? 0n) + 1n
  tree.lastProcessedZxid = start.snapshotZxid ?? 0n
  let reachedZxid = tree.lastProcessedZxid
  let txnsReplayed = 0
  const total = options.expectedTxns ?? null
  let last: { file: string; endOffset: number } | null = null
  /** Applies one txn; false once past the target. */
  const apply = (entry: LogEntry): boolean => {
    if (entry.header.zxid > targetZxid) return false
    if (entry.header.zxid >= fromZxid) {
      trackSession(sessions, entry.header.clientId, entry.body)
      tree.processTxn(entry.header, entry.body)
      if (entry.header.zxid > reachedZxid) reachedZxid = entry.header.zxid
      txnsReplayed++
    }
    last = { file: entry.file, endOffset: entry.endOffset }
    return true
  }
  const iterator = TxnLogIterator.overFiles(logFilesFrom(logs, fromZxid), fromZxid, { chunkBytes: options.chunkBytes ?? 4 * 1024 * 1024 })
  try {
    replaying: for (let batch = await iterator.nextBatch(); batch !== null; batch = await iterator.nextBatch()) {
      for (const entry of batch) if (!apply(entry)) break replaying
      options.onReplayed?.(txnsReplayed, total)
      options.signal?.throwIfAborted()
    }
  } catch (error) {
    if (!(error instanceof TxnLogCorruptError)) throw error
    // The reader drops the whole chunk holding the bad entry: the good ones before it are applied one by one.
    const before = last as { file: string; endOffset: number } | null
    const reader = new TxnEntryReader()
    try {
      let offset = before !== null && before.file === error.file ? before.endOffset : FILE_HEADER_BYTES
      while (offset < error.offset) {
        const entry = await reader.read(error.file, offset)
        if (!apply(entry)) break
        offset = entry.endOffset
      }
    } finally {
      await reader.close()
    }
    problems.push({
      file: error.file,
      kind: 'corrupt',
      offset: error.offset,
      lastGoodZxid: reachedZxid,
      readable: txnsReplayed,
      message: `replay stopped: ${error.message.slice(`${error.file} at offset ${error.offset}: `.length)}`,
    })
  } finally {
    await iterator.close()
  }
  if (tree.lastProcessedZxid < reachedZxid) tree.lastProcessedZxid = reachedZxid
  return { ...start, txnsReplayed, reachedZxid, problems }
}

function trackSession(sessions: Map<bigint, number>, sessionId: bigint, body: TxnBody): void {
  if (body.type === OpCode.createSession) sessions.set(sessionId, body.txn.timeOut)
  else if (body.type === OpCode.closeSession) sessions.delete(sessionId)
}
