// A sliding window over a file read in chunks: what the txn log reader and the forensic scan both walk. Unconsumed
// bytes are buf[start, end); buf[0] is at file offset `bufferFileOffset`. Fields are open: the readers advance
// `start` as they consume, on their hot path.
import type { FileHandle } from 'node:fs/promises'

export class FileWindow {
  buf: Buffer
  start = 0
  end = 0
  bufferFileOffset = 0
  eof = false

  constructor(
    private readonly handle: FileHandle,
    chunkBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes)
  }

  /** Reads until at least `bytes` unconsumed bytes are buffered or the file ends. */
  async fill(bytes: number): Promise<void> {
    if (this.end - this.start >= bytes || this.eof) return
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end)
      this.bufferFileOffset += this.start
      this.end -= this.start
      this.start = 0
    }
    if (bytes > this.buf.length) {
      const grown = Buffer.allocUnsafe(bytes)
      this.buf.copy(grown, 0, 0, this.end)
      this.buf = grown
    }
    while (this.end < bytes && !this.eof) {
      const { bytesRead } = await this.handle.read(this.buf, this.end, this.buf.length - this.end, this.bufferFileOffset + this.end)
      if (bytesRead === 0) this.eof = true
      this.end += bytesRead
    }
  }
}
