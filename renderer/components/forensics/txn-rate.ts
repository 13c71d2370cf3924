// The rate chart's arithmetic, apart from the drawing: a ForensicTxnRate as uPlot series (x in seconds, as uPlot's
// time scale wants, y in txns per second), and a dragged x range snapped out to whole buckets.
import type { ForensicTxnRate } from '../../../main/contract/model'

export interface RateSeries {
  /** Bucket starts, seconds since the epoch. */
  x: number[]
  /** Txns per second in each bucket. */
  y: number[]
}

export function rateSeries(rate: ForensicTxnRate): RateSeries {
  if (rate.fromTime === null) return { x: [], y: [] }
  const from = rate.fromTime
  const seconds = rate.bucketMs / 1000
  return {
    x: rate.counts.map((_count, i) => (from + i * rate.bucketMs) / 1000),
    y: rate.counts.map((count) => Number((count / seconds).toFixed(3))),
  }
}

/**
 * The time filter for a range dragged from `fromSeconds` to `toSeconds` on the chart: from the start of the first
 * bucket touched to the last millisecond of the last one (a bucket is all or nothing, as the chart shows it).
 */
export function draggedRange(rate: ForensicTxnRate, fromSeconds: number, toSeconds: number): { fromMs: number; toMs: number } | null {
  if (rate.fromTime === null || rate.counts.length === 0) return null
  const last = rate.counts.length - 1
  const bucketOf = (seconds: number) => Math.min(last, Math.max(0, Math.floor((seconds * 1000 - rate.fromTime!) / rate.bucketMs)))
  const first = bucketOf(Math.min(fromSeconds, toSeconds))
  const end = bucketOf(Math.max(fromSeconds, toSeconds))
  return { fromMs: rate.fromTime + first * rate.bucketMs, toMs: rate.fromTime + (end + 1) * rate.bucketMs - 1 }
}

/** A bucket length said briefly: 500 ms, 5 s, 2 min, 1 h, 2 d. */
export function bucketLabel(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  if (ms < 60_000) return `${ms / 1000} s`
  if (ms < 3_600_000) return `${ms / 60_000} min`
  if (ms < 86_400_000) return `${ms / 3_600_000} h`
  return `${ms / 86_400_000} d`
}
