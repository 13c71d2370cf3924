import { javaBucketOf, javaStringHash } from './java-hash'

/**
 * Apache 3.8's per-namespace read and write figures (ServerMetrics READ_PER_NAMESPACE / WRITE_PER_NAMESPACE, both
 * AvgMinMaxCounterSets keyed by a path's first component, `PathUtils.getTopNamespace`): DataTree records a read of
 * `path.length + bytes + STAT_OVERHEAD_BYTES` on getData (bytes = data length), statNode (0) and getChildren (bytes
 * = total length of the child names), and a write of `path.length + bytes` on createNode and setData (bytes = data
 * length) and deleteNode (0); only when the call succeeds. The root has no namespace and is not counted. mntr lists
 * them as `{avg,min,max,cnt,sum}_<ns>_read_per_namespace` then `…_write_per_namespace`.
 */

/** DataTree.STAT_OVERHEAD_BYTES: what a Stat costs on the wire (6 longs, 5 ints), added to every read. */
export const STAT_OVERHEAD_BYTES = 6 * 8 + 5 * 4
const SLASH = 0x2f

/** One namespace's AvgMinMaxCounter (min and max read 0 while empty). */
export class NamespaceSummary {
  count = 0
  sum = 0
  min = Number.POSITIVE_INFINITY
  max = Number.NEGATIVE_INFINITY

  constructor(readonly namespace: string) {}

  add(value: number): void {
    this.count++
    this.sum += value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
  }

  reset(): void {
    this.count = 0
    this.sum = 0
    this.min = Number.POSITIVE_INFINITY
    this.max = Number.NEGATIVE_INFINITY
  }
}

/**
 * One AvgMinMaxCounterSet: a summary per namespace, listed in the order of Apache's `ConcurrentHashMap` of them. A
 * counter, once made, stays (a reset zeroes it). The last namespace used is remembered, so a run of operations in
 * one namespace costs a prefix test and no allocation.
 */
export class NamespaceSummarySet {
  private readonly byName = new Map<string, NamespaceSummary>()
  private readonly table = new ConcurrentHashOrder()
  /** `/` + the last namespace recorded, and its summary. */
  private lastPrefix = ''
  private lastSummary: NamespaceSummary | undefined = undefined

  /** Adds `value` to the namespace of `path` (nothing for `/`). */
  record(path: string, value: number): void {
    const summary = this.summaryOf(path)
    if (summary !== undefined) summary.add(value)
  }

  /** The summaries in Apache's iteration order. */
  summaries(): NamespaceSummary[] {
    return this.table.order().map((name) => this.byName.get(name)!)
  }

  reset(): void {
    for (const summary of this.byName.values()) summary.reset()
  }

  private summaryOf(path: string): NamespaceSummary | undefined {
    const prefix = this.lastPrefix
    if (prefix !== '' && path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === SLASH)) {
      return this.lastSummary
    }
    const namespace = topNamespace(path)
    if (namespace === undefined) return undefined
    let summary = this.byName.get(namespace)
    if (summary === undefined) {
      summary = new NamespaceSummary(namespace)
      this.byName.set(namespace, summary)
      this.table.add(namespace)
    }
    this.lastPrefix = `/${namespace}`
    this.lastSummary = summary
    return summary
  }
}

/** The tree's two sets. */
export class NamespaceStats {
  readonly reads = new NamespaceSummarySet()
  readonly writes = new NamespaceSummarySet()

  read(path: string, bytes: number): void {
    this.reads.record(path, path.length + bytes + STAT_OVERHEAD_BYTES)
  }

  write(path: string, bytes: number): void {
    this.writes.record(path, path.length + bytes)
  }

  /** `srst` (ServerStats.reset → ServerMetrics.resetAll): values zeroed, namespaces kept. */
  reset(): void {
    this.reads.reset()
    this.writes.reset()
  }
}

/**
 * `PathUtils.getTopNamespace` for the tree's (validated) paths: `path.split("/")[1]`, the text between the first and
 * second slash. Java's split drops trailing empty strings, so `/` (and the `` alias) has none.
 */
export function topNamespace(path: string): string | undefined {
  if (path.length < 2) return undefined
  const end = path.indexOf('/', 1)
  return end < 0 ? path.slice(1) : path.slice(1, end)
}

/**
 * Iteration order of a `ConcurrentHashMap<String, …>` that is only added to: a 16-bucket table made on the first
 * put, new keys appended to their bin, and a doubling once the count reaches three quarters of the length. Its
 * transfer splits each bin by the new hash bit keeping the bin's last run of same-side nodes in place and putting
 * the nodes before it, reversed, in front (unlike HashMap, which keeps relative order). Crowded bins that Java
 * would treeify (8+ colliding names) are not modelled.
 */
class ConcurrentHashOrder {
  private bins: string[][] = Array.from({ length: 16 }, () => [])
  private count = 0

  add(key: string): void {
    this.bins[javaBucketOf(javaStringHash(key), this.bins.length)]!.push(key)
    this.count++
    if (this.count >= this.bins.length - (this.bins.length >>> 2)) this.transfer()
  }

  order(): string[] {
    const keys: string[] = []
    for (const bin of this.bins) for (const key of bin) keys.push(key)
    return keys
  }

  private transfer(): void {
    const n = this.bins.length
    const next: string[][] = Array.from({ length: n * 2 }, () => [])
    for (let i = 0; i < n; i++) {
      const bin = this.bins[i]!
      if (bin.length === 0) continue
      const sideOf = (key: string): number => javaBucketOf(javaStringHash(key), n * 2) & n
      let runStart = 0
      let runSide = sideOf(bin[0]!)
      for (let j = 1; j < bin.length; j++) {
        const side = sideOf(bin[j]!)
        if (side !== runSide) {
          runSide = side
          runStart = j
        }
      }
      const low: string[] = []
      const high: string[] = []
      for (let j = 0; j < runStart; j++) (sideOf(bin[j]!) === 0 ? low : high).unshift(bin[j]!)
      const run = bin.slice(runStart)
      if (runSide === 0) low.push(...run)
      else high.push(...run)
      next[i] = low
      next[i + n] = high
    }
    this.bins = next
  }
}
