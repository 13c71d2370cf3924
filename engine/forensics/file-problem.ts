/**
 * What went wrong reading one file of a data directory, said so that a person can act on it: which file, the byte
 * offset where reading stopped, the last txn (or snapshot node) read whole before it, and how much was readable.
 */
export type FileProblemKind =
  /** A complete txn whose checksum does not match, or that does not decode (TxnLogCorruptError). */
  | 'corrupt'
  /** The file ends inside a txn: a torn last write after a crash, or a file cut short. */
  | 'truncated'
  /** Bytes after the last readable txn that are neither a txn nor preallocated zeros. */
  | 'unreadable'
  /** A snapshot that does not read back whole (SnapshotInvalidError). */
  | 'invalidSnapshot'

export interface FileProblem {
  file: string
  kind: FileProblemKind
  /** Byte offset in the file where reading stopped; null when the reader cannot say (a snapshot's bad seal says where the seal is). */
  offset: number | null
  /**
   * The last txn's zxid read whole before the problem (logs): in this file, or when it has none readable, in the logs
   * before it; null when nothing was.
   */
  lastGoodZxid: bigint | null
  /** Txns (logs) or nodes (snapshots) read whole before the problem. */
  readable: number
  /** The last node path read whole (snapshots only). */
  lastGoodPath?: string | null
  message: string
}
