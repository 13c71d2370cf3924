import { type FileHandle, open } from 'node:fs/promises'
import { OpCode } from '../proto/opcodes'
import { adler32 } from './adler32'
import { TxnLogCorruptError } from './errors'
import { FileWindow } from './file-window'
import { DEFAULT_MAX_ENTRY_BYTES, END_OF_RECORD, ENTRY_FRAMING_BYTES, FILE_HEADER_BYTES, TXNLOG_MAGIC } from './txn-log-format'

/**
 * Scan mode for txn logs: what an index needs of every entry (the header, the znode paths, where the entry lies),
 * without building a LoggedTxn. Bodies are walked, not decoded: every length, count and bound that
 * `readLogEntryBody` checks is checked here too, so an entry that the full reader would call undecodable is
 * undecodable here, at the same offset; but no Buffer, string, BigInt or object is made per entry. The full body is
 * read later, for the few entries a person opens (txn-log-reader.ts, forensics' entry reader).
 *
 * The stopping rules are txn-log-reader.ts's, kept identical (tests compare both on damaged files): a zero,
 * negative or oversized length, a missing 0x42 or the end of the file end the data quietly; a complete entry whose
 * Adler-32 does not match, or whose body does not decode, raises TxnLogCorruptError with the file and offset — after
 * every entry before it was delivered.
 */

/**
 * One scanned entry. The scanner reuses a single instance: read what you keep before returning from the callback.
 * 64-bit fields come as two 32-bit halves (high signed, low unsigned) so that nothing is allocated per entry.
 */
export class ScannedTxn {
  /** The chunk holding the entry; path bytes are `buf[pathStart[i], pathEnd[i])` (UTF-8). */
  buf: Buffer = Buffer.alloc(0)
  /** File offset of the entry's checksum field. */
  offset = 0
  /** File offset just past the entry's 0x42 marker. */
  endOffset = 0
  sessionHigh = 0
  sessionLow = 0
  cxid = 0
  zxidHigh = 0
  zxidLow = 0
  /** The header's time (ms since the epoch). */
  timeMs = 0
  type = 0
  pathCount = 0
  pathStart = new Int32Array(8)
  pathEnd = new Int32Array(8)

  get sessionId(): bigint {
    return (BigInt(this.sessionHigh) << 32n) | BigInt(this.sessionLow)
  }

  get zxid(): bigint {
    return (BigInt(this.zxidHigh) << 32n) | BigInt(this.zxidLow)
  }

  path(i: number): string {
    return this.buf.toString('utf8', this.pathStart[i]!, this.pathEnd[i]!)
  }

  addPath(start: number, end: number): void {
    if (this.pathCount === this.pathStart.length) {
      const starts = new Int32Array(this.pathCount * 2)
      const ends = new Int32Array(this.pathCount * 2)
      starts.set(this.pathStart)
      ends.set(this.pathEnd)
      this.pathStart = starts
      this.pathEnd = ends
    }
    this.pathStart[this.pathCount] = start
    this.pathEnd[this.pathCount] = end
    this.pathCount++
  }
}

/** A body that does not decode; the message reads like the full decoder's (JuteDecodeError). */
class Undecodable extends Error {}

/** jute's default bound on one field inside a multi's sub-record (JuteReader's default maxFieldBytes). */
const SUB_RECORD_MAX_FIELD = 2 * 0xfffff
const HEADER_BYTES = 32

/**
 * A bounds-checked walk over jute fields of `buf[position, end)`, in the order readTxnBody reads them; the
 * checks and their messages are JuteReader's.
 */
class FieldWalker {
  buf: Buffer = Buffer.alloc(0)
  position = 0
  end = 0
  maxField = 0
  /** Subtracted from positions in messages, so they are relative to the record as the decoder's are. */
  base = 0

  /** Points the walker at `buf[position, end)` (one walker serves every entry: nothing is allocated per entry). */
  reset(buf: Buffer, position: number, end: number, maxField: number, base: number): this {
    this.buf = buf
    this.position = position
    this.end = end
    this.maxField = maxField
    this.base = base
    return this
  }

  need(bytes: number): void {
    if (this.position + bytes > this.end) throw new Undecodable(`need ${bytes} bytes at offset ${this.position - this.base}, only ${this.end - this.position} left`)
  }

  int(): number {
    this.need(4)
    const value = this.buf.readInt32BE(this.position)
    this.position += 4
    return value
  }

  skip(bytes: number): void {
    this.need(bytes)
    this.position += bytes
  }

  /** A ustring or buffer: its length (-1 is null), then its bytes. Returns the bytes' start. */
  lengthPrefixed(what: 'buffer' | 'ustring'): number {
    const length = this.int()
    if (length < -1 || length > this.maxField) throw new Undecodable(`${what} length ${length} out of range`)
    if (length === -1) return -1
    this.need(length)
    const start = this.position
    this.position += length
    return start
  }

  vectorLength(): number {
    const count = this.int()
    if (count < -1 || count > this.end - this.position) throw new Undecodable(`vector count ${count} out of range`)
    return count
  }

  /** A path (ustring): recorded on `out` ("" when null, as the decoder reads it). */
  path(out: ScannedTxn): void {
    const start = this.lengthPrefixed('ustring')
    if (start === -1) out.addPath(this.position, this.position)
    else out.addPath(start, this.position)
  }

  aclList(): void {
    const count = this.vectorLength()
    for (let i = 0; i < count; i++) {
      this.skip(4) // perms
      this.lengthPrefixed('ustring') // scheme
      this.lengthPrefixed('ustring') // id
    }
  }
}

/** Walks the record of a txn of `type` (readTxnBody's cases), collecting its paths. */
function walkBody(type: number, walker: FieldWalker, out: ScannedTxn): void {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
      walker.path(out)
      walker.lengthPrefixed('buffer')
      walker.aclList()
      walker.skip(1) // ephemeral
      // parentCVersion, absent in pre-3.3 logs (CreateTxnV0): present exactly when 4 more bytes remain.
      if (walker.end - walker.position >= 4) walker.position += 4
      return
    case OpCode.createContainer:
      walker.path(out)
      walker.lengthPrefixed('buffer')
      walker.aclList()
      walker.skip(4)
      return
    case OpCode.createTTL:
      walker.path(out)
      walker.lengthPrefixed('buffer')
      walker.aclList()
      walker.skip(4 + 8)
      return
    case OpCode.delete:
    case OpCode.deleteContainer:
      walker.path(out)
      return
    case OpCode.setData:
    case OpCode.reconfig:
      walker.path(out)
      walker.lengthPrefixed('buffer')
      walker.skip(4)
      return
    case OpCode.setACL:
      walker.path(out)
      walker.aclList()
      walker.skip(4)
      return
    case OpCode.check:
      walker.path(out)
      walker.skip(4)
      return
    case OpCode.createSession:
    case OpCode.error:
      walker.skip(4)
      return
    case OpCode.closeSession: {
      // Before 3.6 a closeSession has no record at all.
      if (walker.position >= walker.end) return
      const count = walker.vectorLength()
      for (let i = 0; i < count; i++) walker.path(out)
      return
    }
    case OpCode.multi: {
      const count = walker.vectorLength()
      for (let i = 0; i < count; i++) {
        const subType = walker.int()
        const start = walker.lengthPrefixed('buffer')
        // A null sub-record decodes as an empty one.
        const subStart = start === -1 ? walker.position : start
        walkBody(subType, new FieldWalker().reset(walker.buf, subStart, walker.position, SUB_RECORD_MAX_FIELD, subStart), out)
      }
      return
    }
    default:
      throw new Undecodable(`unknown txn type ${type}`)
  }
}

const entryWalker = new FieldWalker()

/**
 * Fills `out` from the entry bytes `buf[start, end)` (TxnHeader + record [+ TxnDigest]). Throws Undecodable where
 * readLogEntryBody would throw.
 */
export function scanLogEntryBody(buf: Buffer, start: number, end: number, maxEntryBytes: number, out: ScannedTxn): void {
  out.buf = buf
  out.pathCount = 0
  if (end - start < HEADER_BYTES) throw new Undecodable(`need 8 bytes at offset 0, only ${end - start} left`)
  out.sessionHigh = buf.readInt32BE(start)
  out.sessionLow = buf.readUInt32BE(start + 4)
  out.cxid = buf.readInt32BE(start + 8)
  out.zxidHigh = buf.readInt32BE(start + 12)
  out.zxidLow = buf.readUInt32BE(start + 16)
  out.timeMs = buf.readInt32BE(start + 20) * 0x1_0000_0000 + buf.readUInt32BE(start + 24)
  out.type = buf.readInt32BE(start + 28)
  // The digest after the record is read only when 12 bytes remain, and then always decodes: nothing to check.
  walkBody(out.type, entryWalker.reset(buf, start + HEADER_BYTES, end, maxEntryBytes, start), out)
}

export interface LogScanOptions {
  /** Bound on one entry's length (Apache: jute.maxbuffer + extrasize). */
  maxEntryBytes?: number
  /** Bytes read from disk per call; entries larger than this are still read whole. */
  chunkBytes?: number
  /** After each chunk: the file offset scanned up to. Throw (e.g. signal.throwIfAborted()) to stop the scan. */
  onChunk?: (offset: number) => void
}

export interface LogScanResult {
  /** Entries delivered. */
  entries: number
  /** Offset just past the last entry delivered (16 after the header, 0 or the size when there is no header). */
  validEndOffset: number
}

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024
const NEED_MORE = 0
const END_OF_DATA = 1

/**
 * Scans one log file, calling `onEntry` for each entry in order (with a reused ScannedTxn). Throws
 * TxnLogCorruptError at a corrupt entry or a bad magic number, after delivering every entry before it.
 */
export async function scanLogFile(file: string, onEntry: (txn: ScannedTxn) => void, options: LogScanOptions = {}): Promise<LogScanResult> {
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
  const handle = await open(file, 'r')
  try {
    return await new FileScan(handle, file, maxEntryBytes, options.chunkBytes ?? DEFAULT_CHUNK_BYTES, onEntry, options.onChunk).run()
  } finally {
    await handle.close()
  }
}

class FileScan {
  private readonly w: FileWindow
  private readonly txn = new ScannedTxn()
  private entries = 0
  private validEndOffset = 0

  constructor(
    private readonly handle: FileHandle,
    private readonly file: string,
    private readonly maxEntryBytes: number,
    chunkBytes: number,
    private readonly onEntry: (txn: ScannedTxn) => void,
    private readonly onChunk: ((offset: number) => void) | undefined,
  ) {
    this.w = new FileWindow(handle, Math.max(chunkBytes, FILE_HEADER_BYTES))
  }

  async run(): Promise<LogScanResult> {
    await this.w.fill(FILE_HEADER_BYTES)
    const available = this.w.end - this.w.start
    // No header on disk (crash right after the roll), or preallocated zeros only: no txns here.
    if (available < FILE_HEADER_BYTES) return { entries: 0, validEndOffset: available }
    if (this.w.buf.subarray(0, FILE_HEADER_BYTES).every((byte) => byte === 0)) return { entries: 0, validEndOffset: FILE_HEADER_BYTES }
    const magic = this.w.buf.readInt32BE(0)
    if (magic !== TXNLOG_MAGIC) throw new TxnLogCorruptError(this.file, 0, `invalid magic number ${magic} != ${TXNLOG_MAGIC}`)
    this.w.start = FILE_HEADER_BYTES
    this.validEndOffset = FILE_HEADER_BYTES
    for (;;) {
      const stop = this.scanBuffered()
      this.onChunk?.(this.validEndOffset)
      if (stop === END_OF_DATA || this.w.eof) break // the file ends inside an entry: a torn tail
      await this.w.fill(this.bytesNeeded())
    }
    return { entries: this.entries, validEndOffset: this.validEndOffset }
  }

  /** Delivers the complete entries buffered; the same decisions as txn-log-reader.ts's scanEntries. */
  private scanBuffered(): typeof NEED_MORE | typeof END_OF_DATA {
    const { buf, end } = this.w
    const { txn } = this
    let position = this.w.start
    try {
      for (;;) {
        if (end - position < 12) return NEED_MORE
        const checksumHigh = buf.readInt32BE(position)
        const checksumLow = buf.readUInt32BE(position + 4)
        const length = buf.readInt32BE(position + 8)
        if (length <= 0 || length > this.maxEntryBytes) return END_OF_DATA
        const entryStart = position + 12
        const entryEnd = entryStart + length
        if (entryEnd + 1 > end) return NEED_MORE
        if (buf[entryEnd] !== END_OF_RECORD) return END_OF_DATA
        const offset = this.w.bufferFileOffset + position
        const actual = adler32(buf, entryStart, entryEnd)
        if (checksumHigh !== 0 || checksumLow !== actual) {
          const expected = (BigInt(checksumHigh) << 32n) | BigInt(checksumLow)
          throw new TxnLogCorruptError(this.file, offset, `checksum ${expected} does not match ${actual} (CRC check failed)`)
        }
        try {
          scanLogEntryBody(buf, entryStart, entryEnd, this.maxEntryBytes, txn)
        } catch (error) {
          if (!(error instanceof Undecodable)) throw error
          throw new TxnLogCorruptError(this.file, offset, `undecodable entry: ${error.message}`)
        }
        txn.offset = offset
        txn.endOffset = this.w.bufferFileOffset + entryEnd + 1
        this.onEntry(txn)
        this.entries++
        this.validEndOffset = txn.endOffset
        position = entryEnd + 1
      }
    } finally {
      this.w.start = position
    }
  }

  /** How many buffered bytes the entry at `start` needs: its framing, or all of it once its length is known. */
  private bytesNeeded(): number {
    if (this.w.end - this.w.start < 12) return 12
    return this.w.buf.readInt32BE(this.w.start + 8) + ENTRY_FRAMING_BYTES
  }
}
