import type { Effect } from '../../quorum/peer/effects'
import type { PeerInput } from '../../quorum/peer/inputs'
import type { QuorumPeer } from '../../quorum/peer/quorum-peer'
import { type Notification, ServerState, serverStateName } from '../../quorum/wire/notification'
import { PacketType } from '../../quorum/wire/packet-type'
import { type ZabEvent, type ZabSyncKind, type ZabVote, sidNumber, smallNumber, zxidText } from './zab-event'

/** Proposal and commit counts go out at most this often (a busy leader commits thousands of txns a second). */
export const TXN_WINDOW_MS = 250
/** Events kept until someone subscribes (a member's first election happens before its cluster link is wired). */
const UNSUBSCRIBED_LIMIT = 500

export type ZabTraceListener = (time: number, event: ZabEvent) => void

/** What a member offers those who want its trace (the cluster link). */
export interface ZabTraceSource {
  /** Events recorded before the first subscriber are delivered to it at once. Returns the unsubscribe function. */
  subscribe(listener: ZabTraceListener): () => void
}

export interface ZabTraceOptions {
  /** The machine watched: read for the learner's stage, its leader and our sid. */
  peer: Pick<QuorumPeer, 'learner' | 'leader' | 'leaderId' | 'myId'>
  /** Monotonic clock, for durations. */
  nowMs: () => number
  /** Wall clock, for the time stamped on each event. Default Date.now. */
  wallMs?: () => number
  windowMs?: number
  /** How the txn window's flush is scheduled. Default an unref'd setTimeout. */
  schedule?: (run: () => void, delayMs: number) => () => void
}

function defaultSchedule(run: () => void, delayMs: number): () => void {
  const timer = setTimeout(run, delayMs)
  timer.unref()
  return () => clearTimeout(timer)
}

function voteOf(n: Pick<Notification, 'leader' | 'zxid' | 'peerEpoch' | 'electionEpoch'>): ZabVote {
  return { leader: sidNumber(n.leader), zxid: zxidText(n.zxid), epoch: smallNumber(n.peerEpoch), round: smallNumber(n.electionEpoch) }
}

/**
 * Turns what a member's QuorumPeer sees and does into ZabEvents. The host passes it every input before the step and
 * every batch of effects after (as it does for QuorumStatus). Our own vote is read from the notifications we send
 * while LOOKING (the election sends its proposal to every voter whenever it changes); a learner's sync kind from the
 * DIFF/TRUNC/SNAP its leader sent; proposals and commits are counted and reported once per window.
 */
export class ZabTrace implements ZabTraceSource {
  private readonly listeners = new Set<ZabTraceListener>()
  private readonly unsubscribed: { time: number; event: ZabEvent }[] = []
  private readonly wallMs: () => number
  private readonly windowMs: number
  private readonly schedule: (run: () => void, delayMs: number) => () => void
  private looking = false
  private electionStartMs: number | null = null
  private lastVoteKey = ''
  private syncKind: ZabSyncKind | null = null
  private state: ServerState = ServerState.LOOKING
  private window: { startMs: number; proposals: number; commits: number; first: bigint | null; last: bigint | null; cancel: () => void } | null = null
  private closed = false

  constructor(private readonly options: ZabTraceOptions) {
    this.wallMs = options.wallMs ?? Date.now
    this.windowMs = options.windowMs ?? TXN_WINDOW_MS
    this.schedule = options.schedule ?? defaultSchedule
  }

  subscribe(listener: ZabTraceListener): () => void {
    this.listeners.add(listener)
    for (const { time, event } of this.unsubscribed.splice(0)) this.deliver(listener, time, event)
    return () => this.listeners.delete(listener)
  }

  /** An input about to be stepped. */
  input(input: PeerInput): void {
    if (this.closed) return
    switch (input.kind) {
      case 'notification': {
        const n = input.notification
        return this.record({ type: 'notification', from: input.from, state: serverStateName(n.state), vote: voteOf(n) })
      }
      case 'propose':
        if (this.options.peer.leader?.phase === 'broadcast') this.countTxn('proposal', input.proposal.zxid)
        return
      case 'fromLeader':
        return this.fromLeader(input.packet.type, input.packet.zxid)
      default:
        return
    }
  }

  /** A batch of effects the machine produced (before or after the host performs them: nothing here waits). */
  effects(effects: readonly Effect[]): void {
    if (this.closed) return
    for (const effect of effects) {
      switch (effect.kind) {
        case 'sendNotification':
          // Only our proposals while electing; once decided we answer LOOKING peers with the settled vote.
          if (this.looking && effect.notification.state === ServerState.LOOKING) this.ownVote(voteOf(effect.notification))
          break
        case 'stateChanged':
          this.stateChanged(effect.state, effect.leader)
          break
        case 'serving':
          if (effect.serving) this.serving(effect.epoch)
          break
        case 'apply':
          this.countTxn('commit', effect.proposal.zxid)
          break
        default:
          break
      }
    }
  }

  /** Reports the open txn window now (the member stops, or a test wants it). */
  flush(): void {
    const window = this.window
    if (window === null) return
    this.window = null
    window.cancel()
    this.record({
      type: 'txns',
      proposals: window.proposals,
      commits: window.commits,
      firstZxid: window.first === null ? null : zxidText(window.first),
      lastZxid: window.last === null ? null : zxidText(window.last),
      windowMs: Math.max(0, Math.round(this.options.nowMs() - window.startMs)),
    })
  }

  close(): void {
    this.flush()
    this.closed = true
  }

  private ownVote(vote: ZabVote): void {
    const key = `${vote.leader}/${vote.zxid}/${vote.epoch}/${vote.round}`
    if (key === this.lastVoteKey) return
    this.lastVoteKey = key
    this.record({ type: 'vote', vote })
  }

  private stateChanged(state: ServerState, leader: number | null): void {
    this.state = state
    const name = serverStateName(state)
    this.record({ type: 'state', state: name, leader })
    if (state === ServerState.LOOKING) {
      this.looking = true
      this.electionStartMs = this.options.nowMs()
      this.lastVoteKey = ''
      this.syncKind = null
      return
    }
    this.looking = false
    const started = this.electionStartMs
    this.electionStartMs = null
    if (leader !== null) this.record({ type: 'elected', state: name, leader, electionMs: started === null ? null : Math.max(0, Math.round(this.options.nowMs() - started)) })
  }

  private serving(epoch: bigint): void {
    if (this.state === ServerState.LEADING) {
      this.record({ type: 'established', epoch: smallNumber(epoch) })
      return
    }
    this.record({ type: 'synced', leader: this.options.peer.leaderId, epoch: smallNumber(epoch), sync: this.syncKind })
    this.syncKind = null
  }

  private fromLeader(type: number, zxid: bigint): void {
    const learner = this.options.peer.learner
    if (learner === null) return
    if (learner.stage === 'sync' || learner.stage === 'leaderInfo') {
      if (type === PacketType.DIFF) this.syncKind = 'diff'
      else if (type === PacketType.SNAP) this.syncKind = 'snap'
      else if (type === PacketType.TRUNC) this.syncKind = 'trunc'
      return
    }
    if (learner.serving && type === PacketType.PROPOSAL) this.countTxn('proposal', zxid)
  }

  private countTxn(kind: 'proposal' | 'commit', zxid: bigint): void {
    let window = this.window
    if (window === null) {
      window = { startMs: this.options.nowMs(), proposals: 0, commits: 0, first: null, last: null, cancel: () => undefined }
      this.window = window
      window.cancel = this.schedule(() => this.flush(), this.windowMs)
    }
    if (kind === 'proposal') window.proposals++
    else window.commits++
    if (window.first === null || zxid < window.first) window.first = zxid
    if (window.last === null || zxid > window.last) window.last = zxid
  }

  private record(event: ZabEvent): void {
    const time = this.wallMs()
    if (this.listeners.size === 0) {
      this.unsubscribed.push({ time, event })
      if (this.unsubscribed.length > UNSUBSCRIBED_LIMIT) this.unsubscribed.shift()
      return
    }
    for (const listener of [...this.listeners]) this.deliver(listener, time, event)
  }

  private deliver(listener: ZabTraceListener, time: number, event: ZabEvent): void {
    try {
      listener(time, event)
    } catch {
      // a listener's failure (a closed channel) must never break the member
    }
  }
}
