import { type Infer, JuteDecodeError, JuteReader, JuteWriter, buffer, int, long, record, vector } from '../../jute'
import { Id } from '../../proto'
import { PacketType, packetTypeName } from './packet-type'
import { zxidHex } from '../zxid'

/**
 * `QuorumPacket` (zookeeper.jute, module org.apache.zookeeper.server.quorum): what leader and learners exchange.
 * On the quorum port packets follow each other with no outer length prefix; `data` and `authinfo` carry their own
 * lengths. Apache sends null (length -1) for absent data and authinfo, never an empty array, except where a payload
 * is built from a stream (PING replies), which gives an empty buffer.
 */
export const QuorumPacket = record('QuorumPacket', {
  type: int,
  zxid: long,
  data: buffer,
  authinfo: vector(Id),
})
export type QuorumPacket = Infer<typeof QuorumPacket>

/** A packet with no data and no authinfo (most of them). */
export function packet(type: number, zxid: bigint, data: Buffer | null = null): QuorumPacket {
  return { type, zxid, data, authinfo: null }
}

export function encodePacket(value: QuorumPacket): Buffer {
  const w = new JuteWriter(32 + (value.data?.length ?? 0))
  QuorumPacket.write(w, value)
  return w.toBuffer()
}

export function writePacket(w: JuteWriter, value: QuorumPacket): void {
  QuorumPacket.write(w, value)
}

/** For logs: `PROPOSAL 100000003 (40 bytes)`. */
export function describePacket(value: QuorumPacket): string {
  const size = value.data === null ? '' : ` (${value.data.length} bytes)`
  return `${packetTypeName(value.type)} ${zxidHex(value.zxid)}${size}`
}

/** int type, long zxid, int data length: enough to judge the data length. */
const HEADER_BYTES = 4 + 8 + 4

/**
 * Splits a byte stream into QuorumPackets. Bytes arrive in arbitrary chunks; `push` returns every packet completed
 * so far. Lengths are bounded by `maxPacketBytes` before anything is allocated, so garbage cannot exhaust memory.
 *
 * After a SNAP packet the stream carries a snapshot body, not packets: the reader stops there (`pausedAfterSnap`)
 * and hands the remaining bytes to whoever parses the snapshot (`takeRemainder`), who resumes it afterwards.
 */
export class QuorumPacketReader {
  private pending: Buffer = Buffer.alloc(0)
  /** Chunks that arrived after `pending`, not yet joined: a large packet is copied once, when it is complete. */
  private later: Buffer[] = []
  private laterBytes = 0
  /** Bytes the first packet needs at least (known once its data length has arrived); nothing is tried before. */
  private neededBytes = HEADER_BYTES
  pausedAfterSnap = false

  constructor(
    private readonly maxPacketBytes = 2 * 0xfffff,
  ) {}

  push(chunk: Buffer): QuorumPacket[] {
    if (this.pending.length === 0 && this.laterBytes === 0) this.pending = chunk
    else {
      this.later.push(chunk)
      this.laterBytes += chunk.length
      if (this.pending.length + this.laterBytes < this.neededBytes) return []
      this.pending = Buffer.concat([this.pending, ...this.later])
      this.later = []
      this.laterBytes = 0
    }
    const packets: QuorumPacket[] = []
    while (!this.pausedAfterSnap) {
      const next = this.tryRead()
      if (next === null) break
      packets.push(next)
      if (next.type === PacketType.SNAP) this.pausedAfterSnap = true
    }
    return packets
  }

  /** The bytes after a SNAP packet (the start of the snapshot body); the reader keeps nothing. */
  takeRemainder(): Buffer {
    const rest = this.laterBytes === 0 ? this.pending : Buffer.concat([this.pending, ...this.later])
    this.pending = Buffer.alloc(0)
    this.later = []
    this.laterBytes = 0
    this.neededBytes = HEADER_BYTES
    return rest
  }

  /** Resumes packet reading after the snapshot, with whatever bytes followed it. */
  resume(rest: Buffer): QuorumPacket[] {
    this.pausedAfterSnap = false
    return this.push(rest)
  }

  private tryRead(): QuorumPacket | null {
    if (this.pending.length < HEADER_BYTES) {
      this.neededBytes = HEADER_BYTES
      return null
    }
    const size = this.completeSize()
    if (size < 0) {
      this.neededBytes = -size
      return null
    }
    const reader = new JuteReader(this.pending, 0, size, this.maxPacketBytes)
    const value = QuorumPacket.read(reader)
    this.pending = this.pending.subarray(size)
    this.neededBytes = HEADER_BYTES
    return value
  }

  /**
   * The byte size of the first packet when it is complete; otherwise minus the size it needs at least (so far as
   * its lengths have arrived). Throws on impossible lengths.
   */
  private completeSize(): number {
    const buf = this.pending
    let offset = 12
    const dataLength = buf.readInt32BE(offset)
    offset += 4
    if (dataLength < -1 || dataLength > this.maxPacketBytes) throw new JuteDecodeError(`packet data length ${dataLength} out of range`)
    if (dataLength > 0) offset += dataLength
    if (buf.length < offset + 4) return -(offset + 4)
    const idCount = buf.readInt32BE(offset)
    offset += 4
    if (idCount < -1 || idCount > 1024) throw new JuteDecodeError(`packet authinfo count ${idCount} out of range`)
    for (let i = 0; i < idCount; i++) {
      for (let field = 0; field < 2; field++) {
        if (buf.length < offset + 4) return -(offset + 4)
        const length = buf.readInt32BE(offset)
        offset += 4
        if (length < -1 || length > this.maxPacketBytes) throw new JuteDecodeError(`authinfo string length ${length} out of range`)
        if (length > 0) offset += length
      }
    }
    return buf.length >= offset ? offset : -offset
  }
}

/** Decodes exactly one packet from `bytes` (tests, and hosts that already framed the stream). */
export function decodePacket(bytes: Buffer): QuorumPacket {
  const reader = new JuteReader(bytes, 0, bytes.length)
  const value = QuorumPacket.read(reader) 
  if (!reader.atEnd()) throw new JuteDecodeError(`${reader.remaining} bytes after a QuorumPacket`)
  return value
}
