import { describe as group, expect, it } from 'vitest'
import { MajorityQuorum } from '../../../engine/quorum/quorum-verifier'
import { decodeInt, decodeLearnerInfo, decodeTouches, encodeAckEpoch, encodeInt, encodeLearnerInfo, encodeRequestData, encodeTouches } from '../../../engine/quorum/wire/learner-payloads'
import { ServerState } from '../../../engine/quorum/wire/notification'
import { PacketType } from '../../../engine/quorum/wire/packet-type'
import { type QuorumPacket, packet } from '../../../engine/quorum/wire/quorum-packet'
import { makeZxid } from '../../../engine/quorum/zxid'
import { MEMBERSHIP, PeerHarness, describe, proposal } from './peer-harness'

const z = (epoch: number, counter: number): bigint => makeZxid(BigInt(epoch), BigInt(counter))
const history = [proposal(z(1, 1)), proposal(z(1, 2)), proposal(z(1, 3))]

function sentPackets(effects: ReturnType<PeerHarness['step']>): QuorumPacket[] {
  return effects.flatMap((e) => (e.kind === 'sendToLearner' || e.kind === 'sendToLeader' ? [e.packet] : []))
}

/** Member 1 (log up to 1:3) elected leader by member 2's vote. */
function electedLeader(): PeerHarness {
  const h = new PeerHarness(1, { currentEpoch: 1n, acceptedEpoch: 1n, lastLoggedZxid: z(1, 3), recentProposals: history })
  h.step({ kind: 'start' })
  h.notify(2, { leader: 1n, zxid: z(1, 3), peerEpoch: 1n })
  h.advance(200)
  expect(h.peer.state).toBe(ServerState.LEADING)
  h.step({ kind: 'learnerConnected', connection: 10 })
  return h
}

/** Brings learner 2 (last zxid 1:1) through discovery and sync with leader `h`; returns to the established leader. */
function establish(h: PeerHarness): void {
  h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.FOLLOWERINFO, z(1, 0), encodeLearnerInfo(2, 0n)) })
  h.persistAll()
  h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.ACKEPOCH, z(1, 1), encodeAckEpoch(1n)) })
  h.persistAll()
  h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.ACK, z(2, 0)) })
  expect(h.peer.serving).toBe(2n)
}

group('leader (Leader.lead + LearnerHandler)', () => {
  it('discovery: a quorum of FOLLOWERINFO fixes epoch max+1, accepted on disk before LEADERINFO goes out', () => {
    const h = electedLeader()
    const info = h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.FOLLOWERINFO, z(1, 0), encodeLearnerInfo(2, 0n)) })
    expect(describe(info)).toEqual(['persist acceptedEpoch 2'])
    const leaderInfo = sentPackets(h.persistAll())
    expect(leaderInfo.map((p) => [p.type, p.zxid])).toEqual([[PacketType.LEADERINFO, z(2, 0)]])
    expect(decodeInt(leaderInfo[0]!.data, 'LEADERINFO')).toBe(0x10000)
  })

  it('synchronisation: DIFF + PROPOSAL/COMMIT pairs + NEWLEADER, UPTODATE once a quorum acked NEWLEADER', () => {
    const h = electedLeader()
    h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.FOLLOWERINFO, z(1, 0), encodeLearnerInfo(2, 0n)) })
    h.persistAll()
    const sync = h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.ACKEPOCH, z(1, 1), encodeAckEpoch(1n)) })
    expect(describe(sync)).toEqual([
      'persist currentEpoch 2',
      '→10 DIFF 100000003',
      '→10 PROPOSAL 100000002',
      '→10 COMMIT 100000002',
      '→10 PROPOSAL 100000003',
      '→10 COMMIT 100000003',
      '→10 NEWLEADER 200000000',
    ])
    expect(sentPackets(sync).at(-1)!.data!.toString()).toBe(`${MEMBERSHIP}version=200000000`)
    expect(describe(h.persistAll())).toEqual([]) // our own NEWLEADER ack: one of two needed
    expect(describe(h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.ACK, z(2, 0)) }))).toEqual([
      'serving true epoch 2',
      '→10 UPTODATE ffffffffffffffff',
    ])
  })

  it('broadcast: PROPOSAL to followers, COMMIT and apply once a quorum (with the leader) logged it', () => {
    const h = electedLeader()
    establish(h)
    h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.ACK, z(2, 0)) }) // UPTODATE ack: ignored
    expect(h.peer.leader!.nextZxid()).toBe(z(2, 1))
    expect(describe(h.step({ kind: 'propose', proposal: proposal(z(2, 1)) }))).toEqual(['→10 PROPOSAL 200000001', 'persist append 200000001'])
    expect(describe(h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.ACK, z(2, 1)) }))).toEqual([])
    expect(describe(h.persistAll())).toEqual(['→10 COMMIT 200000001', 'apply 200000001'])
    expect(() => h.step({ kind: 'propose', proposal: proposal(z(2, 5)) })).toThrow(/not the next zxid/)
  })

  it('answers syncs after everything proposed before them commits', () => {
    const h = electedLeader()
    establish(h)
    expect(describe(h.step({ kind: 'sync', connection: 10 }))).toEqual(['→10 SYNC 0'])
    h.step({ kind: 'propose', proposal: proposal(z(2, 1)) })
    expect(describe(h.step({ kind: 'sync', connection: 10 }))).toEqual([])
    h.persistAll()
    expect(describe(h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.ACK, z(2, 1)) }))).toEqual([
      '→10 COMMIT 200000001',
      'apply 200000001',
      '→10 SYNC 0',
    ])
  })

  it('hands learner requests, touches and revalidations to the host', () => {
    const h = electedLeader()
    establish(h)
    const request = { sessionId: 5n, cxid: 1, type: 5, body: Buffer.from('x'), authinfo: null }
    const effects = h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.REQUEST, -1n, encodeRequestData(request)) })
    expect(effects).toContainEqual({ kind: 'learnerRequest', connection: 10, learner: 2, request })
    const touches = [{ sessionId: 5n, timeoutMs: 4_000 }]
    expect(h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.PING, z(2, 0), encodeTouches(touches)) })).toContainEqual({
      kind: 'touchSessions',
      learner: 2,
      touches,
    })
    const revalidate = h.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.REVALIDATE, -1n, Buffer.from('0000000000000005000007d0', 'hex')) })
    expect(revalidate).toContainEqual({ kind: 'revalidate', connection: 10, learner: 2, sessionId: 5n, timeoutMs: 2_000 })
    const answer = sentPackets(h.step({ kind: 'revalidateAnswer', connection: 10, sessionId: 5n, valid: true }))
    expect(answer.map((p) => [p.type, p.zxid, p.data?.toString('hex')])).toEqual([[PacketType.REVALIDATE, -1n, '000000000000000501']])
  })

  it('pings every tickTime/2 and gives up leadership when synced learners no longer form a quorum', () => {
    const h = electedLeader()
    establish(h)
    const pings = sentPackets(h.advance(1_000))
    expect(pings.map((p) => [p.type, p.zxid])).toEqual([[PacketType.PING, z(2, 0)]])
    const later = h.advance(20_000)
    expect(describe(later)).toContain('serving false epoch 2')
    expect(describe(later)).toContain('close 10')
    expect(h.peer.state).toBe(ServerState.LOOKING)
  })

  it('gives up when no quorum connects within initLimit', () => {
    const h = electedLeader()
    h.advance(TIMING_INIT_MS - 1)
    expect(h.peer.state).toBe(ServerState.LEADING)
    h.advance(1)
    expect(h.peer.state).toBe(ServerState.LOOKING)
  })

  it('drops learners that send garbage, are unknown, or are ahead of the leader', () => {
    const wrongFirst = electedLeader()
    expect(describe(wrongFirst.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.ACK, 1n) }))).toEqual(['close 10'])
    const unknown = electedLeader()
    expect(describe(unknown.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.FOLLOWERINFO, 0n, encodeLearnerInfo(9, 0n)) }))).toEqual(['close 10'])
    const ahead = electedLeader()
    ahead.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.FOLLOWERINFO, z(1, 0), encodeLearnerInfo(2, 0n)) })
    ahead.persistAll()
    expect(describe(ahead.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.ACKEPOCH, z(1, 9), encodeAckEpoch(1n)) }))).toEqual(['close 10'])
    const truncated = electedLeader()
    expect(describe(truncated.step({ kind: 'fromLearner', connection: 10, packet: packet(PacketType.FOLLOWERINFO, 0n, Buffer.alloc(3)) }))).toEqual(['close 10'])
  })

  it('steps down for a learner that has promised a later epoch (instead of leaving it out for good)', () => {
    const h = electedLeader()
    establish(h)
    h.step({ kind: 'learnerConnected', connection: 11 })
    const effects = h.step({ kind: 'fromLearner', connection: 11, packet: packet(PacketType.FOLLOWERINFO, z(3, 0), encodeLearnerInfo(3, 0n)) })
    expect(describe(effects)).toEqual(expect.arrayContaining(['serving false epoch 2', 'state 0']))
  })

  it('with one voter, leads alone', () => {
    const h = new PeerHarness(1, {}, new MajorityQuorum([1], [2]))
    h.step({ kind: 'start' })
    h.advance(200)
    h.persistAll()
    h.persistAll()
    expect(h.peer.serving).toBe(1n)
  })
})

const TIMING_INIT_MS = 10 * 2_000

/** Member 2 (log up to 1:1) that has decided to follow 1 and is connected to it. */
function connectedFollower(): PeerHarness {
  const h = new PeerHarness(2, { currentEpoch: 1n, acceptedEpoch: 1n, lastLoggedZxid: z(1, 1), recentProposals: [history[0]!] })
  h.step({ kind: 'start' })
  h.notify(1, { state: ServerState.LEADING, leader: 1n, zxid: z(1, 3), peerEpoch: 1n })
  const decided = h.notify(3, { state: ServerState.FOLLOWING, leader: 1n, zxid: z(1, 3), peerEpoch: 1n })
  expect(describe(decided)).toEqual(['state 1', 'connect 1'])
  return h
}

const fromLeader = (h: PeerHarness, message: QuorumPacket, snapshot?: unknown) => h.step({ kind: 'fromLeader', attempt: 1, packet: message, snapshot })

group('follower (Learner.registerWithLeader, syncWithLeader, Follower.processPacket)', () => {
  it('registers with FOLLOWERINFO, persists the new epoch before ACKEPOCH', () => {
    const h = connectedFollower()
    const info = sentPackets(h.step({ kind: 'leaderConnected', attempt: 1 }))
    expect(info.map((p) => [p.type, p.zxid])).toEqual([[PacketType.FOLLOWERINFO, z(1, 0)]])
    expect(decodeLearnerInfo(info[0]!.data)).toEqual({ serverId: 2n, protocolVersion: 0x10000, configVersion: 0n })
    expect(describe(fromLeader(h, packet(PacketType.LEADERINFO, z(2, 0), encodeInt(0x10000))))).toEqual(['persist acceptedEpoch 2'])
    const ack = sentPackets(h.persistAll())
    expect(ack.map((p) => [p.type, p.zxid, decodeInt(p.data, 'ACKEPOCH')])).toEqual([[PacketType.ACKEPOCH, z(1, 1), 1]])
  })

  it('syncs: logs and applies, acks NEWLEADER once the epoch is on disk, serves after UPTODATE, then acks the backlog', () => {
    const h = connectedFollower()
    h.step({ kind: 'leaderConnected', attempt: 1 })
    fromLeader(h, packet(PacketType.LEADERINFO, z(2, 0), encodeInt(0x10000)))
    h.persistAll()
    const sync = [
      packet(PacketType.DIFF, z(1, 3)),
      packet(PacketType.PROPOSAL, z(1, 2), history[1]!.data),
      packet(PacketType.COMMIT, z(1, 2)),
      packet(PacketType.PROPOSAL, z(1, 3), history[2]!.data),
      packet(PacketType.COMMIT, z(1, 3)),
      packet(PacketType.NEWLEADER, z(2, 0), Buffer.from('server.1=...')),
      packet(PacketType.UPTODATE, -1n),
      packet(PacketType.PROPOSAL, z(2, 1), proposal(z(2, 1)).data),
    ]
    const during = sync.flatMap((message) => fromLeader(h, message))
    expect(describe(during)).toEqual([
      'persist append 100000002',
      'apply 100000002',
      'persist append 100000003',
      'apply 100000003',
      'persist currentEpoch 2',
    ])
    expect(describe(h.persistAll())).toEqual([
      '→leader ACK 200000000', // NEWLEADER
      '→leader ACK 200000000', // UPTODATE
      'serving true epoch 2',
      '→leader ACK 100000002',
      '→leader ACK 100000003',
      'persist append 200000001',
    ])
    expect(describe(h.persistAll())).toEqual(['→leader ACK 200000001'])
    expect(describe(fromLeader(h, packet(PacketType.COMMIT, z(2, 1))))).toEqual(['apply 200000001'])
  })

  it('answers PING with the sessions touched since the last one', () => {
    const h = syncedFollower()
    h.step({ kind: 'touchSession', sessionId: 7n, timeoutMs: 6_000 })
    const [reply] = sentPackets(fromLeader(h, packet(PacketType.PING, z(2, 0))))
    expect([reply!.type, reply!.zxid, decodeTouches(reply!.data)]).toEqual([PacketType.PING, z(2, 0), [{ sessionId: 7n, timeoutMs: 6_000 }]])
    const [empty] = sentPackets(fromLeader(h, packet(PacketType.PING, z(2, 0))))
    expect(empty!.data).toEqual(Buffer.alloc(0))
  })

  it('forwards requests, completes syncs, and revalidates sessions', () => {
    const h = syncedFollower()
    const request = { sessionId: 9n, cxid: 3, type: 9, body: Buffer.from('/x'), authinfo: [{ scheme: 'ip', id: '::1' }] }
    const [forwarded] = sentPackets(h.step({ kind: 'forwardRequest', request }))
    expect(forwarded).toEqual({ type: PacketType.REQUEST, zxid: -1n, data: encodeRequestData(request), authinfo: request.authinfo })
    expect(fromLeader(h, packet(PacketType.SYNC, 0n))).toContainEqual({ kind: 'syncDone' })
    h.step({ kind: 'revalidateSession', sessionId: 9n, timeoutMs: 4_000 })
    expect(fromLeader(h, packet(PacketType.REVALIDATE, -1n, Buffer.from('000000000000000900', 'hex')))).toContainEqual({
      kind: 'revalidated',
      sessionId: 9n,
      valid: false,
    })
  })

  it('refuses a leader whose epoch is below the one it accepted', () => {
    const h = connectedFollower()
    h.step({ kind: 'leaderConnected', attempt: 1 })
    expect(describe(fromLeader(h, packet(PacketType.LEADERINFO, z(0, 0), encodeInt(0x10000))))).toEqual(['close leader', 'state 0'])
  })

  it('answers an epoch it already accepted with -1 and nothing to persist', () => {
    const h = connectedFollower()
    h.step({ kind: 'leaderConnected', attempt: 1 })
    const [ack] = sentPackets(fromLeader(h, packet(PacketType.LEADERINFO, z(1, 0), encodeInt(0x10000))))
    expect(decodeInt(ack!.data, 'ACKEPOCH')).toBe(-1)
  })

  it('TRUNC and SNAP rewrite the log (and the tree) before anything else', () => {
    const trunc = connectedFollower()
    trunc.step({ kind: 'leaderConnected', attempt: 1 })
    fromLeader(trunc, packet(PacketType.LEADERINFO, z(2, 0), encodeInt(0x10000)))
    trunc.persistAll()
    expect(describe(fromLeader(trunc, packet(PacketType.TRUNC, z(1, 0))))).toEqual(['persist truncate 100000000'])
    const snap = connectedFollower()
    snap.step({ kind: 'leaderConnected', attempt: 1 })
    fromLeader(snap, packet(PacketType.LEADERINFO, z(2, 0), encodeInt(0x10000)))
    snap.persistAll()
    expect(describe(fromLeader(snap, packet(PacketType.SNAP, z(1, 3)), { tree: 'body' }))).toEqual(['persist snapshot 100000003'])
    expect(snap.peer.db.lastProcessedZxid).toBe(z(1, 3))
  })

  it('drops the leader on a COMMIT that does not match its oldest pending proposal, or on silence', () => {
    const h = syncedFollower()
    fromLeader(h, packet(PacketType.PROPOSAL, z(2, 1), proposal(z(2, 1)).data))
    expect(describe(fromLeader(h, packet(PacketType.COMMIT, z(2, 2))))).toEqual(expect.arrayContaining(['close leader', 'state 0']))
    const quiet = syncedFollower()
    expect(describe(quiet.advance(9_999))).toEqual([])
    expect(describe(quiet.advance(2))).toEqual(expect.arrayContaining(['close leader', 'serving false epoch 2', 'state 0']))
  })

  it('applies what it logged when it leaves the leader (Apache fast-forwards its database)', () => {
    const h = syncedFollower()
    fromLeader(h, packet(PacketType.PROPOSAL, z(2, 1), proposal(z(2, 1)).data))
    const left = h.step({ kind: 'leaderDisconnected', attempt: 1 })
    expect(describe(left)).toEqual(['close leader', 'serving false epoch 2', 'apply 200000001', 'state 0'])
    expect(h.peer.db.lastProcessedZxid).toBe(z(2, 1))
  })
})

/** A follower that went through an empty DIFF sync with leader 1 in epoch 2. */
function syncedFollower(): PeerHarness {
  const h = connectedFollower()
  h.step({ kind: 'leaderConnected', attempt: 1 })
  fromLeader(h, packet(PacketType.LEADERINFO, z(2, 0), encodeInt(0x10000)))
  h.persistAll()
  fromLeader(h, packet(PacketType.DIFF, z(1, 1)))
  fromLeader(h, packet(PacketType.NEWLEADER, z(2, 0)))
  h.persistAll()
  fromLeader(h, packet(PacketType.UPTODATE, -1n))
  expect(h.peer.serving).toBe(2n)
  return h
}

group('observer', () => {
  it('registers with OBSERVERINFO, applies INFORMs and never ACKs proposals', () => {
    const h = new PeerHarness(4, { currentEpoch: 1n, acceptedEpoch: 1n, lastLoggedZxid: z(1, 3) }, new MajorityQuorum([1, 2, 3], [4]))
    h.step({ kind: 'start' })
    h.notify(1, { state: ServerState.LEADING, leader: 1n, zxid: z(1, 3), peerEpoch: 1n })
    expect(describe(h.notify(2, { state: ServerState.FOLLOWING, leader: 1n, zxid: z(1, 3), peerEpoch: 1n }))).toEqual(['state 3', 'connect 1'])
    expect(sentPackets(h.step({ kind: 'leaderConnected', attempt: 1 })).map((p) => p.type)).toEqual([PacketType.OBSERVERINFO])
    fromLeader(h, packet(PacketType.LEADERINFO, z(2, 0), encodeInt(0x10000)))
    h.persistAll()
    fromLeader(h, packet(PacketType.DIFF, z(1, 3)))
    fromLeader(h, packet(PacketType.NEWLEADER, z(2, 0)))
    expect(describe(h.persistAll())).toEqual(['→leader ACK 200000000'])
    expect(describe(fromLeader(h, packet(PacketType.UPTODATE, -1n)))).toEqual(['→leader ACK 200000000', 'serving true epoch 2'])
    expect(describe(fromLeader(h, packet(PacketType.INFORM, z(2, 1), proposal(z(2, 1)).data)))).toEqual(['persist append 200000001', 'apply 200000001'])
    expect(describe(h.persistAll())).toEqual([])
    expect(describe(fromLeader(h, packet(PacketType.PROPOSAL, z(2, 2), proposal(z(2, 2)).data)))).toEqual([])
  })
})

group('election answers around the machine (WorkerReceiver)', () => {
  it('a member out of the election tells LOOKING voters its vote, updated with the established epoch', () => {
    const h = syncedFollower()
    const answer = h.notify(3, { leader: 3n, zxid: 0n, electionEpoch: 5n })
    expect(answer).toEqual([
      { kind: 'sendNotification', to: 3, notification: expect.objectContaining({ state: ServerState.FOLLOWING, leader: 1n, electionEpoch: 1n, peerEpoch: 2n }) },
    ])
    expect(h.notify(3, { state: ServerState.FOLLOWING, leader: 1n })).toEqual([])
  })

  it('a LOOKING voter gets our proposal when its round is behind ours', () => {
    const h = new PeerHarness(1, { lastLoggedZxid: z(1, 3), currentEpoch: 1n, acceptedEpoch: 1n })
    h.step({ kind: 'start' })
    h.notify(2, { electionEpoch: 4n, leader: 2n, zxid: 0n })
    const answer = h.notify(3, { electionEpoch: 2n, leader: 3n, zxid: 0n })
    expect(answer).toContainEqual({ kind: 'sendNotification', to: 3, notification: expect.objectContaining({ state: ServerState.LOOKING, leader: 1n, electionEpoch: 4n }) })
  })

  it('halts on a failed fsync and ignores everything after', () => {
    const h = syncedFollower()
    fromLeader(h, packet(PacketType.PROPOSAL, z(2, 1), proposal(z(2, 1)).data))
    const halted = h.step({ kind: 'persistFailed', ticket: h.lastTicket(), reason: 'EIO' })
    expect(describe(halted)).toEqual(['close leader', 'serving false epoch 2', 'halt'])
    expect(h.peer.isHalted).toBe(true)
    expect(fromLeader(h, packet(PacketType.PING, z(2, 0)))).toEqual([])
    expect(h.peer.nextDeadlineMs()).toBeNull()
  })

  it('ignores notifications from servers outside the configuration', () => {
    const h = new PeerHarness(1)
    h.step({ kind: 'start' })
    expect(h.notify(9, { leader: 9n })).toEqual([])
  })
})
