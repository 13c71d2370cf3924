/**
 * A column of whole numbers (safe integers) stored bit-packed in blocks of 128 rows, each block as its minimum plus
 * the differences in as few bits as the block needs (frame of reference). The index of a 1 GB log keeps millions of
 * rows; neighbouring rows have close times, small session and type numbers, similar entry lengths, so most values
 * take 1–20 bits instead of a 4- or 8-byte array slot.
 *
 * Append-only. The block being filled lives in a plain Float64Array until it is full (or `seal()`); reading a row
 * of a sealed block extracts its bits; `decodeBlock` unpacks 128 rows at once for scans over every row.
 */

export const BLOCK_SHIFT = 7
export const BLOCK_ROWS = 1 << BLOCK_SHIFT
const BLOCK_MASK = BLOCK_ROWS - 1
const TWO_32 = 0x1_0000_0000

function bitsFor(span: number): number {
  if (span < TWO_32) return 32 - Math.clz32(span)
  // Beyond 32 bits: a high part (at most 21 bits, safe integers) above a 32-bit low part.
  return 32 + bitsFor(Math.floor(span / TWO_32))
}

export class PackedColumn {
  private words = new Uint32Array(1024)
  /** Bits used in `words`. */
  private bitLength = 0
  /** Per sealed block: its minimum, the bit offset of its first row, its width in bits. */
  private blockBase = new Float64Array(64)
  private blockBit = new Float64Array(64)
  private blockWidth = new Uint8Array(64)
  private sealedBlocks = 0
  /** The unsealed tail: rows [sealedBlocks·128, count). */
  private readonly open = new Float64Array(BLOCK_ROWS)
  count = 0

  push(value: number): void {
    this.open[this.count & BLOCK_MASK] = value
    this.count++
    if ((this.count & BLOCK_MASK) === 0) this.sealBlock(BLOCK_ROWS)
  }

  get(row: number): number {
    const block = row >>> BLOCK_SHIFT
    if (block >= this.sealedBlocks) return this.open[row & BLOCK_MASK]!
    const width = this.blockWidth[block]!
    const base = this.blockBase[block]!
    if (width === 0) return base
    const bit = this.blockBit[block]! + (row & BLOCK_MASK) * width
    return base + this.readBits(bit, width)
  }

  /** Unpacks rows [block·128, block·128 + n) into `out` (n is 128 but for the last block); returns n. */
  decodeBlock(block: number, out: Float64Array): number {
    const first = block << BLOCK_SHIFT
    const rows = Math.min(BLOCK_ROWS, this.count - first)
    if (rows <= 0) return 0
    if (block >= this.sealedBlocks) {
      out.set(this.open.subarray(0, rows))
      return rows
    }
    const width = this.blockWidth[block]!
    const base = this.blockBase[block]!
    if (width === 0) {
      out.fill(base, 0, rows)
      return rows
    }
    const start = this.blockBit[block]!
    if (width > 32) {
      for (let i = 0; i < rows; i++) out[i] = base + this.readBits(start + i * width, width)
      return rows
    }
    // Walk the words once: the common case, and the hot loop of every filter.
    const words = this.words
    const mask = width === 32 ? 0xffffffff : (1 << width) - 1
    let word = Math.floor(start / 32)
    let shift = start % 32
    for (let i = 0; i < rows; i++) {
      let value = words[word]! >>> shift
      if (shift + width > 32) value |= words[word + 1]! << (32 - shift)
      out[i] = base + ((value & mask) >>> 0)
      shift += width
      if (shift >= 32) {
        shift -= 32
        word++
      }
    }
    return rows
  }

  /** Packs the unsealed tail, so that the column holds no spare capacity (after the last append). */
  seal(): void {
    const tail = this.count & BLOCK_MASK
    if (tail > 0) this.sealBlock(tail)
    this.words = this.words.slice(0, Math.ceil(this.bitLength / 32))
    this.blockBase = this.blockBase.slice(0, this.sealedBlocks)
    this.blockBit = this.blockBit.slice(0, this.sealedBlocks)
    this.blockWidth = this.blockWidth.slice(0, this.sealedBlocks)
  }

  memoryBytes(): number {
    return this.words.byteLength + this.blockBase.byteLength + this.blockBit.byteLength + this.blockWidth.byteLength + this.open.byteLength
  }

  private sealBlock(rows: number): void {
    if (this.sealedBlocks === this.blockBase.length) {
      this.blockBase = grown(this.blockBase, this.sealedBlocks * 2)
      this.blockBit = grown(this.blockBit, this.sealedBlocks * 2)
      this.blockWidth = grown(this.blockWidth, this.sealedBlocks * 2)
    }
    let min = Infinity
    let max = -Infinity
    for (let i = 0; i < rows; i++) {
      const value = this.open[i]!
      if (value < min) min = value
      if (value > max) max = value
    }
    const width = bitsFor(max - min)
    const block = this.sealedBlocks++
    this.blockBase[block] = min
    this.blockBit[block] = this.bitLength
    this.blockWidth[block] = width
    if (width === 0) return
    const neededWords = Math.ceil((this.bitLength + rows * width) / 32) + 1
    if (neededWords > this.words.length) this.words = grown(this.words, Math.max(neededWords, this.words.length * 2))
    for (let i = 0; i < rows; i++) this.writeBits(this.bitLength + i * width, width, this.open[i]! - min)
    this.bitLength += rows * width
  }

  private writeBits(bit: number, width: number, value: number): void {
    if (width > 32) {
      this.writeBits(bit, width - 32, Math.floor(value / TWO_32))
      this.writeBits(bit + width - 32, 32, value % TWO_32)
      return
    }
    const word = Math.floor(bit / 32)
    const shift = bit % 32
    // Low bits first: the value's bit 0 lands at `shift`, what does not fit continues in the next word.
    this.words[word]! |= value << shift
    if (shift + width > 32) this.words[word + 1]! |= value >>> (32 - shift)
  }

  private readBits(bit: number, width: number): number {
    if (width > 32) return this.readBits(bit, width - 32) * TWO_32 + this.readBits(bit + width - 32, 32)
    const word = Math.floor(bit / 32)
    const shift = bit % 32
    let value = this.words[word]! >>> shift
    if (shift + width > 32) value |= this.words[word + 1]! << (32 - shift)
    return width === 32 ? value >>> 0 : value & ((1 << width) - 1)
  }
}

function grown<A extends Float64Array | Uint32Array | Uint8Array>(array: A, length: number): A {
  const next = new (array.constructor as new (length: number) => A)(length)
  next.set(array as never)
  return next
}
