import { type Infer, type JuteReader, type JuteWriter, int, long, record } from '../jute'
import { type LoggedTxn, readTxnBody, writeTxnBody } from '../proto/txn'
import { TxnDigest, TxnHeader } from '../proto/txn-records'
import { adler32 } from './adler32'

/**
 * Byte layout of Apache's transaction log (`FileTxnLog`, `Util.marshallTxnEntry`, `Util.writeTxnBytes`):
 *
 *   FileHeader { int magic "ZKLG"; int version 2; long dbid 0 }
 *   repeat { long adler32(entry); int length; entry = TxnHeader + record [+ TxnDigest]; byte 0x42 }
 *   zero padding up to the preallocated size
 *
 * Pure encoding and decoding; the file handling is in txn-log.ts and txn-log-reader.ts.
 */

export const FileHeader = record('FileHeader', { magic: int, version: int, dbid: long })
export type FileHeader = Infer<typeof FileHeader>

export const TXNLOG_MAGIC = 0x5a4b4c47 // "ZKLG"
export const SNAPSHOT_MAGIC = 0x5a4b534e // "ZKSN"
export const FILE_FORMAT_VERSION = 2
export const FILE_HEADER_BYTES = 16
/** 'B': written after every entry; its absence marks a torn last write. */
export const END_OF_RECORD = 0x42
/** checksum (8) + length (4) before the entry, marker (1) after it. */
export const ENTRY_FRAMING_BYTES = 13
/** Apache's default `zookeeper.preAllocSize` (64 MiB). */
export const DEFAULT_PREALLOC_BYTES = 64 * 1024 * 1024
/** Padding is extended when the write position comes this close to the allocated end (`FilePadding`). */
export const PREALLOC_SLACK_BYTES = 4096
/** Apache's BinaryInputArchive bound (jute.maxbuffer + extrasize, both 0xfffff by default). */
export const DEFAULT_MAX_ENTRY_BYTES = 2 * 0xfffff

/**
 * Appends one framed entry (checksum, length, TxnHeader + record [+ digest], 0x42) to `w`, computing the checksum
 * over the entry bytes in place. Returns the number of bytes written.
 */
export function writeLogEntry(w: JuteWriter, txn: LoggedTxn, digest: TxnDigest | null = null): number {
  const start = w.offset
  w.int(0) // checksum, high word: Adler-32 fits in 32 bits
  w.int(0) // checksum, low word (filled below)
  w.int(0) // length (filled below)
  const entryStart = w.offset
  TxnHeader.write(w, txn.header)
  writeTxnBody(w, txn.body)
  if (digest !== null) TxnDigest.write(w, digest)
  const entryEnd = w.offset
  w.intAt(start + 4, adler32(w.view(), entryStart, entryEnd))
  w.intAt(start + 8, entryEnd - entryStart)
  w.byte(END_OF_RECORD)
  return w.offset - start
}

export interface DecodedEntry {
  txn: LoggedTxn
  digest: TxnDigest | null
}

/**
 * Decodes entry bytes (TxnHeader + record [+ TxnDigest]) bounded by the reader's end. A digest is present exactly
 * when bytes remain after the record, as Apache's `SerializeUtils.deserializeTxn` decides by EOF.
 */
export function readLogEntryBody(r: JuteReader): DecodedEntry {
  const header = TxnHeader.read(r)
  const body = readTxnBody(header.type, r)
  const digest = r.remaining >= 12 ? TxnDigest.read(r) : null
  return { txn: { header, body }, digest }
}

/**
 * Apache's `FilePadding.calculateFileSizeWithPadding`: the new allocated size when a write at `positionBytes` comes
 * within 4 KiB of `allocatedBytes` (one more `preAllocBytes`, or rounded up past a write that overran it).
 */
export function paddedFileSize(positionBytes: number, allocatedBytes: number, preAllocBytes: number): number {
  if (preAllocBytes <= 0 || positionBytes + PREALLOC_SLACK_BYTES < allocatedBytes) return allocatedBytes
  if (positionBytes > allocatedBytes) {
    const size = positionBytes + preAllocBytes
    return size - (size % preAllocBytes)
  }
  return allocatedBytes + preAllocBytes
}

/**
 * The allocated size needed before writing `[startBytes, endBytes)`: Apache pads once before each entry; a batch
 * of entries gets the padding that keeps its whole end, plus the 4 KiB slack, inside the allocation.
 */
export function allocationForWrite(startBytes: number, endBytes: number, allocatedBytes: number, preAllocBytes: number): number {
  if (preAllocBytes <= 0) return allocatedBytes
  let size = paddedFileSize(startBytes, allocatedBytes, preAllocBytes)
  while (endBytes + PREALLOC_SLACK_BYTES >= size) size = paddedFileSize(endBytes, size, preAllocBytes)
  return size
}
