import { type ZabEvent, type ZabState, type ZabSyncKind, type ZabVote, sidNumber, smallNumber, zxidText } from '../node/quorum/zab-event'

/**
 * Reads an Apache ZooKeeper 3.8 member's log (log4j pattern of apache-launch.ts:
 * `%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n`) and turns the INFO lines about elections and syncs into
 * the same ZabEvents a ZooDesk member reports. Lines it does not know are skipped. One parser per member process
 * (it remembers the current election: when it began, our last vote, who leads).
 *
 * Apache logs every notification it receives, its own included (FastLeaderElection sends its proposal to every
 * voter, itself too): a notification from our own sid is our vote. Proposals and commits are not in the INFO log;
 * the cluster panel takes those from the health monitor's `mntr` samples.
 */
export interface ApacheZabRecord {
  /** Wall-clock ms of the log line (the JVM logs local time). */
  time: number
  event: ZabEvent
}

const LINE = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) \[myid:\d*\] - (\w+)\s+\[(.*?)\] - (.*)$/
const NOTIFICATION =
  /^Notification: my state:\w+; n\.sid:(\d+), n\.state:(\w+), n\.leader:(-?\d+), n\.round:0x([0-9a-f]+), n\.peerEpoch:0x([0-9a-f]+), n\.zxid:0x([0-9a-f]+)/
const ELECTION_TOOK = /^(LEADING|FOLLOWING|OBSERVING) - LEADER ELECTION TOOK - (\d+) MS$/i
const SYNC_KIND = /^Peer state changed: (?:following|observing) - synchronization - (diff|snap|trunc)$/
const LEARNER_BROADCAST = /^Peer state changed: (?:following|observing) - broadcast$/
const QUORUM_OF_SUPPORTERS = /^Have quorum of supporters, sids: .*setting last processed zxid: 0x([0-9a-f]+)/
const OBSERVING_LEADER = /^Observing new leader sid=(\d+)/
const STATES: readonly string[] = ['LOOKING', 'FOLLOWING', 'LEADING', 'OBSERVING']

/** A log line's time stamp (local time, as the JVM wrote it) in ms since the epoch. */
function lineTime(match: RegExpMatchArray): number {
  const [year, month, day, hour, minute, second, millis] = match.slice(1, 8).map(Number) as [number, number, number, number, number, number, number]
  return new Date(year, month - 1, day, hour, minute, second, millis).getTime()
}

function isState(value: string): value is ZabState {
  return STATES.includes(value)
}

export class ApacheZabLogParser {
  private electionStart: number | null = null
  private lastVoteKey = ''
  private ownVoteLeader: number | null = null
  /** A peer that told us it leads, in this election (a member joining an ensemble that runs already). */
  private announcedLeader: number | null = null
  private leader: number | null = null
  private syncKind: ZabSyncKind | null = null
  private establishedEpoch: number | null = null

  constructor(private readonly myId: number) {}

  /** The events in one log line (usually none). */
  line(text: string): ApacheZabRecord[] {
    const match = LINE.exec(text.trimEnd())
    if (match === null) return []
    const time = lineTime(match)
    const message = match[10]!
    const events = this.message(time, message)
    return events.map((event) => ({ time, event }))
  }

  private message(time: number, message: string): ZabEvent[] {
    if (message.startsWith('Notification: ')) return this.notification(message)
    if (isState(message)) return this.state(time, message)
    const took = ELECTION_TOOK.exec(message)
    if (took !== null) {
      const state = took[1]!.toUpperCase() as ZabState
      if (state === 'OBSERVING' || this.leader === null) return []
      this.electionStart = null
      return [{ type: 'elected', state, leader: this.leader, electionMs: Number(took[2]) }]
    }
    const observing = OBSERVING_LEADER.exec(message)
    if (observing !== null) {
      this.leader = Number(observing[1])
      const started = this.electionStart
      this.electionStart = null
      return [{ type: 'elected', state: 'OBSERVING', leader: this.leader, electionMs: started === null ? null : Math.max(0, time - started) }]
    }
    const sync = SYNC_KIND.exec(message)
    if (sync !== null) {
      this.syncKind = sync[1] as ZabSyncKind
      return []
    }
    if (LEARNER_BROADCAST.test(message)) {
      const event: ZabEvent = { type: 'synced', leader: this.leader, epoch: null, sync: this.syncKind }
      this.syncKind = null
      return [event]
    }
    const supporters = QUORUM_OF_SUPPORTERS.exec(message)
    if (supporters !== null) {
      this.establishedEpoch = smallNumber(BigInt(`0x${supporters[1]}`) >> 32n)
      return []
    }
    if (message === 'Peer state changed: leading - broadcast') return [{ type: 'established', epoch: this.establishedEpoch }]
    return []
  }

  private notification(message: string): ZabEvent[] {
    const match = NOTIFICATION.exec(message)
    if (match === null) return []
    const [, sid, state, leader, round, peerEpoch, zxid] = match as unknown as [string, string, string, string, string, string, string]
    if (!isState(state)) return []
    const vote: ZabVote = {
      leader: sidNumber(BigInt(leader)),
      zxid: zxidText(BigInt(`0x${zxid}`)),
      epoch: smallNumber(BigInt(`0x${peerEpoch}`)),
      round: smallNumber(BigInt(`0x${round}`)),
    }
    const from = Number(sid)
    if (from !== this.myId) {
      if (state === 'LEADING') this.announcedLeader = from
      return [{ type: 'notification', from, state, vote }]
    }
    // Our own proposal, looped back: a vote when it changed (Apache re-sends it after every notification time-out).
    const key = `${vote.leader}/${vote.zxid}/${vote.epoch}/${vote.round}`
    if (key === this.lastVoteKey) return []
    this.lastVoteKey = key
    this.ownVoteLeader = vote.leader
    return [{ type: 'vote', vote }]
  }

  private state(time: number, state: ZabState): ZabEvent[] {
    if (state === 'LOOKING') {
      this.electionStart = time
      this.lastVoteKey = ''
      this.ownVoteLeader = null
      this.announcedLeader = null
      this.leader = null
      this.syncKind = null
      this.establishedEpoch = null
      return [{ type: 'state', state, leader: null }]
    }
    this.leader = state === 'LEADING' ? this.myId : state === 'FOLLOWING' ? (this.announcedLeader ?? this.ownVoteLeader) : null
    return [{ type: 'state', state, leader: this.leader }]
  }
}

/** Splits appended log text into whole lines; the incomplete tail waits for the next chunk. */
export class LineSplitter {
  private rest = ''

  push(chunk: string): string[] {
    const text = this.rest + chunk
    const lines = text.split('\n')
    this.rest = lines.pop() ?? ''
    // A line without an end is still a line when it is all we will get (see end()).
    return lines
  }

  /** The unfinished last line, if any (the process ended). */
  end(): string[] {
    const rest = this.rest
    this.rest = ''
    return rest === '' ? [] : [rest]
  }
}
