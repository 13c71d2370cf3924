import type { Id } from '../proto/data-records'

/**
 * Java's hash-table iteration order, where Apache's output order comes from a HashSet, HashMap or ConcurrentHashMap:
 * by bucket (`(h ^ h >>> 16) & (tableLength - 1)`), then insertion order within a bucket (a resize splits each
 * bucket into two, keeping relative order). Table lengths are powers of two; a table doubles when its size exceeds
 * three quarters of its length and never shrinks on removal.
 */

/** Java's `String.hashCode` over UTF-16 code units (31·h + c in int32). */
export function javaStringHash(text: string): number {
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0
  return hash
}

/**
 * The bucket of a key whose `hashCode` is `hash` in a table of `tableLength` (a power of two) buckets: `HashMap.hash`
 * folds the high half into the low half first, so small tables still see the high bits.
 */
export function javaBucketOf(hash: number, tableLength: number): number {
  return (hash ^ (hash >>> 16)) & (tableLength - 1)
}

/**
 * The table length of a default-sized table (`new HashSet<>()`, 16 buckets) holding `count` entries, assuming it
 * never held more: an approximation where the set's history is not tracked.
 */
export function javaTableSize(count: number): number {
  let size = 16
  while (count > (size * 3) / 4) size *= 2
  return size
}

/** The jute-generated `Id.hashCode`, placed in a table of `tableLength` buckets. */
export function javaIdHashBucket(id: Id, tableLength: number): number {
  let result = 17
  result = (Math.imul(37, result) + javaStringHash(id.scheme)) | 0
  result = (Math.imul(37, result) + javaStringHash(id.id)) | 0
  return javaBucketOf(result, tableLength)
}

/**
 * Strings in the order a `HashSet<String>` of them iterates, for sets whose history is not tracked
 * (getEphemerals, a closeSession's paths2Delete): sized by `javaTableSize` of the current count.
 */
export function javaHashSetOrder(items: Iterable<string>): string[] {
  const list = [...items]
  if (list.length < 2) return list
  return javaTableOrder(list, javaTableSize(list.length))
}

/**
 * `names` (in insertion order) in the order a Java hash table of `tableLength` buckets iterates them: a stable sort
 * by bucket. Counting sort when the table is not much larger than the list (the usual case), else a comparison sort
 * so a table that grew large and emptied does not cost its full length each time.
 */
export function javaTableOrder(names: readonly string[], tableLength: number): string[] {
  const count = names.length
  if (count < 2) return names.slice()
  const buckets = new Int32Array(count)
  for (let i = 0; i < count; i++) buckets[i] = javaBucketOf(javaStringHash(names[i]!), tableLength)
  if (tableLength <= count * 4) return countingSortByBucket(names, buckets, tableLength)
  const indices = Array.from({ length: count }, (_, i) => i)
  indices.sort((a, b) => buckets[a]! - buckets[b]! || a - b)
  return indices.map((i) => names[i]!)
}

function countingSortByBucket(names: readonly string[], buckets: Int32Array, tableLength: number): string[] {
  const starts = new Int32Array(tableLength + 1)
  for (let i = 0; i < buckets.length; i++) starts[buckets[i]! + 1]!++
  for (let b = 0; b < tableLength; b++) starts[b + 1]! += starts[b]!
  const ordered = new Array<string>(names.length)
  for (let i = 0; i < buckets.length; i++) ordered[starts[buckets[i]!]!++] = names[i]!
  return ordered
}
