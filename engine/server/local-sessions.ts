import { CreateRequest, ErrorCode, KeeperError, OpCode, createModeInfo } from '../proto'
import { decodeMulti, reader } from './requests'
import { type Session, SessionTracker } from './session-tracker'

/**
 * Who a member's sessions answer to, which decides how they are checked (Apache has one tracker class per role):
 * 'leader' (LeaderSessionTracker), 'learner' (LearnerSessionTracker: the leader owns global sessions),
 * 'read-only' (the same tracker under ReadOnlyZooKeeperServer), or 'none' (standalone, or not serving).
 */
export type SessionRole = 'none' | 'leader' | 'learner' | 'read-only'

/**
 * Sessions that live on this member only (Apache's LocalSessionTracker inside its UpgradeableSessionTracker): made
 * without a createSession txn, expired here, never known to the leader or to other members. A new set is made each
 * time the member takes a role, as Apache makes a new ZooKeeperServer (and tracker) per role.
 */
export class LocalSessions {
  private readonly tracker: SessionTracker
  /** Sessions whose createSession txn is on its way to the leader; they count as alive meanwhile. */
  private readonly upgrading = new Map<bigint, number>()

  constructor(tickTimeMs: number, serverId: number, nowMs: number, wallMs: number) {
    this.tracker = new SessionTracker(tickTimeMs, serverId, nowMs, wallMs)
  }

  create(timeoutMs: number, nowMs: number): bigint {
    return this.tracker.createSession(timeoutMs, nowMs)
  }

  has(sessionId: bigint): boolean {
    return this.tracker.get(sessionId) !== undefined
  }

  touch(sessionId: bigint, timeoutMs: number, nowMs: number): boolean {
    return this.tracker.touchSession(sessionId, timeoutMs, nowMs)
  }

  /** SessionTrackerImpl.checkSession: unknown → UNKNOWNSESSION, closing → SESSIONEXPIRED. */
  check(sessionId: bigint): void {
    this.tracker.checkSession(sessionId)
  }

  remove(sessionId: bigint): void {
    this.tracker.removeSession(sessionId)
  }

  /** Takes the session out of the local set for its upgrade; its timeout, or undefined when it is not local. */
  upgrade(sessionId: bigint): number | undefined {
    const session = this.tracker.get(sessionId)
    if (session === undefined) return undefined
    this.tracker.removeSession(sessionId)
    this.upgrading.set(sessionId, session.timeoutMs)
    return session.timeoutMs
  }

  isUpgrading(sessionId: bigint): boolean {
    return this.upgrading.has(sessionId)
  }

  /** Its createSession txn was applied: the session is global now, whatever was pending here goes. */
  committed(sessionId: bigint): void {
    this.upgrading.delete(sessionId)
    this.tracker.removeSession(sessionId)
  }

  /** Sessions whose time is up; they are already forgotten here (a local session needs no closeSession txn). */
  expireDue(nowMs: number): Session[] {
    const expired = this.tracker.expireDue(nowMs)
    for (const session of expired) this.tracker.removeSession(session.sessionId)
    return expired
  }

  nextExpiryCheckMs(): number {
    return this.tracker.nextExpiryCheckMs()
  }

  get size(): number {
    return this.tracker.size
  }
}

/** The server id a session was made by (the top byte of its id). */
function serverIdOf(sessionId: bigint): number {
  return Number(BigInt.asIntN(64, sessionId) >> 56n)
}

export interface MemberSessionOptions {
  readonly myId: number
  /** localSessionsEnabled on an ensemble member (standalone servers have no local sessions). */
  readonly localSessionsEnabled: boolean
  readonly upgradingEnabled: boolean
}

/**
 * The member's session tracker. Global sessions are tracked as before (and only they go into snapshots and SNAPs);
 * while the member has a role, local sessions are kept beside them and the checks follow Apache's tracker of that
 * role. Standalone (role 'none') it is exactly the base SessionTracker.
 */
export class MemberSessionTracker extends SessionTracker {
  private roleValue: SessionRole = 'none'
  private localValue: LocalSessions | null = null

  constructor(
    private readonly tickTimeMs: number,
    serverId: number,
    nowMs: number,
    wallMs: number,
    private readonly options: MemberSessionOptions,
  ) {
    super(tickTimeMs, serverId, nowMs, wallMs)
  }

  get role(): SessionRole {
    return this.roleValue
  }

  /** The local sessions of the current role; null when local sessions are off or the member has no role. */
  get local(): LocalSessions | null {
    return this.localValue
  }

  get upgradingEnabled(): boolean {
    return this.options.upgradingEnabled
  }

  /** A role starts: local sessions start empty (those of an earlier role are gone with its server, as in Apache). */
  beginRole(role: Exclude<SessionRole, 'none'>, nowMs: number, wallMs: number): void {
    this.roleValue = role
    this.localValue = this.options.localSessionsEnabled ? new LocalSessions(this.tickTimeMs, this.options.myId, nowMs, wallMs) : null
  }

  endRole(): void {
    this.roleValue = 'none'
    this.localValue = null
  }

  isLocal(sessionId: bigint): boolean {
    return this.localValue !== null && this.localValue.has(sessionId)
  }

  localCount(): number {
    return this.localValue?.size ?? 0
  }

  /**
   * checkSession of the role's tracker. Leader: its own local sessions, then global ones; with local sessions on, a
   * session it does not know that another member made is someone's local session and passes. Learner: the leader
   * checks sessions, not the learner (its reads have no check). Read-only: local, else it must be global.
   */
  override checkSession(sessionId: bigint): void {
    const local = this.localValue
    switch (this.roleValue) {
      case 'none':
        return super.checkSession(sessionId)
      case 'leader':
        if (local === null) return super.checkSession(sessionId)
        if (local.has(sessionId)) {
          local.check(sessionId)
          if (this.get(sessionId) === undefined) return
        }
        if (this.get(sessionId) !== undefined) return super.checkSession(sessionId)
        if (serverIdOf(sessionId) === this.options.myId) throw new KeeperError(ErrorCode.SESSIONEXPIRED)
        return
      case 'learner':
        if (local === null) return super.checkSession(sessionId)
        if (local.has(sessionId)) return local.check(sessionId)
        return
      case 'read-only':
        if (local === null) return
        if (local.has(sessionId)) return local.check(sessionId)
        if (this.get(sessionId) === undefined) throw new KeeperError(ErrorCode.SESSIONEXPIRED)
        return
    }
  }

  /**
   * An ephemeral create needs a global session. A leader's own local session that may not upgrade fails first with
   * EPHEMERALONLOCALSESSION (LeaderRequestProcessor's exception, thrown again by validateCreateRequest).
   */
  override checkGlobalSession(sessionId: bigint): void {
    if (this.roleValue === 'leader' && !this.options.upgradingEnabled && this.isLocal(sessionId)) {
      throw new KeeperError(ErrorCode.EPHEMERALONLOCALSESSION)
    }
    super.checkGlobalSession(sessionId)
  }

  /**
   * A client's request (or reconnect) touches its session; false means the session is gone and the request is
   * dropped. Local first, then an upgrade in flight, then global. A read-only member without local sessions touches
   * nothing and lets every session through (LearnerSessionTracker.touchSession).
   */
  touchFromClient(sessionId: bigint, timeoutMs: number, nowMs: number): boolean {
    const local = this.localValue
    if (local === null) return (this.roleValue === 'read-only' && !this.options.localSessionsEnabled) || this.touchSession(sessionId, timeoutMs, nowMs)
    return local.touch(sessionId, timeoutMs, nowMs) || local.isUpgrading(sessionId) || this.touchSession(sessionId, timeoutMs, nowMs)
  }
}

/**
 * QuorumZooKeeperServer.checkUpgradeSession's test: does this write create an ephemeral (a create/create2 with an
 * ephemeral mode, or a multi holding one)? Undecodable requests need no upgrade; the pipeline answers them.
 */
export function createsEphemeral(type: number, body: Buffer): boolean {
  try {
    if (type === OpCode.create || type === OpCode.create2) return createModeInfo(CreateRequest.read(reader(body)).flags)?.ephemeral === true
    if (type !== OpCode.multi) return false
    const multi = decodeMulti(body)
    if (multi.kind !== 'write') return false
    return multi.ops.some((op) => (op.type === OpCode.create || op.type === OpCode.create2) && createModeInfo(op.create.flags)?.ephemeral === true)
  } catch {
    return false
  }
}
