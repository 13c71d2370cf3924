import { describe, expect, it } from 'vitest'
import { JuteDecodeError } from '../../../engine/jute'
import { type LoggedTxn, OpCode, OPEN_ACL_UNSAFE } from '../../../engine/proto'
import {
  ElectionFrameReader,
  PacketType,
  QuorumPacketReader,
  ServerState,
  connectionSurvives,
  decodeLearnerInfo,
  decodeNotification,
  decodePacket,
  decodeProposalData,
  decodeRequestData,
  decodeRevalidateReply,
  decodeTouches,
  encodeAckEpoch,
  encodeInitialMessage,
  encodeInt,
  encodeLearnerInfo,
  encodeNotification,
  encodePacket,
  encodeProposalData,
  encodeRequestData,
  encodeRevalidateReply,
  encodeTouches,
  frameElectionMessage,
  packet,
  packetTypeName,
  readInitialMessage,
} from '../../../engine/quorum/wire'

const hex = (bytes: Buffer): string => bytes.toString('hex')
const bytes = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex')

describe('packet types', () => {
  it('keeps Apache names and numbers', () => {
    expect(PacketType).toMatchObject({
      REQUEST: 1, PROPOSAL: 2, ACK: 3, COMMIT: 4, PING: 5, REVALIDATE: 6, SYNC: 7, INFORM: 8, COMMITANDACTIVATE: 9,
      NEWLEADER: 10, FOLLOWERINFO: 11, UPTODATE: 12, DIFF: 13, TRUNC: 14, SNAP: 15, OBSERVERINFO: 16, LEADERINFO: 17,
      ACKEPOCH: 18, INFORMANDACTIVATE: 19,
    })
    expect(packetTypeName(17)).toBe('LEADERINFO')
    expect(packetTypeName(42)).toBe('UNKNOWN')
  })
})

describe('QuorumPacket bytes (QuorumPacket.serialize through BinaryOutputArchive)', () => {
  it('a leader PING: null data and null authinfo are both length -1', () => {
    const encoded = encodePacket(packet(PacketType.PING, 0x1_0000_0003n))
    expect(hex(encoded)).toBe('00000005' + '0000000100000003' + 'ffffffff' + 'ffffffff')
    expect(decodePacket(encoded)).toEqual({ type: 5, zxid: 0x1_0000_0003n, data: null, authinfo: null })
  })

  it('FOLLOWERINFO: zxid = acceptedEpoch << 32, data = LearnerInfo(sid, 0x10000, configVersion)', () => {
    const encoded = encodePacket(packet(PacketType.FOLLOWERINFO, 1n << 32n, encodeLearnerInfo(2, 0n)))
    expect(hex(encoded)).toBe(
      '0000000b' + '0000000100000000' + '00000014' + '0000000000000002' + '00010000' + '0000000000000000' + 'ffffffff',
    )
    expect(decodeLearnerInfo(decodePacket(encoded).data)).toEqual({ serverId: 2n, protocolVersion: 0x10000, configVersion: 0n })
  })

  it('reads LearnerInfo leniently, as LearnerHandler does', () => {
    expect(decodeLearnerInfo(null)).toEqual({ serverId: null, protocolVersion: 1, configVersion: null })
    expect(decodeLearnerInfo(bytes('0000000000000007'))).toEqual({ serverId: 7n, protocolVersion: 1, configVersion: null })
    expect(decodeLearnerInfo(bytes('0000000000000007 00010000'))).toEqual({ serverId: 7n, protocolVersion: 0x10000, configVersion: null })
  })

  it('LEADERINFO and ACKEPOCH', () => {
    expect(hex(encodePacket(packet(PacketType.LEADERINFO, 2n << 32n, encodeInt(0x10000))))).toBe(
      '00000011' + '0000000200000000' + '00000004' + '00010000' + 'ffffffff',
    )
    expect(hex(encodePacket(packet(PacketType.ACKEPOCH, 0x1_0000_0005n, encodeAckEpoch(1n))))).toBe(
      '00000012' + '0000000100000005' + '00000004' + '00000001' + 'ffffffff',
    )
    // An epoch already accepted is answered with -1; the current epoch is a Java int cast.
    expect(hex(encodeAckEpoch(-1))).toBe('ffffffff')
    expect(hex(encodeAckEpoch(0x1_0000_0002n))).toBe('00000002')
  })

  it('a learner PING reply carries touches (an empty buffer, not null, when there are none)', () => {
    const touches = encodeTouches([{ sessionId: 0x0100_00ab_cd00_0000n, timeoutMs: 30_000 }])
    const reply = encodePacket({ type: PacketType.PING, zxid: 0x1_0000_0003n, data: touches, authinfo: null })
    expect(hex(reply)).toBe('00000005' + '0000000100000003' + '0000000c' + '010000abcd000000' + '00007530' + 'ffffffff')
    expect(decodeTouches(decodePacket(reply).data)).toEqual([{ sessionId: 0x0100_00ab_cd00_0000n, timeoutMs: 30_000 }])
    expect(hex(encodePacket({ type: PacketType.PING, zxid: 1n, data: encodeTouches([]), authinfo: null }))).toBe(
      '00000005' + '0000000000000001' + '00000000' + 'ffffffff',
    )
    expect(() => decodeTouches(bytes('0000'))).toThrow(JuteDecodeError)
  })

  it('REQUEST: long sessionId, int cxid, int type, request record; authinfo = the client ids', () => {
    const body = bytes('00000002 2f61 00000001 78 ffffffff') // SetDataRequest("/a", "x", -1)
    const request = { sessionId: 0x0100_0000_0000_0001n, cxid: 7, type: OpCode.setData, body, authinfo: [{ scheme: 'ip', id: '127.0.0.1' }] }
    const encoded = encodePacket({ type: PacketType.REQUEST, zxid: -1n, data: encodeRequestData(request), authinfo: request.authinfo })
    expect(hex(encoded)).toBe(
      '00000001' + 'ffffffffffffffff' + '0000001f' + '0100000000000001' + '00000007' + '00000005' + hex(body) +
        '00000001' + '00000002' + hex(Buffer.from('ip')) + '00000009' + hex(Buffer.from('127.0.0.1')),
    )
    const decoded = decodePacket(encoded)
    expect(decodeRequestData(decoded.data, decoded.authinfo)).toEqual(request)
  })

  it('REVALIDATE reply: long sessionId, boolean valid', () => {
    expect(hex(encodeRevalidateReply(0x42n, true))).toBe('0000000000000042' + '01')
    expect(decodeRevalidateReply(bytes('0000000000000042 00'))).toEqual({ sessionId: 0x42n, valid: false })
  })

  it('PROPOSAL data is TxnHeader + txn record (+ TxnDigest), like a txn-log entry', () => {
    const txn: LoggedTxn = {
      header: { clientId: 1n, cxid: 2, zxid: 0x1_0000_0001n, time: 1_700_000_000_000, type: OpCode.create },
      body: { type: OpCode.create, txn: { path: '/a', data: Buffer.from('x'), acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: 1 } },
    }
    const data = encodeProposalData(txn)
    expect(hex(data)).toBe(
      '0000000000000001' + '00000002' + '0000000100000001' + '0000018bcfe56800' + '00000001' + // TxnHeader
        '00000002' + '2f61' + '00000001' + '78' + // path, data
        '00000001' + '0000001f' + '00000005' + hex(Buffer.from('world')) + '00000006' + hex(Buffer.from('anyone')) + // acl
        '00' + '00000001', // ephemeral, parentCVersion
    )
    expect(decodeProposalData(data)).toEqual({ txn, digest: null })
    const withDigest = encodeProposalData(txn, { version: 2, treeDigest: 0x1234n })
    expect(hex(withDigest)).toBe(hex(data) + '00000002' + '0000000000001234')
    expect(decodeProposalData(withDigest).digest).toEqual({ version: 2, treeDigest: 0x1234n })
  })
})

describe('QuorumPacketReader (packets back to back, no outer length)', () => {
  const stream = Buffer.concat([
    encodePacket(packet(PacketType.PROPOSAL, 5n, Buffer.from('hello'))),
    encodePacket(packet(PacketType.COMMIT, 5n)),
    encodePacket({ type: PacketType.REQUEST, zxid: -1n, data: Buffer.alloc(16), authinfo: [{ scheme: 'digest', id: 'u:p' }] }),
  ])

  it('splits a stream however it is chunked', () => {
    for (const chunk of [1, 3, 7, stream.length]) {
      const reader = new QuorumPacketReader()
      const packets = []
      for (let offset = 0; offset < stream.length; offset += chunk) packets.push(...reader.push(stream.subarray(offset, offset + chunk)))
      expect(packets.map((p) => [p.type, p.zxid])).toEqual([[2, 5n], [4, 5n], [1, -1n]])
      expect(packets[2]!.authinfo).toEqual([{ scheme: 'digest', id: 'u:p' }])
    }
  })

  it('stops after SNAP so the snapshot body can be read, then resumes', () => {
    const reader = new QuorumPacketReader()
    const snapshotBody = Buffer.from('not a packet')
    const afterwards = encodePacket(packet(PacketType.NEWLEADER, 2n << 32n))
    const packets = reader.push(Buffer.concat([encodePacket(packet(PacketType.SNAP, 9n)), snapshotBody]))
    expect(packets.map((p) => p.type)).toEqual([PacketType.SNAP])
    expect(reader.pausedAfterSnap).toBe(true)
    expect(reader.takeRemainder()).toEqual(snapshotBody)
    expect(reader.resume(afterwards).map((p) => p.type)).toEqual([PacketType.NEWLEADER])
  })

  it('refuses impossible lengths before allocating', () => {
    expect(() => new QuorumPacketReader().push(bytes('00000002 0000000000000001 fffffff0 ffffffff'))).toThrow(JuteDecodeError)
    expect(() => new QuorumPacketReader(1024).push(bytes('00000002 0000000000000001 00100000'))).toThrow(JuteDecodeError)
    expect(() => decodePacket(Buffer.concat([encodePacket(packet(3, 1n)), Buffer.from([0])]))).toThrow(JuteDecodeError)
  })
})

describe('election notifications (FastLeaderElection.buildMsg / WorkerReceiver)', () => {
  const config = Buffer.from('server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\nversion=0')

  it('version 2: state, leader, zxid, electionEpoch, peerEpoch, version, config length, config', () => {
    const encoded = encodeNotification({ state: ServerState.LOOKING, leader: 3n, zxid: 0x1_0000_0005n, electionEpoch: 2n, peerEpoch: 1n, config })
    expect(hex(encoded)).toBe(
      '00000000' + '0000000000000003' + '0000000100000005' + '0000000000000002' + '0000000000000001' + '00000002' +
        config.length.toString(16).padStart(8, '0') + hex(config),
    )
    expect(decodeNotification(encoded)).toEqual({ state: 0, leader: 3n, zxid: 0x1_0000_0005n, electionEpoch: 2n, peerEpoch: 1n, version: 2, config })
  })

  it('accepts the 28-byte form (peerEpoch from the zxid) and the 40-byte form (no version)', () => {
    expect(decodeNotification(bytes('00000001 0000000000000002 0000000300000007 0000000000000004'))).toEqual({
      state: ServerState.FOLLOWING, leader: 2n, zxid: 0x3_0000_0007n, electionEpoch: 4n, peerEpoch: 3n, version: 0, config: null,
    })
    expect(decodeNotification(bytes('00000002 0000000000000002 0000000300000007 0000000000000004 0000000000000005 00000001'))).toEqual({
      state: ServerState.LEADING, leader: 2n, zxid: 0x3_0000_0007n, electionEpoch: 4n, peerEpoch: 5n, version: 0, config: null,
    })
  })

  it('refuses short messages, bad states and config lengths outside the message', () => {
    expect(() => decodeNotification(Buffer.alloc(27))).toThrow(JuteDecodeError)
    expect(() => decodeNotification(bytes('00000007 0000000000000002 0000000300000007 0000000000000004'))).toThrow(JuteDecodeError)
    const bad = encodeNotification({ state: 0, leader: 1n, zxid: 0n, electionEpoch: 1n, peerEpoch: 0n, config })
    bad.writeInt32BE(-1, 40)
    expect(() => decodeNotification(bad)).toThrow(JuteDecodeError)
    bad.writeInt32BE(bad.length - 40, 40)
    expect(() => decodeNotification(bad)).toThrow(JuteDecodeError)
  })
})

describe('election port handshake and framing (QuorumCnxManager)', () => {
  it('initial message: protocol version -65536, sid, host:port', () => {
    const encoded = encodeInitialMessage(3, '127.0.0.1:3888')
    expect(hex(encoded)).toBe('ffffffffffff0000' + '0000000000000003' + '0000000e' + hex(Buffer.from('127.0.0.1:3888')))
    expect(readInitialMessage(encoded)).toEqual({
      kind: 'message',
      message: { protocolVersion: -65536n, sid: 3n, addresses: ['127.0.0.1:3888'] },
      bytesUsed: encoded.length,
    })
    expect(readInitialMessage(encoded.subarray(0, 25))).toEqual({ kind: 'incomplete' })
  })

  it('reads version -65535 address lists, legacy sid-only messages, and refuses garbage', () => {
    const v2 = encodeInitialMessage(4, '[::1]:3888|10.0.0.4:3888|0.0.0.0:3888', -65535n)
    expect(readInitialMessage(v2)).toMatchObject({ message: { sid: 4n, addresses: ['[::1]:3888', '10.0.0.4:3888'] } })
    expect(readInitialMessage(bytes('0000000000000005 ffff'))).toEqual({ kind: 'message', message: { protocolVersion: 5n, sid: 5n, addresses: [] }, bytesUsed: 8 })
    expect(() => readInitialMessage(bytes('ffffffffffff1234 0000000000000003'))).toThrow(/unrecognized protocol version/)
    expect(() => readInitialMessage(bytes('ffffffffffff0000 0000000000000003 00000000'))).toThrow(/Unreasonable buffer length/)
    expect(() => readInitialMessage(bytes('ffffffffffff0000 0000000000000003 00000801'))).toThrow(/Unreasonable buffer length/)
    expect(() => readInitialMessage(encodeInitialMessage(3, 'no-port'))).toThrow(/Badly formed address/)
    expect(() => readInitialMessage(encodeInitialMessage(3, 'host:port'))).toThrow(/Bad port number/)
  })

  it('keeps only the connection opened by the higher sid', () => {
    expect(connectionSurvives(3n, 1n)).toBe(true)
    expect(connectionSurvives(1n, 3n)).toBe(false)
  })

  it('frames messages with an int length of 1..512 KiB', () => {
    const reader = new ElectionFrameReader()
    const framed = Buffer.concat([frameElectionMessage(Buffer.from('ab')), frameElectionMessage(Buffer.from('cde'))])
    expect(reader.push(framed.subarray(0, 5)).map(String)).toEqual([])
    expect(reader.push(framed.subarray(5)).map(String)).toEqual(['ab', 'cde'])
    expect(() => new ElectionFrameReader().push(bytes('00000000'))).toThrow(JuteDecodeError)
    expect(() => new ElectionFrameReader().push(bytes('00080001'))).toThrow(JuteDecodeError)
  })
})
