/**
 * The index of a data directory's txn logs: one row per txn in compact typed columns, so that a 1 GB log (a few
 * million txns) costs tens of MB, not a JavaScript object per txn. A row says where the txn is on disk (file,
 * offset) and what a person filters by (zxid, time, type, session, paths); the txn itself is read back from disk on
 * demand (entry-reader.ts).
 *
 * Per txn: zxid 8 + time 8 + session 4 + type 1 + file 2 + offset 4 + path 4 = 31 bytes. Sessions and paths are
 * interned (a session id or a path string is stored once); a txn with more than one path (multi, closeSession)
 * keeps the rest in a side table.
 */

const INITIAL_ROWS = 1 << 14
/** Apache rolls logs long before this; a larger file would need 64-bit offsets. */
export const MAX_LOG_FILE_BYTES = 2 ** 32 - 1
export const NO_PATH = -1

/** Strings stored once, numbered in first-seen order. */
export class InternTable<T> {
  private readonly ids = new Map<T, number>()
  readonly values: T[] = []

  intern(value: T): number {
    let id = this.ids.get(value)
    if (id === undefined) {
      id = this.values.length
      this.ids.set(value, id)
      this.values.push(value)
    }
    return id
  }

  idOf(value: T): number | undefined {
    return this.ids.get(value)
  }

  get size(): number {
    return this.values.length
  }
}

export interface IndexedTxn {
  zxid: bigint
  timeMs: number
  sessionId: bigint
  type: number
  fileIndex: number
  offset: number
}

function grow<A extends BigInt64Array | Float64Array | Int32Array | Uint32Array | Uint16Array | Int8Array>(array: A, capacity: number): A {
  const Constructor = array.constructor as new (length: number) => A
  const next = new Constructor(capacity)
  next.set(array as never)
  return next
}

export class TxnIndex {
  /** Log files by index (paths), oldest first. */
  readonly files: string[] = []
  readonly paths = new InternTable<string>()
  readonly sessions = new InternTable<bigint>()
  count = 0
  zxid = new BigInt64Array(INITIAL_ROWS)
  timeMs = new Float64Array(INITIAL_ROWS)
  session = new Int32Array(INITIAL_ROWS)
  type = new Int8Array(INITIAL_ROWS)
  fileIndex = new Uint16Array(INITIAL_ROWS)
  offset = new Uint32Array(INITIAL_ROWS)
  /** First path's id, or NO_PATH. */
  firstPath = new Int32Array(INITIAL_ROWS)
  /** Row → the ids of its 2nd, 3rd… paths. */
  readonly morePaths = new Map<number, Int32Array>()

  addFile(path: string): number {
    if (this.files.length >= 0xffff) throw new RangeError('more than 65535 log files')
    this.files.push(path)
    return this.files.length - 1
  }

  add(txn: IndexedTxn, paths: readonly string[]): number {
    if (this.count === this.zxid.length) this.resize(this.count * 2)
    if (txn.offset > MAX_LOG_FILE_BYTES) throw new RangeError(`log offset ${txn.offset} beyond 4 GiB`)
    const row = this.count++
    this.zxid[row] = txn.zxid
    this.timeMs[row] = txn.timeMs
    this.session[row] = this.sessions.intern(txn.sessionId)
    this.type[row] = txn.type
    this.fileIndex[row] = txn.fileIndex
    this.offset[row] = txn.offset
    this.firstPath[row] = paths.length === 0 ? NO_PATH : this.paths.intern(paths[0]!)
    if (paths.length > 1) this.morePaths.set(row, Int32Array.from(paths.slice(1), (path) => this.paths.intern(path)))
    return row
  }

  /** Drops the spare capacity once indexing is over. */
  trim(): void {
    if (this.count < this.zxid.length) this.resize(this.count)
  }

  private resize(capacity: number): void {
    const rows = Math.max(capacity, 1)
    this.zxid = resized(this.zxid, rows)
    this.timeMs = resized(this.timeMs, rows)
    this.session = resized(this.session, rows)
    this.type = resized(this.type, rows)
    this.fileIndex = resized(this.fileIndex, rows)
    this.offset = resized(this.offset, rows)
    this.firstPath = resized(this.firstPath, rows)
  }

  /** Every path id of a row (empty for session txns). */
  pathIdsOf(row: number): number[] {
    const first = this.firstPath[row]!
    if (first === NO_PATH) return []
    const more = this.morePaths.get(row)
    return more === undefined ? [first] : [first, ...more]
  }

  pathsOf(row: number): string[] {
    return this.pathIdsOf(row).map((id) => this.paths.values[id]!)
  }

  sessionOf(row: number): bigint {
    return this.sessions.values[this.session[row]!]!
  }

  /** The first row whose zxid is ≥ `zxid` (rows are in log order, which is zxid order); `count` when none. */
  lowerBound(zxid: bigint): number {
    let low = 0
    let high = this.count
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.zxid[middle]! < zxid) low = middle + 1
      else high = middle
    }
    return low
  }

  /** Bytes held by the columns and tables (an estimate for strings: 2 bytes a character plus 40 of overhead). */
  memoryBytes(): number {
    let bytes = this.zxid.byteLength + this.timeMs.byteLength + this.session.byteLength + this.type.byteLength
    bytes += this.fileIndex.byteLength + this.offset.byteLength + this.firstPath.byteLength
    for (const more of this.morePaths.values()) bytes += more.byteLength + 40
    for (const path of this.paths.values) bytes += path.length * 2 + 40
    bytes += this.sessions.size * 40
    return bytes
  }
}

/** A copy of `array` with `length` elements (cut or zero-extended). */
function resized<A extends BigInt64Array | Float64Array | Int32Array | Uint32Array | Uint16Array | Int8Array>(array: A, length: number): A {
  if (length <= array.length) return array.slice(0, length) as A
  return grow(array, length)
}
