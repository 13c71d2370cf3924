// The ZAB trace observer on a scripted run of three real QuorumPeers: an in-process network delivers their
// notifications and quorum packets in order, persists complete at once, the clock moves to the next deadline when
// nothing is in flight. The trace sees exactly what QuorumHost gives it (each input before the step, the effects after).
import { describe, expect, it } from 'vitest'
import type { ZabEvent } from '../../../engine/node/quorum/zab-event'
import { ZabTrace } from '../../../engine/node/quorum/zab-trace'
import type { PeerInput } from '../../../engine/quorum/peer/inputs'
import { QuorumPeer } from '../../../engine/quorum/peer/quorum-peer'
import { MajorityQuorum } from '../../../engine/quorum/quorum-verifier'
import { MEMBERSHIP, TIMING, proposal } from './peer-harness'

interface Node {
  id: number
  peer: QuorumPeer
  trace: ZabTrace
  events: ZabEvent[]
  up: boolean
}

interface Link {
  learner: number
  attempt: number
  leader: number
}

class MiniEnsemble {
  nowMs = 10_000
  readonly nodes: Node[]
  private readonly queue: { to: number; input: PeerInput }[] = []
  private readonly links = new Map<number, Link>()
  private nextConnection = 1

  constructor(size: number) {
    const quorum = new MajorityQuorum(Array.from({ length: size }, (_, i) => i + 1))
    this.nodes = Array.from({ length: size }, (_, i) => {
      const peer = new QuorumPeer({ myId: i + 1, quorum, timing: TIMING, membershipText: MEMBERSHIP }, { currentEpoch: 0n, acceptedEpoch: 0n, lastLoggedZxid: 0n, recentProposals: [] })
      const events: ZabEvent[] = []
      // Txn windows are flushed by hand in these tests (no timers).
      const trace = new ZabTrace({ peer, nowMs: () => this.nowMs, wallMs: () => this.nowMs, schedule: () => () => undefined })
      trace.subscribe((_time, event) => events.push(event))
      return { id: i + 1, peer, trace, events, up: true }
    })
  }

  node(id: number): Node {
    return this.nodes[id - 1]!
  }

  send(to: number, input: PeerInput): void {
    this.queue.push({ to, input })
  }

  /** Delivers everything in flight, moving the clock to timers when idle, until `done` holds. */
  runUntil(done: () => boolean, limitMs = 120_000): void {
    const until = this.nowMs + limitMs
    while (!done()) {
      const next = this.queue.shift()
      if (next !== undefined) {
        this.step(next.to, next.input)
        continue
      }
      const due = Math.min(...this.nodes.filter((n) => n.up).map((n) => n.peer.nextDeadlineMs() ?? Number.POSITIVE_INFINITY))
      if (!Number.isFinite(due) || due > until) throw new Error('the ensemble stalled')
      this.nowMs = Math.max(this.nowMs, due)
      for (const n of this.nodes) if (n.up && (n.peer.nextDeadlineMs() ?? Number.POSITIVE_INFINITY) <= this.nowMs) this.step(n.id, { kind: 'tick' })
    }
  }

  kill(id: number): void {
    this.node(id).up = false
    for (const [connection, link] of this.links) {
      if (link.leader === id) this.send(link.learner, { kind: 'leaderDisconnected', attempt: link.attempt })
      if (link.learner === id) this.send(link.leader, { kind: 'learnerDisconnected', connection })
      if (link.leader === id || link.learner === id) this.links.delete(connection)
    }
  }

  private step(id: number, input: PeerInput): void {
    const n = this.node(id)
    if (!n.up) return
    n.trace.input(input)
    n.peer.step(this.nowMs, input)
    const effects = n.peer.takeEffects()
    n.trace.effects(effects)
    for (const effect of effects) {
      switch (effect.kind) {
        case 'sendNotification':
          if (this.node(effect.to).up) this.send(effect.to, { kind: 'notification', from: id, notification: effect.notification })
          break
        case 'connectToLeader': {
          const leader = this.node(effect.leader)
          if (!leader.up || leader.peer.leader === null) {
            this.send(id, { kind: 'leaderConnectFailed', attempt: effect.attempt })
            break
          }
          const connection = this.nextConnection++
          this.links.set(connection, { learner: id, attempt: effect.attempt, leader: effect.leader })
          this.send(effect.leader, { kind: 'learnerConnected', connection })
          this.send(id, { kind: 'leaderConnected', attempt: effect.attempt })
          break
        }
        case 'sendToLeader': {
          const entry = [...this.links].find(([, link]) => link.learner === id && link.attempt === effect.attempt)
          if (entry !== undefined) this.send(entry[1].leader, { kind: 'fromLearner', connection: entry[0], packet: effect.packet })
          break
        }
        case 'sendToLearner': {
          const link = this.links.get(effect.connection)
          if (link !== undefined) this.send(link.learner, { kind: 'fromLeader', attempt: link.attempt, packet: effect.packet })
          break
        }
        case 'closeLearnerConnection': {
          const link = this.links.get(effect.connection)
          this.links.delete(effect.connection)
          if (link !== undefined) this.send(link.learner, { kind: 'leaderDisconnected', attempt: link.attempt })
          break
        }
        case 'closeLeaderConnection': {
          const entry = [...this.links].find(([, link]) => link.learner === id && link.attempt === effect.attempt)
          if (entry !== undefined) {
            this.links.delete(entry[0])
            this.send(entry[1].leader, { kind: 'learnerDisconnected', connection: entry[0] })
          }
          break
        }
        case 'persist':
          this.send(id, { kind: 'persisted', ticket: effect.ticket })
          break
        case 'sendSnapshotToLearner':
          throw new Error('fresh members sync by DIFF; no snapshot expected')
        default:
          break
      }
    }
  }
}

const serving = (ensemble: MiniEnsemble, ids: number[]) => () => ids.every((id) => ensemble.node(id).peer.serving !== null)
const ofType = <T extends ZabEvent['type']>(events: ZabEvent[], type: T) => events.filter((event): event is Extract<ZabEvent, { type: T }> => event.type === type)

function startedEnsemble(): MiniEnsemble {
  const ensemble = new MiniEnsemble(3)
  for (const n of ensemble.nodes) ensemble.send(n.id, { kind: 'start' })
  ensemble.runUntil(serving(ensemble, [1, 2, 3]))
  return ensemble
}

describe('ZabTrace on a scripted three-member ensemble', () => {
  it('reports LOOKING, votes converging on the highest sid, notifications, the result and the syncs', () => {
    const ensemble = startedEnsemble()
    for (const n of ensemble.nodes) {
      expect(n.events[0]).toEqual({ type: 'state', state: 'LOOKING', leader: null })
      const votes = ofType(n.events, 'vote').map((event) => event.vote)
      // Everyone starts by voting for itself in round 1 and ends voting for 3 (same zxid and epoch: the highest sid).
      expect(votes[0]).toEqual({ leader: n.id, zxid: '0x0', epoch: 0, round: 1 })
      expect(votes.at(-1)).toEqual({ leader: 3, zxid: '0x0', epoch: 0, round: 1 })
      expect(ofType(n.events, 'notification').length).toBeGreaterThan(0)
      const elected = ofType(n.events, 'elected')
      expect(elected).toHaveLength(1)
      expect(elected[0]).toMatchObject({ leader: 3, state: n.id === 3 ? 'LEADING' : 'FOLLOWING' })
      expect(elected[0]!.electionMs).toBeGreaterThanOrEqual(0)
      console.log(`member ${n.id}: votes ${votes.map((vote) => vote.leader).join(' → ')}, election ${elected[0]!.electionMs} ms (simulated)`)
    }
    expect(ofType(ensemble.node(3).events, 'established')).toEqual([{ type: 'established', epoch: 1 }])
    for (const id of [1, 2]) expect(ofType(ensemble.node(id).events, 'synced')).toEqual([{ type: 'synced', leader: 3, epoch: 1, sync: 'diff' }])
    // Notifications carry the sender's state and vote.
    const heard = ofType(ensemble.node(1).events, 'notification')
    expect(heard.some((event) => event.from === 3 && event.vote.leader === 3 && event.state === 'LOOKING')).toBe(true)
  })

  it('aggregates proposals and commits per window instead of one event per txn', () => {
    const ensemble = startedEnsemble()
    const leader = ensemble.node(3).peer.leader!
    const first = leader.nextZxid()
    for (let i = 0; i < 5; i++) {
      ensemble.send(3, { kind: 'propose', proposal: proposal(leader.nextZxid() + BigInt(i)) })
    }
    ensemble.runUntil(() => ensemble.nodes.every((n) => n.peer.db.lastProcessedZxid >= first + 4n))
    for (const n of ensemble.nodes) {
      n.trace.flush()
      const txns = ofType(n.events, 'txns')
      expect(txns).toHaveLength(1)
      expect(txns[0]).toMatchObject({ proposals: 5, commits: 5, firstZxid: `0x${first.toString(16)}`, lastZxid: `0x${(first + 4n).toString(16)}` })
    }
  })

  it('shows a new election, in a new round, when the leader dies', () => {
    const ensemble = startedEnsemble()
    for (const n of ensemble.nodes) n.events.length = 0
    ensemble.kill(3)
    ensemble.runUntil(() => [1, 2].every((id) => ofType(ensemble.node(id).events, 'synced').length + ofType(ensemble.node(id).events, 'established').length > 0))
    for (const id of [1, 2]) {
      const events = ensemble.node(id).events
      expect(events[0]).toEqual({ type: 'state', state: 'LOOKING', leader: null })
      const votes = ofType(events, 'vote').map((event) => event.vote)
      expect(votes.every((vote) => vote.round === 2)).toBe(true)
      expect(votes.at(-1)!.leader).toBe(2)
      expect(ofType(events, 'elected')[0]).toMatchObject({ leader: 2, state: id === 2 ? 'LEADING' : 'FOLLOWING' })
    }
  })

  it('keeps what happened before the first subscriber and hands it over', () => {
    const peer = new QuorumPeer(
      { myId: 1, quorum: new MajorityQuorum([1, 2, 3]), timing: TIMING, membershipText: MEMBERSHIP },
      { currentEpoch: 0n, acceptedEpoch: 0n, lastLoggedZxid: 0n, recentProposals: [] },
    )
    const trace = new ZabTrace({ peer, nowMs: () => 0, wallMs: () => 42 })
    trace.input({ kind: 'start' })
    peer.step(0, { kind: 'start' })
    trace.effects(peer.takeEffects())
    const seen: [number, ZabEvent][] = []
    trace.subscribe((time, event) => seen.push([time, event]))
    expect(seen[0]).toEqual([42, { type: 'state', state: 'LOOKING', leader: null }])
    expect(seen[1]).toEqual([42, { type: 'vote', vote: { leader: 1, zxid: '0x0', epoch: 0, round: 1 } }])
  })
})
