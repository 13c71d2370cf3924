/**
 * Growable big-endian writer. One instance can be reused for many records (`reset`) so the hot path
 * serialises into an already-allocated buffer and copies out exactly once.
 */
export class JuteWriter {
  private buf: Buffer
  offset = 0

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes)
  }

  reset(): this {
    this.offset = 0
    return this
  }

  private ensure(bytes: number): void {
    const needed = this.offset + bytes
    if (needed <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < needed) size *= 2
    const grown = Buffer.allocUnsafe(size)
    this.buf.copy(grown, 0, 0, this.offset)
    this.buf = grown
  }

  int(value: number): void {
    this.ensure(4)
    this.buf.writeInt32BE(value | 0, this.offset)
    this.offset += 4
  }

  /** Overwrites an int already written (frame lengths are known only at the end). */
  intAt(position: number, value: number): void {
    this.buf.writeInt32BE(value | 0, position)
  }

  long(value: bigint): void {
    this.ensure(8)
    this.buf.writeBigInt64BE(BigInt.asIntN(64, value), this.offset)
    this.offset += 8
  }

  longNumber(value: number): void {
    this.ensure(8)
    const high = Math.floor(value / 0x1_0000_0000)
    this.buf.writeInt32BE(high | 0, this.offset)
    this.buf.writeUInt32BE(value - high * 0x1_0000_0000, this.offset + 4)
    this.offset += 8
  }

  bool(value: boolean): void {
    this.ensure(1)
    this.buf[this.offset++] = value ? 1 : 0
  }

  byte(value: number): void {
    this.ensure(1)
    this.buf.writeInt8(value, this.offset++)
  }

  buffer(value: Uint8Array | null): void {
    if (value === null) return this.int(-1)
    this.int(value.length)
    this.raw(value)
  }

  ustring(value: string | null): void {
    if (value === null) return this.int(-1)
    const bytes = Buffer.byteLength(value, 'utf8')
    this.int(bytes)
    this.ensure(bytes)
    this.buf.write(value, this.offset, bytes, 'utf8')
    this.offset += bytes
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length)
    this.buf.set(bytes, this.offset)
    this.offset += bytes.length
  }

  /** A copy of what was written, independent of this writer's reusable storage. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.offset))
  }

  /** A view of what was written; valid only until the next write or reset. */
  view(): Buffer {
    return this.buf.subarray(0, this.offset)
  }
}
