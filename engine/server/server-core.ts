import { AuthPacket, ConnectRequest, ErrorCode, type LoggedTxn, OpCode, SetSASLResponse, TXN_OPS } from '../proto'
import type { MemberConfig } from '../node/config-types'
import type { DataTreeApi } from '../tree/api'
import type { AccessControl } from './access-control'
import { authenticate } from './auth-ids'
import { ClientConnection, type ConnectionTransport } from './connection'
import { ContainerReaper } from './container-reaper'
import { ExpiryQueue } from './expiry-queue'
import { executeRead, replyToTxn } from './final'
import type { AdminView } from './admin-commands'
import { fourLetterWordOf, type QuorumStatusView, runFourLetterWord } from './four-letter-words'
import type { PipelineEntry } from './pipeline-entry'
import { PrepRequestProcessor, type QuotaCheck } from './prep'
import type { ReconfigView } from './reconfig-plan'
import { connectResponseFrame, replyFrame } from './reply-writer'
import type { ServerRequest } from './request'
import { reader } from './requests'
import { passwordMatches, SESSION_PASSWORD_BYTES, sessionPassword } from './session-identity'
import { MemberSessionTracker, createsEphemeral } from './local-sessions'
import { refusedWhileReadOnly, UntrackedSessionIds } from './read-only-mode'
import { ServerStats } from './server-stats'
import type { QuorumLink, ServerMode } from './quorum-link'
import type { TxnSink } from './txn-sink'

/** Time as the core sees it: a monotonic clock for timeouts and the wall clock for txn stamps. */
export interface ServerClock {
  nowMs(): number
  wallMs(): number
}

export interface ServerCoreOptions {
  config: MemberConfig
  tree: DataTreeApi
  sink: TxnSink
  access: AccessControl
  clock: ServerClock
  /** Sessions restored from storage (id → timeout); re-armed for a full timeout, as Apache does on startup. */
  restoredSessions?: ReadonlyMap<bigint, number>
  /** Called after each applied txn (the lead decides when to snapshot). */
  maybeSnapshot?: () => void
  /** Runs `fn` soon, after the current input has been taken in (group commit). Default: setImmediate. */
  defer?: (fn: () => void) => void
  /** The log could not be made durable: Apache stops serving. Default: close every connection. */
  onFatalError?: (error: unknown) => void
  /** Figures of the storage layer for conf/dirs/mntr. */
  storage?: StorageFigures
  /**
   * An ensemble member: it serves clients only between `startServing` and `stopServing` (while its quorum role
   * is established), and its txns come back committed through `applyCommitted`. The TxnSink is then unused.
   */
  quorum?: boolean
  /** The tree's quota verdict; with `enforceQuota` a hard limit refuses writes. */
  quotaCheck?: QuotaCheck
  /** `nextDeadlineMs` may have moved earlier (a role started): the timer owner should look again. */
  onDeadlineChanged?: () => void
}

export interface StorageFigures {
  dataDirPath(): string
  dataLogDirPath(): string
  dataDirSizeBytes(): number
  logDirSizeBytes(): number
  /** The newest snapshot (AdminServer `last_snapshot`). */
  lastSnapshot?(): { zxid: bigint; timestampSeconds: number } | undefined
}

/** Apache's `Request.isValid`: what a client may send. Anything else is answered UNIMPLEMENTED and closed. */
const VALID_OPS: ReadonlySet<number> = new Set<number>([
  OpCode.closeSession,
  OpCode.create,
  OpCode.create2,
  OpCode.createTTL,
  OpCode.createContainer,
  OpCode.createSession,
  OpCode.delete,
  OpCode.deleteContainer,
  OpCode.exists,
  OpCode.getACL,
  OpCode.getChildren,
  OpCode.getAllChildrenNumber,
  OpCode.getChildren2,
  OpCode.getData,
  OpCode.getEphemerals,
  OpCode.multi,
  OpCode.multiRead,
  OpCode.ping,
  OpCode.reconfig,
  OpCode.setACL,
  OpCode.setData,
  OpCode.setWatches,
  OpCode.setWatches2,
  OpCode.sync,
  OpCode.checkWatches,
  OpCode.removeWatches,
  OpCode.addWatch,
  OpCode.whoAmI,
])

/** `zookeeper.nio.sessionlessCnxnTimeout`: a connection without a session is closed after this much silence. */
const SESSIONLESS_CONNECTION_TIMEOUT_MS = 10_000
/** Output a client has not read yet before we stop reading its requests, and before we give up on it. */
const OUTPUT_PAUSE_BYTES = 4 * 1024 * 1024
const OUTPUT_LIMIT_BYTES = 64 * 1024 * 1024

/**
 * The standalone server as a sans-IO state machine: bytes and ticks in; frames, closes and read pauses out through
 * each connection's transport. Pipeline: prep (validate against the speculative state, make the txn) → sync (append
 * to the TxnSink; one commit for everything appended while the previous commit ran) → final (apply in zxid order,
 * answer every connection in arrival order; a read waits only for its own session's earlier writes).
 */
export class ServerCore implements AdminView {
  config: MemberConfig
  /** Replaced only while an ensemble member is not serving (a snapshot from the leader, a truncation). */
  tree: DataTreeApi
  readonly sessions: MemberSessionTracker
  prep: PrepRequestProcessor
  readonly stats = new ServerStats()
  readonly connections = new Set<ClientConnection>()
  readonly startedMs: number
  traceMask = 306n
  running: boolean
  /** The quorum this member serves through; null when standalone or (in an ensemble) not serving. */
  link: QuorumLink | null = null
  /** An ensemble's configuration version (the `version=` of /zookeeper/config), checked by reconfig. */
  ensembleConfigVersion = 0n
  /** The leader's quorum as reconfig checks see it; set by the quorum host while this member leads (else null). */
  reconfigView: ReconfigView | null = null
  /** An ensemble member's quorum figures for 4lw/mntr/AdminServer, set by its host; null standalone. */
  quorumStatus: QuorumStatusView | null = null
  /** An ensemble member cut off from its quorum, serving read-only clients (ReadOnlyZooKeeperServer). */
  private readOnlyMode = false

  finalContext: { readonly tree: DataTreeApi; readonly access: AccessControl }
  private readonly sink: TxnSink
  private readonly access: AccessControl
  private readonly clock: ServerClock
  private readonly defer: (fn: () => void) => void
  private readonly connectionsBySession = new Map<bigint, ClientConnection>()
  /** Connections whose reading is paused by the global outstanding limit. */
  private readonly throttled = new Set<ClientConnection>()
  private readonly connectionsPerAddress = new Map<string, number>()
  private readonly connectionExpiry: ExpiryQueue<ClientConnection>
  private reaper: ContainerReaper
  /** Ensemble: writes waiting for their committed txn, per session in the order they were sent (CommitProcessor). */
  private readonly awaitingCommit = new Map<bigint, PipelineEntry[]>()
  /** Learner: syncs forwarded to the leader, answered in order as SYNC packets come back. */
  private pendingSyncs: PipelineEntry[] = []
  private uncommitted: PipelineEntry[] = []
  private commitInFlight: Promise<void> | undefined
  private commitScheduled = false
  /** Requests from connections taken in and not yet answered (`inProcess`, the "Outstanding" figure). */
  private inProcess = 0
  /** Shut down for good (an ensemble member that is merely not serving still answers four-letter words). */
  private stopped = false
  /** Read-only without local sessions: ids for clients whose createSession is then refused. */
  private untrackedIds: UntrackedSessionIds | null = null

  constructor(private readonly options: ServerCoreOptions) {
    this.config = options.config
    this.tree = options.tree
    this.sink = options.sink
    this.access = options.access
    this.finalContext = { tree: this.tree, access: this.access }
    this.clock = options.clock
    this.defer = options.defer ?? ((fn) => setImmediate(fn))
    const now = this.clock.nowMs()
    this.startedMs = now
    // Standalone Apache allocates session ids with server id 1 (`createSessionTrackerServerId`).
    const sessionServerId = this.config.servers.length === 0 ? 1 : this.config.myId
    this.running = options.quorum !== true
    this.sessions = new MemberSessionTracker(this.config.tickTimeMs, sessionServerId, now, this.clock.wallMs(), {
      myId: this.config.myId,
      localSessionsEnabled: options.quorum === true && this.config.localSessionsEnabled,
      upgradingEnabled: this.config.localSessionsUpgradingEnabled,
    })
    for (const [sessionId, timeoutMs] of options.restoredSessions ?? []) this.sessions.trackSession(sessionId, timeoutMs, now)
    this.prep = this.newPrep()
    this.watchDigests(this.tree)
    this.connectionExpiry = new ExpiryQueue(SESSIONLESS_CONNECTION_TIMEOUT_MS, now)
    this.reaper = this.newReaper(now)
  }

  private newPrep(): PrepRequestProcessor {
    return new PrepRequestProcessor(this.tree, this.sessions, this.access, {
      extendedTypesEnabled: this.config.extendedTypesEnabled,
      reconfigEnabled: this.config.reconfigEnabled,
      enforceQuota: this.config.enforceQuota,
      ...(this.options.quotaCheck ? { quotaCheck: this.options.quotaCheck } : {}),
      ...(this.options.quorum === true ? { ensembleConfigVersion: this.ensembleConfigVersion, reconfigView: () => this.reconfigView } : {}),
      digestEnabled: this.config.digestEnabled,
    })
  }

  /**
   * mntr's digest_mismatches_count counts every mismatch of the member (Apache's counter is process-wide): those the
   * tree met while it was restored, then each one as it happens, on this tree and on any that replaces it.
   */
  private watchDigests(tree: DataTreeApi): void {
    this.stats.digestMismatches += tree.digestMismatchCount
    tree.onDigestMismatch = () => {
      this.stats.digestMismatches++
    }
  }

  private newReaper(nowMs: number): ContainerReaper {
    const settings = {
      checkIntervalMs: this.config.containerCheckIntervalMs,
      maxPerMinute: this.config.containerMaxPerMinute,
      maxNeverUsedIntervalMs: this.config.containerMaxNeverUsedIntervalMs,
      extendedTypesEnabled: this.config.extendedTypesEnabled,
    }
    return new ContainerReaper(this.tree, settings, nowMs)
  }

  /** `srvr`'s Mode. */
  get serverMode(): ServerMode {
    if (this.readOnlyMode) return 'read-only'
    return this.link?.mode ?? 'standalone'
  }

  /** Serving read-only clients (between startReadOnly and stopReadOnly). */
  get readOnly(): boolean {
    return this.readOnlyMode
  }

  /** mntr's `zk_local_sessions`. */
  get localSessionCount(): number {
    return this.sessions.localCount()
  }

  // ------------------------------------------------------------------ ensemble roles

  /**
   * Replaces the tree and the sessions (a SNAP from the leader, or the database reloaded after a TRUNC). Only while
   * not serving: no connection, watch or outstanding change refers to the old tree.
   */
  replaceTree(tree: DataTreeApi, sessions: ReadonlyMap<bigint, number>): void {
    if (this.link !== null) throw new Error('replaceTree while serving')
    this.tree.onDigestMismatch = null
    this.tree = tree
    this.watchDigests(tree)
    this.finalContext = { tree, access: this.access }
    const now = this.clock.nowMs()
    this.sessions.replaceAll(sessions, now)
    this.prep = this.newPrep()
    this.reaper = this.newReaper(now)
  }

  /**
   * The member's role is established (leader) or synced (learner): take clients. A leader starts with fresh
   * outstanding changes, zxids from the new epoch, and every session re-armed for a full timeout, as Apache's new
   * LeaderZooKeeperServer does with the sessions of its database.
   */
  startServing(link: QuorumLink): void {
    const now = this.clock.nowMs()
    if (this.readOnlyMode) this.stopReadOnly()
    this.link = link
    this.running = true
    this.sessions.beginRole(link.mode === 'leader' ? 'leader' : 'learner', now, this.clock.wallMs())
    this.prep = this.newPrep()
    if (link.mode === 'leader') {
      this.prep.lastZxid = link.nextZxid() - 1n
      // The new epoch's zxid 0 (NEWLEADER's) counts as processed, as Apache's leader sets it once established.
      if (this.tree.lastProcessedZxid < this.prep.lastZxid) this.tree.lastProcessedZxid = this.prep.lastZxid
      this.sessions.replaceAll(this.sessions.sessionTimeouts(), now)
      this.reaper = this.newReaper(now)
    }
    this.options.onDeadlineChanged?.()
  }

  /** The role ended: every client goes (they reconnect elsewhere or here once we serve again), nothing is pending. */
  stopServing(): void {
    this.link = null
    this.running = false
    this.sessions.endRole()
    for (const cnx of [...this.connections]) this.closeConnection(cnx, 'now')
    this.awaitingCommit.clear()
    this.pendingSyncs = []
  }

  /**
   * The member has looked for a quorum for the grace period (readonlymode.enabled): serve read-only clients from the
   * tree as it is. Sessions made now are local (or refused, without local sessions) and die with this mode.
   */
  startReadOnly(): void {
    if (this.stopped || this.link !== null || this.readOnlyMode) return
    this.readOnlyMode = true
    this.running = true
    const now = this.clock.nowMs()
    this.sessions.beginRole('read-only', now, this.clock.wallMs())
    this.untrackedIds = this.sessions.local === null ? new UntrackedSessionIds(this.config.myId, this.clock.wallMs()) : null
    this.options.onDeadlineChanged?.()
  }

  /** The election ended: every read-only client goes (ReadOnlyZooKeeperServer.shutdown closes all connections). */
  stopReadOnly(): void {
    if (!this.readOnlyMode) return
    this.readOnlyMode = false
    this.running = false
    this.untrackedIds = null
    this.sessions.endRole()
    for (const cnx of [...this.connections]) this.closeConnection(cnx, 'now')
  }

  // ------------------------------------------------------------------ connections

  /** A socket was accepted; undefined means "refuse": close it at once (too many from this address, or in total). */
  accept(transport: ConnectionTransport): ClientConnection | undefined {
    const address = transport.remoteAddress
    const fromAddress = this.connectionsPerAddress.get(address) ?? 0
    const tooMany =
      this.stopped ||
      (this.config.maxCnxns > 0 && this.connections.size >= this.config.maxCnxns) ||
      (this.config.maxClientCnxns > 0 && fromAddress >= this.config.maxClientCnxns)
    if (tooMany) {
      this.stats.connectionRejected++
      return undefined
    }
    const cnx = new ClientConnection(transport, this.clock.wallMs(), SESSIONLESS_CONNECTION_TIMEOUT_MS)
    cnx.onSent = (frame) => this.afterSend(cnx, frame)
    this.connections.add(cnx)
    this.connectionsPerAddress.set(address, fromAddress + 1)
    this.connectionExpiry.update(cnx, cnx.sessionTimeoutMs, this.clock.nowMs())
    return cnx
  }

  /** Bytes from the socket. Frames are parsed as they complete; a bad length closes the connection. */
  receive(cnx: ClientConnection, chunk: Buffer): void {
    if (cnx.state === 'closed') return
    this.stats.bytesReceived += chunk.length
    this.connectionExpiry.update(cnx, cnx.sessionTimeoutMs, this.clock.nowMs())
    // Held input goes first: a chunk never overtakes bytes that arrived before it.
    if (!cnx.readingEnabled || cnx.heldInput.length > 0) {
      cnx.heldInput.push(chunk)
      return
    }
    this.consume(cnx, chunk)
  }

  /** The peer closed or the socket failed. */
  disconnected(cnx: ClientConnection): void {
    this.closeConnection(cnx, 'now')
  }

  /** The transport has flushed its backlog: a client that stopped reading has caught up. */
  drained(cnx: ClientConnection): void {
    if (cnx.state !== 'closed' && cnx.transport.pendingWriteBytes < OUTPUT_PAUSE_BYTES) this.unblockReading(cnx, 'backpressure')
  }

  private consume(cnx: ClientConnection, chunk: Buffer): void {
    let offset = 0
    while (offset < chunk.length && cnx.state !== 'closed' && cnx.readingEnabled) {
      if (cnx.payload === undefined) {
        const take = Math.min(4 - cnx.lengthFilled, chunk.length - offset)
        chunk.copy(cnx.lengthBytes, cnx.lengthFilled, offset, offset + take)
        cnx.lengthFilled += take
        offset += take
        if (cnx.lengthFilled < 4) break
        cnx.lengthFilled = 0
        const length = cnx.lengthBytes.readInt32BE(0)
        if (cnx.state === 'new' && this.tryFourLetterWord(cnx, length, chunk.subarray(offset))) return
        // Checked before anything is allocated: a hostile length cannot make us reserve memory.
        if (length < 0 || length > this.config.juteMaxBufferBytes) {
          this.closeConnection(cnx, 'now')
          return
        }
        if (chunk.length - offset >= length) {
          const frame = chunk.subarray(offset, offset + length)
          offset += length
          this.handleFrame(cnx, frame)
          continue
        }
        cnx.payload = Buffer.allocUnsafe(length)
        cnx.payloadFilled = 0
      }
      const payload = cnx.payload
      const take = Math.min(payload.length - cnx.payloadFilled, chunk.length - offset)
      chunk.copy(payload, cnx.payloadFilled, offset, offset + take)
      cnx.payloadFilled += take
      offset += take
      if (cnx.payloadFilled === payload.length) {
        cnx.payload = undefined
        this.handleFrame(cnx, payload)
      }
    }
    // Reading was switched off mid-chunk (handshake, throttling): keep the rest for later, in order.
    if (offset < chunk.length && cnx.state !== 'closed') cnx.heldInput.unshift(chunk.subarray(offset))
  }

  private handleFrame(cnx: ClientConnection, frame: Buffer): void {
    this.stats.packetsReceived++
    cnx.stats.packetsReceived++
    try {
      if (cnx.state === 'new') this.handleConnectRequest(cnx, frame)
      else this.handleRequest(cnx, frame)
    } catch {
      // Whatever this frame did to us stays with its connection (Apache closes on any IOException from a read).
      this.closeConnection(cnx, 'now')
    }
  }

  private blockReading(cnx: ClientConnection, reason: 'handshake' | 'throttle' | 'backpressure'): void {
    cnx.readBlocks.add(reason)
    if (cnx.readingEnabled) {
      cnx.readingEnabled = false
      cnx.transport.setReading(false)
    }
  }

  private unblockReading(cnx: ClientConnection, reason: 'handshake' | 'throttle' | 'backpressure'): void {
    if (!cnx.readBlocks.delete(reason) || cnx.readBlocks.size > 0 || cnx.state === 'closed') return
    cnx.readingEnabled = true
    cnx.transport.setReading(true)
    // Held input is taken up on the next turn, never from inside the reply loop that re-enabled reading.
    if (cnx.heldInput.length > 0) this.defer(() => this.consumeHeld(cnx))
  }

  private consumeHeld(cnx: ClientConnection): void {
    while (cnx.heldInput.length > 0 && cnx.readingEnabled && cnx.state !== 'closed') {
      this.consume(cnx, cnx.heldInput.shift()!)
    }
  }

  private afterSend(cnx: ClientConnection, frame: Buffer): void {
    this.stats.packetsSent++
    this.connectionExpiry.update(cnx, cnx.sessionTimeoutMs, this.clock.nowMs())
    const pending = cnx.transport.pendingWriteBytes + frame.length
    if (pending > OUTPUT_LIMIT_BYTES) {
      // A client that reads nothing while its notifications pile up would exhaust our memory.
      this.defer(() => this.closeConnection(cnx, 'now'))
    } else if (pending > OUTPUT_PAUSE_BYTES) {
      this.blockReading(cnx, 'backpressure')
    }
  }

  /** Closes a connection: 'flush' sends what is queued first (replies before a close), 'now' drops it. */
  closeConnection(cnx: ClientConnection, how: 'flush' | 'now'): void {
    if (cnx.state === 'closed') return
    cnx.state = 'closed'
    cnx.readingEnabled = false
    cnx.heldInput = []
    this.connections.delete(cnx)
    const address = cnx.transport.remoteAddress
    const count = (this.connectionsPerAddress.get(address) ?? 1) - 1
    if (count > 0) this.connectionsPerAddress.set(address, count)
    else this.connectionsPerAddress.delete(address)
    if (cnx.sessionId !== 0n && this.connectionsBySession.get(cnx.sessionId) === cnx) this.connectionsBySession.delete(cnx.sessionId)
    this.connectionExpiry.remove(cnx)
    this.throttled.delete(cnx)
    this.tree.removeWatcher(cnx)
    // Requests it still waits on are answered to nobody; they no longer count as in process.
    this.inProcess -= cnx.pendingEntries
    cnx.queue.length = 0
    cnx.queueHead = 0
    if (how === 'flush') cnx.transport.end()
    else cnx.transport.destroy()
  }

  // ------------------------------------------------------------------ handshake

  private handleConnectRequest(cnx: ClientConnection, frame: Buffer): void {
    if (!this.running) {
      this.closeConnection(cnx, 'now')
      return
    }
    const r = reader(frame)
    let request: ConnectRequest
    try {
      request = ConnectRequest.read(r)
    } catch {
      this.closeConnection(cnx, 'now')
      return
    }
    this.stats.connectionRequests++
    // The trailing readOnly byte is optional; without it the client is an "old client" and gets no flag back.
    let clientAcceptsReadOnly = false
    if (r.remaining >= 1) {
      clientAcceptsReadOnly = r.bool()
      cnx.oldClient = false
    }
    if (this.readOnlyMode && !clientAcceptsReadOnly) {
      // "Refusing session request for not-read-only client" (old clients included).
      this.closeConnection(cnx, 'now')
      return
    }
    if (request.lastZxidSeen > this.tree.lastProcessedZxid) {
      // The client has seen a newer state than ours: it must try another server.
      this.closeConnection(cnx, 'now')
      return
    }
    const timeoutMs = Math.min(Math.max(request.timeOut, this.config.minSessionTimeoutMs), this.config.maxSessionTimeoutMs)
    cnx.sessionTimeoutMs = timeoutMs
    cnx.state = 'handshake'
    this.blockReading(cnx, 'handshake')
    const now = this.clock.nowMs()
    if (request.sessionId === 0n) {
      const local = this.sessions.local
      if (local !== null) {
        // A local session: no createSession txn, answered at once (FinalRequestProcessor's local createSession).
        this.bindSession(cnx, local.create(timeoutMs, now))
        cnx.stats.recordResponse(0, this.tree.lastProcessedZxid, 'SESS', now, now)
        this.finishSessionInit(cnx, true)
        return
      }
      if (this.untrackedIds !== null) {
        // Read-only without local sessions: a global createSession is a write. Apache answers it with a bare
        // NOTREADONLY reply header where the ConnectResponse should be, and never reads from the socket again.
        this.bindSession(cnx, this.untrackedIds.take())
        cnx.send(replyFrame(0, this.tree.lastProcessedZxid, ErrorCode.NOTREADONLY))
        return
      }
      const sessionId = this.sessions.createSession(timeoutMs, now)
      this.bindSession(cnx, sessionId)
      const body = Buffer.allocUnsafe(4)
      body.writeInt32BE(timeoutMs, 0)
      this.submit({ cnx, sessionId, cxid: 0, type: OpCode.createSession, body, authIds: cnx.authIds, receivedMs: now })
      return
    }
    if (this.readOnlyMode && this.sessions.get(request.sessionId) !== undefined) {
      // "Refusing global session reconnection in RO mode": a global session must not live on here unseen by the leader.
      this.closeConnection(cnx, 'now')
      return
    }
    // Apache drops any other connection of this session first, whether or not the password is right.
    const previous = this.connectionsBySession.get(request.sessionId)
    if (previous !== undefined && previous !== cnx) this.closeConnection(previous, 'now')
    this.bindSession(cnx, request.sessionId)
    this.stats.connectionRevalidations++
    const passwordOk = passwordMatches(request.sessionId, request.passwd)
    if (passwordOk && this.link !== null && this.link.mode !== 'leader' && !this.sessions.isLocal(request.sessionId)) {
      // Global sessions belong to the leader: a learner asks it (REVALIDATE) and finishes the handshake on its answer.
      this.link.revalidate(request.sessionId, timeoutMs)
      return
    }
    this.finishSessionInit(cnx, passwordOk && this.sessions.touchFromClient(request.sessionId, timeoutMs, now))
  }

  /** Learner: the leader's answer to a REVALIDATE for this session's reconnecting client. */
  revalidated(sessionId: bigint, valid: boolean): void {
    const cnx = this.connectionsBySession.get(sessionId)
    if (cnx === undefined || cnx.state !== 'handshake') return
    if (valid) this.sessions.trackSession(sessionId, cnx.sessionTimeoutMs, this.clock.nowMs())
    this.finishSessionInit(cnx, valid)
  }

  private bindSession(cnx: ClientConnection, sessionId: bigint): void {
    cnx.sessionId = sessionId
    this.connectionsBySession.set(sessionId, cnx)
  }

  /** `finishSessionInit`: the ConnectResponse; an invalid session gets zeros and the connection is closed. */
  private finishSessionInit(cnx: ClientConnection, valid: boolean): void {
    if (cnx.state === 'closed') return
    const readOnly = cnx.oldClient ? undefined : this.readOnlyMode
    if (!valid) {
      cnx.send(connectResponseFrame(0, 0n, Buffer.alloc(SESSION_PASSWORD_BYTES), readOnly))
      this.closeConnection(cnx, 'flush')
      return
    }
    cnx.send(connectResponseFrame(cnx.sessionTimeoutMs, cnx.sessionId, sessionPassword(cnx.sessionId), readOnly))
    cnx.state = 'established'
    this.connectionExpiry.update(cnx, cnx.sessionTimeoutMs, this.clock.nowMs())
    this.unblockReading(cnx, 'handshake')
  }

  // ------------------------------------------------------------------ requests

  private handleRequest(cnx: ClientConnection, frame: Buffer): void {
    if (frame.length < 8) {
      // The RequestHeader does not decode: Apache's processPacket throws and the connection is closed.
      this.closeConnection(cnx, 'now')
      return
    }
    const xid = frame.readInt32BE(0)
    const type = frame.readInt32BE(4)
    const body = frame.subarray(8)
    if (type === OpCode.auth) return this.handleAuth(cnx, xid, body)
    if (type === OpCode.sasl) return this.handleSasl(cnx, xid, body)
    const now = this.clock.nowMs()
    // Every request touches the session; one for a session that is gone or closing is dropped without a reply.
    if (!this.sessions.touchFromClient(cnx.sessionId, cnx.sessionTimeoutMs, now)) return
    // The leader owns global session expiry; a learner reports its clients' activity with every PING reply.
    const link = this.link
    if (link !== null && link.mode !== 'leader' && !this.sessions.isLocal(cnx.sessionId)) link.touch(cnx.sessionId, cnx.sessionTimeoutMs)
    if (!VALID_OPS.has(type)) {
      cnx.send(replyFrame(xid, -1n, ErrorCode.UNIMPLEMENTED))
      this.closeConnection(cnx, 'flush')
      return
    }
    if (xid > 0) {
      cnx.outstanding++
      if (this.shouldThrottle()) {
        this.throttled.add(cnx)
        this.blockReading(cnx, 'throttle')
      }
    }
    this.submit({ cnx, sessionId: cnx.sessionId, cxid: xid, type, body, authIds: cnx.authIds, receivedMs: now })
  }

  /** Auth packets are answered at once, outside the pipeline (as Apache's processPacket does). */
  private handleAuth(cnx: ClientConnection, xid: number, body: Buffer): void {
    let packet: AuthPacket
    try {
      packet = AuthPacket.read(reader(body))
    } catch {
      this.closeConnection(cnx, 'now')
      return
    }
    const ids = authenticate(packet.scheme, packet.auth, cnx.transport.remoteAddress, this.config.superDigest)
    if (ids === undefined) {
      this.stats.authFailedCount++
      cnx.send(replyFrame(xid, 0n, ErrorCode.AUTHFAILED))
      this.closeConnection(cnx, 'flush')
      return
    }
    for (const id of ids) cnx.auth.add(id)
    cnx.send(replyFrame(xid, 0n, 0))
  }

  /**
   * No SASL is configured, so Apache's connection has no SASL server: evaluating any token (garbage or empty) hits a
   * NullPointerException that processSasl catches, and the answer is OK with a null token. A null token fails before
   * that, on its length (an uncaught NPE: the worker closes the connection), and an unreadable GetSASLRequest (short,
   * negative or overlong length) fails to deserialize (IOException: closed too). The session outlives the socket.
   */
  private handleSasl(cnx: ClientConnection, xid: number, body: Buffer): void {
    const tokenBytes = body.length < 4 ? -2 : body.readInt32BE(0)
    if (tokenBytes < 0 || tokenBytes > body.length - 4) {
      this.closeConnection(cnx, 'now')
      return
    }
    cnx.send(replyFrame(xid, 0n, 0, SetSASLResponse, { token: null }))
  }

  /** `globalOutstandingLimit` exceeded: stop reading from connections that have requests in flight. */
  private shouldThrottle(): boolean {
    return this.inProcess > this.config.globalOutstandingLimit
  }

  /** Hands a request to prep; writes go to the log, everything is answered in arrival order per connection. */
  submit(request: ServerRequest<ClientConnection>): void {
    if (this.readOnlyMode) return this.submitReadOnly(request)
    if (this.link !== null) return this.submitInEnsemble(request, this.link)
    let entry: PipelineEntry
    if (TXN_OPS.has(request.type)) {
      const prepared = this.prep.prepare(request, this.clock.wallMs(), this.clock.nowMs())
      entry = { request, txn: prepared.txn, err: prepared.err, applied: prepared.txn === null, result: undefined }
      if (prepared.txn !== null) {
        this.sink.append(prepared.txn)
        this.uncommitted.push(entry)
        this.scheduleCommit()
      }
    } else {
      entry = { request, txn: null, err: this.prep.checkReadSession(request.sessionId), applied: true, result: undefined }
    }
    this.enqueue(request, entry)
  }

  /**
   * An ensemble member's pipeline: a leader prepares writes and proposes them, a learner forwards writes and syncs
   * to the leader. A write is answered when its committed txn is applied (`applyCommitted`); reads still wait only
   * for their own session's earlier requests.
   */
  private submitInEnsemble(request: ServerRequest<ClientConnection>, link: QuorumLink): void {
    let entry: PipelineEntry
    if (request.type === OpCode.closeSession && request.cnx !== null && this.sessions.isLocal(request.sessionId)) {
      // A local session closes here, without a txn (answered, and forgotten, in order).
      entry = { request, txn: null, err: 0, applied: true, result: undefined }
    } else if (TXN_OPS.has(request.type)) {
      const localError = request.cnx === null ? 0 : this.upgradeIfNeeded(request, link)
      if (localError !== 0) {
        // A learner still forwards the write (Apache does); its client gets the local error whatever the leader says.
        entry = { request, txn: null, err: localError, applied: false, result: undefined }
        this.awaitCommit(entry)
        link.forward(request)
      } else if (link.mode === 'leader') {
        const prepared = this.prep.prepare(request, this.clock.wallMs(), this.clock.nowMs())
        entry = { request, txn: prepared.txn, err: prepared.err, applied: prepared.txn === null, result: undefined }
        if (prepared.txn !== null) {
          if (request.cnx !== null) this.awaitCommit(entry)
          link.propose(prepared.txn)
        }
      } else {
        entry = { request, txn: null, err: 0, applied: false, result: undefined }
        if (request.cnx !== null) this.awaitCommit(entry)
        link.forward(request)
      }
    } else if (request.type === OpCode.sync && link.mode !== 'leader') {
      // Answered when the leader's SYNC comes back: by then everything committed before it is applied here.
      entry = { request, txn: null, err: this.prep.checkReadSession(request.sessionId), applied: false, result: undefined }
      if (entry.err !== 0) entry.applied = true
      else {
        this.pendingSyncs.push(entry)
        link.forward(request)
      }
    } else {
      entry = { request, txn: null, err: this.prep.checkReadSession(request.sessionId), applied: true, result: undefined }
    }
    this.enqueue(request, entry)
  }

  /**
   * checkUpgradeSession: a local session creating an ephemeral must become global first. With upgrades enabled a
   * createSession for it goes to the quorum ahead of the write; without, a learner answers EPHEMERALONLOCALSESSION
   * (a leader's prep does, through the session tracker). Returns the learner's local error, or 0.
   */
  private upgradeIfNeeded(request: ServerRequest, link: QuorumLink): number {
    const local = this.sessions.local
    if (local === null || !local.has(request.sessionId) || !createsEphemeral(request.type, request.body)) return 0
    if (!this.sessions.upgradingEnabled) return link.mode === 'leader' ? 0 : ErrorCode.EPHEMERALONLOCALSESSION
    const timeoutMs = local.upgrade(request.sessionId)
    if (timeoutMs === undefined) return 0
    const body = Buffer.allocUnsafe(4)
    body.writeInt32BE(timeoutMs, 0)
    const upgrade: ServerRequest = { cnx: null, sessionId: request.sessionId, cxid: 0, type: OpCode.createSession, body, authIds: [], receivedMs: request.receivedMs }
    if (link.mode === 'leader') {
      const prepared = this.prep.prepare(upgrade, this.clock.wallMs(), this.clock.nowMs())
      if (prepared.txn !== null) link.propose(prepared.txn)
    } else {
      link.forward(upgrade)
    }
    return 0
  }

  /**
   * A read-only member's pipeline (ReadOnlyRequestProcessor → prep → final): changes are refused with NOTREADONLY,
   * a local session may close, everything else is a read of the tree as it is.
   */
  private submitReadOnly(request: ServerRequest<ClientConnection>): void {
    const cnx = request.cnx
    if (cnx === null) return
    const local = this.sessions.isLocal(request.sessionId)
    let err = 0
    if (refusedWhileReadOnly(request.type, local)) err = ErrorCode.NOTREADONLY
    else if (request.type !== OpCode.closeSession) err = this.prep.checkReadSession(request.sessionId)
    const entry: PipelineEntry = { request, txn: null, err, applied: true, result: undefined }
    this.inProcess++
    cnx.queue.push(entry)
    this.drain(cnx)
  }

  /** Queues an entry on its connection, in arrival order; answers at once what is already answerable. */
  private enqueue(request: ServerRequest<ClientConnection>, entry: PipelineEntry): void {
    const cnx = request.cnx
    if (cnx === null) return
    this.inProcess++
    cnx.queue.push(entry)
    if (entry.applied) this.drain(cnx)
  }

  private awaitCommit(entry: PipelineEntry): void {
    const sessionId = entry.request.sessionId
    const queue = this.awaitingCommit.get(sessionId)
    if (queue === undefined) this.awaitingCommit.set(sessionId, [entry])
    else queue.push(entry)
  }

  /** A leader's answer to a learner's forwarded request: prepare and propose it (no reply here: the learner answers). */
  submitForwarded(request: ServerRequest): void {
    const link = this.link
    if (link === null || link.mode !== 'leader') return
    const prepared = this.prep.prepare(request, this.clock.wallMs(), this.clock.nowMs())
    if (prepared.txn !== null) link.propose(prepared.txn)
  }

  /**
   * Ensemble: a committed txn, in zxid order. Applies it, settles session bookkeeping, and answers the client whose
   * write it was when that client is ours (matched on session and cxid, as Apache's CommitProcessor does).
   */
  applyCommitted(txn: LoggedTxn): void {
    const { header } = txn
    const result = this.tree.processTxn(header, txn.body, txn.digest)
    this.stats.commitCount++
    const sessionId = header.clientId
    if (txn.body.type === OpCode.createSession) {
      if (this.sessions.get(sessionId) === undefined) this.sessions.trackSession(sessionId, txn.body.txn.timeOut, this.clock.nowMs())
      this.sessions.local?.committed(sessionId)
    } else if (txn.body.type === OpCode.closeSession) {
      this.sessions.removeSession(sessionId)
    }
    if (this.link?.mode === 'leader') this.prep.applied(header.zxid)
    this.options.maybeSnapshot?.()
    const waiting = this.awaitingCommit.get(sessionId)
    const entry = waiting?.[0]
    if (entry !== undefined && entry.request.cxid === header.cxid) {
      waiting!.shift()
      if (waiting!.length === 0) this.awaitingCommit.delete(sessionId)
      // A learner's local error (EPHEMERALONLOCALSESSION) is the answer, whatever the leader made of the write.
      if (entry.err === 0 || entry.request.type === OpCode.multi) entry.txn ??= txn
      entry.result = result
      entry.applied = true
      const cnx = entry.request.cnx as ClientConnection | null
      if (cnx !== null && cnx.state !== 'closed') this.drain(cnx)
      return
    }
    if (txn.body.type === OpCode.closeSession) {
      // The session expired (or its client closed it through another member): its connection here goes now.
      const bound = this.connectionsBySession.get(sessionId)
      if (bound !== undefined) this.closeConnection(bound, 'now')
    }
  }

  /** Learner: the leader answered our oldest pending sync. */
  syncDone(): void {
    // One SYNC per forwarded sync, in order, even for a client that has gone meanwhile.
    const entry = this.pendingSyncs.shift()
    const cnx = entry?.request.cnx as ClientConnection | null | undefined
    if (entry === undefined || cnx === null || cnx === undefined || cnx.state === 'closed') return
    entry.applied = true
    this.drain(cnx)
  }

  private scheduleCommit(): void {
    if (this.commitScheduled || this.commitInFlight !== undefined || this.uncommitted.length === 0) return
    this.commitScheduled = true
    this.defer(() => {
      this.commitScheduled = false
      this.startCommit()
    })
  }

  /** One commit (one fsync) for every txn appended since the last one started. */
  private startCommit(): void {
    if (this.commitInFlight !== undefined || this.uncommitted.length === 0) return
    const batch = this.uncommitted
    this.uncommitted = []
    const startedMs = this.clock.nowMs()
    this.commitInFlight = this.sink.commit().then(
      () => {
        this.commitInFlight = undefined
        this.stats.fsyncTimeMs.add(this.clock.nowMs() - startedMs)
        this.stats.syncBatchSize.add(batch.length)
        try {
          for (const entry of batch) this.apply(entry)
        } catch (error) {
          // A txn the tree cannot apply leaves it inconsistent with the log: stop serving, as Apache exits.
          this.fatal(error)
          return
        }
        this.scheduleCommit()
      },
      (error: unknown) => {
        this.commitInFlight = undefined
        this.fatal(error)
      },
    )
  }

  /**
   * Makes everything already logged durable and applied (the storage layer can then snapshot a consistent tree).
   * Used on shutdown: no new requests arrive once connections are closed.
   */
  async flush(): Promise<void> {
    for (let round = 0; round < 1000 && (this.commitInFlight !== undefined || this.uncommitted.length > 0); round++) {
      if (this.commitInFlight !== undefined) await this.commitInFlight
      else this.startCommit()
    }
  }

  /** FinalRequestProcessor for a txn: apply it, settle session bookkeeping, then answer in order. */
  private apply(entry: PipelineEntry): void {
    const txn = entry.txn as LoggedTxn
    entry.result = this.tree.processTxn(txn.header, txn.body, txn.digest)
    this.stats.commitCount++
    if (txn.header.type === OpCode.closeSession) this.sessions.removeSession(txn.header.clientId)
    this.prep.applied(txn.header.zxid)
    entry.applied = true
    this.options.maybeSnapshot?.()
    const cnx = entry.request.cnx as ClientConnection | null
    if (cnx !== null) {
      if (cnx.state !== 'closed') this.drain(cnx)
    } else if (txn.header.type === OpCode.closeSession) {
      // The session expired: its connection (if any) goes now.
      const bound = this.connectionsBySession.get(txn.header.clientId)
      if (bound !== undefined) this.closeConnection(bound, 'now')
    }
  }

  /** Sends every reply that is due at the head of the connection's queue. */
  private drain(cnx: ClientConnection): void {
    while (cnx.queueHead < cnx.queue.length && cnx.state !== 'closed') {
      const entry = cnx.queue[cnx.queueHead]!
      if (!entry.applied) break
      cnx.queue[cnx.queueHead++] = undefined as unknown as PipelineEntry
      this.answer(cnx, entry)
    }
    if (cnx.queueHead === cnx.queue.length) {
      cnx.queue.length = 0
      cnx.queueHead = 0
    } else if (cnx.queueHead > 256 && cnx.queueHead * 2 > cnx.queue.length) {
      cnx.queue.splice(0, cnx.queueHead)
      cnx.queueHead = 0
    }
  }

  private answer(cnx: ClientConnection, entry: PipelineEntry): void {
    const { request } = entry
    this.inProcess--
    const zxid = this.tree.lastProcessedZxid
    const now = this.clock.nowMs()
    const isCreateSession = request.type === OpCode.createSession && entry.txn?.header.type === OpCode.createSession
    const reply = isCreateSession
      ? undefined
      : entry.txn !== null
        ? replyToTxn(entry, zxid)
        : request.type === OpCode.closeSession && entry.err === 0
          ? this.closeLocalSession(request.sessionId, request.cxid, zxid)
          : executeRead(this.finalContext, entry, cnx, zxid)
    const latencyMs = now - request.receivedMs
    this.stats.requestLatency.add(latencyMs)
    if (entry.txn !== null) this.stats.updateLatency.add(latencyMs)
    else this.stats.readLatency.add(latencyMs)
    cnx.stats.recordResponse(request.cxid, zxid, reply?.operation ?? 'SESS', request.receivedMs, now)
    if (reply === undefined) this.finishSessionInit(cnx, true)
    else {
      this.stats.clientResponse.record(reply.frame.length - 4)
      this.stats.responseBytes += reply.frame.length - 4
      cnx.send(reply.frame)
    }
    if (request.cxid > 0) {
      cnx.outstanding--
      if (!this.shouldThrottle()) this.releaseThrottle()
    }
    if (request.type === OpCode.closeSession && entry.err !== ErrorCode.NOTREADONLY) this.closeConnection(cnx, 'flush')
  }

  /** A local session's closeSession, reached in order: forgotten here, answered OK (no txn, so no new zxid). */
  private closeLocalSession(sessionId: bigint, cxid: number, zxid: bigint): { frame: Buffer; operation: string; err: number } {
    this.sessions.local?.remove(sessionId)
    return { frame: replyFrame(cxid, zxid, 0), operation: 'CLOS', err: 0 }
  }

  private releaseThrottle(): void {
    if (this.throttled.size === 0) return
    const released = [...this.throttled]
    this.throttled.clear()
    for (const cnx of released) this.unblockReading(cnx, 'throttle')
  }

  private fatal(error: unknown): void {
    this.stopped = true
    this.running = false
    if (this.options.onFatalError !== undefined) this.options.onFatalError(error)
    for (const cnx of [...this.connections]) this.closeConnection(cnx, 'now')
  }

  // ------------------------------------------------------------------ timers

  /** Session expiry and container reaping are the leader's (or a standalone server's) alone. */
  private get ownsSessions(): boolean {
    return this.running && (this.options.quorum !== true || this.link?.mode === 'leader')
  }

  /** When `onTimer` should next run (monotonic ms). */
  nextDeadlineMs(): number {
    const local = this.sessions.local
    if (local !== null) {
      const others = this.ownsSessions ? Math.min(this.sessions.nextExpiryCheckMs(), this.reaper.nextDueMs()) : Number.POSITIVE_INFINITY
      return Math.min(local.nextExpiryCheckMs(), this.connectionExpiry.nextDueMs, others)
    }
    if (!this.ownsSessions) return this.connectionExpiry.nextDueMs
    return Math.min(this.sessions.nextExpiryCheckMs(), this.connectionExpiry.nextDueMs, this.reaper.nextDueMs())
  }

  /** Expires sessions and idle connections, and reaps containers and TTL nodes that are due. */
  onTimer(): void {
    if (this.stopped) return
    const now = this.clock.nowMs()
    this.expireLocalSessions(now)
    if (!this.ownsSessions) {
      this.expireIdleConnections(now)
      return
    }
    for (const session of this.sessions.expireDue(now)) {
      this.stats.staleSessionsExpired++
      this.submit({ cnx: null, sessionId: session.sessionId, cxid: 0, type: OpCode.closeSession, body: EMPTY, authIds: [], receivedMs: now })
    }
    this.expireIdleConnections(now)
    for (const path of this.reaper.due(now, this.clock.wallMs())) {
      this.submit({ cnx: null, sessionId: 0n, cxid: 0, type: OpCode.deleteContainer, body: Buffer.from(path, 'utf8'), authIds: [], receivedMs: now })
    }
  }

  /** Local sessions expire on their member: no txn, their connection is closed (SessionExpirer → close). */
  private expireLocalSessions(now: number): void {
    const local = this.sessions.local
    if (local === null) return
    for (const session of local.expireDue(now)) {
      this.stats.staleSessionsExpired++
      const bound = this.connectionsBySession.get(session.sessionId)
      if (bound !== undefined) this.closeConnection(bound, 'now')
    }
  }

  private expireIdleConnections(now: number): void {
    while (this.connectionExpiry.waitMs(now) === 0) {
      for (const cnx of this.connectionExpiry.poll(now)) {
        if (cnx.sessionId === 0n) this.stats.sessionlessConnectionsExpired++
        this.closeConnection(cnx, 'now')
      }
    }
  }

  /**
   * Asks for a client's session to be closed, as expiry would (tests, and a local cluster's "expire session").
   * False when this server does not own sessions (a learner) or does not know the session.
   */
  expireSession(sessionId: bigint): boolean {
    if (!this.ownsSessions || this.sessions.get(sessionId) === undefined) return false
    this.sessions.setSessionClosing(sessionId)
    this.submit({ cnx: null, sessionId, cxid: 0, type: OpCode.closeSession, body: EMPTY, authIds: [], receivedMs: this.clock.nowMs() })
    return true
  }

  /** Stops taking requests and closes every connection; `flush` then settles what was already logged. */
  shutdown(): void {
    this.stopped = true
    this.running = false
    this.readOnlyMode = false
    for (const cnx of [...this.connections]) this.closeConnection(cnx, 'now')
  }

  // ------------------------------------------------------------------ four-letter words

  private tryFourLetterWord(cnx: ClientConnection, code: number, rest: Buffer): boolean {
    const word = fourLetterWordOf(code)
    if (word === undefined) return false
    this.stats.packetsReceived++
    cnx.stats.packetsReceived++
    cnx.readingEnabled = false
    cnx.transport.setReading(false)
    const output = runFourLetterWord(this, word, rest)
    if (output === undefined) {
      // The telnet close sequence when whitelisted: Apache has no command for it and reads it as a bad length.
      this.closeConnection(cnx, 'now')
      return true
    }
    if (output.length > 0) cnx.send(Buffer.from(output, 'utf8'))
    this.closeConnection(cnx, 'flush')
    return true
  }

  // ------------------------------------------------------------------ figures

  get outstandingRequests(): number {
    return this.inProcess
  }

  get clientPort(): number {
    return this.config.clientPort
  }

  storageFigures(): StorageFigures | undefined {
    return this.options.storage
  }

  lastSnapshot(): { zxid: bigint; timestampSeconds: number } | undefined {
    return this.options.storage?.lastSnapshot?.()
  }

  uptimeMs(): number {
    return this.clock.nowMs() - this.startedMs
  }

  nowMs(): number {
    return this.clock.nowMs()
  }

  wallMs(): number {
    return this.clock.wallMs()
  }

  /** Monotonic ms → wall-clock ms, for printing expiry times (`Time.elapsedTimeToDate`). */
  toWallMs(monotonicMs: number): number {
    return this.clock.wallMs() + (monotonicMs - this.clock.nowMs())
  }

  resetConnectionStats(): void {
    for (const cnx of this.connections) cnx.stats.reset()
  }

  connectionExpiryBuckets(): Array<[number, ReadonlySet<ClientConnection>]> {
    return this.connectionExpiry.buckets()
  }
}

const EMPTY = Buffer.alloc(0)
