// Pure derivations of a cluster's ZAB events (clusters.zab / clusters.timeline) for the cluster panel: each member's
// role over time (the lanes chart) and the elections, with who voted for whom and who won.
import type { ClusterZabEvent, ZabStateName } from '../../../main/contract/model'

export type LaneState = ZabStateName | 'down'

export interface LaneSegment {
  from: number
  /** null: still in this state. */
  to: number | null
  state: LaneState
  leader: number | null
}

export interface Lane {
  memberId: number
  segments: LaneSegment[]
}

/** Events in time order (stable: a member's own events keep their order when stamped the same ms). */
export function byTime(events: readonly ClusterZabEvent[]): ClusterZabEvent[] {
  return events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.time - b.event.time || a.index - b.index)
    .map(({ event }) => event)
}

/** One lane per member: its state from each 'state' event (and 'down' while its process is not running). */
export function roleLanes(events: readonly ClusterZabEvent[], memberIds: readonly number[]): Lane[] {
  const sorted = byTime(events)
  return memberIds.map((memberId) => {
    const segments: LaneSegment[] = []
    const enter = (time: number, state: LaneState, leader: number | null) => {
      const last = segments.at(-1)
      if (last !== undefined && last.to === null) {
        if (last.state === state && last.leader === leader) return
        last.to = time
      }
      segments.push({ from: time, to: null, state, leader })
    }
    for (const { memberId: id, time, event } of sorted) {
      if (id !== memberId) continue
      if (event.type === 'state') enter(time, event.state, event.leader)
      else if (event.type === 'member' && !event.running) enter(time, 'down', null)
      else if (event.type === 'elected') {
        // Apache names the leader of a follower with its "ELECTION TOOK" line's vote; fill it in.
        const last = segments.at(-1)
        if (last !== undefined && last.to === null && last.state === event.state && last.leader === null) last.leader = event.leader
      }
    }
    return { memberId, segments }
  })
}

export interface VoteStep {
  leader: number
  round: number
  zxid: string
  epoch: number
  time: number
}

export interface ElectionMember {
  memberId: number
  /** Its own votes in this election, consecutive repeats dropped: the path to agreement. */
  votes: VoteStep[]
  /** Notifications it received during the election. */
  heard: number
  result: { state: ZabStateName; leader: number; electionMs: number | null; time: number } | null
  /** How it caught up afterwards (learners), or that it established its epoch (leader). */
  sync: 'diff' | 'trunc' | 'snap' | null
  servingAt: number | null
}

export interface Election {
  /** When the first member went LOOKING. */
  start: number
  /** When the last member left LOOKING; null while someone still looks. */
  end: number | null
  rounds: number[]
  members: ElectionMember[]
  /** The leader most results name; null until one is known. */
  leader: number | null
  epoch: number | null
  /** The longest election time a member reported. */
  electionMs: number | null
}

/**
 * Elections: from the moment a member goes LOOKING while nobody else looks, to the moment nobody looks any more.
 * Votes and notifications count while it runs; results, syncs and the established epoch until the next election.
 * A member that restarts and joins a running ensemble makes an election of its own (it looks, then follows).
 */
export function elections(events: readonly ClusterZabEvent[]): Election[] {
  const sorted = byTime(events)
  const out: Election[] = []
  const looking = new Set<number>()
  let current: Election | null = null
  /** Only members that looked take part; the others just answered them (their notifications are not this story). */
  const memberOf = (election: Election, memberId: number): ElectionMember | undefined => election.members.find((one) => one.memberId === memberId)
  const join = (election: Election, memberId: number): ElectionMember => {
    let member = election.members.find((one) => one.memberId === memberId)
    if (member === undefined) {
      member = { memberId, votes: [], heard: 0, result: null, sync: null, servingAt: null }
      election.members.push(member)
      election.members.sort((a, b) => a.memberId - b.memberId)
    }
    return member
  }
  for (const { memberId, time, event } of sorted) {
    if (event.type === 'state' || event.type === 'member') {
      const nowLooking = event.type === 'state' && event.state === 'LOOKING'
      if (nowLooking) {
        if (looking.size === 0) {
          current = { start: time, end: null, rounds: [], members: [], leader: null, epoch: null, electionMs: null }
          out.push(current)
        }
        looking.add(memberId)
        if (current !== null) join(current, memberId)
      } else if (looking.delete(memberId) && looking.size === 0 && current !== null) {
        current.end = time
      }
      continue
    }
    if (current === null) continue
    const open = current.end === null
    switch (event.type) {
      case 'vote': {
        const member = memberOf(current, memberId)
        if (!open || member === undefined) break
        const last = member.votes.at(-1)
        if (last === undefined || last.leader !== event.vote.leader || last.round !== event.vote.round) {
          member.votes.push({ leader: event.vote.leader, round: event.vote.round, zxid: event.vote.zxid, epoch: event.vote.epoch, time })
        }
        if (!current.rounds.includes(event.vote.round)) current.rounds.push(event.vote.round)
        break
      }
      case 'notification': {
        const member = memberOf(current, memberId)
        if (open && member !== undefined) member.heard++
        break
      }
      case 'elected': {
        const member = memberOf(current, memberId)
        if (member === undefined) break
        member.result ??= { state: event.state, leader: event.leader, electionMs: event.electionMs, time }
        break
      }
      case 'established': {
        const member = memberOf(current, memberId)
        if (member !== undefined && member.servingAt === null) {
          member.servingAt = time
          current.epoch ??= event.epoch
        }
        break
      }
      case 'synced': {
        const member = memberOf(current, memberId)
        if (member !== undefined && member.servingAt === null) {
          member.servingAt = time
          member.sync = event.sync
          current.epoch ??= event.epoch
        }
        break
      }
      default:
        break
    }
  }
  for (const election of out) {
    election.rounds.sort((a, b) => a - b)
    const counts = new Map<number, number>()
    for (const member of election.members) if (member.result !== null) counts.set(member.result.leader, (counts.get(member.result.leader) ?? 0) + 1)
    election.leader = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? null
    const times = election.members.map((member) => member.result?.electionMs).filter((ms): ms is number => typeof ms === 'number')
    election.electionMs = times.length === 0 ? null : Math.max(...times)
  }
  return out
}

/** Members that looked and found a leader already running (a restart, a healed partition): nobody new was elected. */
export function isJoin(election: Election): boolean {
  return election.leader !== null && !election.members.some((member) => member.memberId === election.leader)
}

/** Colours of the lanes: CSS variables, so both themes get theirs. */
export const LANE_COLOURS: Record<LaneState, string> = {
  LOOKING: 'var(--warn)',
  LEADING: 'var(--accent)',
  FOLLOWING: 'var(--ok)',
  OBSERVING: 'var(--observer, #8e6bd8)',
  down: 'var(--danger)',
}
