import { javaTableOrder } from './java-hash'
import { javaTableLengthAfterAdd } from './java-hash-set'

/**
 * A znode's child names, remembering what Apache's order depends on.
 *
 * Apache keeps children in `new HashSet<String>(8)`, made on the first child, and getChildren lists them in that
 * HashMap's iteration order: by bucket, then insertion order within a bucket. So the order depends on the names,
 * on the order they arrived (a Set keeps that: a deleted and re-added name goes to the end, as in a bucket's chain)
 * and on the table length, which depends on the set's history: it starts at 8, doubles when the size passes three
 * quarters of it, also doubles (below 64 buckets) when one bucket reaches 9 entries, and never shrinks. The table
 * length is all we add to a Set; leaves share one empty set (`NO_CHILDREN`) and carry nothing.
 *
 * Not reproduced: from 64 buckets on, Java turns a bucket of 9+ colliding names into a red-black tree whose linked
 * order is not insertion order. Only names crafted to share hash bits get there (9 names in one bucket at a load of
 * at most 0.75); we keep insertion order within such a bucket.
 *
 * The encoded vector (what a getChildren reply carries) is cached for large sets until the next add or delete,
 * as Apache caches getChildren responses: a node with 1000 children is otherwise re-encoded on every read.
 */

/** `new HashSet<String>(8)` → HashMap(8): a table of 8 buckets, allocated on the first add. */
const INITIAL_TABLE_LENGTH = 8
/** Sets at least this large keep their encoded vector between reads; smaller ones are cheap to encode. */
const VECTOR_CACHE_MIN_CHILDREN = 16

/** The vector of no children (count 0), shared: leaves are listed often. */
const EMPTY_VECTOR: Buffer = Buffer.alloc(4)

export class ChildSet extends Set<string> {
  /** The length of Apache's table for this set (a power of two, never shrinking). */
  tableLength = INITIAL_TABLE_LENGTH
  /** Σ name.length (UTF-16 units): the bytes Apache's per-namespace read metric counts for a getChildren. */
  nameChars = 0
  private cachedVector: Buffer | undefined = undefined

  override add(name: string): this {
    const sizeBefore = this.size
    super.add(name)
    if (this.size === sizeBefore) return this
    this.cachedVector = undefined
    this.nameChars += name.length
    this.grow(name)
    return this
  }

  override delete(name: string): boolean {
    if (!super.delete(name)) return false
    this.cachedVector = undefined
    this.nameChars -= name.length
    return true
  }

  override clear(): void {
    super.clear()
    this.cachedVector = undefined
    this.nameChars = 0
  }

  /** The names in the order Apache's getChildren lists them. */
  javaOrder(): string[] {
    const names = new Array<string>(this.size)
    let index = 0
    for (const name of this) names[index++] = name
    return javaTableOrder(names, this.tableLength)
  }

  /**
   * The names in Apache's order as a jute `vector<ustring>` (int count, then int length + UTF-8 bytes per name):
   * the body of a GetChildrenResponse. Cached for large sets; the caller must not modify it.
   */
  encodedVector(): Buffer {
    const cached = this.cachedVector
    if (cached !== undefined) return cached
    if (this.size === 0) return EMPTY_VECTOR
    const vector = encodeNames(this.javaOrder(), this.size >= VECTOR_CACHE_MIN_CHILDREN)
    if (this.size >= VECTOR_CACHE_MIN_CHILDREN) this.cachedVector = vector
    return vector
  }

  /** HashMap.putVal after a new entry: treeifyBin's resize of a small table, then the load-factor resize. */
  private grow(added: string): void {
    this.tableLength = javaTableLengthAfterAdd(this, this.tableLength, added)
  }
}

function encodeNames(names: readonly string[], ownMemory: boolean): Buffer {
  const count = names.length
  // Byte lengths first, so the vector is one exact allocation; a name's length is -1 when it is all ASCII.
  const byteLengths = new Int32Array(count)
  let bytes = 4
  for (let i = 0; i < count; i++) {
    const name = names[i]!
    const length = utf8Length(name)
    byteLengths[i] = length === name.length ? -1 : length
    bytes += 4 + length
  }
  // A cached vector lives as long as the node's children do: give it its own memory rather than pin a pool slab.
  const out = ownMemory ? Buffer.allocUnsafeSlow(bytes) : Buffer.allocUnsafe(bytes)
  out.writeInt32BE(count, 0)
  let offset = 4
  for (let i = 0; i < count; i++) {
    const name = names[i]!
    const length = byteLengths[i]!
    if (length < 0) {
      // ASCII, the usual case: byte by byte here is cheaper than a call into the encoder per name.
      out.writeInt32BE(name.length, offset)
      offset += 4
      for (let c = 0; c < name.length; c++) out[offset++] = name.charCodeAt(c)
    } else {
      out.writeInt32BE(length, offset)
      offset += 4 + out.write(name, offset + 4, length, 'utf8')
    }
  }
  if (offset !== bytes) throw new Error(`children vector encoded to ${offset} bytes, expected ${bytes}`)
  return out
}

/** UTF-8 length as Node encodes: a valid surrogate pair is 4 bytes, a lone surrogate becomes U+FFFD (3 bytes). */
function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    if (code < 0x800) bytes += 1
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2 // 4 bytes for two UTF-16 units
      i++
    } else bytes += 2
  }
  return bytes
}

/**
 * The children of every leaf: one shared, immutable empty set (an empty Set costs ~100 bytes, and most znodes are
 * leaves). The tree swaps in a ChildSet on the first child (`addChild`); adding to this one throws.
 */
class NoChildren extends ChildSet {
  override add(child: string): this {
    throw new Error(`a leaf's shared empty children set cannot take ${child}: use addChild`)
  }
}
export const NO_CHILDREN: ChildSet = new NoChildren()
