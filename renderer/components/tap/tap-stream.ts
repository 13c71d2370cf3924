// Pure helpers of the Tap view: which txns pass the filter, and per-second rates by txn type for the chart.
import type { TapTxnView } from '../../../main/contract/model'
import type { LineSeries } from '../../lib/chart-data'

export interface TapFilter {
  /** Substring of any of the txn's paths (case-sensitive, as znode paths are). */
  path: string
  /** One type, or '' for all. */
  type: string
  /** Session id, `0x…` as shown; matched without case and without leading zeros. */
  session: string
}

export const NO_FILTER: TapFilter = { path: '', type: '', session: '' }

function normaliseSession(text: string): string {
  const trimmed = text.trim().toLowerCase().replace(/^0x/, '').replace(/^0+(?=.)/, '')
  return trimmed === '' ? '' : `0x${trimmed}`
}

export function txnMatches(txn: TapTxnView, filter: TapFilter): boolean {
  if (filter.type !== '' && txn.type !== filter.type) return false
  if (filter.session.trim() !== '' && normaliseSession(txn.sessionId) !== normaliseSession(filter.session)) return false
  if (filter.path !== '' && !txn.paths.some((path) => path.includes(filter.path))) return false
  return true
}

/** Indexes of the rows that pass, in order (the virtual table shows these). */
export function filterRows(rows: readonly TapTxnView[], filter: TapFilter): number[] | null {
  if (filter.path === '' && filter.type === '' && filter.session.trim() === '') return null
  const out: number[] = []
  for (let i = 0; i < rows.length; i++) if (txnMatches(rows[i]!, filter)) out.push(i)
  return out
}

/**
 * Txns per second by type: a bucket per wall-clock second (of the batch's arrival), the last `windowSeconds` kept.
 * Counts come from the batches' `counts`, so txns left out of a burst's rows still count.
 */
export class RateBuckets {
  private readonly seconds: number[] = []
  private readonly buckets = new Map<number, Map<string, number>>()
  readonly types = new Set<string>()

  constructor(private readonly windowSeconds: number) {}

  add(timeMs: number, counts: Record<string, number>): void {
    const second = Math.floor(timeMs / 1000)
    let bucket = this.buckets.get(second)
    if (bucket === undefined) {
      bucket = new Map()
      this.buckets.set(second, bucket)
      this.seconds.push(second)
      this.seconds.sort((a, b) => a - b)
      while (this.seconds.length > 0 && this.seconds[0]! < second - this.windowSeconds) this.buckets.delete(this.seconds.shift()!)
    }
    for (const [type, count] of Object.entries(counts)) {
      bucket.set(type, (bucket.get(type) ?? 0) + count)
      this.types.add(type)
    }
  }

  /**
   * One line per type plus the total, over every second from the first bucket to `nowMs` (quiet seconds are 0,
   * not gaps). The current second is left out: it is still filling.
   */
  series(nowMs: number, colours: readonly string[], totalLabel: string): LineSeries[] {
    const last = Math.floor(nowMs / 1000) - 1
    const first = this.seconds[0]
    if (first === undefined || last < first) return []
    const xs: number[] = []
    for (let second = Math.max(first, last - this.windowSeconds); second <= last; second++) xs.push(second)
    const types = [...this.types].sort()
    const lines: LineSeries[] = types.map((type, index) => ({
      label: type,
      color: colours[index % colours.length]!,
      x: xs,
      y: xs.map((second) => this.buckets.get(second)?.get(type) ?? 0),
    }))
    const total = xs.map((second) => [...(this.buckets.get(second)?.values() ?? [])].reduce((sum, count) => sum + count, 0))
    return [{ label: totalLabel, color: '#6b7280', x: xs, y: total }, ...lines]
  }

  clear(): void {
    this.seconds.length = 0
    this.buckets.clear()
    this.types.clear()
  }
}
