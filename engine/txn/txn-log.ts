import { type FileHandle, open } from 'node:fs/promises'
import { join } from 'node:path'
import { JuteWriter } from '../jute'
import type { LoggedTxn } from '../proto/txn'
import type { TxnDigest } from '../proto/txn-records'
import { fsyncDirectory } from './data-dir'
import { logFileName } from './file-names'
import {
  DEFAULT_MAX_ENTRY_BYTES,
  DEFAULT_PREALLOC_BYTES,
  ENTRY_FRAMING_BYTES,
  FILE_FORMAT_VERSION,
  FILE_HEADER_BYTES,
  FileHeader,
  TXNLOG_MAGIC,
  allocationForWrite,
  writeLogEntry,
} from './txn-log-format'

/**
 * Appends txns to Apache-format log files (`<logDir>/log.<hex zxid of first txn>`), with group commit.
 *
 * `append` only serializes into memory (no I/O, no promise). `commit` writes everything appended so far with one
 * positioned write per file and one fdatasync per file, then resolves. A write starts at the end of the current
 * event-loop turn, and commits requested while one is in flight are coalesced into the next, so N concurrent
 * appenders share a handful of fsyncs. All I/O is async (libuv's thread pool); the event loop only ever does the
 * serialization and the Adler-32.
 *
 * TxnDigest: Apache 3.8 appends one to each entry when `zookeeper.digest.enabled`; so do we, whenever the txn
 * carries one (our prep computes it as Apache's does). Readers accept both forms (Apache's error txns have none).
 */

export interface TxnLogWriterOptions {
  /** The version-2 directory the log files go to. */
  logDir: string
  /** Growth step of the zero-padded preallocation; 0 disables it. Apache: zookeeper.preAllocSize, 64 MiB. */
  preAllocSizeBytes?: number
  /** fdatasync on commit (Apache: zookeeper.forceSync, default yes). */
  forceSync?: boolean
  /** A commit whose fsync takes longer than this counts in `fsyncThresholdExceedCount` (Apache: 1000 ms). */
  fsyncWarningThresholdMs?: number
  /** Largest entry accepted (Apache's readers: jute.maxbuffer + extrasize, 2 × 0xfffff by default). */
  maxEntryBytes?: number
  /** Diagnostics (slow fsyncs, zxids going backwards). */
  onWarning?: (message: string) => void
}

export interface TxnLogStats {
  txnsAppended: number
  txnsDurable: number
  commits: number
  /** fdatasync calls made (one per touched file per commit). */
  fsyncCount: number
  fsyncThresholdExceedCount: number
  /** Duration of the last commit's syncs (Apache's `getTxnLogElapsedSyncTime`), -1 before the first. */
  lastFsyncMs: number
  /** Bytes of entries appended since the last roll (the snapshot policy's log size). */
  bytesSinceRoll: number
}

/** One log file as the writer sees it. Opened lazily by the flush loop. */
interface LogFile {
  readonly path: string
  handle: FileHandle | null
  /** Bytes written so far (the next write position). */
  writtenBytes: number
  /** Size the file has been extended to with zero padding. */
  allocatedBytes: number
}

/** Bytes appended for one file and not yet handed to the disk. */
interface Segment {
  file: LogFile
  writer: JuteWriter
  txns: number
}

interface CommitWaiter {
  targetTxns: number
  resolve: () => void
  reject: (error: Error) => void
}

export class TxnLogWriter {
  private readonly logDir: string
  private readonly preAllocBytes: number
  private readonly forceSync: boolean
  private readonly fsyncWarningThresholdMs: number
  private readonly maxEntryBytes: number
  private readonly warn: (message: string) => void

  /** The file appends go to; null after a roll until the next append names a new one. */
  private current: LogFile | null = null
  /** Files with an open handle: the current one, and rolled-away ones until their last bytes are synced. */
  private readonly openFiles = new Set<LogFile>()
  private pending: Segment[] = []
  /** The batch being written, if any. */
  private inFlight: Segment[] = []
  private readonly spareWriters: JuteWriter[] = []
  private waiters: CommitWaiter[] = []
  private flushing = false
  private flushScheduled = false
  private failure: Error | null = null
  private closed = false
  private lastZxidSeen = -1n

  readonly stats: TxnLogStats = {
    txnsAppended: 0,
    txnsDurable: 0,
    commits: 0,
    fsyncCount: 0,
    fsyncThresholdExceedCount: 0,
    lastFsyncMs: -1,
    bytesSinceRoll: 0,
  }

  constructor(options: TxnLogWriterOptions) {
    this.logDir = options.logDir
    this.preAllocBytes = options.preAllocSizeBytes ?? DEFAULT_PREALLOC_BYTES
    this.forceSync = options.forceSync ?? true
    this.fsyncWarningThresholdMs = options.fsyncWarningThresholdMs ?? 1000
    this.maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
    this.warn = options.onWarning ?? (() => undefined)
  }

  /** Serializes `txn` into the pending batch. Durable only once a later `commit()` resolves. Returns the entry size. */
  append(txn: LoggedTxn, digest: TxnDigest | null = txn.digest ?? null): number {
    if (this.failure !== null) throw this.failure
    if (this.closed) throw new Error('txn log is closed')
    const zxid = txn.header.zxid
    if (zxid <= this.lastZxidSeen) {
      this.warn(`Current zxid 0x${zxid.toString(16)} is <= 0x${this.lastZxidSeen.toString(16)} for type ${txn.header.type}`)
    }
    const segment = this.segmentFor(zxid)
    const start = segment.writer.offset
    let bytes: number
    try {
      bytes = writeLogEntry(segment.writer, txn, digest)
      if (bytes - ENTRY_FRAMING_BYTES > this.maxEntryBytes) {
        // Readers (ours and Apache's) stop at such a length: it must never reach the disk.
        throw new RangeError(`txn 0x${zxid.toString(16)} is ${bytes - ENTRY_FRAMING_BYTES} bytes, above the ${this.maxEntryBytes}-byte entry limit`)
      }
    } catch (error) {
      // An unserializable txn must leave no partial entry behind (nor a file named after it).
      segment.writer.offset = start
      if (segment.txns === 0 && segment.file.handle === null && segment.file.writtenBytes === 0) this.dropNewFile(segment)
      throw error
    }
    segment.txns++
    if (zxid > this.lastZxidSeen) this.lastZxidSeen = zxid
    this.stats.txnsAppended++
    this.stats.bytesSinceRoll += bytes
    return bytes
  }

  /** The next append starts a new file (Apache's `rollLog`); what was appended stays in the old one. */
  rollLog(): void {
    this.current = null
    this.stats.bytesSinceRoll = 0
    if (!this.flushing) void this.closeRetiredFiles().catch((error: unknown) => this.fail(asError(error)))
  }

  /** Resolves once every txn appended before this call is written and (with forceSync) fdatasynced. */
  commit(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    const targetTxns = this.stats.txnsAppended
    if (this.stats.txnsDurable >= targetTxns) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ targetTxns, resolve, reject })
      this.scheduleFlush()
    })
  }

  /** Commits what is pending, then closes every file. */
  async close(): Promise<void> {
    if (this.closed) return
    try {
      await this.commit()
    } finally {
      this.closed = true
      this.current = null
      this.pending = []
      await this.closeRetiredFiles()
    }
  }

  /** Path of the file appends currently go to (null before the first append and right after a roll). */
  get currentFile(): string | null {
    return this.current?.path ?? null
  }

  private segmentFor(zxid: bigint): Segment {
    if (this.current === null) {
      this.current = {
        path: join(this.logDir, logFileName(zxid)),
        handle: null,
        writtenBytes: 0,
        allocatedBytes: 0,
      }
      const segment = this.newSegment(this.current)
      FileHeader.write(segment.writer, { magic: TXNLOG_MAGIC, version: FILE_FORMAT_VERSION, dbid: 0n })
      return segment
    }
    const last = this.pending[this.pending.length - 1]
    if (last !== undefined && last.file === this.current) return last
    return this.newSegment(this.current)
  }

  private dropNewFile(segment: Segment): void {
    this.pending = this.pending.filter((pending) => pending !== segment)
    this.spareWriters.push(segment.writer)
    if (this.current === segment.file) this.current = null
  }

  private newSegment(file: LogFile): Segment {
    const writer = this.spareWriters.pop() ?? new JuteWriter(64 * 1024)
    const segment: Segment = { file, writer: writer.reset(), txns: 0 }
    this.pending.push(segment)
    return segment
  }

  /**
   * Starts writing at the end of this turn of the event loop rather than right away, so that every append made by
   * the I/O callbacks of this turn (requests that arrived together) joins the batch: Apache's "flush when the queue
   * is momentarily empty".
   */
  private scheduleFlush(): void {
    if (this.flushing || this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      void this.flushLoop()
    })
  }

  /** Writes batches while commits wait; one batch in flight at a time. */
  private async flushLoop(): Promise<void> {
    if (this.flushing) return
    this.flushing = true
    try {
      while (this.waiters.length > 0 && this.failure === null) {
        if (this.pending.length === 0) throw new Error('txn log: commit waiting for txns that were never appended')
        const batch = this.pending
        this.pending = []
        this.inFlight = batch
        const txns = batch.reduce((sum, segment) => sum + segment.txns, 0)
        await this.writeBatch(batch)
        this.inFlight = []
        await this.closeRetiredFiles()
        for (const segment of batch) this.spareWriters.push(segment.writer)
        this.stats.txnsDurable += txns
        this.stats.commits++
        this.resolveWaiters()
      }
    } catch (error) {
      this.fail(asError(error))
    } finally {
      this.flushing = false
    }
  }

  private async writeBatch(batch: Segment[]): Promise<void> {
    const touched: LogFile[] = []
    for (const segment of batch) {
      await this.writeSegment(segment)
      if (!touched.includes(segment.file)) touched.push(segment.file)
    }
    if (this.forceSync) {
      const syncStartMs = performance.now()
      for (const file of touched) {
        await file.handle!.datasync()
        this.stats.fsyncCount++
      }
      this.recordSyncTime(performance.now() - syncStartMs)
    }
  }

  /** Closes files rolled away from once nothing more will be written to them (Apache closes them after a commit). */
  private async closeRetiredFiles(): Promise<void> {
    for (const file of [...this.openFiles]) {
      if (file === this.current || this.pending.some((s) => s.file === file) || this.inFlight.some((s) => s.file === file)) continue
      const handle = file.handle
      this.openFiles.delete(file)
      file.handle = null
      if (handle !== null) await handle.close()
    }
  }

  private async writeSegment(segment: Segment): Promise<void> {
    const file = segment.file
    if (file.handle === null) {
      file.handle = await open(file.path, 'w')
      this.openFiles.add(file)
      // The new name must survive a power loss as surely as the data synced into it.
      if (this.forceSync) await fsyncDirectory(this.logDir)
      file.allocatedBytes = FILE_HEADER_BYTES
    }
    const bytes = segment.writer.view()
    const start = file.writtenBytes
    const end = start + bytes.length
    const allocated = allocationForWrite(Math.max(start, FILE_HEADER_BYTES), end, file.allocatedBytes, this.preAllocBytes)
    if (allocated !== file.allocatedBytes) {
      // Extend with one zero byte at the new end, so the data writes below never change the file size
      // (fdatasync then has no metadata to flush).
      await file.handle.write(ZERO_BYTE, 0, 1, allocated - 1)
      file.allocatedBytes = allocated
    }
    await writeFully(file.handle, bytes, start)
    file.writtenBytes = end
  }

  private recordSyncTime(elapsedMs: number): void {
    this.stats.lastFsyncMs = elapsedMs
    if (elapsedMs > this.fsyncWarningThresholdMs) {
      this.stats.fsyncThresholdExceedCount++
      this.warn(`fsync-ing the write ahead log took ${Math.round(elapsedMs)}ms which will adversely effect operation latency.`)
    }
  }

  private resolveWaiters(): void {
    let satisfied = 0
    while (satisfied < this.waiters.length && this.waiters[satisfied]!.targetTxns <= this.stats.txnsDurable) satisfied++
    const done = this.waiters.slice(0, satisfied)
    this.waiters = this.waiters.slice(satisfied)
    for (const waiter of done) waiter.resolve()
  }

  /** A failed write or fsync is never retried (the page cache state is unknown): every later call fails too. */
  private fail(error: Error): void {
    this.failure = error
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter.reject(error)
  }
}

const ZERO_BYTE = Buffer.alloc(1)

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}

async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let written = 0
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written)
    written += bytesWritten
  }
}
