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
  const mask = new Uint8Array(index.paths.size)
  index.paths.values.forEach((path, id) => {
    if (pathMatchesPrefix(path, prefix)) mask[id] = 1
  })
  return mask
}

function rowMatchesPaths(index: TxnIndex, row: number, mask: Uint8Array): boolean {
  const first = index.firstPath[row]!
  if (first === NO_PATH) return false
  if (mask[first] === 1) return true
  const more = index.morePaths.get(row)
  if (more === undefined) return false
  for (const id of more) if (mask[id] === 1) return true
  return false
}

export function filterTxns(index: TxnIndex, filter: TxnFilter): Uint32Array {
  const mask = pathMask(index, filter.pathPrefix)
  const sessionNumber = filter.sessionId === null || filter.sessionId === undefined ? null : (index.sessions.idOf(filter.sessionId) ?? -2)
  const types = filter.types === null || filter.types === undefined || filter.types.length === 0 ? null : new Set(filter.types)
  const fromTime = filter.fromTimeMs ?? -Infinity
  const toTime = filter.toTimeMs ?? Infinity
  // zxids ascend in log order: the zxid bounds are a range of rows.
  const firstRow = filter.fromZxid === null || filter.fromZxid === undefined ? 0 : index.lowerBound(filter.fromZxid)
  const endRow = filter.toZxid === null || filter.toZxid === undefined ? index.count : index.lowerBound(filter.toZxid + 1n)
  const out = new Uint32Array(Math.max(0, endRow - firstRow))
  let matched = 0
  for (let row = firstRow; row < endRow; row++) {
    if (sessionNumber !== null && index.session[row] !== sessionNumber) continue
    if (types !== null && !types.has(index.type[row]!)) continue
    const time = index.timeMs[row]!
    if (time < fromTime || time > toTime) continue
    if (mask !== null && !rowMatchesPaths(index, row, mask)) continue
    out[matched++] = row
  }
  return out.slice(0, matched)
}
