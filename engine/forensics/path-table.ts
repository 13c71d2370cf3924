/**
 * Interned znode paths kept as UTF-8 bytes in one growing arena, numbered in first-seen order. A log of 1 GB may
 * name half a million distinct paths: as JavaScript strings in a Map they cost ~100 bytes each and a string
 * allocation per txn while indexing; here a path costs its bytes, 4 bytes of offset and a hash slot, and interning
 * a path from a scanned buffer allocates nothing.
 */

const EMPTY_SLOT = -1
const utf8 = new TextEncoder()

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  // FNV-1a, 32-bit.
  let hash = 0x811c9dc5
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193)
  return hash >>> 0
}

export class PathTable {
  private arena = new Uint8Array(64 * 1024)
  private arenaLength = 0
  /** Path `id` is arena[starts[id], starts[id + 1]). */
  private starts = new Uint32Array(1024)
  private slots = new Int32Array(2048).fill(EMPTY_SLOT)
  size = 0

  /** The id of `bytes[start, end)`, interning it when new. */
  internBytes(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start
    const mask = this.slots.length - 1
    let slot = hashBytes(bytes, start, end) & mask
    for (;;) {
      const id = this.slots[slot]!
      if (id === EMPTY_SLOT) break
      if (this.equals(id, bytes, start, length)) return id
      slot = (slot + 1) & mask
    }
    const id = this.size++
    if (this.arenaLength + length > this.arena.length) this.arena = grown(this.arena, Math.max(this.arena.length * 2, this.arenaLength + length))
    this.arena.set(bytes.subarray(start, end), this.arenaLength)
    this.arenaLength += length
    if (this.size + 1 > this.starts.length) this.starts = grown(this.starts, this.starts.length * 2)
    this.starts[id + 1] = this.arenaLength
    this.slots[slot] = id
    // Keep the table at most 2/3 full so probes stay short.
    if (this.size * 3 > this.slots.length * 2) this.rehash(this.slots.length * 2)
    return id
  }

  intern(path: string): number {
    const bytes = utf8.encode(path)
    return this.internBytes(bytes, 0, bytes.length)
  }

  idOf(path: string): number | undefined {
    const bytes = utf8.encode(path)
    const mask = this.slots.length - 1
    for (let slot = hashBytes(bytes, 0, bytes.length) & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot]!
      if (id === EMPTY_SLOT) return undefined
      if (this.equals(id, bytes, 0, bytes.length)) return id
    }
  }

  pathOf(id: number): string {
    if (!(id >= 0 && id < this.size)) throw new RangeError(`no path #${id}`)
    return Buffer.from(this.arena.buffer, this.arena.byteOffset + this.starts[id]!, this.starts[id + 1]! - this.starts[id]!).toString('utf8')
  }

  /** Every path (materialised: for tests and small tables). */
  get values(): string[] {
    return Array.from({ length: this.size }, (_unused, id) => this.pathOf(id))
  }

  /**
   * For each id, whether its path is `prefix` or lies under it ("/app" matches "/app" and "/app/x", not "/apple"),
   * compared on the bytes, without making a string per path.
   */
  matchingPrefix(prefix: string): Uint8Array {
    const mask = new Uint8Array(this.size)
    const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
    if (trimmed === '') return mask.fill(1)
    const wanted = utf8.encode(trimmed)
    const arena = this.arena
    for (let id = 0; id < this.size; id++) {
      const start = this.starts[id]!
      const length = this.starts[id + 1]! - start
      if (length < wanted.length) continue
      if (length > wanted.length && arena[start + wanted.length] !== 0x2f) continue
      let same = true
      for (let i = 0; i < wanted.length; i++) {
        if (arena[start + i] !== wanted[i]) {
          same = false
          break
        }
      }
      if (same) mask[id] = 1
    }
    return mask
  }

  /** Drops spare capacity (the hash table stays: lookups by path are still wanted). */
  trim(): void {
    this.arena = this.arena.slice(0, this.arenaLength)
    this.starts = this.starts.slice(0, this.size + 1)
  }

  memoryBytes(): number {
    return this.arena.byteLength + this.starts.byteLength + this.slots.byteLength
  }

  private equals(id: number, bytes: Uint8Array, start: number, length: number): boolean {
    const from = this.starts[id]!
    if (this.starts[id + 1]! - from !== length) return false
    const arena = this.arena
    for (let i = 0; i < length; i++) if (arena[from + i] !== bytes[start + i]) return false
    return true
  }

  private rehash(slotCount: number): void {
    const slots = new Int32Array(slotCount).fill(EMPTY_SLOT)
    const mask = slotCount - 1
    for (let id = 0; id < this.size; id++) {
      let slot = hashBytes(this.arena, this.starts[id]!, this.starts[id + 1]!) & mask
      while (slots[slot] !== EMPTY_SLOT) slot = (slot + 1) & mask
      slots[slot] = id
    }
    this.slots = slots
  }
}

/**
 * Session ids (64-bit, given as two 32-bit halves so that no BigInt is made per txn) numbered in first-seen order.
 */
export class SessionTable {
  private keys = new Int32Array(2 * 256)
  private slots = new Int32Array(512).fill(EMPTY_SLOT)
  size = 0

  intern(high: number, low: number): number {
    const mask = this.slots.length - 1
    let slot = (Math.imul(high ^ Math.imul(low, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask
    for (;;) {
      const id = this.slots[slot]!
      if (id === EMPTY_SLOT) break
      if (this.keys[2 * id] === high && this.keys[2 * id + 1] === (low | 0)) return id
      slot = (slot + 1) & mask
    }
    const id = this.size++
    if (2 * this.size > this.keys.length) this.keys = grown(this.keys, this.keys.length * 2)
    this.keys[2 * id] = high
    this.keys[2 * id + 1] = low
    this.slots[slot] = id
    if (this.size * 3 > this.slots.length * 2) this.rehash(this.slots.length * 2)
    return id
  }

  idOf(sessionId: bigint): number | undefined {
    const high = Number(BigInt.asIntN(32, sessionId >> 32n))
    const low = Number(BigInt.asIntN(32, sessionId))
    const mask = this.slots.length - 1
    for (let slot = (Math.imul(high ^ Math.imul(low >>> 0, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot]!
      if (id === EMPTY_SLOT) return undefined
      if (this.keys[2 * id] === high && this.keys[2 * id + 1] === low) return id
    }
  }

  sessionOf(id: number): bigint {
    return BigInt.asIntN(64, (BigInt(this.keys[2 * id]!) << 32n) | BigInt(this.keys[2 * id + 1]! >>> 0))
  }

  get values(): bigint[] {
    return Array.from({ length: this.size }, (_unused, id) => this.sessionOf(id))
  }

  memoryBytes(): number {
    return this.keys.byteLength + this.slots.byteLength
  }

  private rehash(slotCount: number): void {
    const slots = new Int32Array(slotCount).fill(EMPTY_SLOT)
    const mask = slotCount - 1
    for (let id = 0; id < this.size; id++) {
      const high = this.keys[2 * id]!
      const low = this.keys[2 * id + 1]!
      let slot = (Math.imul(high ^ Math.imul(low >>> 0, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask
      while (slots[slot] !== EMPTY_SLOT) slot = (slot + 1) & mask
      slots[slot] = id
    }
    this.slots = slots
  }
}

function grown<A extends Uint8Array | Uint32Array | Int32Array>(array: A, length: number): A {
  const next = new (array.constructor as new (length: number) => A)(length)
  next.set(array as never)
  return next
}
