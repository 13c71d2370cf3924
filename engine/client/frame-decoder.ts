/** Raised when the peer announces a frame outside [0, maxFrameBytes]; the connection must be dropped. */
export class FrameLengthError extends Error {
  override name = 'FrameLengthError'
}

/**
 * Splits a byte stream into length-prefixed frames (§1.2). Frames are views into the received chunks (no copy) unless
 * a frame spans chunks, in which case its chunks are joined once, when the frame is complete.
 */
export class FrameDecoder {
  private chunks: Buffer[] = []
  private bufferedBytes = 0
  private head: Buffer = Buffer.alloc(0)

  constructor(private readonly maxFrameBytes: number) {}

  get pendingBytes(): number {
    return this.head.length + this.bufferedBytes
  }

  push(chunk: Buffer): void {
    if (this.head.length === 0 && this.chunks.length === 0) {
      this.head = chunk
      return
    }
    this.chunks.push(chunk)
    this.bufferedBytes += chunk.length
  }

  /** The next complete frame's payload, or undefined until more bytes arrive. */
  next(): Buffer | undefined {
    if (this.head.length < 4 && !this.gather(4)) return undefined
    const length = this.head.readInt32BE(0)
    if (length < 0 || length > this.maxFrameBytes) throw new FrameLengthError(`frame length ${length} out of range`)
    if (this.head.length < 4 + length && !this.gather(4 + length)) return undefined
    const frame = this.head.subarray(4, 4 + length)
    this.head = this.head.subarray(4 + length)
    return frame
  }

  reset(): void {
    this.chunks = []
    this.bufferedBytes = 0
    this.head = Buffer.alloc(0)
  }

  /** Joins buffered chunks into `head` once it can hold `bytes`; false if there are not enough bytes yet. */
  private gather(bytes: number): boolean {
    if (this.head.length + this.bufferedBytes < bytes) return false
    this.head = Buffer.concat([this.head, ...this.chunks])
    this.chunks = []
    this.bufferedBytes = 0
    return true
  }
}
