import { describe, expect, it } from 'vitest'
import { DEFAULT_ELECTION_TIMING, type ElectionDecision, FastLeaderElection, type ProposedVote } from '../../../engine/quorum/election/fast-leader-election'
import { totalOrderPredicate, vote, votesEqual } from '../../../engine/quorum/election/vote'
import { MajorityQuorum } from '../../../engine/quorum/quorum-verifier'
import { type Notification, ServerState } from '../../../engine/quorum/wire/notification'
import { LONG_MIN, makeZxid } from '../../../engine/quorum/zxid'

describe('vote order (totalOrderPredicate) and equality (Vote.equals)', () => {
  it('higher epoch wins, then higher zxid, then higher sid', () => {
    expect(totalOrderPredicate(1n, 5n, 2n, 3n, 9n, 1n)).toBe(true)
    expect(totalOrderPredicate(1n, 9n, 1n, 3n, 5n, 1n)).toBe(true)
    expect(totalOrderPredicate(3n, 5n, 1n, 1n, 5n, 1n)).toBe(true)
    expect(totalOrderPredicate(1n, 5n, 1n, 1n, 5n, 1n)).toBe(false)
    expect(totalOrderPredicate(LONG_MIN, LONG_MIN, LONG_MIN, 1n, 0n, 0n)).toBe(false)
  })

  it('compares LOOKING votes fully, out-of-election votes by id and peerEpoch, mixed versions by id only', () => {
    const looking = vote(2n, 7n, 3n, 1n)
    expect(votesEqual(looking, vote(2n, 7n, 3n, 1n, ServerState.FOLLOWING))).toBe(true)
    expect(votesEqual(looking, vote(2n, 8n, 3n, 1n, ServerState.FOLLOWING))).toBe(false)
    const following = vote(2n, 7n, 3n, 1n, ServerState.FOLLOWING, 2)
    expect(votesEqual(following, vote(2n, 99n, 9n, 1n, ServerState.LEADING, 2))).toBe(true)
    expect(votesEqual(following, vote(2n, 7n, 3n, 2n, ServerState.LEADING, 2))).toBe(false)
    expect(votesEqual(following, vote(2n, 7n, 3n, 2n, ServerState.LEADING, 0))).toBe(true)
  })
})

interface Message {
  from: number
  to: number
  notification: Notification
}

/** Elections of several members wired through an in-memory bus (loopback included), on a manual clock. */
class Bus {
  nowMs = 0
  readonly pending: Message[] = []
  readonly elections = new Map<number, FastLeaderElection>()
  readonly decisions = new Map<number, ElectionDecision>()
  readonly sent: Message[] = []

  constructor(
    readonly quorum: MajorityQuorum,
    timing: Partial<typeof DEFAULT_ELECTION_TIMING> = {},
  ) {
    for (const id of [...quorum.voters, ...quorum.observers]) {
      const election = new FastLeaderElection(
        { myId: id, quorum, participant: quorum.isVoter(id), ...DEFAULT_ELECTION_TIMING, ...timing },
        {
          sendNotification: (to: number, proposal: ProposedVote) => {
            const message = { from: id, to, notification: { state: ServerState.LOOKING, ...proposal, version: 2, config: null } }
            this.pending.push(message)
            this.sent.push(message)
          },
          log: () => {},
        },
      )
      this.elections.set(id, election)
    }
  }

  start(id: number, lastLoggedZxid: bigint, currentEpoch: bigint): void {
    this.elections.get(id)!.start(this.nowMs, lastLoggedZxid, currentEpoch)
  }

  /** Delivers every pending message (and whatever they cause), dropping those `drop` selects. */
  deliverAll(drop: (m: Message) => boolean = () => false): void {
    while (this.pending.length > 0) {
      const m = this.pending.shift()!
      if (drop(m)) continue
      this.receive(m.to, m.from, m.notification)
    }
  }

  receive(to: number, from: number, notification: Notification): void {
    const decision = this.elections.get(to)!.receive(this.nowMs, from, notification)
    if (decision !== null) this.decisions.set(to, decision)
  }

  advance(ms: number): void {
    this.nowMs += ms
    for (const [id, election] of this.elections) {
      const decision = election.tick(this.nowMs)
      if (decision !== null) this.decisions.set(id, decision)
    }
  }
}

const majority = (...voters: number[]) => new MajorityQuorum(voters)

describe('FastLeaderElection', () => {
  it('elects the member with the highest (epoch, zxid, sid) once a quorum agrees and finalizeWait passes', () => {
    const bus = new Bus(majority(1, 2, 3))
    bus.start(1, makeZxid(1n, 9n), 1n)
    bus.start(2, makeZxid(2n, 1n), 2n) // higher epoch beats the longer log
    bus.start(3, makeZxid(2n, 1n), 2n) // same epoch and zxid as 2: the higher sid wins
    bus.deliverAll()
    expect(bus.decisions.size).toBe(0)
    bus.advance(199)
    expect(bus.decisions.size).toBe(0)
    bus.advance(1)
    expect(bus.decisions.get(3)).toMatchObject({ state: ServerState.LEADING, vote: { id: 3n, zxid: makeZxid(2n, 1n), peerEpoch: 2n, electionEpoch: 1n } })
    expect(bus.decisions.get(1)).toMatchObject({ state: ServerState.FOLLOWING, vote: { id: 3n } })
    expect(bus.decisions.get(2)).toMatchObject({ state: ServerState.FOLLOWING, vote: { id: 3n } })
  })

  it('a better vote arriving during finalizeWait reopens the round', () => {
    const bus = new Bus(majority(1, 2, 3))
    bus.start(1, 5n, 1n)
    bus.start(2, 4n, 1n)
    bus.deliverAll((m) => m.from === 3 || m.to === 3)
    bus.advance(150)
    expect(bus.decisions.size).toBe(0)
    bus.start(3, 6n, 1n)
    bus.deliverAll((m) => m.to === 3)
    bus.advance(199)
    expect(bus.decisions.size).toBe(0)
    bus.advance(1)
    expect(bus.decisions.get(1)?.vote.id).toBe(3n)
    expect(bus.decisions.get(2)?.vote.id).toBe(3n)
  })

  it('adopts a higher round, forgets the votes of the old one, and ignores lower rounds', () => {
    const bus = new Bus(majority(1, 2, 3))
    const one = bus.elections.get(1)!
    bus.start(1, 5n, 1n)
    bus.pending.length = 0
    bus.receive(1, 2, { state: ServerState.LOOKING, leader: 2n, zxid: 3n, electionEpoch: 7n, peerEpoch: 1n, version: 2, config: null })
    expect(one.logicalClock).toBe(7n)
    // It kept its own, better, vote and told everyone in the new round.
    expect(bus.pending.map((m) => [m.to, m.notification.leader, m.notification.electionEpoch])).toEqual([
      [1, 1n, 7n],
      [2, 1n, 7n],
      [3, 1n, 7n],
    ])
    bus.pending.length = 0
    bus.receive(1, 3, { state: ServerState.LOOKING, leader: 3n, zxid: 99n, electionEpoch: 6n, peerEpoch: 9n, version: 2, config: null })
    expect(one.proposal().id).toBe(1n)
    expect(bus.pending).toEqual([])
  })

  it('backs off re-sending notifications from 200 ms, doubling up to the maximum', () => {
    const bus = new Bus(majority(1, 2, 3), { maxNotificationIntervalMs: 1_600 })
    bus.start(1, 0n, 0n)
    const resends: number[] = []
    for (let t = 0; t < 6_000; t += 10) {
      const before = bus.sent.length
      bus.advance(10)
      if (bus.sent.length > before) resends.push(bus.nowMs)
    }
    expect(resends.slice(0, 6)).toEqual([200, 600, 1_400, 3_000, 4_600, 6_200].filter((t) => t <= 6_000))
  })

  it('ignores a zxid of -1 and votes from or for non-voters', () => {
    const bus = new Bus(new MajorityQuorum([1, 2, 3], [4]))
    bus.start(1, 5n, 1n)
    bus.pending.length = 0
    bus.receive(1, 2, { state: ServerState.LOOKING, leader: 2n, zxid: -1n, electionEpoch: 1n, peerEpoch: 9n, version: 2, config: null })
    bus.receive(1, 4, { state: ServerState.LOOKING, leader: 4n, zxid: 99n, electionEpoch: 1n, peerEpoch: 9n, version: 2, config: null })
    bus.receive(1, 2, { state: ServerState.LOOKING, leader: 4n, zxid: 99n, electionEpoch: 1n, peerEpoch: 9n, version: 2, config: null })
    expect(bus.elections.get(1)!.proposal().id).toBe(1n)
    expect(bus.pending).toEqual([])
  })

  it('a late joiner follows the established leader from FOLLOWING/LEADING votes of an earlier round', () => {
    const bus = new Bus(majority(1, 2, 3))
    bus.start(3, 0n, 0n)
    bus.start(3, 0n, 0n) // a restarted member ends up in a later round than the ensemble's
    bus.pending.length = 0
    const established = { zxid: makeZxid(1n, 4n), electionEpoch: 1n, peerEpoch: 2n, version: 2, config: null }
    bus.receive(3, 1, { state: ServerState.LEADING, leader: 1n, ...established })
    expect(bus.decisions.size).toBe(0) // one vote is not a quorum
    bus.receive(3, 2, { state: ServerState.FOLLOWING, leader: 1n, ...established })
    expect(bus.decisions.get(3)).toMatchObject({ state: ServerState.FOLLOWING, vote: { id: 1n, electionEpoch: 1n, peerEpoch: 2n } })
    expect(bus.elections.get(3)!.logicalClock).toBe(1n)
  })

  it('does not follow a quorum of FOLLOWING votes until the leader itself says LEADING', () => {
    const bus = new Bus(majority(1, 2, 3, 4, 5))
    bus.start(5, 0n, 0n)
    const following = { state: ServerState.FOLLOWING, leader: 1n, zxid: 0n, electionEpoch: 3n, peerEpoch: 1n, version: 2, config: null } as const
    bus.receive(5, 2, following)
    bus.receive(5, 3, following)
    bus.receive(5, 4, following)
    expect(bus.decisions.size).toBe(0)
    bus.receive(5, 1, { ...following, state: ServerState.LEADING })
    expect(bus.decisions.get(5)?.vote.id).toBe(1n)
  })

  it('observers propose Long.MIN_VALUE, never win, and decide OBSERVING', () => {
    const bus = new Bus(new MajorityQuorum([1, 2], [3]))
    bus.start(1, 4n, 1n)
    bus.start(2, 4n, 1n)
    bus.start(3, 99n, 5n)
    expect(bus.sent.filter((m) => m.from === 3).map((m) => [m.to, m.notification.leader, m.notification.zxid])).toEqual([
      [1, LONG_MIN, LONG_MIN],
      [2, LONG_MIN, LONG_MIN],
    ])
    // Voters never take an observer's notification into their election (the peer answers it instead).
    bus.deliverAll((m) => m.from === 3)
    bus.advance(200)
    expect(bus.decisions.get(2)?.state).toBe(ServerState.LEADING)
    expect(bus.decisions.get(1)?.state).toBe(ServerState.FOLLOWING)
    const looking = { state: ServerState.LOOKING, leader: 2n, zxid: 4n, electionEpoch: 1n, peerEpoch: 1n, version: 2, config: null } as const
    bus.receive(3, 1, looking)
    bus.receive(3, 2, looking)
    bus.advance(200)
    expect(bus.decisions.get(3)).toMatchObject({ state: ServerState.OBSERVING, vote: { id: 2n } })
  })

  it('a single voter elects itself', () => {
    const bus = new Bus(majority(7))
    bus.start(7, 0n, 0n)
    bus.deliverAll()
    bus.advance(200)
    expect(bus.decisions.get(7)?.state).toBe(ServerState.LEADING)
  })
})
