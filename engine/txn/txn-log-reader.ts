import { type FileHandle, open, rm, stat, truncate } from 'node:fs/promises'
import { dirname } from 'node:path'
import { JuteReader } from '../jute'
import type { LoggedTxn } from '../proto/txn'
import type { TxnDigest } from '../proto/txn-records'
import { adler32 } from './adler32'
import { fsyncDirectory, listZxidFiles } from './data-dir'
import { DatadirError, TxnLogCorruptError } from './errors'
import { LOG_FILE_PREFIX, type ZxidFile } from './file-names'
import { FileWindow } from './file-window'
import {
  DEFAULT_MAX_ENTRY_BYTES,
  END_OF_RECORD,
  ENTRY_FRAMING_BYTES,
  FILE_HEADER_BYTES,
  TXNLOG_MAGIC,
  readLogEntryBody,
} from './txn-log-format'

/**
 * Reading Apache-format txn logs (`FileTxnLog.FileTxnIterator`, `getLogFiles`, `truncate`, `getLastLoggedZxid`).
 *
 * The end of valid data in a file is, as in Apache: EOF, a zero length (preallocated zeros), or a missing 0x42 after
 * the entry (a torn last write). We also stop at a negative or oversized length — Apache fails there with
 * "Unreasonable length", but a torn or garbage tail is what such a length means in practice. A complete entry whose
 * Adler-32 does not match is corruption and raises TxnLogCorruptError (file and offset), as Apache does.
 */

export interface LogEntry extends LoggedTxn {
  digest: TxnDigest | null
  /** Path of the log file holding the entry. */
  file: string
  /** Offset of the entry's checksum field in `file`. */
  offset: number
  /** Offset just past the entry's 0x42 marker: where a truncation keeping this entry cuts. */
  endOffset: number
}

export interface LogReadOptions {
  /** Bound on one entry's length (Apache: jute.maxbuffer + extrasize). */
  maxEntryBytes?: number
  /** Bytes read from disk per call; entries larger than this are still read whole. */
  chunkBytes?: number
}

const DEFAULT_CHUNK_BYTES = 1024 * 1024

/** Log files of `logDir` (a version-2 directory), oldest first. */
export function listLogFiles(logDir: string): Promise<ZxidFile[]> {
  return listZxidFiles(logDir, LOG_FILE_PREFIX, true)
}

/**
 * The files to read to see every txn from `zxid` on (Apache's `getLogFiles`): the newest file starting at or before
 * `zxid`, and every later one. `files` must be sorted oldest first.
 */
export function logFilesFrom(files: readonly ZxidFile[], zxid: bigint): ZxidFile[] {
  let first = 0
  for (let i = 0; i < files.length; i++) {
    if (files[i]!.zxid > zxid) break
    first = i
  }
  return files.slice(first)
}

/** Where a scan of a buffer stopped: inside an entry (read more, unless the file ended) or at the end of data. */
const NEED_MORE = 0
const END_OF_DATA = 1

interface ScanResult {
  stop: typeof NEED_MORE | typeof END_OF_DATA
  /** Buffer position of the first unconsumed byte. */
  position: number
}

/**
 * Parses complete entries of `buf[start, end)`; `fileOffset` is the file offset of `buf[0]`. Pure: all decisions
 * about torn tails and corruption are made here.
 */
function scanEntries(
  buf: Buffer,
  start: number,
  end: number,
  fileOffset: number,
  file: string,
  maxEntryBytes: number,
  out: LogEntry[],
): ScanResult {
  let position = start
  for (;;) {
    if (end - position < 12) return { stop: NEED_MORE, position }
    const checksumHigh = buf.readInt32BE(position)
    const checksumLow = buf.readUInt32BE(position + 4)
    const length = buf.readInt32BE(position + 8)
    if (length === 0) return { stop: END_OF_DATA, position }
    if (length < 0 || length > maxEntryBytes) return { stop: END_OF_DATA, position }
    const entryStart = position + 12
    const entryEnd = entryStart + length
    if (entryEnd + 1 > end) return { stop: NEED_MORE, position }
    if (buf[entryEnd] !== END_OF_RECORD) return { stop: END_OF_DATA, position }
    const offset = fileOffset + position
    const actual = adler32(buf, entryStart, entryEnd)
    if (checksumHigh !== 0 || checksumLow !== actual) {
      const expected = (BigInt(checksumHigh) << 32n) | BigInt(checksumLow)
      throw new TxnLogCorruptError(file, offset, `checksum ${expected} does not match ${actual} (CRC check failed)`)
    }
    let decoded
    try {
      decoded = readLogEntryBody(new JuteReader(buf, entryStart, entryEnd, maxEntryBytes))
    } catch (error) {
      throw new TxnLogCorruptError(file, offset, `undecodable entry: ${(error as Error).message}`)
    }
    out.push({
      header: decoded.txn.header,
      body: decoded.txn.body,
      digest: decoded.digest,
      file,
      offset,
      endOffset: fileOffset + entryEnd + 1,
    })
    position = entryEnd + 1
  }
}

function isAllZero(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false
  return true
}

/** Reads one log file's entries in chunks, keeping one buffer. */
class LogFileCursor {
  private readonly w: FileWindow
  private finished = false

  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
    private readonly maxEntryBytes: number,
    chunkBytes: number,
  ) {
    this.w = new FileWindow(handle, chunkBytes)
  }

  static async open(file: string, options: Required<LogReadOptions>): Promise<LogFileCursor> {
    const handle = await open(file, 'r')
    const cursor = new LogFileCursor(handle, file, options.maxEntryBytes, options.chunkBytes)
    try {
      await cursor.readHeader()
    } catch (error) {
      await handle.close()
      throw error
    }
    return cursor
  }

  private async readHeader(): Promise<void> {
    await this.w.fill(FILE_HEADER_BYTES)
    if (this.w.end - this.w.start < FILE_HEADER_BYTES) {
      // Created but the header never reached the disk (crash right after the roll): no txns here.
      this.finished = true
      return
    }
    if (isAllZero(this.w.buf, this.w.start, this.w.start + FILE_HEADER_BYTES)) {
      // Preallocated but the header never reached the disk (crash before the first fsync): no txns here either.
      this.finished = true
      return
    }
    const magic = this.w.buf.readInt32BE(this.w.start)
    if (magic !== TXNLOG_MAGIC) {
      throw new TxnLogCorruptError(this.file, 0, `invalid magic number ${magic} != ${TXNLOG_MAGIC}`)
    }
    this.w.start += FILE_HEADER_BYTES
  }

  /** The next entries of this file, or null once its valid data has ended. */
  async nextBatch(): Promise<LogEntry[] | null> {
    while (!this.finished) {
      const out: LogEntry[] = []
      const result = scanEntries(this.w.buf, this.w.start, this.w.end, this.w.bufferFileOffset, this.file, this.maxEntryBytes, out)
      this.w.start = result.position
      if (result.stop === END_OF_DATA) this.finished = true
      else if (this.w.eof) this.finished = true // the file ends inside an entry: torn tail
      else await this.w.fill(this.bytesNeeded())
      if (out.length > 0) return out
    }
    return null
  }

  /** How many buffered bytes the entry at `start` needs: its framing, or all of it once its length is known. */
  private bytesNeeded(): number {
    if (this.w.end - this.w.start < 12) return 12
    return this.w.buf.readInt32BE(this.w.start + 8) + ENTRY_FRAMING_BYTES
  }

  close(): Promise<void> {
    return this.handle.close()
  }
}

/**
 * Iterates txns with zxid ≥ `fromZxid` across log files, in batches (one promise per chunk, not per txn). As in
 * Apache, skipping stops at the first txn reaching `fromZxid`; everything after it is returned in file order.
 */
export class TxnLogIterator {
  private cursor: LogFileCursor | null = null
  private fileIndex = 0
  private reachedStart = false
  private readonly options: Required<LogReadOptions>

  private constructor(
    private readonly files: readonly ZxidFile[],
    private readonly fromZxid: bigint,
    options: LogReadOptions,
  ) {
    this.options = {
      maxEntryBytes: options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES,
      chunkBytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    }
  }

  static async open(logDir: string, fromZxid: bigint, options: LogReadOptions = {}): Promise<TxnLogIterator> {
    return new TxnLogIterator(logFilesFrom(await listLogFiles(logDir), fromZxid), fromZxid, options)
  }

  /** Over explicit files (oldest first), e.g. one file for a scan. */
  static overFiles(files: readonly ZxidFile[], fromZxid: bigint, options: LogReadOptions = {}): TxnLogIterator {
    return new TxnLogIterator(files, fromZxid, options)
  }

  /** The next non-empty batch of txns, or null at the end of the last file. */
  async nextBatch(): Promise<LogEntry[] | null> {
    for (;;) {
      if (this.cursor === null) {
        const next = this.files[this.fileIndex++]
        if (next === undefined) return null
        this.cursor = await LogFileCursor.open(next.path, this.options)
      }
      const batch = await this.cursor.nextBatch()
      if (batch === null) {
        await this.cursor.close()
        this.cursor = null
        continue
      }
      const wanted = this.skipToStart(batch)
      if (wanted.length > 0) return wanted
    }
  }

  private skipToStart(batch: LogEntry[]): LogEntry[] {
    if (this.reachedStart) return batch
    const first = batch.findIndex((entry) => entry.header.zxid >= this.fromZxid)
    if (first === -1) return []
    this.reachedStart = true
    return first === 0 ? batch : batch.slice(first)
  }

  async close(): Promise<void> {
    if (this.cursor !== null) await this.cursor.close()
    this.cursor = null
    this.fileIndex = this.files.length
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<LogEntry> {
    try {
      for (let batch = await this.nextBatch(); batch !== null; batch = await this.nextBatch()) yield* batch
    } finally {
      await this.close()
    }
  }
}

/** Every txn with zxid ≥ `fromZxid` (tests and tools; the server iterates batches). */
export async function readAllTxns(logDir: string, fromZxid = 0n, options: LogReadOptions = {}): Promise<LogEntry[]> {
  const iterator = await TxnLogIterator.open(logDir, fromZxid, options)
  const entries: LogEntry[] = []
  for await (const entry of iterator) entries.push(entry)
  return entries
}

/** The entries of one file. */
async function readFileEntries(file: ZxidFile, options: LogReadOptions): Promise<LogEntry[]> {
  const iterator = TxnLogIterator.overFiles([file], -(1n << 63n), options)
  const entries: LogEntry[] = []
  try {
    for (let batch = await iterator.nextBatch(); batch !== null; batch = await iterator.nextBatch()) entries.push(...batch)
  } finally {
    await iterator.close()
  }
  return entries
}

/**
 * zxid of the last txn in the logs, -1n when there are no log files. When the newest file holds no txn, its name's
 * zxid is returned, as Apache's `getLastLoggedZxid` does (the file was rolled to that zxid).
 */
export async function lastLoggedZxid(logDir: string, options: LogReadOptions = {}): Promise<bigint> {
  const files = await listLogFiles(logDir)
  const newest = files[files.length - 1]
  if (newest === undefined) return -1n
  const iterator = TxnLogIterator.overFiles([newest], -(1n << 63n), options)
  let zxid = newest.zxid
  try {
    for (let batch = await iterator.nextBatch(); batch !== null; batch = await iterator.nextBatch()) {
      zxid = batch[batch.length - 1]!.header.zxid
    }
  } catch (error) {
    // Apache logs and returns what it read; restore will meet the corruption again and fail loudly there.
    if (!(error instanceof TxnLogCorruptError)) throw error
  } finally {
    await iterator.close()
  }
  return zxid
}

/**
 * Cuts the logs after `zxid` (the TRUNC a follower receives): the file holding `zxid` keeps its txns ≤ `zxid` and
 * loses the rest (and its padding); later files are deleted. The writer must be closed first.
 *
 * Apache cuts after the first txn ≥ zxid, which keeps one extra txn when `zxid` itself is absent; we keep exactly
 * the txns ≤ zxid.
 */
export async function truncateLog(logDir: string, zxid: bigint, options: LogReadOptions = {}, ifNoneHolds: 'fail' | 'dropLater' = 'fail'): Promise<void> {
  const files = await listLogFiles(logDir)
  const holding = logFilesFrom(files, zxid)[0]
  if ((holding === undefined || holding.zxid > zxid) && ifNoneHolds === 'dropLater') {
    // Nothing at or before the cut is logged here (a snapshot covers it): only whole later files can go.
    for (const later of files) if (later.zxid > zxid) await rm(later.path, { force: true })
    await fsyncDirectory(logDir)
    return
  }
  if (holding === undefined || holding.zxid > zxid) {
    throw new DatadirError(
      `No log files found to truncate to 0x${zxid.toString(16)} in ${logDir}! This could happen if you still have ` +
        'snapshots from an old setup or log files were deleted accidentally or dataLogDir was changed in zoo.cfg.',
    )
  }
  const entries = await readFileEntries(holding, options)
  let cut = Math.min(FILE_HEADER_BYTES, (await stat(holding.path)).size)
  for (const entry of entries) {
    if (entry.header.zxid > zxid) break
    cut = entry.endOffset
  }
  await truncate(holding.path, cut)
  const handle = await open(holding.path, 'r+')
  try {
    await handle.datasync()
  } finally {
    await handle.close()
  }
  for (const later of files) {
    if (later.zxid > holding.zxid) await rm(later.path, { force: true })
  }
  await fsyncDirectory(dirname(holding.path))
}
