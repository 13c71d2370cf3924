import { BLOCK_ROWS, BLOCK_SHIFT } from './packed-column'
import { NO_PATH, type TxnIndex } from './txn-index'

/**
 * Which rows of a TxnIndex match a filter: a pure pass over the typed columns (no disk), returning row numbers in
 * log order. Path prefixes are matched once per distinct path, not once per txn.
 */

export interface TxnFilter {
  /** A txn matches when any of its paths is this path or lies under it ("/app" matches "/app" and "/app/x", not "/apple"). */
  pathPrefix?: string | null
  sessionId?: bigint | null
  /** Txn types (OpCode values); empty or absent: all. */
  types?: readonly number[] | null
  /** Inclusive bounds on the txn header's time (ms since the epoch). */
  fromTimeMs?: number | null
  toTimeMs?: number | null
  /** Inclusive bounds on the zxid. */
  fromZxid?: bigint | null
  toZxid?: bigint | null
}

export function pathMatchesPrefix(path: string, prefix: string): boolean {
  if (prefix === '/' || prefix === '') return true
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
  return path === trimmed || path.startsWith(`${trimmed}/`)
}

/** For each interned path, whether it matches; null when there is no path condition. */
function pathMask(index: TxnIndex, prefix: string | null | undefined): Uint8Array | null {
  if (prefix === null || prefix === undefined || prefix === '') return null
  return index.paths.matchingPrefix(prefix)
}

function morePathsMatch(index: TxnIndex, row: number, mask: Uint8Array): boolean {
  const more = index.morePathIds(row)
  if (more === null) return false
  for (const id of more) if (mask[id] === 1) return true
  return false
}

/** Scratch columns for one block of rows (a filter decodes only the columns its conditions need). */
function scratch(wanted: boolean): Float64Array | undefined {
  return wanted ? new Float64Array(BLOCK_ROWS) : undefined
}

export function filterTxns(index: TxnIndex, filter: TxnFilter): Uint32Array {
  const mask = pathMask(index, filter.pathPrefix)
  const sessionNumber = filter.sessionId === null || filter.sessionId === undefined ? null : (index.sessions.idOf(filter.sessionId) ?? -2)
  const types = filter.types === null || filter.types === undefined || filter.types.length === 0 ? null : new Set(filter.types)
  const fromTime = filter.fromTimeMs ?? -Infinity
  const toTime = filter.toTimeMs ?? Infinity
  const byTime = fromTime !== -Infinity || toTime !== Infinity
  // zxids ascend in log order: the zxid bounds are a range of rows.
  const firstRow = filter.fromZxid === null || filter.fromZxid === undefined ? 0 : index.lowerBound(filter.fromZxid)
  const endRow = filter.toZxid === null || filter.toZxid === undefined ? index.count : index.lowerBound(filter.toZxid + 1n)
  const out = new Uint32Array(Math.max(0, endRow - firstRow))
  let matched = 0
  const columns = { time: scratch(byTime), session: scratch(sessionNumber !== null), type: scratch(types !== null), path: scratch(mask !== null) }
  for (let block = firstRow >>> BLOCK_SHIFT; block << BLOCK_SHIFT < endRow; block++) {
    const blockStart = block << BLOCK_SHIFT
    index.decodeBlock(block, columns)
    const from = Math.max(firstRow, blockStart) - blockStart
    const to = Math.min(endRow, blockStart + BLOCK_ROWS) - blockStart
    for (let i = from; i < to; i++) {
      if (sessionNumber !== null && columns.session![i] !== sessionNumber) continue
      if (types !== null && !types.has(columns.type![i]!)) continue
      if (byTime) {
        const time = columns.time![i]!
        if (time < fromTime || time > toTime) continue
      }
      if (mask !== null) {
        // Path ids are stored one up (0: no path).
        const first = columns.path![i]! - 1
        if (first === NO_PATH) continue
        if (mask[first] !== 1 && !morePathsMatch(index, blockStart + i, mask)) continue
      }
      out[matched++] = blockStart + i
    }
  }
  return out.slice(0, matched)
}
