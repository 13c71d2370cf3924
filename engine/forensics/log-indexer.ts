import { TxnLogCorruptError } from '../txn/errors'
import { FILE_HEADER_BYTES } from '../txn/txn-log-format'
import { type ScannedTxn, scanLogFile } from '../txn/txn-log-scan'
import type { DataDirFile } from './data-dir-files'
import type { FileProblem } from './file-problem'
import { inspectLogTail } from './tail-check'
import { TxnIndex } from './txn-index'

/**
 * One streaming pass over every txn log of a data directory with engine/txn's scan mode (chunks of a few MB, never a
 * whole file in memory, no decoded body), recording each txn's row in a TxnIndex. A corrupt or cut file is reported (where, after
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
  /** Bytes read per call (default 4 MiB; the scan keeps nothing of a chunk but the index rows). */
  chunkBytes?: number
}

export interface LogIndexResult {
  index: TxnIndex
  reports: LogFileReport[]
  elapsedMs: number
  /** Bytes of txns read (up to each file's last readable txn; preallocated padding is not data). */
  bytesRead: number
}

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024

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
  const firstRow = index.count
  // Scan mode: header, paths and place of each entry, no decoded bodies (engine/txn/txn-log-scan.ts).
  const record = (txn: ScannedTxn) => {
    index.addScanned(txn)
    report.validEndOffset = txn.endOffset
  }
  const summarise = () => {
    report.txnCount = index.count - firstRow
    if (report.txnCount === 0) return
    report.firstZxid = index.zxidAt(firstRow)
    report.firstTimeMs = index.timeAt(firstRow)
    report.lastZxid = index.zxidAt(index.count - 1)
    report.lastTimeMs = index.timeAt(index.count - 1)
  }
  // The zxid a damaged file's problem is "after": its own last good txn, or when it has none, the last txn before it.
  const lastGoodZxid = () => report.lastZxid ?? (firstRow > 0 ? index.zxidAt(firstRow - 1) : null)
  try {
    await scanLogFile(file.path, record, {
      chunkBytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
      onChunk: (offset) => {
        onOffset(offset)
        options.signal?.throwIfAborted()
      },
    })
  } catch (error) {
    if (!(error instanceof TxnLogCorruptError)) throw error
    // Every entry before the bad one was delivered and indexed: the report says what was readable.
    summarise()
    report.problem = {
      file: file.path,
      kind: 'corrupt',
      offset: error.offset,
      lastGoodZxid: lastGoodZxid(),
      readable: report.txnCount,
      message: error.message.slice(`${error.file} at offset ${error.offset}: `.length),
    }
    return report
  }
  summarise()
  report.problem = await inspectLogTail(file.path, report.validEndOffset, file.sizeBytes, lastGoodZxid(), report.txnCount)
  return report
}
