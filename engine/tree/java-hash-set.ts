import { javaBucketOf, javaStringHash, javaTableOrder } from './java-hash'

/**
 * A `HashSet<String>` as far as its iteration order goes: the members (a JS Set keeps each bucket's chain order: a
 * removed and re-added name goes to the end) plus the length of Java's table, which depends on the set's history.
 * Used for each session's ephemerals, which Apache keeps in `new HashSet<String>()` and lists (getEphemerals,
 * closeSession's paths2Delete, `dump`) in that set's order, or in the order of a copy of it.
 *
 * Not reproduced: from 64 buckets on, Java turns a bucket of 9+ colliding names into a red-black tree whose linked
 * order is not insertion order; only names crafted to collide get there.
 */

/** HashMap's default table length (`new HashSet<>()`), allocated on the first add. */
export const JAVA_DEFAULT_TABLE_LENGTH = 16
/** HashMap.TREEIFY_THRESHOLD: a bucket reaching more entries than this is treeified, or the table resized. */
const TREEIFY_THRESHOLD = 8
/** HashMap.MIN_TREEIFY_CAPACITY: below this table length, a crowded bucket resizes the table instead. */
const MIN_TREEIFY_CAPACITY = 64

/** What readers need of a Java-ordered set: its members, its table length, its iteration order. */
export interface JavaOrderedSet extends ReadonlySet<string> {
  /** The length of Java's table (a power of two that never shrinks). */
  readonly tableLength: number
  /** The members in Java's iteration order. */
  javaOrder(): string[]
  /** `HashSet.clone()`: a new set holding the same members, in a table sized for their count. */
  javaClone(): JavaHashSet
}

export class JavaHashSet extends Set<string> implements JavaOrderedSet {
  tableLength: number

  constructor(tableLength: number = JAVA_DEFAULT_TABLE_LENGTH) {
    super()
    this.tableLength = tableLength
  }

  override add(name: string): this {
    const sizeBefore = this.size
    super.add(name)
    if (this.size !== sizeBefore) this.tableLength = javaTableLengthAfterAdd(this, this.tableLength, name)
    return this
  }

  javaOrder(): string[] {
    return javaTableOrder([...this], this.tableLength)
  }

  /**
   * HashMap.clone → putMapEntries: the copy's table is pre-sized from the count alone, then filled in this set's
   * iteration order, which is therefore the chain order within each of the copy's buckets.
   */
  javaClone(): JavaHashSet {
    const copy = new JavaHashSet(javaClonedTableLength(this.size))
    if (this.size < 2) {
      for (const name of this) copy.add(name)
    } else {
      for (const name of this.javaOrder()) copy.add(name)
    }
    return copy
  }
}

/**
 * The table length of `HashMap.clone()` (and `putAll` into an empty map) for `count` entries, as the JDK 17 the
 * reference server runs on computes it: `tableSizeFor((int) ((float) count / 0.75f + 1.0f))`. Later JDKs (19+) size
 * it by `ceil(count / 0.75)` instead, which differs for counts such as 3 or 6. An empty copy gets the default table.
 */
export function javaClonedTableLength(count: number): number {
  if (count === 0) return JAVA_DEFAULT_TABLE_LENGTH
  const wanted = Math.trunc(Math.fround(Math.fround(count / 0.75) + 1))
  let length = 1
  while (length < wanted) length *= 2
  return length
}

/**
 * HashMap.putVal after a new entry in `set` (already added): treeifyBin's resize of a small table whose bucket grew
 * past 8 entries, then the load-factor resize. Returns the new table length.
 */
export function javaTableLengthAfterAdd(set: ReadonlySet<string>, tableLength: number, added: string): number {
  const size = set.size
  let length = tableLength
  if (size > TREEIFY_THRESHOLD && length < MIN_TREEIFY_CAPACITY && bucketLoad(set, length, added) > TREEIFY_THRESHOLD) {
    length *= 2
  }
  if (size > (length * 3) / 4) length *= 2
  return length
}

/** Entries in the bucket of `name` (itself included). Only asked for small tables (fewer than 64 buckets). */
function bucketLoad(set: ReadonlySet<string>, tableLength: number, name: string): number {
  const bucket = javaBucketOf(javaStringHash(name), tableLength)
  let load = 0
  for (const other of set) if (javaBucketOf(javaStringHash(other), tableLength) === bucket) load++
  return load
}

/**
 * The table length of `new HashSet<>(collection)` for `count` members (JDK 17):
 * `new HashMap<>(max((int) (count / .75f) + 1, 16))`, whose table is `tableSizeFor` of that capacity.
 */
export function javaCopiedTableLength(count: number): number {
  const wanted = Math.max(Math.trunc(Math.fround(count / 0.75)) + 1, JAVA_DEFAULT_TABLE_LENGTH)
  let length = 1
  while (length < wanted) length *= 2
  return length
}

/** The members of `set` in the order `new HashSet<>(set)` iterates them (it is filled in `set`'s order). */
export function javaCopyOrder(set: JavaOrderedSet): string[] {
  return javaTableOrder(set.javaOrder(), javaCopiedTableLength(set.size))
}
