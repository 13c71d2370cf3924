import { ErrorCode, KeeperError } from '../proto'
import { ExpiryQueue } from './expiry-queue'
import { initialSessionId, nextSessionId } from './session-identity'

export interface Session {
  readonly sessionId: bigint
  timeoutMs: number
  /** Set when a closeSession is on its way (expiry or client close): touches fail, new requests are dropped. */
  closing: boolean
}

/**
 * Apache's SessionTrackerImpl for a standalone server (and the leader): who is alive, until when, and which id comes
 * next. Time comes in as arguments; the caller owns the clock and the timer.
 */
export class SessionTracker {
  private readonly sessionsById = new Map<bigint, Session>()
  private readonly expiry: ExpiryQueue<Session>
  private nextId: bigint

  constructor(
    tickTimeMs: number,
    serverId: number,
    nowMs: number,
    wallClockMs: number,
  ) {
    this.expiry = new ExpiryQueue<Session>(tickTimeMs, nowMs)
    this.nextId = initialSessionId(serverId, wallClockMs)
  }

  /** Allocates an id and starts tracking it (before its createSession txn is logged, as Apache does). */
  createSession(timeoutMs: number, nowMs: number): bigint {
    const sessionId = this.nextId
    this.nextId = nextSessionId(sessionId)
    this.trackSession(sessionId, timeoutMs, nowMs)
    return sessionId
  }

  /** Tracks a session (new, restored from storage, or replayed); an existing one keeps its state but is touched. */
  trackSession(sessionId: bigint, timeoutMs: number, nowMs: number): boolean {
    let session = this.sessionsById.get(sessionId)
    const added = session === undefined
    if (session === undefined) {
      session = { sessionId, timeoutMs, closing: false }
      this.sessionsById.set(sessionId, session)
    }
    this.expiry.update(session, timeoutMs, nowMs)
    return added
  }

  /**
   * Tracks exactly these sessions, each re-armed for a full timeout from now (a new leader takes over the sessions of
   * its database; a learner's tracker follows a snapshot from the leader). Nothing is left closing.
   */
  replaceAll(sessions: ReadonlyMap<bigint, number>, nowMs: number): void {
    for (const session of [...this.sessionsById.values()]) {
      if (!sessions.has(session.sessionId)) this.removeSession(session.sessionId)
    }
    for (const [sessionId, timeoutMs] of sessions) {
      const session = this.sessionsById.get(sessionId)
      if (session !== undefined) session.closing = false
      this.trackSession(sessionId, timeoutMs, nowMs)
    }
  }

  get(sessionId: bigint): Session | undefined {
    return this.sessionsById.get(sessionId)
  }

  /** False when the session is unknown or closing (the request is then dropped without a reply). */
  touchSession(sessionId: bigint, timeoutMs: number, nowMs: number): boolean {
    const session = this.sessionsById.get(sessionId)
    if (session === undefined || session.closing) return false
    this.expiry.update(session, timeoutMs, nowMs)
    return true
  }

  /** Re-validation on reconnect: the session's timeout becomes the newly negotiated one. */
  revalidate(sessionId: bigint, timeoutMs: number, nowMs: number): boolean {
    const session = this.sessionsById.get(sessionId)
    if (session === undefined || session.closing) return false
    session.timeoutMs = timeoutMs
    this.expiry.update(session, timeoutMs, nowMs)
    return true
  }

  /** Throws as Apache's checkSession: unknown → UNKNOWNSESSION, closing → SESSIONEXPIRED. */
  checkSession(sessionId: bigint): void {
    const session = this.sessionsById.get(sessionId)
    if (session === undefined) throw new KeeperError(ErrorCode.UNKNOWNSESSION)
    if (session.closing) throw new KeeperError(ErrorCode.SESSIONEXPIRED)
  }

  /** checkGlobalSession: an unknown session counts as expired (ephemeral creates). */
  checkGlobalSession(sessionId: bigint): void {
    const session = this.sessionsById.get(sessionId)
    if (session === undefined || session.closing) throw new KeeperError(ErrorCode.SESSIONEXPIRED)
  }

  setSessionClosing(sessionId: bigint): void {
    const session = this.sessionsById.get(sessionId)
    if (session !== undefined) session.closing = true
  }

  removeSession(sessionId: bigint): void {
    const session = this.sessionsById.get(sessionId)
    if (session === undefined) return
    this.sessionsById.delete(sessionId)
    this.expiry.remove(session)
  }

  /** Sessions whose bucket is due, already marked closing; the caller submits their closeSession txns. */
  expireDue(nowMs: number): Session[] {
    const expired: Session[] = []
    while (this.expiry.waitMs(nowMs) === 0) {
      for (const session of this.expiry.poll(nowMs)) {
        // A session already closing has its closeSession in flight; a second one would only burn a zxid.
        if (!this.sessionsById.has(session.sessionId) || session.closing) continue
        session.closing = true
        expired.push(session)
      }
    }
    return expired
  }

  nextExpiryCheckMs(): number {
    return this.expiry.nextDueMs
  }

  get size(): number {
    return this.sessionsById.size
  }

  sessions(): IterableIterator<Session> {
    return this.sessionsById.values()
  }

  /** session id → timeout, what a snapshot stores. */
  sessionTimeouts(): Map<bigint, number> {
    const timeouts = new Map<bigint, number>()
    for (const session of this.sessionsById.values()) timeouts.set(session.sessionId, session.timeoutMs)
    return timeouts
  }

  expiryBuckets(): Array<[expiryMs: number, sessions: ReadonlySet<Session>]> {
    return this.expiry.buckets()
  }

  get expiryBucketCount(): number {
    return this.expiry.bucketCount
  }
}
