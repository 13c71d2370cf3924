import type { QuorumPacket } from '../wire/quorum-packet'

/**
 * Where a leader is with one learner connection (`LearnerHandler.run`, one step per stage):
 * info → (epoch) → ackEpoch → (electing) → newLeaderAck → (startup) → broadcast.
 * In the stages in parentheses the handler waits for the leader, not for the learner, and does not read.
 */
export type HandlerStage = 'info' | 'epoch' | 'ackEpoch' | 'electing' | 'newLeaderAck' | 'startup' | 'broadcast' | 'closed'

const READING_STAGES: ReadonlySet<HandlerStage> = new Set(['info', 'ackEpoch', 'newLeaderAck', 'broadcast'])

/** Packets a learner may send while its handler is not reading, before we give up on it. */
export const HANDLER_INBOX_LIMIT = 10_000

export class LearnerHandler {
  /** The learner's sid, once its FOLLOWERINFO/OBSERVERINFO arrived (0 before: never a voter). */
  sid = 0
  observer = false
  stage: HandlerStage = 'info'
  /** Socket read timeout: initLimit ticks until the NEWLEADER ack, syncLimit ticks after. */
  readTimeoutMs: number
  readDeadlineMs: number
  /** Deadline of a wait on the leader (epoch decided, epoch acked by a quorum, NEWLEADER acked by a quorum). */
  waitDeadlineMs = Number.POSITIVE_INFINITY
  lastAcceptedEpoch = -1n
  peerLastZxid = -1n
  /** In the leader's forwarding (followers) or observing set: receives proposals/commits or informs. */
  forwarding = false
  /** Sync packets are queued: pings may go out. */
  sendingStarted = false
  /** `tickOfNextAckDeadline`: the learner counts as synced while the leader's tick is at most this. */
  tickOfNextAckDeadline: number
  readonly syncLimitCheck = new SyncLimitCheck()
  /** Packets that arrived while the handler was waiting on the leader; read once it reads again. */
  readonly inbox: QuorumPacket[] = []

  constructor(
    readonly connection: number,
    nowMs: number,
    initTimeoutMs: number,
    initialAckDeadlineTick: number,
  ) {
    this.readTimeoutMs = initTimeoutMs
    this.readDeadlineMs = nowMs + initTimeoutMs
    this.tickOfNextAckDeadline = initialAckDeadlineTick
  }

  get reading(): boolean {
    return READING_STAGES.has(this.stage)
  }

  get deadlineMs(): number {
    if (this.stage === 'closed') return Number.POSITIVE_INFINITY
    return Math.min(this.reading ? this.readDeadlineMs : Number.POSITIVE_INFINITY, this.waitDeadlineMs)
  }

  describe(): string {
    return `learner ${this.sid === 0 ? `on connection ${this.connection}` : `sid ${this.sid}`}`
  }
}

/**
 * `LearnerHandler.SyncLimitCheck`: tracks the oldest proposal sent to the learner and not yet ACKed (and the one
 * after it). If it stays un-ACKed longer than syncLimit ticks, the next ping closes the connection.
 */
export class SyncLimitCheck {
  private started = false
  private current: { zxid: bigint; timeMs: number } | null = null
  private next: { zxid: bigint; timeMs: number } | null = null

  start(): void {
    this.started = true
  }

  proposalSent(zxid: bigint, nowMs: number): void {
    if (!this.started) return
    if (this.current === null) this.current = { zxid, timeMs: nowMs }
    else this.next = { zxid, timeMs: nowMs }
  }

  ackReceived(zxid: bigint): void {
    if (this.current !== null && this.current.zxid === zxid) {
      this.current = this.next
      this.next = null
    } else if (this.next !== null && this.next.zxid === zxid) {
      this.next = null
    }
  }

  withinLimit(nowMs: number, syncTimeoutMs: number): boolean {
    return this.current === null || nowMs - this.current.timeMs < syncTimeoutMs
  }
}
