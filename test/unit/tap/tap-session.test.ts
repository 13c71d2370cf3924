// The observer tap's sans-IO session: the learner handshake as an observer (OBSERVERINFO → LEADERINFO → ACKEPOCH →
// DIFF/TRUNC/SNAP → NEWLEADER/UPTODATE acks), txns decoded from PROPOSAL+COMMIT pairs and INFORMs with the quorum
// codecs, pings answered only once live, gaps reported, and nothing sent that could change the ensemble.
import { describe, expect, it } from 'vitest'
import { OpCode } from '../../../engine/proto/opcodes'
import type { LoggedTxn } from '../../../engine/proto/txn'
import { decodeLearnerInfo, decodeInt, encodeInt } from '../../../engine/quorum/wire/learner-payloads'
import { PacketType, ZAB_PROTOCOL_VERSION } from '../../../engine/quorum/wire/packet-type'
import { encodeProposalData } from '../../../engine/quorum/wire/proposal-data'
import { type QuorumPacket, packet } from '../../../engine/quorum/wire/quorum-packet'
import { makeZxid } from '../../../engine/quorum/zxid'
import { parseMembership, serverByClientAddress, serverIdFromConf } from '../../../engine/tap/membership'
import { type TapEffect, TapSession, type TapSessionOptions } from '../../../engine/tap/tap-session'
import { decodeTapTxn } from '../../../engine/tap/tap-txn'

const E = 5n
const z = (counter: number, epoch = E) => makeZxid(epoch, BigInt(counter))

function txn(zxid: bigint, body: LoggedTxn['body'], sessionId = 0x1234n): LoggedTxn {
  return { header: { clientId: sessionId, cxid: 7, zxid, time: 1_700_000_000_000, type: body.type }, body }
}
const create = (zxid: bigint, path: string, data = 'abc') => encodeProposalData(txn(zxid, { type: OpCode.create, txn: { path, data: Buffer.from(data), acl: [], ephemeral: false, parentCVersion: 1 } }))
const setData = (zxid: bigint, path: string) => encodeProposalData(txn(zxid, { type: OpCode.setData, txn: { path, data: Buffer.from('12345'), version: 1 } }))

const OPTIONS: TapSessionOptions = { serverId: 0x7a7000010001n, claimZxid: z(10), deliveredZxid: null, syncTimeoutMs: 20_000, readTimeoutMs: 10_000 }

function sent(effects: TapEffect[]): QuorumPacket[] {
  return effects.flatMap((effect) => (effect.kind === 'send' ? [effect.packet] : []))
}
function txnZxids(effects: TapEffect[]): bigint[] {
  return effects.flatMap((effect) => (effect.kind === 'txn' ? [effect.txn.zxid] : []))
}

/** Connect, LEADERINFO, and the first sync packet; returns the session and everything it did. */
function handshake(options: TapSessionOptions, first: QuorumPacket): { session: TapSession; effects: TapEffect[] } {
  const session = new TapSession(options, 0)
  session.step(1, { kind: 'connected' })
  session.step(2, { kind: 'packet', packet: packet(PacketType.LEADERINFO, makeZxid(E, 0n), encodeInt(ZAB_PROTOCOL_VERSION)) })
  session.step(3, { kind: 'packet', packet: first })
  return { session, effects: session.takeEffects() }
}

describe('TapSession', () => {
  it('speaks the observer handshake and streams a DIFF, then INFORMs, acking only NEWLEADER and UPTODATE', () => {
    const { session, effects } = handshake(OPTIONS, packet(PacketType.DIFF, z(12)))
    const [info, ackEpoch] = sent(effects)
    expect(info!.type).toBe(PacketType.OBSERVERINFO)
    expect(info!.zxid).toBe(0n) // accepted epoch 0: never moves a leader's epoch
    expect(decodeLearnerInfo(info!.data)).toEqual({ serverId: OPTIONS.serverId, protocolVersion: ZAB_PROTOCOL_VERSION, configVersion: 0n })
    expect(ackEpoch!.type).toBe(PacketType.ACKEPOCH)
    expect(ackEpoch!.zxid).toBe(z(10))
    expect(decodeInt(ackEpoch!.data, 'ACKEPOCH')).toBe(-1) // not a promise
    expect(effects).toContainEqual({ kind: 'epoch', epoch: E })
    expect(effects).toContainEqual({ kind: 'synced', mode: 'DIFF', zxid: z(12), snapshot: null })

    // DIFF: PROPOSAL + COMMIT pairs; a ping during sync is not answered.
    session.step(4, { kind: 'packet', packet: packet(PacketType.PROPOSAL, z(11), create(z(11), '/a')) })
    session.step(4, { kind: 'packet', packet: packet(PacketType.PING, z(11)) })
    session.step(5, { kind: 'packet', packet: packet(PacketType.COMMIT, z(11)) })
    session.step(5, { kind: 'packet', packet: packet(PacketType.PROPOSAL, z(12), setData(z(12), '/a')) })
    session.step(5, { kind: 'packet', packet: packet(PacketType.COMMIT, z(12)) })
    session.step(6, { kind: 'packet', packet: packet(PacketType.NEWLEADER, makeZxid(E, 0n), Buffer.from('server.1=…')) })
    let step = session.takeEffects()
    expect(txnZxids(step)).toEqual([z(11), z(12)])
    expect(sent(step)).toEqual([packet(PacketType.ACK, makeZxid(E, 0n))])
    session.step(7, { kind: 'packet', packet: packet(PacketType.UPTODATE, -1n) })
    step = session.takeEffects()
    expect(sent(step)).toEqual([packet(PacketType.ACK, makeZxid(E, 0n))])
    expect(step).toContainEqual({ kind: 'live', epoch: E })
    expect(session.phase).toBe('live')

    // Live: INFORMs are the txns; pings are answered with no touches.
    session.step(8, { kind: 'packet', packet: packet(PacketType.INFORM, z(13), create(z(13), '/b', 'hello')) })
    session.step(9, { kind: 'packet', packet: packet(PacketType.PING, z(13)) })
    step = session.takeEffects()
    const delivered = step.find((effect) => effect.kind === 'txn')
    expect(delivered?.kind === 'txn' && delivered.txn).toMatchObject({ zxid: z(13), type: 'create', paths: ['/b'], dataBytes: 5, sessionId: 0x1234n, cxid: 7 })
    expect(sent(step)).toEqual([{ type: PacketType.PING, zxid: z(13), data: Buffer.alloc(0), authinfo: null }])
    expect(step.some((effect) => effect.kind === 'gap')).toBe(false)
  })

  it('never sends a REQUEST, REVALIDATE or an ACK of a proposal', () => {
    const { session, effects } = handshake(OPTIONS, packet(PacketType.DIFF, z(10)))
    const all = [...effects]
    for (const received of [
      packet(PacketType.NEWLEADER, makeZxid(E, 0n)),
      packet(PacketType.UPTODATE, -1n),
      packet(PacketType.PROPOSAL, z(11), create(z(11), '/x')),
      packet(PacketType.COMMIT, z(11)),
      packet(PacketType.INFORM, z(11), create(z(11), '/x')),
      packet(PacketType.SYNC, 0n),
      packet(PacketType.PING, z(11)),
    ]) {
      session.step(10, { kind: 'packet', packet: received })
      all.push(...session.takeEffects())
    }
    const types = sent(all).map((one) => one.type)
    expect(types).toEqual([PacketType.OBSERVERINFO, PacketType.ACKEPOCH, PacketType.ACK, PacketType.ACK, PacketType.PING])
    expect(sent(all).filter((one) => one.type === PacketType.ACK).every((ack) => (ack.zxid & 0xffffffffn) === 0n)).toBe(true)
    expect(txnZxids(all)).toEqual([z(11)]) // the PROPOSAL/COMMIT after UPTODATE is ignored, the INFORM counts
  })

  it('on a reconnect, skips txns already delivered and reports what a SNAP skipped as a gap', () => {
    const again = handshake({ ...OPTIONS, claimZxid: z(20), deliveredZxid: z(20) }, packet(PacketType.SNAP, z(25)))
    expect(again.effects).toContainEqual({ kind: 'gap', gap: { afterZxid: z(20), beforeZxid: z(26), count: 5, reason: expect.stringContaining('SNAP') } })
    const trunc = handshake({ ...OPTIONS, claimZxid: z(20), deliveredZxid: z(20) }, packet(PacketType.TRUNC, z(18)))
    trunc.session.step(4, { kind: 'packet', packet: packet(PacketType.PROPOSAL, z(19), create(z(19), '/old')) })
    trunc.session.step(4, { kind: 'packet', packet: packet(PacketType.COMMIT, z(19)) })
    trunc.session.step(4, { kind: 'packet', packet: packet(PacketType.PROPOSAL, z(21), create(z(21), '/new')) })
    trunc.session.step(4, { kind: 'packet', packet: packet(PacketType.COMMIT, z(21)) })
    expect(txnZxids(trunc.session.takeEffects())).toEqual([z(21)])
  })

  it('reports a hole in the live stream, but not the step to a new epoch', () => {
    const { session } = handshake(OPTIONS, packet(PacketType.DIFF, z(10)))
    session.step(4, { kind: 'packet', packet: packet(PacketType.UPTODATE, -1n) })
    session.step(5, { kind: 'packet', packet: packet(PacketType.INFORM, z(13), create(z(13), '/c')) })
    session.step(6, { kind: 'packet', packet: packet(PacketType.INFORM, z(1, E + 1n), create(z(1, E + 1n), '/d')) })
    const gaps = session.takeEffects().flatMap((effect) => (effect.kind === 'gap' ? [effect.gap] : []))
    expect(gaps).toEqual([{ afterZxid: z(10), beforeZxid: z(13), count: 2, reason: 'txns missing from the stream' }])
  })

  it('gives up on a silent leader after the read timeout, and on a wrong first packet', () => {
    const { session } = handshake(OPTIONS, packet(PacketType.DIFF, z(10)))
    session.step(4, { kind: 'packet', packet: packet(PacketType.UPTODATE, -1n) })
    session.takeEffects()
    expect(session.nextDeadlineMs()).toBe(4 + OPTIONS.readTimeoutMs)
    session.step(5000, { kind: 'tick' })
    expect(session.takeEffects()).toEqual([])
    session.step(4 + OPTIONS.readTimeoutMs, { kind: 'tick' })
    expect(session.takeEffects()).toEqual([{ kind: 'close', reason: expect.stringContaining('no packet from the leader') }])
    const wrong = new TapSession(OPTIONS, 0)
    wrong.step(1, { kind: 'connected' })
    wrong.step(2, { kind: 'packet', packet: packet(PacketType.PING, 0n) })
    expect(wrong.takeEffects().at(-1)).toEqual({ kind: 'close', reason: expect.stringContaining('expected LEADERINFO') })
  })
})

describe('tap txns and membership', () => {
  it('decodes multi, session and error txns', () => {
    const multi = encodeProposalData(
      txn(z(1), {
        type: OpCode.multi,
        txns: [
          { type: OpCode.create, txn: { path: '/m/1', data: Buffer.from('xy'), acl: [], ephemeral: true, parentCVersion: 1 } },
          { type: OpCode.delete, txn: { path: '/m/0' } },
        ],
      }),
    )
    expect(decodeTapTxn(multi)).toMatchObject({ type: 'multi', paths: ['/m/1', '/m/0'], subTypes: ['create', 'delete'], dataBytes: 2, errorCode: null })
    expect(decodeTapTxn(encodeProposalData(txn(z(2), { type: OpCode.createSession, txn: { timeOut: 30_000 } })))).toMatchObject({ type: 'createSession', sessionTimeoutMs: 30_000, paths: [] })
    expect(decodeTapTxn(encodeProposalData(txn(z(3), { type: OpCode.closeSession, txn: { paths2Delete: ['/eph'] } })))).toMatchObject({ type: 'closeSession', paths: ['/eph'] })
    expect(decodeTapTxn(encodeProposalData(txn(z(4), { type: OpCode.error, txn: { err: -101 } })))).toMatchObject({ type: 'error', errorCode: -101 })
  })

  it('finds the leader’s server line by sid or by client address', () => {
    const text = 'server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181\nserver.2=10.0.0.2:2888:3888:participant;10.0.0.2:2181\nserver.3=zk3:2888:3888:observer;2181\nserver.999=a|b:1:2\nversion=100000000'
    const membership = parseMembership(text)
    expect(membership.servers.map((server) => server.id)).toEqual([1, 2, 3])
    expect(membership.skipped).toHaveLength(1)
    expect(serverByClientAddress(membership.servers, { host: '10.0.0.2', port: 2181 })?.id).toBe(2)
    expect(serverByClientAddress(membership.servers, { host: '10.0.0.1', port: 2181 })?.id).toBe(1)
    expect(serverByClientAddress(membership.servers, { host: 'elsewhere', port: 2181 })).toBeNull()
    expect(serverIdFromConf('clientPort=2181\nserverId=3\ninitLimit=10\n')).toBe(3)
    expect(serverIdFromConf('clientPort=2181\n')).toBeNull()
  })
})
