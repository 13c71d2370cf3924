/** Small statistics helpers for benchmark results. */

/** Nearest-rank percentile of already sorted values (q in 0..1); NaN for none. */
export function percentileOfSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil(q * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number
}

export function median(values: readonly number[]): number {
  const finite = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b)
  if (finite.length === 0) return Number.NaN
  const middle = finite.length >> 1
  return finite.length % 2 === 1 ? (finite[middle] as number) : ((finite[middle - 1] as number) + (finite[middle] as number)) / 2
}

/** Joins latency arrays into one sorted array. */
export function mergeSorted(parts: ReadonlyArray<Float64Array>): Float64Array {
  let total = 0
  for (const part of parts) total += part.length
  const merged = new Float64Array(total)
  let offset = 0
  for (const part of parts) {
    merged.set(part, offset)
    offset += part.length
  }
  return merged.sort()
}
