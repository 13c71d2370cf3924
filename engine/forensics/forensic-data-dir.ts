import type { LogEntry } from '../txn/txn-log-reader'
import { type DataDirFiles, findDataDirFiles } from './data-dir-files'
import { TxnEntryReader } from './entry-reader'
import type { FileProblem } from './file-problem'
import { type LogFileReport, type ScanOptions, type ScanProgress, indexLogs } from './log-indexer'
import { type SnapshotReport, checkSnapshot } from './snapshot-check'
import { type TreeAtZxid, type TreeBuildOptions, type TreeTarget, treeAtZxid } from './tree-at-zxid'
import { type TxnFilter, filterTxns } from './txn-filter'
import type { TxnIndex } from './txn-index'

/**
 * A data directory opened for reading after the fact: its files, every snapshot checked, every log indexed. Then:
 * any txn by row, rows by filter, and the tree as of a snapshot or a zxid.
 */

export interface OpenDataDirOptions extends Omit<ScanOptions, 'onProgress'> {
  /** Apache's dataLogDir, when the logs live apart from the snapshots. */
  dataLogDir?: string
  /** Progress of the whole opening: snapshots checked, then logs indexed, in bytes. */
  onProgress?: (progress: ScanProgress & { phase: 'snapshots' | 'logs' }) => void
}

export interface DataDirSummary {
  txnCount: number
  firstZxid: bigint | null
  lastZxid: bigint | null
  firstTimeMs: number | null
  lastTimeMs: number | null
  indexMs: number
  indexBytes: number
  logBytes: number
}

export class ForensicDataDir {
  private readonly reader = new TxnEntryReader()

  private constructor(
    readonly files: DataDirFiles,
    readonly snapshots: SnapshotReport[],
    readonly logs: LogFileReport[],
    readonly index: TxnIndex,
    readonly summary: DataDirSummary,
  ) {}

  static async open(dataDir: string, options: OpenDataDirOptions = {}): Promise<ForensicDataDir> {
    const files = await findDataDirFiles(dataDir, options.dataLogDir)
    const snapshotBytes = files.snapshots.reduce((sum, file) => sum + file.sizeBytes, 0)
    const snapshots: SnapshotReport[] = []
    let checkedBytes = 0
    for (const file of files.snapshots) {
      options.signal?.throwIfAborted()
      snapshots.push(await checkSnapshot(file))
      checkedBytes += file.sizeBytes
      options.onProgress?.({ phase: 'snapshots', doneBytes: checkedBytes, totalBytes: snapshotBytes })
    }
    const indexed = await indexLogs(files.logs, {
      ...options,
      onProgress: (progress) => options.onProgress?.({ phase: 'logs', ...progress }),
    })
    const { index } = indexed
    const last = index.count - 1
    const summary: DataDirSummary = {
      txnCount: index.count,
      firstZxid: index.count > 0 ? index.zxidAt(0) : null,
      lastZxid: index.count > 0 ? index.zxidAt(last) : null,
      firstTimeMs: index.count > 0 ? index.timeAt(0) : null,
      lastTimeMs: index.count > 0 ? index.timeAt(last) : null,
      indexMs: indexed.elapsedMs,
      indexBytes: index.memoryBytes(),
      logBytes: indexed.bytesRead,
    }
    return new ForensicDataDir(files, snapshots, indexed.reports, index, summary)
  }

  /** Every file problem: bad snapshots, then logs (in file order). */
  problems(): FileProblem[] {
    return [...this.snapshots.flatMap((one) => (one.problem === null ? [] : [one.problem])), ...this.logs.flatMap((one) => (one.problem === null ? [] : [one.problem]))]
  }

  /** The txn of index row `row`, read from disk. */
  txnAt(row: number): Promise<LogEntry> {
    if (!Number.isInteger(row) || row < 0 || row >= this.index.count) throw new RangeError(`no txn #${row} (there are ${this.index.count})`)
    return this.reader.read(this.index.fileOf(row), this.index.offsetAt(row))
  }

  filter(filter: TxnFilter): Uint32Array {
    return filterTxns(this.index, filter)
  }

  /** The tree at a snapshot or zxid (see treeAtZxid); progress counts the txns to replay, known from the index. */
  tree(target: TreeTarget, options: TreeBuildOptions = {}): Promise<TreeAtZxid> {
    const valid = this.snapshots.filter((one) => one.valid || target.kind === 'snapshot').map((one) => one.file)
    const base = target.kind === 'snapshot' ? target.zxid : (valid.filter((file) => file.zxid <= target.zxid).at(-1)?.zxid ?? 0n)
    const expectedTxns = target.kind === 'snapshot' ? 0 : Math.max(0, this.index.lowerBound(target.zxid + 1n) - this.index.lowerBound(base + 1n))
    return treeAtZxid(valid, this.files.logs, target, { expectedTxns, ...options })
  }

  close(): Promise<void> {
    return this.reader.close()
  }
}
