import { type FileHandle, open } from 'node:fs/promises'
import { JuteReader } from '../jute'
import { adler32 } from '../txn/adler32'
import { TxnLogCorruptError } from '../txn/errors'
import { DEFAULT_MAX_ENTRY_BYTES, END_OF_RECORD, readLogEntryBody } from '../txn/txn-log-format'
import type { LogEntry } from '../txn/txn-log-reader'

/**
 * Random access to one txn the index points at: the entry's framing (checksum, length, 0x42) is checked again and
 * the body decoded with engine/txn's readLogEntryBody, so what the detail pane shows is what the server would read.
 * The index already proved the entry readable; this only guards against the file changing since.
 */

const FRAMING_HEAD_BYTES = 12

/** Reads txns from log files, keeping the last file open (a person stepping through a log reads one file at a time). */
export class TxnEntryReader {
  private handle: FileHandle | null = null
  private handleFile = ''
  /** Reads run one at a time: they share the open handle. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES) {}

  read(file: string, offset: number): Promise<LogEntry> {
    const next = this.queue.then(() => this.readNow(file, offset))
    this.queue = next.catch(() => undefined)
    return next
  }

  private async readNow(file: string, offset: number): Promise<LogEntry> {
    const handle = await this.fileHandle(file)
    const head = Buffer.alloc(FRAMING_HEAD_BYTES)
    const got = await handle.read(head, 0, FRAMING_HEAD_BYTES, offset)
    if (got.bytesRead < FRAMING_HEAD_BYTES) throw new TxnLogCorruptError(file, offset, 'the file is shorter than the index says')
    const length = head.readInt32BE(8)
    if (length <= 0 || length > this.maxEntryBytes) throw new TxnLogCorruptError(file, offset, `unreasonable length ${length}`)
    const entry = Buffer.alloc(length + 1)
    const read = await handle.read(entry, 0, length + 1, offset + FRAMING_HEAD_BYTES)
    if (read.bytesRead < length + 1 || entry[length] !== END_OF_RECORD) throw new TxnLogCorruptError(file, offset, 'the entry is cut short')
    const actual = adler32(entry, 0, length)
    if (head.readInt32BE(0) !== 0 || head.readUInt32BE(4) !== actual) throw new TxnLogCorruptError(file, offset, 'checksum does not match (CRC check failed)')
    const decoded = readLogEntryBody(new JuteReader(entry, 0, length, this.maxEntryBytes))
    return {
      header: decoded.txn.header,
      body: decoded.txn.body,
      digest: decoded.digest,
      file,
      offset,
      endOffset: offset + FRAMING_HEAD_BYTES + length + 1,
    }
  }

  private async fileHandle(file: string): Promise<FileHandle> {
    if (this.handle !== null && this.handleFile === file) return this.handle
    await this.close()
    this.handle = await open(file, 'r')
    this.handleFile = file
    return this.handle
  }

  async close(): Promise<void> {
    const handle = this.handle
    this.handle = null
    this.handleFile = ''
    if (handle !== null) await handle.close()
  }
}
