import { JuteDecodeError } from './errors'

/**
 * Sequential big-endian reader over one buffer (a frame's payload).
 *
 * Every variable-length field is bounded by `maxFieldBytes` before anything is sliced or allocated, as Apache's
 * BinaryInputArchive does with jute.maxbuffer + extrasize: a hostile length can never make us allocate.
 */
export class JuteReader {
  offset: number

  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
    readonly maxFieldBytes = 2 * 0xfffff,
  ) {
    this.offset = offset
  }

  get remaining(): number {
    return this.end - this.offset
  }

  atEnd(): boolean {
    return this.offset >= this.end
  }

  private need(bytes: number): void {
    if (this.offset + bytes > this.end) {
      throw new JuteDecodeError(`need ${bytes} bytes at offset ${this.offset}, only ${this.end - this.offset} left`)
    }
  }

  int(): number {
    this.need(4)
    const value = this.buf.readInt32BE(this.offset)
    this.offset += 4
    return value
  }

  long(): bigint {
    this.need(8)
    const value = this.buf.readBigInt64BE(this.offset)
    this.offset += 8
    return value
  }

  /** A long known to fit in a double exactly (wall-clock milliseconds, counters). */
  longNumber(): number {
    this.need(8)
    const high = this.buf.readInt32BE(this.offset)
    const low = this.buf.readUInt32BE(this.offset + 4)
    this.offset += 8
    return high * 0x1_0000_0000 + low
  }

  bool(): boolean {
    this.need(1)
    return this.buf[this.offset++] !== 0
  }

  byte(): number {
    this.need(1)
    return this.buf.readInt8(this.offset++)
  }

  private length(what: string): number {
    const length = this.int()
    if (length < -1 || length > this.maxFieldBytes) {
      throw new JuteDecodeError(`${what} length ${length} out of range`)
    }
    return length
  }

  /** A jute buffer: -1 is null, distinct from empty. The result is a copy, so it outlives the frame. */
  buffer(): Buffer | null {
    const length = this.length('buffer')
    if (length === -1) return null
    this.need(length)
    const copy = Buffer.allocUnsafe(length)
    this.buf.copy(copy, 0, this.offset, this.offset + length)
    this.offset += length
    return copy
  }

  ustring(): string | null {
    const length = this.length('ustring')
    if (length === -1) return null
    this.need(length)
    const text = this.buf.toString('utf8', this.offset, this.offset + length)
    this.offset += length
    return text
  }

  /** Vector element count; each element is at least one byte, so a count beyond the remaining bytes is a lie. */
  vectorLength(): number {
    const count = this.int()
    if (count < -1 || count > this.remaining) {
      throw new JuteDecodeError(`vector count ${count} out of range`)
    }
    return count
  }
}
