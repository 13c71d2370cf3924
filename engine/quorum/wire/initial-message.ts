import { JuteDecodeError } from '../../jute'

/**
 * The election port's connection handshake and framing (`QuorumCnxManager`).
 *
 * The side that connects first writes an initial message: `long protocolVersion` (-65536, or -65535 when it may list
 * several addresses), `long sid`, `int length`, then its election address as UTF-8 `host:port` (`|`-separated in
 * version -65535). A first long that is >= 0 is a pre-3.5 peer sending only its sid. After that, each message in
 * either direction is `int length` (1..512 KiB) + payload (a notification).
 *
 * Only one connection per pair survives: the one initiated by the higher sid (`connectionSurvives`).
 */
export const PROTOCOL_VERSION_V1 = -65536n
export const PROTOCOL_VERSION_V2 = -65535n
/** Apache's `QuorumCnxManager.maxBuffer`: the longest address string accepted in an initial message. */
export const INITIAL_MESSAGE_MAX_ADDRESS_BYTES = 2048
/** Apache's `PACKETMAXSIZE`: the longest election message. */
export const ELECTION_MESSAGE_MAX_BYTES = 512 * 1024
/** `QuorumPeer.OBSERVER_ID`: sid sent by observers of very old versions; mapped to a fresh negative id. */
export const OBSERVER_ID = 0x7fff_ffff_ffff_ffffn

export interface InitialMessage {
  protocolVersion: bigint
  sid: bigint
  /** `host:port` strings; empty for a legacy (sid-only) message. */
  addresses: string[]
}

export function encodeInitialMessage(sid: number, address: string, protocolVersion = PROTOCOL_VERSION_V1): Buffer {
  const text = Buffer.from(address, 'utf8')
  const bytes = Buffer.allocUnsafe(20 + text.length)
  bytes.writeBigInt64BE(protocolVersion, 0)
  bytes.writeBigInt64BE(BigInt(sid), 8)
  bytes.writeInt32BE(text.length, 16)
  text.copy(bytes, 20)
  return bytes
}

export type InitialMessageRead = { kind: 'incomplete' } | { kind: 'message'; message: InitialMessage; bytesUsed: number }

/**
 * Reads an initial message from the start of `bytes` (which may hold more, or less). Mirrors
 * `InitialMessage.parse`: unknown negative versions and address lengths outside 1..2048 are refused, and so is an
 * address that is not `host:port` with a numeric port. Wildcard addresses are dropped from the list as Apache does.
 */
export function readInitialMessage(bytes: Buffer): InitialMessageRead {
  if (bytes.length < 8) return { kind: 'incomplete' }
  const first = bytes.readBigInt64BE(0)
  if (first >= 0n) return { kind: 'message', message: { protocolVersion: first, sid: first, addresses: [] }, bytesUsed: 8 }
  if (first !== PROTOCOL_VERSION_V1 && first !== PROTOCOL_VERSION_V2) {
    throw new JuteDecodeError(`Got unrecognized protocol version ${first}`)
  }
  if (bytes.length < 20) return { kind: 'incomplete' }
  const sid = bytes.readBigInt64BE(8)
  const length = bytes.readInt32BE(16)
  if (length <= 0 || length > INITIAL_MESSAGE_MAX_ADDRESS_BYTES) throw new JuteDecodeError(`Unreasonable buffer length: ${length}`)
  if (bytes.length < 20 + length) return { kind: 'incomplete' }
  const text = bytes.toString('utf8', 20, 20 + length)
  const addresses = text.split('|').filter((address) => !isWildcard(parseHostPort(address).host))
  return { kind: 'message', message: { protocolVersion: first, sid, addresses }, bytesUsed: 20 + length }
}

/** `ConfigUtils.getHostAndPort`: `host:port` or `[v6]:port`; the port must be a decimal int. */
function parseHostPort(address: string): { host: string; port: number } {
  let host: string
  let portText: string
  if (address.startsWith('[')) {
    const close = address.indexOf(']')
    if (close < 0 || address[close + 1] !== ':') throw new JuteDecodeError(`Badly formed address: ${address}`)
    host = address.slice(1, close)
    portText = address.slice(close + 2)
  } else {
    const parts = address.split(':')
    if (parts.length !== 2) throw new JuteDecodeError(`Badly formed address: ${address}`)
    host = parts[0] ?? ''
    portText = parts[1] ?? ''
  }
  if (!/^[+-]?\d+$/.test(portText) || !Number.isSafeInteger(Number(portText))) throw new JuteDecodeError(`Bad port number: ${portText}`)
  return { host, port: Number(portText) }
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0'
}

/**
 * Whether a connection initiated by `initiatorSid` towards `acceptorSid` is kept. The acceptor closes connections
 * from lower sids (and connects back itself); the initiator drops its own attempt towards a higher sid. Either way
 * the surviving connection is always the one the higher sid opened.
 */
export function connectionSurvives(initiatorSid: bigint, acceptorSid: bigint): boolean {
  return initiatorSid > acceptorSid
}

/** One election message on the wire: `int length` + payload. */
export function frameElectionMessage(payload: Buffer): Buffer {
  const bytes = Buffer.allocUnsafe(4 + payload.length)
  bytes.writeInt32BE(payload.length, 0)
  payload.copy(bytes, 4)
  return bytes
}

/**
 * Splits election messages from a stream (after the initial message). A length <= 0 or above 512 KiB is an
 * error: Apache's RecvWorker closes the connection.
 */
export class ElectionFrameReader {
  private pending: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    const messages: Buffer[] = []
    while (this.pending.length >= 4) {
      const length = this.pending.readInt32BE(0)
      if (length <= 0 || length > ELECTION_MESSAGE_MAX_BYTES) throw new JuteDecodeError(`Received packet with invalid packet: ${length}`)
      if (this.pending.length < 4 + length) break
      messages.push(Buffer.from(this.pending.subarray(4, 4 + length)))
      this.pending = this.pending.subarray(4 + length)
    }
    return messages
  }
}
