/** A complete txn-log entry whose checksum does not match: real corruption, never a torn tail. Fatal, as in Apache. */
export class TxnLogCorruptError extends Error {
  override name = 'TxnLogCorruptError'
  constructor(
    readonly file: string,
    /** Byte offset of the entry's checksum field within `file`. */
    readonly offset: number,
    reason: string,
  ) {
    super(`${file} at offset ${offset}: ${reason}`)
  }
}

/** A snapshot candidate that failed validation (bad header, bad seal, undecodable body, truncated). */
export class SnapshotInvalidError extends Error {
  override name = 'SnapshotInvalidError'
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`)
  }
}

/** The data directories are unusable as given (Apache's DatadirException and its subclasses). */
export class DatadirError extends Error {
  override name = 'DatadirError'
}
