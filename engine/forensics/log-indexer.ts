import { TxnLogCorruptError } from '../txn/errors'
import { FILE_HEADER_BYTES } from '../txn/txn-log-format'
import { type LogEntry, TxnLogIterator } from '../txn/txn-log-reader'
import type { DataDirFile } from './data-dir-files'
import { TxnEntryReader } from './entry-reader'
import type { FileProblem } from './file-problem'
import { inspectLogTail } from './tail-check'
import { TxnIndex } from './txn-index'
import { pathsOfTxn } from './txn-paths'

/**
 * One streaming pass over every txn log of a data directory with engine/txn's reader (chunks of a few MB, never a
 * whole file in memory), recording each txn's row in a TxnIndex. A corrupt or cut file is reported (where, after
 * which zxid, how many txns were readable) and indexing goes on with the next file: a forensic tool shows what is
 * there, it does not refuse to start as a server must.
 */

export interface LogFileReport {
  file: DataDirFile
  fileIndex: number
  txnCount: number
  firstZxid: bigint | null
  lastZxid: bigint | null
  firstTimeMs: number | null
  lastTimeMs: number | null
  /** Offset just past the last readable txn. */
  validEndOffset: number
  problem: FileProblem | null
}

export interface ScanProgress {
  doneBytes: number
  totalBytes: number
}

export interface ScanOptions {
  onProgress?: (progress: ScanProgress) => void
  /** Checked between chunks; an aborted signal stops the pass with its reason. */
  signal?: AbortSignal
  /** Bytes read per call (default 1 MiB: a batch of decoded txns dies young, before the next read). */
  chunkBytes?: number
}

export interface LogIndexResult {
  index: TxnIndex
  reports: LogFileReport[]
  elapsedMs: number
  /** Bytes of txns read (up to each file's last readable txn; preallocated padding is not data). */
  bytesRead: number
}

const DEFAULT_CHUNK_BYTES = 1024 * 1024
const FROM_THE_START = -(1n << 63n)

export async function indexLogs(logs: readonly DataDirFile[], options: ScanOptions = {}): Promise<LogIndexResult> {
  const startMs = performance.now()
  const index = new TxnIndex()
  const totalBytes = logs.reduce((sum, file) => sum + file.sizeBytes, 0)
  let bytesBefore = 0
  const reports: LogFileReport[] = []
  for (const file of logs) {
    options.signal?.throwIfAborted()
    const fileIndex = index.addFile(file.path)
    const report = await indexOneFile(file, fileIndex, index, (offset) => options.onProgress?.({ doneBytes: bytesBefore + offset, totalBytes }), options)
    reports.push(report)
    bytesBefore += file.sizeBytes
    options.onProgress?.({ doneBytes: bytesBefore, totalBytes })
  }
  index.trim()
  const bytesRead = reports.reduce((sum, report) => sum + report.validEndOffset, 0)
  return { index, reports, elapsedMs: performance.now() - startMs, bytesRead }
}

function recordEntry(index: TxnIndex, fileIndex: number, report: LogFileReport, entry: LogEntry): void {
  const { header } = entry
  index.add({ zxid: header.zxid, timeMs: header.time, sessionId: header.clientId, type: header.type, fileIndex, offset: entry.offset }, pathsOfTxn(entry.body))
  report.firstZxid ??= header.zxid
  report.firstTimeMs ??= header.time
  report.lastZxid = header.zxid
  report.lastTimeMs = header.time
  report.txnCount++
  report.validEndOffset = entry.endOffset
}

/**
 * The reader fails a whole chunk when one entry in it is corrupt; the entries of that chunk before the bad one were
 * already checked, so they are read again one by one (at most one chunk's worth) and kept.
 */
async function indexEntriesBefore(file: DataDirFile, fileIndex: number, index: TxnIndex, report: LogFileReport, badOffset: number): Promise<void> {
  const reader = new TxnEntryReader()
  try {
    while (report.validEndOffset < badOffset) recordEntry(index, fileIndex, report, await reader.read(file.path, report.validEndOffset))
  } finally {
    await reader.close()
  }
}

async function indexOneFile(
  file: DataDirFile,
  fileIndex: number,
  index: TxnIndex,
  onOffset: (offset: number) => void,
  options: ScanOptions,
): Promise<LogFileReport> {
  const report: LogFileReport = {
    file,
    fileIndex,
    txnCount: 0,
    firstZxid: null,
    lastZxid: null,
    firstTimeMs: null,
    lastTimeMs: null,
    validEndOffset: Math.min(FILE_HEADER_BYTES, file.sizeBytes),
    problem: null,
  }
  const iterator = TxnLogIterator.overFiles([file], FROM_THE_START, { chunkBytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES })
  try {
    for (let batch = await iterator.nextBatch(); batch !== null; batch = await iterator.nextBatch()) {
      for (const entry of batch) recordEntry(index, fileIndex, report, entry)
      onOffset(report.validEndOffset)
      options.signal?.throwIfAborted()
    }
  } catch (error) {
    if (!(error instanceof TxnLogCorruptError)) throw error
    await indexEntriesBefore(file, fileIndex, index, report, error.offset)
    report.problem = {
      file: file.path,
      kind: 'corrupt',
      offset: error.offset,
      lastGoodZxid: report.lastZxid,
      readable: report.txnCount,
      message: error.message.slice(`${error.file} at offset ${error.offset}: `.length),
    }
    return report
  } finally {
    await iterator.close()
  }
  report.problem = await inspectLogTail(file.path, report.validEndOffset, file.sizeBytes, report.lastZxid, report.txnCount)
  return report
}
