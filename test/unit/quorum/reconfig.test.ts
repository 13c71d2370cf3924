import { describe as group, expect, it } from 'vitest'
import { OpCode } from '../../../engine/proto'
import { configText, isReconfigProposal, parseQuorumConfig, reconfigConfigOf } from '../../../engine/quorum/membership'
import { MajorityQuorum } from '../../../engine/quorum/quorum-verifier'
import { decodeDesignatedLeader, encodeAckEpoch, encodeLearnerInfo } from '../../../engine/quorum/wire/learner-payloads'
import { ServerState } from '../../../engine/quorum/wire/notification'
import { PacketType } from '../../../engine/quorum/wire/packet-type'
import { type Proposal, encodeProposalData } from '../../../engine/quorum/wire/proposal-data'
import { type QuorumPacket, packet } from '../../../engine/quorum/wire/quorum-packet'
import { hasAllQuorums } from '../../../engine/quorum/zab/leader'
import { makeZxid } from '../../../engine/quorum/zxid'
import { PeerHarness, describe } from './peer-harness'

const z = (epoch: number, counter: number): bigint => makeZxid(BigInt(epoch), BigInt(counter))
const LINES_145 = 'server.1=a:2888:3888:participant\nserver.4=d:2888:3888:participant\nserver.5=e:2888:3888:participant\nserver.2=b:2888:3888:observer\n'

function reconfigProposal(zxid: bigint, text: string): Proposal {
  const data = Buffer.from(`${text}version=${zxid.toString(16)}`)
  const header = { clientId: 1n, cxid: 1, zxid, time: 0, type: OpCode.reconfig }
  return { zxid, data: encodeProposalData({ header, body: { type: OpCode.reconfig, txn: { path: '/zookeeper/config', data, version: -1 } } }) }
}

function setDataProposal(zxid: bigint): Proposal {
  const header = { clientId: 1n, cxid: 2, zxid, time: 0, type: OpCode.setData }
  return { zxid, data: encodeProposalData({ header, body: { type: OpCode.setData, txn: { path: '/a', data: null, version: 1 } } }) }
}

function sent(effects: ReturnType<PeerHarness['step']>): QuorumPacket[] {
  return effects.flatMap((e) => (e.kind === 'sendToLearner' ? [e.packet] : []))
}

/**
 * Leader 1 of {1,2,3} (reconfig on), established in epoch 2 with follower 2 on connection 10; then followers 3, 4 and
 * 5 (4 and 5 outside the view: non-voting) join on connections 11, 12, 13.
 */
function leaderWithLearners(): PeerHarness {
  const h = new PeerHarness(1, { currentEpoch: 1n, acceptedEpoch: 1n, lastLoggedZxid: z(1, 0) }, new MajorityQuorum([1, 2, 3]), { reconfigEnabled: true })
  h.step({ kind: 'start' })
  h.notify(2, { leader: 1n, zxid: z(1, 0), peerEpoch: 1n })
  h.advance(200)
  expect(h.peer.state).toBe(ServerState.LEADING)
  for (const [connection, sid] of [[10, 2], [11, 3], [12, 4], [13, 5]] as const) {
    h.step({ kind: 'learnerConnected', connection })
    h.step({ kind: 'fromLearner', connection, packet: packet(PacketType.FOLLOWERINFO, z(1, 0), encodeLearnerInfo(sid, 0n)) })
    h.persistAll()
    h.step({ kind: 'fromLearner', connection, packet: packet(PacketType.ACKEPOCH, z(1, 0), encodeAckEpoch(1n)) })
    h.persistAll()
    h.step({ kind: 'fromLearner', connection, packet: packet(PacketType.ACK, z(2, 0)) })
  }
  expect(h.peer.serving).toBe(2n)
  expect(h.peer.configVersion).toBe(z(2, 0)) // ZOOKEEPER-1783: the static config takes the NEWLEADER zxid
  expect(h.peer.leader!.learners().map((l) => [l.sid, l.synced])).toEqual([[2, true], [3, true], [4, true], [5, true]])
  return h
}

const ack = (h: PeerHarness, connection: number, zxid: bigint): ReturnType<PeerHarness['step']> =>
  h.step({ kind: 'fromLearner', connection, packet: packet(PacketType.ACK, zxid) })

group('dual-quorum acks (Proposal.qvAcksetPairs)', () => {
  it('hasAllQuorums needs a quorum of every verifier, counting only each one’s voters', () => {
    const old = new MajorityQuorum([1, 2, 3])
    const next = new MajorityQuorum([1, 4, 5], [2])
    expect(hasAllQuorums(new Set([1, 2]), [old])).toBe(true)
    expect(hasAllQuorums(new Set([1, 2]), [old, next])).toBe(false)
    expect(hasAllQuorums(new Set([1, 2, 4]), [old, next])).toBe(true)
    expect(hasAllQuorums(new Set([2, 3, 4]), [old, next])).toBe(false) // 2 observes in the new one
    expect(hasAllQuorums(new Set([4, 5, 2]), [old, next])).toBe(false)
  })

  it('a reconfig commits only with both quorums, then COMMITANDACTIVATE names the leader and the new view counts', () => {
    const h = leaderWithLearners()
    const leader = h.peer.leader!
    expect(leader.isQuorumSynced(new MajorityQuorum([1, 4, 5]))).toBe(true)
    expect(leader.isQuorumSynced(new MajorityQuorum([1, 6, 7]))).toBe(false)
    const reconfig = reconfigProposal(z(2, 1), LINES_145)
    expect(isReconfigProposal(reconfig.data)).toBe(true)
    h.step({ kind: 'propose', proposal: reconfig })
    expect(leader.reconfigPending).toBe(true)
    // Proposed while the reconfig is pending: it needs both quorums too.
    h.step({ kind: 'propose', proposal: setDataProposal(z(2, 2)) })
    expect(describe(h.persistAll())).toEqual([]) // our own acks
    expect(describe(ack(h, 10, z(2, 1)))).toEqual([]) // {1,2}: the old quorum only
    expect(describe(ack(h, 11, z(2, 1)))).toEqual([]) // {1,2,3}: still no quorum of {1,4,5}
    expect(describe(ack(h, 10, z(2, 2)))).toEqual([])
    const committed = ack(h, 12, z(2, 1)) // {1,2,3,4}: both
    expect(describe(committed).filter((line) => !line.startsWith('configActivated'))).toEqual([
      '→10 COMMITANDACTIVATE 200000001',
      '→11 COMMITANDACTIVATE 200000001',
      '→12 COMMITANDACTIVATE 200000001',
      '→13 COMMITANDACTIVATE 200000001',
      'apply 200000001',
    ])
    expect(decodeDesignatedLeader(sent(committed)[0]!.data).leader).toBe(1n)
    expect(h.peer.configVersion).toBe(z(2, 1))
    expect([...h.peer.quorum.voters]).toEqual([1, 4, 5])
    expect(leader.reconfigPending).toBe(false)
    // 2:2 has acks {1,2}: a quorum of the old view only. Acks of 2 and 3 no longer count; 4's does.
    expect(describe(ack(h, 11, z(2, 2)))).toEqual([])
    expect(describe(ack(h, 12, z(2, 2)))).toEqual(['→10 COMMIT 200000002', '→11 COMMIT 200000002', '→12 COMMIT 200000002', '→13 COMMIT 200000002', 'apply 200000002'])
    // After it, the new view alone decides.
    h.step({ kind: 'propose', proposal: setDataProposal(z(2, 3)) })
    h.persistAll()
    expect(describe(ack(h, 10, z(2, 3)))).toEqual([])
    expect(describe(ack(h, 13, z(2, 3)))).toContain('apply 200000003')
  })

  it('a leader outside the new view designates a voter that acked and commits nothing more', () => {
    const h = leaderWithLearners()
    const text = 'server.2=b:2888:3888:participant\nserver.3=c:2888:3888:participant\nserver.4=d:2888:3888:participant\n'
    h.step({ kind: 'propose', proposal: reconfigProposal(z(2, 1), text) })
    h.step({ kind: 'propose', proposal: setDataProposal(z(2, 2)) })
    h.persistAll()
    ack(h, 11, z(2, 1))
    ack(h, 11, z(2, 2))
    const committed = ack(h, 12, z(2, 1)) // old {1,3}, new {3,4}
    const activate = sent(committed).find((p) => p.type === PacketType.COMMITANDACTIVATE)!
    expect(decodeDesignatedLeader(activate.data).leader).toBe(3n) // 3 also acked 2:2; 4 did not
    expect(describe(ack(h, 12, z(2, 2)))).toEqual([]) // allowedToCommit = false
  })

  it('a learner activates on COMMITANDACTIVATE; a role change re-joins directly in the new role', () => {
    // Observer 4 of {1,2,3}+4 is made a participant.
    const h = new PeerHarness(4, { currentEpoch: 1n, acceptedEpoch: 1n, lastLoggedZxid: z(1, 0) }, new MajorityQuorum([1, 2, 3], [4]), {
      reconfigEnabled: true,
      membershipText: 'server.1=a:2888:3888:participant\nserver.2=b:2888:3888:participant\nserver.3=c:2888:3888:participant\nserver.4=d:2888:3888:observer\n',
    })
    h.step({ kind: 'start' })
    h.notify(1, { leader: 1n, zxid: z(1, 0), peerEpoch: 1n, state: ServerState.LEADING })
    h.notify(2, { leader: 1n, zxid: z(1, 0), peerEpoch: 1n, state: ServerState.FOLLOWING })
    expect(h.peer.state).toBe(ServerState.OBSERVING)
    const attempt = (): number => [...h.effects].reverse().find((e) => e.kind === 'connectToLeader')!.attempt
    h.step({ kind: 'leaderConnected', attempt: attempt() })
    const from = (p: QuorumPacket): ReturnType<PeerHarness['step']> => h.step({ kind: 'fromLeader', attempt: attempt(), packet: p })
    from(packet(PacketType.LEADERINFO, z(2, 0), Buffer.from([0, 1, 0, 0])))
    h.persistAll()
    from(packet(PacketType.DIFF, z(1, 0)))
    from(packet(PacketType.NEWLEADER, z(2, 0), Buffer.from(`${h.peer.membershipText}version=${z(2, 0).toString(16)}`)))
    h.persistAll()
    from(packet(PacketType.UPTODATE, -1n))
    expect(h.peer.configVersion).toBe(z(2, 0))
    const text = 'server.1=a:2888:3888:participant\nserver.2=b:2888:3888:participant\nserver.3=c:2888:3888:participant\nserver.4=d:2888:3888:participant;9\n'
    const reconfig = reconfigProposal(z(2, 1), text)
    const designated = Buffer.alloc(8)
    designated.writeBigInt64BE(1n)
    const effects = from(packet(PacketType.INFORMANDACTIVATE, z(2, 1), Buffer.concat([designated, reconfig.data])))
    expect(describe(effects)).toEqual(['persist append 200000001', 'apply 200000001', 'configActivated', 'close leader', 'serving false epoch 2', `state ${ServerState.FOLLOWING}`, 'connect 1'])
    expect(h.peer.state).toBe(ServerState.FOLLOWING)
    expect([...h.peer.quorum.voters]).toEqual([1, 2, 3, 4])
    expect(configText(h.peer.config)).toBe(`${text}version=200000001`)
  })

  it('a LOOKING member adopts a newer configuration gossiped in a notification and restarts its election', () => {
    const h = new PeerHarness(2, {}, new MajorityQuorum([1, 2, 3]), { reconfigEnabled: true })
    h.step({ kind: 'start' })
    const older = Buffer.from('server.1=a:2888:3888:participant\nserver.2=b:2888:3888:participant\nversion=0')
    h.notify(1, { config: older })
    expect(h.peer.configVersion).toBe(0n)
    const clock = h.peer.logicalClock
    const newer = Buffer.from(`server.1=a:2888:3888:participant\nserver.2=b:2888:3888:participant\nversion=${z(3, 7).toString(16)}`)
    const effects = h.notify(1, { config: newer, electionEpoch: clock })
    expect(effects.filter((e) => e.kind === 'configActivated')).toHaveLength(1)
    expect(h.peer.configVersion).toBe(z(3, 7))
    expect([...h.peer.quorum.voters]).toEqual([1, 2])
    expect(h.peer.logicalClock).toBe(clock + 1n) // a new round under the new view
    expect(h.effects.some((e) => e.kind === 'log' && e.message === 'restarting leader election')).toBe(true)
    // Without reconfig, a notification's configuration is never taken.
    const plain = new PeerHarness(2)
    plain.step({ kind: 'start' })
    plain.notify(1, { config: newer })
    expect(plain.peer.configVersion).toBe(0n)
    expect([...plain.peer.quorum.voters]).toEqual([1, 2, 3])
  })

  it('reads configuration texts and reconfig proposals', () => {
    const config = parseQuorumConfig(`${LINES_145}version=2a`)
    expect(config.version).toBe(0x2an)
    expect([...config.quorum.voters]).toEqual([1, 4, 5])
    expect([...config.quorum.observers]).toEqual([2])
    expect(config.membershipText.split('\n')[1]).toBe('server.2=b:2888:3888:observer')
    expect(reconfigConfigOf(setDataProposal(z(1, 1)))).toBeNull()
    expect(isReconfigProposal(setDataProposal(z(1, 1)).data)).toBe(false)
    expect(reconfigConfigOf(reconfigProposal(z(1, 1), LINES_145))!.version).toBe(z(1, 1))
  })
})
