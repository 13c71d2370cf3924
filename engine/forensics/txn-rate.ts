import { BLOCK_ROWS, BLOCK_SHIFT } from './packed-column'
import type { TxnIndex } from './txn-index'

/**
 * Txns over time for a chart: the rows (a filter's result) counted in equal time buckets, and counted by type. The
 * bucket is a round length (1 s, 2 s, 5 s … 1 day) giving at most `maxBuckets` buckets over the rows' time span, so
 * that a rate per second reads off each bucket. Header times come from the leader's clock and may step back a
 * little: the span is the rows' smallest to largest time, not the first to the last row's.
 */

export interface TxnRate {
  /** Start of the first bucket (ms since the epoch, a multiple of bucketMs); null when there are no rows. */
  fromTimeMs: number | null
  bucketMs: number
  counts: number[]
  /** Type (OpCode value) → txns of that type among the rows. */
  byType: Map<number, number>
}

const ROUND_BUCKETS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((seconds) => seconds * 1000)

/** The smallest round bucket that covers [minMs, maxMs] in at most `maxBuckets` buckets aligned to it. */
export function bucketFor(minMs: number, maxMs: number, maxBuckets: number): number {
  const fits = (bucket: number) => Math.floor(maxMs / bucket) - Math.floor(minMs / bucket) + 1 <= maxBuckets
  for (const bucket of ROUND_BUCKETS_MS) if (fits(bucket)) return bucket
  let days = 2
  while (!fits(days * 86_400_000)) days *= 2
  return days * 86_400_000
}

/** Calls `visit(time, type)` for each row (ascending), decoding the index 128 rows at a time. */
function eachRow(index: TxnIndex, rows: Uint32Array, visit: (timeMs: number, type: number) => void): void {
  const time = new Float64Array(BLOCK_ROWS)
  const type = new Float64Array(BLOCK_ROWS)
  let decoded = -1
  for (const row of rows) {
    const block = row >>> BLOCK_SHIFT
    if (block !== decoded) {
      index.decodeBlock(block, { time, type })
      decoded = block
    }
    const at = row & (BLOCK_ROWS - 1)
    visit(time[at]!, type[at]!)
  }
}

export function txnRate(index: TxnIndex, rows: Uint32Array, maxBuckets = 240): TxnRate {
  const byType = new Map<number, number>()
  if (rows.length === 0) return { fromTimeMs: null, bucketMs: 1000, counts: [], byType }
  let min = Infinity
  let max = -Infinity
  eachRow(index, rows, (time, type) => {
    if (time < min) min = time
    if (time > max) max = time
    byType.set(type, (byType.get(type) ?? 0) + 1)
  })
  // Two passes rather than a copy of every row's time: the rows may be millions.
  const bucketMs = bucketFor(min, max, maxBuckets)
  const fromTimeMs = Math.floor(min / bucketMs) * bucketMs
  const counts = new Array<number>(Math.floor((max - fromTimeMs) / bucketMs) + 1).fill(0)
  eachRow(index, rows, (time) => counts[Math.floor((time - fromTimeMs) / bucketMs)]!++)
  return { fromTimeMs, bucketMs, counts, byType }
}
