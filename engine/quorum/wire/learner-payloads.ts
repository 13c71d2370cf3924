import { type Infer, JuteDecodeError, int, long, record } from '../../jute'
import type { Id } from '../../proto'
import { ZAB_PROTOCOL_VERSION } from './packet-type'

/**
 * The `data` of learner-protocol packets. Apache builds most of them with DataOutputStream/ByteBuffer rather than
 * jute, but the encodings coincide (big-endian ints and longs, booleans as one byte).
 */

/** FOLLOWERINFO / OBSERVERINFO data (zookeeper.jute `LearnerInfo`). */
export const LearnerInfo = record('LearnerInfo', { serverid: long, protocolVersion: int, configVersion: long })
export type LearnerInfo = Infer<typeof LearnerInfo>

export function encodeLearnerInfo(serverId: number, configVersion: bigint): Buffer {
  const bytes = Buffer.alloc(20)
  bytes.writeBigInt64BE(BigInt(serverId), 0)
  bytes.writeInt32BE(ZAB_PROTOCOL_VERSION, 8)
  bytes.writeBigInt64BE(configVersion, 12)
  return bytes
}

/**
 * LearnerHandler's lenient reading: the sid if at least 8 bytes, the protocol version if at least 12 (else 0x1,
 * a pre-Zab-1.0 learner), the config version if at least 20. Null data means "no sid" (very old learners).
 */
export function decodeLearnerInfo(data: Buffer | null): { serverId: bigint | null; protocolVersion: number; configVersion: bigint | null } {
  if (data === null) return { serverId: null, protocolVersion: 0x1, configVersion: null }
  return {
    serverId: data.length >= 8 ? data.readBigInt64BE(0) : null,
    protocolVersion: data.length >= 12 ? data.readInt32BE(8) : 0x1,
    configVersion: data.length >= 20 ? data.readBigInt64BE(12) : null,
  }
}

/** A 4-byte big-endian int: LEADERINFO's protocol version, ACKEPOCH's current epoch. */
export function encodeInt(value: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeInt32BE(value | 0, 0)
  return bytes
}

export function decodeInt(data: Buffer | null, what: string): number {
  if (data === null || data.length < 4) throw new JuteDecodeError(`${what}: expected a 4-byte int`)
  return data.readInt32BE(0)
}

/**
 * ACKEPOCH data: the learner's current epoch as a Java int (`(int) currentEpoch`), or -1 when it had already
 * accepted the proposed epoch (that reply is not a fresh promise).
 */
export function encodeAckEpoch(currentEpoch: bigint | -1): Buffer {
  return encodeInt(currentEpoch === -1 ? -1 : Number(BigInt.asIntN(32, currentEpoch)))
}

/** A client request forwarded in a REQUEST packet: `long sessionId, int cxid, int type`, then the request record. */
export interface ForwardedRequest {
  sessionId: bigint
  cxid: number
  type: number
  /** The serialized request record (without RequestHeader); may be empty. */
  body: Buffer
  /** The client connection's authentication ids (QuorumPacket.authinfo). */
  authinfo: Id[] | null
}

export function encodeRequestData(request: ForwardedRequest): Buffer {
  const bytes = Buffer.allocUnsafe(16 + request.body.length)
  bytes.writeBigInt64BE(request.sessionId, 0)
  bytes.writeInt32BE(request.cxid, 8)
  bytes.writeInt32BE(request.type, 12)
  request.body.copy(bytes, 16)
  return bytes
}

export function decodeRequestData(data: Buffer | null, authinfo: Id[] | null): ForwardedRequest {
  if (data === null || data.length < 16) throw new JuteDecodeError('REQUEST: data shorter than 16 bytes')
  return {
    sessionId: data.readBigInt64BE(0),
    cxid: data.readInt32BE(8),
    type: data.readInt32BE(12),
    body: Buffer.from(data.subarray(16)),
    authinfo,
  }
}

/** One entry of a learner's PING reply: a session its clients touched since the last ping, and its timeout. */
export interface SessionTouch {
  sessionId: bigint
  timeoutMs: number
}

/** PING reply data: the touches back to back (an empty buffer when there are none, as Apache sends). */
export function encodeTouches(touches: Iterable<SessionTouch>): Buffer {
  const list = [...touches]
  const bytes = Buffer.allocUnsafe(12 * list.length)
  let offset = 0
  for (const touch of list) {
    bytes.writeBigInt64BE(touch.sessionId, offset)
    bytes.writeInt32BE(touch.timeoutMs, offset + 8)
    offset += 12
  }
  return bytes
}

/** Reads touches while at least 12 bytes remain, like Apache's `while (dis.available() > 0)` (a torn tail throws). */
export function decodeTouches(data: Buffer | null): SessionTouch[] {
  if (data === null) return []
  if (data.length % 12 !== 0) throw new JuteDecodeError(`PING: ${data.length} bytes is not a whole number of touches`)
  const touches: SessionTouch[] = []
  for (let offset = 0; offset < data.length; offset += 12) {
    touches.push({ sessionId: data.readBigInt64BE(offset), timeoutMs: data.readInt32BE(offset + 8) })
  }
  return touches
}

/** REVALIDATE from a learner: `long sessionId, int timeout`. */
export function encodeRevalidateRequest(sessionId: bigint, timeoutMs: number): Buffer {
  const bytes = Buffer.alloc(12)
  bytes.writeBigInt64BE(sessionId, 0)
  bytes.writeInt32BE(timeoutMs, 8)
  return bytes
}

export function decodeRevalidateRequest(data: Buffer | null): SessionTouch {
  if (data === null || data.length < 12) throw new JuteDecodeError('REVALIDATE: request shorter than 12 bytes')
  return { sessionId: data.readBigInt64BE(0), timeoutMs: data.readInt32BE(8) }
}

/** REVALIDATE from the leader: `long sessionId, boolean valid`. */
export function encodeRevalidateReply(sessionId: bigint, valid: boolean): Buffer {
  const bytes = Buffer.alloc(9)
  bytes.writeBigInt64BE(sessionId, 0)
  bytes[8] = valid ? 1 : 0
  return bytes
}

export function decodeRevalidateReply(data: Buffer | null): { sessionId: bigint; valid: boolean } {
  if (data === null || data.length < 9) throw new JuteDecodeError('REVALIDATE: reply shorter than 9 bytes')
  return { sessionId: data.readBigInt64BE(0), valid: data[8] !== 0 }
}

/** COMMITANDACTIVATE data, and the prefix of INFORMANDACTIVATE data: the designated leader's sid. */
export function decodeDesignatedLeader(data: Buffer | null): { leader: bigint; rest: Buffer } {
  if (data === null || data.length < 8) throw new JuteDecodeError('ACTIVATE: data shorter than 8 bytes')
  return { leader: data.readBigInt64BE(0), rest: data.subarray(8) }
}
