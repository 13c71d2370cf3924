import type { ScannedTxn } from '../txn/txn-log-scan'
import { BLOCK_ROWS, BLOCK_SHIFT, PackedColumn } from './packed-column'
import { PathTable, SessionTable } from './path-table'

/**
 * The index of a data directory's txn logs: one row per txn, in log order, in columns compact enough that a 1 GB log
 * (six million txns) costs under 60 MB. A row says where the txn is on disk and what a person filters by; the
 * txn itself is read back from disk on demand (entry-reader.ts).
 *
 * - zxid: runs of consecutive zxids (a log is one run per epoch, unless txns are missing): nothing per row.
 * - file: rows of a file are contiguous: a first row per file.
 * - offset: entries of a file lie back to back: a block of 128 rows keeps its first offset, a row its entry's length.
 * - time, session, type, first path, entry length: bit-packed columns (packed-column.ts) of small numbers; sessions
 *   and paths are interned (path-table.ts), the 2nd, 3rd… paths of a multi or closeSession are in a side pool.
 *
 * Rows are read with the `…At(row)` methods; whole-index passes decode a column 128 rows at a time.
 */

/** Apache rolls logs long before this; a larger file would need 64-bit offsets. */
export const MAX_LOG_FILE_BYTES = 2 ** 32 - 1
export const NO_PATH = -1

export interface IndexedTxn {
  zxid: bigint
  timeMs: number
  sessionId: bigint
  type: number
  fileIndex: number
  offset: number
  /** Bytes of the entry on disk, framing included (the next entry of the file starts there). */
  entryBytes: number
}

/** A growing array of doubles (run starts, block offsets, pools): few entries per index, not one per row. */
class NumberList {
  values = new Float64Array(16)
  length = 0

  push(value: number): void {
    if (this.length === this.values.length) {
      const next = new Float64Array(this.length * 2)
      next.set(this.values)
      this.values = next
    }
    this.values[this.length++] = value
  }

  at(i: number): number {
    return this.values[i]!
  }

  /** The number of entries ≤ `value` (entries ascend). */
  upperBound(value: number): number {
    let low = 0
    let high = this.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.values[middle]! <= value) low = middle + 1
      else high = middle
    }
    return low
  }

  trim(): void {
    this.values = this.values.slice(0, this.length)
  }

  memoryBytes(): number {
    return this.values.byteLength
  }
}

const TWO_32 = 0x1_0000_0000

/** Read-only array-like access to a column, for tests and scripts (`index.zxid[row]`); code uses the …At methods. */
function rowView<T>(index: TxnIndex, at: (row: number) => T): ArrayLike<T> {
  return new Proxy({} as ArrayLike<T>, {
    get(_target, key) {
      if (key === 'length') return index.count
      if (typeof key !== 'string' || !/^\d+$/.test(key)) return undefined
      const row = Number(key)
      return row < index.count ? at(row) : undefined
    },
  })
}

export class TxnIndex {
  /** Log files by index (paths), oldest first. */
  readonly files: string[] = []
  private readonly fileFirstRow = new NumberList()
  private readonly fileFirstOffset = new NumberList()
  readonly paths = new PathTable()
  readonly sessions = new SessionTable()
  count = 0

  private readonly runFirstRow = new NumberList()
  private runFirstZxid: bigint[] = []
  private lastZxidHigh = 0
  private lastZxidLow = -1

  private readonly time = new PackedColumn()
  private readonly sessionColumn = new PackedColumn()
  private readonly typeColumn = new PackedColumn()
  /** First path id + 1; 0 for none. */
  private readonly pathColumn = new PackedColumn()
  private readonly entryBytes = new PackedColumn()
  private readonly blockFirstOffset = new NumberList()
  /** Rows with more than one path (ascending), where their extra ids start in `morePool`, and the pool. */
  private readonly moreRows = new NumberList()
  private readonly moreStart = new NumberList()
  private readonly morePool = new NumberList()

  readonly zxid = rowView(this, (row) => this.zxidAt(row))
  readonly timeMs = rowView(this, (row) => this.timeAt(row))
  readonly type = rowView(this, (row) => this.typeAt(row))
  readonly session = rowView(this, (row) => this.sessionNumberAt(row))
  readonly fileIndex = rowView(this, (row) => this.fileIndexAt(row))
  readonly offset = rowView(this, (row) => this.offsetAt(row))
  readonly firstPath = rowView(this, (row) => this.firstPathAt(row))

  addFile(path: string, firstOffset = 16): number {
    if (this.files.length >= 0xffff) throw new RangeError('more than 65535 log files')
    this.files.push(path)
    this.fileFirstRow.push(this.count)
    this.fileFirstOffset.push(firstOffset)
    return this.files.length - 1
  }

  /** Appends a scanned entry of the newest file (entries of a file arrive in order, back to back). */
  addScanned(txn: ScannedTxn): number {
    if (txn.endOffset > MAX_LOG_FILE_BYTES) throw new RangeError(`log offset ${txn.endOffset} beyond 4 GiB`)
    const row = this.count
    this.beginRow(row, txn.offset)
    this.pushZxid(txn.zxidHigh, txn.zxidLow)
    this.time.push(txn.timeMs)
    this.sessionColumn.push(this.sessions.intern(txn.sessionHigh, txn.sessionLow))
    this.typeColumn.push(txn.type)
    this.entryBytes.push(txn.endOffset - txn.offset)
    const buf = txn.buf
    this.pathColumn.push(txn.pathCount === 0 ? 0 : this.paths.internBytes(buf, txn.pathStart[0]!, txn.pathEnd[0]!) + 1)
    if (txn.pathCount > 1) {
      this.moreRows.push(row)
      this.moreStart.push(this.morePool.length)
      for (let i = 1; i < txn.pathCount; i++) this.morePool.push(this.paths.internBytes(buf, txn.pathStart[i]!, txn.pathEnd[i]!))
    }
    this.count++
    return row
  }

  /** Appends a decoded txn (tests and tools; indexing uses addScanned). */
  add(txn: IndexedTxn, paths: readonly string[]): number {
    const row = this.count
    this.beginRow(row, txn.offset)
    const zxid = BigInt.asUintN(64, txn.zxid)
    this.pushZxid(Number(BigInt.asIntN(32, zxid >> 32n)), Number(zxid & 0xffffffffn))
    this.time.push(txn.timeMs)
    const session = BigInt.asUintN(64, txn.sessionId)
    this.sessionColumn.push(this.sessions.intern(Number(BigInt.asIntN(32, session >> 32n)), Number(session & 0xffffffffn)))
    this.typeColumn.push(txn.type)
    this.entryBytes.push(txn.entryBytes)
    this.pathColumn.push(paths.length === 0 ? 0 : this.paths.intern(paths[0]!) + 1)
    if (paths.length > 1) {
      this.moreRows.push(row)
      this.moreStart.push(this.morePool.length)
      for (const path of paths.slice(1)) this.morePool.push(this.paths.intern(path))
    }
    this.count++
    return row
  }

  private beginRow(row: number, offset: number): void {
    if ((row & (BLOCK_ROWS - 1)) === 0) this.blockFirstOffset.push(offset)
    const file = this.files.length - 1
    if (file < 0) throw new RangeError('addFile before adding txns')
    if (this.fileFirstRow.at(file) === row) this.fileFirstOffset.values[file] = offset
  }

  private pushZxid(high: number, low: number): void {
    const consecutive = this.count > 0 && (low === this.lastZxidLow + 1 ? high === this.lastZxidHigh : this.lastZxidLow === TWO_32 - 1 && low === 0 && high === this.lastZxidHigh + 1)
    if (!consecutive) {
      this.runFirstRow.push(this.count)
      this.runFirstZxid.push((BigInt(high) << 32n) | BigInt(low))
    }
    this.lastZxidHigh = high
    this.lastZxidLow = low
  }

  /** Drops the spare capacity once indexing is over. */
  trim(): void {
    for (const column of [this.time, this.sessionColumn, this.typeColumn, this.pathColumn, this.entryBytes]) column.seal()
    for (const list of [this.fileFirstRow, this.fileFirstOffset, this.runFirstRow, this.blockFirstOffset, this.moreRows, this.moreStart, this.morePool]) list.trim()
    this.paths.trim()
  }

  zxidAt(row: number): bigint {
    const run = this.runFirstRow.upperBound(row) - 1
    return this.runFirstZxid[run]! + BigInt(row - this.runFirstRow.at(run))
  }

  timeAt(row: number): number {
    return this.time.get(row)
  }

  typeAt(row: number): number {
    return this.typeColumn.get(row)
  }

  /** The row's session as its interned number (see `sessions`). */
  sessionNumberAt(row: number): number {
    return this.sessionColumn.get(row)
  }

  sessionOf(row: number): bigint {
    return this.sessions.sessionOf(this.sessionNumberAt(row))
  }

  fileIndexAt(row: number): number {
    return this.fileFirstRow.upperBound(row) - 1
  }

  fileOf(row: number): string {
    return this.files[this.fileIndexAt(row)]!
  }

  /** Offset of the row's entry in its file: the block's (or the file's) first offset plus the lengths before it. */
  offsetAt(row: number): number {
    const file = this.fileIndexAt(row)
    const blockStart = row & ~(BLOCK_ROWS - 1)
    const fileStart = this.fileFirstRow.at(file)
    let from = blockStart
    let offset = this.blockFirstOffset.at(row >>> BLOCK_SHIFT)
    if (fileStart > blockStart) {
      from = fileStart
      offset = this.fileFirstOffset.at(file)
    }
    for (let r = from; r < row; r++) offset += this.entryBytes.get(r)
    return offset
  }

  firstPathAt(row: number): number {
    return this.pathColumn.get(row) - 1
  }

  /** Every path id of a row (empty for session txns). */
  pathIdsOf(row: number): number[] {
    const first = this.firstPathAt(row)
    if (first === NO_PATH) return []
    const more = this.morePathIds(row)
    return more === null ? [first] : [first, ...more]
  }

  /** The 2nd, 3rd… path ids of a row, or null when it has at most one. */
  morePathIds(row: number): Float64Array | null {
    const i = this.moreRows.upperBound(row) - 1
    if (i < 0 || this.moreRows.at(i) !== row) return null
    const end = i + 1 < this.moreRows.length ? this.moreStart.at(i + 1) : this.morePool.length
    return this.morePool.values.subarray(this.moreStart.at(i), end)
  }

  pathsOf(row: number): string[] {
    return this.pathIdsOf(row).map((id) => this.paths.pathOf(id))
  }

  /** The first row whose zxid is ≥ `zxid` (rows are in log order, which is zxid order); `count` when none. */
  lowerBound(zxid: bigint): number {
    const runs = this.runFirstZxid
    // The last run starting at or before zxid.
    let low = 0
    let high = runs.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (runs[middle]! <= zxid) low = middle + 1
      else high = middle
    }
    const run = low - 1
    if (run < 0) return 0
    const first = this.runFirstRow.at(run)
    const end = run + 1 < this.runFirstRow.length ? this.runFirstRow.at(run + 1) : this.count
    const within = zxid - runs[run]!
    return within < BigInt(end - first) ? first + Number(within) : end
  }

  /** Decodes rows [block·128, …) of the named columns into `out` (see PackedColumn.decodeBlock); returns the rows. */
  decodeBlock(block: number, out: { time?: Float64Array; session?: Float64Array; type?: Float64Array; path?: Float64Array }): number {
    let rows = 0
    if (out.time !== undefined) rows = this.time.decodeBlock(block, out.time)
    if (out.session !== undefined) rows = this.sessionColumn.decodeBlock(block, out.session)
    if (out.type !== undefined) rows = this.typeColumn.decodeBlock(block, out.type)
    // Path ids come back one too high (0 is "no path").
    if (out.path !== undefined) rows = this.pathColumn.decodeBlock(block, out.path)
    return rows
  }

  /** Exact bytes held by the columns, tables and lists. */
  memoryBytes(): number {
    let bytes = this.paths.memoryBytes() + this.sessions.memoryBytes() + this.runFirstZxid.length * 16
    for (const column of [this.time, this.sessionColumn, this.typeColumn, this.pathColumn, this.entryBytes]) bytes += column.memoryBytes()
    for (const list of [this.fileFirstRow, this.fileFirstOffset, this.runFirstRow, this.blockFirstOffset, this.moreRows, this.moreStart, this.morePool]) bytes += list.memoryBytes()
    return bytes
  }
}
