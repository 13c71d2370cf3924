/**
 * Where znode data lives. Small payloads are copied into tree-owned slabs, packed end to end.
 *
 * Why copy: a payload decoded from a request is a slice of Node's shared 8 KiB buffer pool, interleaved with that
 * request's short-lived buffers, so keeping the slice pins the whole pool chunk. Measured with 100-byte payloads,
 * that costs about 410 bytes per node against about 190 when packed here. Large payloads get an exact-size buffer of
 * their own unless they already own one, so a node never pins a whole request frame.
 *
 * A slab is freed by the GC once no node points into it. Churn leaves holes (a slab lives while any slice of it
 * lives); slabs are kept small so that one survivor pins little.
 */
export class DataArena {
  private slab: Buffer
  private offset = 0

  constructor(
    private readonly slabBytes = 8 * 1024,
    private readonly maxPackedBytes = 1024,
  ) {
    this.slab = Buffer.allocUnsafeSlow(slabBytes)
  }

  /** A copy of `data` the tree may keep. Empty payloads share one zero-length buffer. */
  copy(data: Buffer | null): Buffer | null {
    if (data === null) return null
    const length = data.length
    if (length === 0) return EMPTY_DATA
    if (length > this.maxPackedBytes) return ownsItsMemory(data) ? data : copyAlone(data)
    if (this.offset + length > this.slabBytes) {
      this.slab = Buffer.allocUnsafeSlow(this.slabBytes)
      this.offset = 0
    }
    const view = this.slab.subarray(this.offset, this.offset + length)
    data.copy(view)
    this.offset += length
    return view
  }
}

/** The one zero-length buffer empty znodes share (nothing can be written into it). */
export const EMPTY_DATA: Buffer = Buffer.alloc(0)

function ownsItsMemory(data: Buffer): boolean {
  return data.byteOffset === 0 && data.buffer.byteLength === data.length
}

function copyAlone(data: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(data.length)
  data.copy(copy)
  return copy
}
