import type { Id } from '../proto'

/**
 * Java's hash-table iteration order, where Apache's output order comes from a HashSet or ConcurrentHashMap: by
 * bucket (`(h ^ h >>> 16) & (size - 1)`), then insertion order within a bucket. Tables start with 16 buckets and
 * double when more than three quarters full; we size from the current count (Java's never shrink after removals).
 */

/** Java's `String.hashCode` over UTF-16 code units. */
export function javaStringHash(text: string): number {
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0
  return hash
}

export function javaTableSize(count: number): number {
  let size = 16
  while (count > (size * 3) / 4) size *= 2
  return size
}

function bucketOf(hash: number, tableSize: number): number {
  return (hash ^ (hash >>> 16)) & (tableSize - 1)
}

/** The jute-generated `Id.hashCode`, placed in a table of `tableSize` buckets. */
export function javaIdHashBucket(id: Id, tableSize: number): number {
  let result = 17
  result = (Math.imul(37, result) + javaStringHash(id.scheme)) | 0
  result = (Math.imul(37, result) + javaStringHash(id.id)) | 0
  return bucketOf(result, tableSize)
}

/** Strings in the order a `HashSet<String>` of them iterates (getEphemerals, a closeSession's paths2Delete). */
export function javaHashSetOrder(items: Iterable<string>): string[] {
  const list = [...items]
  if (list.length < 2) return list
  const buckets = javaTableSize(list.length)
  return list
    .map((item, order) => ({ item, order, bucket: bucketOf(javaStringHash(item), buckets) }))
    .sort((a, b) => a.bucket - b.bucket || a.order - b.order)
    .map((entry) => entry.item)
}
