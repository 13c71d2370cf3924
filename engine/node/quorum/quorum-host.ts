import { type Id, type LoggedTxn, OpCode } from '../../proto'
import type { Effect, PersistOp } from '../../quorum/peer/effects'
import type { PeerInput } from '../../quorum/peer/inputs'
import type { QuorumPeer } from '../../quorum/peer/quorum-peer'
import { ServerState } from '../../quorum/wire/notification'
import { decodeProposalData, type Proposal, proposalOf } from '../../quorum/wire/proposal-data'
import { MajorityQuorum } from '../../quorum/quorum-verifier'
import type { QuorumLink } from '../../server/quorum-link'
import type { ReconfigView } from '../../server/reconfig-plan'
import { readOnlyGraceMs } from '../../server/read-only-mode'
import type { ServerRequest } from '../../server/request'
import type { ServerCore } from '../../server/server-core'
import type { DataTree } from '../../tree/data-tree'
import { cachedServersOf } from './membership-servers'
import type { QuorumNetwork } from './network'
import type { PersistExecutor } from './persist-executor'
import { QuorumStatus } from './quorum-status'
import { ZabTrace } from './zab-trace'
import { encodeSnapBody, type SnapContent } from './snap-body'

/** The storage side of the persist ops that are more than a log append. */
export interface QuorumStorage {
  writeEpoch(name: 'acceptedEpoch' | 'currentEpoch', epoch: bigint): Promise<void>
  /** Cuts the log after `zxid`; snapshots past it go too (they hold txns the ensemble never committed). */
  truncate(zxid: bigint): Promise<void>
  /** The database as the (truncated) files hold it. */
  reload(): Promise<{ tree: DataTree; sessions: Map<bigint, number> }>
  /** A leader's snapshot becomes our tree: local-only state (the config node) is set up on it. */
  adoptSnapshot(content: SnapContent): void
  /** The snapshot file's stream for a leader's snapshot, encoded the moment it arrives (the tree moves on). */
  encodeSnapshot(content: SnapContent): Buffer
  /** Writes a leader's snapshot as `snapshot.<zxid>` and drops any log past it. */
  writeSnapshot(zxid: bigint, bytes: Buffer): Promise<void>
}

export interface QuorumHostOptions {
  peer: QuorumPeer
  core: ServerCore
  persist: PersistExecutor
  storage: QuorumStorage
  nowMs: () => number
  log: (level: 'info' | 'warn' | 'error', message: string) => void
  /** The disk failed: the member must stop serving and exit (Apache halts the JVM). */
  onHalt: (reason: string) => void
  /** The member is about to serve clients in `epoch` (leader established, or learner synced). */
  onServing?: (epoch: bigint) => void
  /** A configuration became active (reconfig on): /zookeeper/config, the config files, the reconfig checks. */
  onConfigActivated?: (text: string, version: bigint) => void
  /** Role changes, for status lines and the cluster API. */
  onStateChanged?: (state: ServerState, leader: number | null) => void
}

/**
 * The real host of one ensemble member's QuorumPeer (engine/quorum/README.md): feeds it inputs in arrival order,
 * performs its effects on the sockets (QuorumNetwork), the files (PersistExecutor + QuorumStorage) and the client
 * pipeline (ServerCore), and keeps its timer armed. The simulator's SimMember is the same thing on a simulated world.
 */
export class QuorumHost {
  state: ServerState = ServerState.LOOKING
  leaderId: number | null = null
  private network: QuorumNetwork | null = null
  private readonly inbox: PeerInput[] = []
  private stepping = false
  /** Effects wait here while the tree is rebuilt from disk after a TRUNC (they must see the rebuilt tree). */
  private gate: Promise<void> | null = null
  private readonly gated: Effect[] = []
  private timer: NodeJS.Timeout | undefined
  private timerDueMs = Number.POSITIVE_INFINITY
  /** readonlymode.enabled: fires when the member has been LOOKING for the grace period. */
  private readOnlyTimer: NodeJS.Timeout | undefined
  private stopped = false
  /** Txns we already have decoded (our own proposals, and learners' logged ones), so apply decodes nothing twice. */
  private readonly decoded = new WeakMap<Proposal, LoggedTxn>()

  /** The figures 4lw/mntr/AdminServer show of our quorum side; it watches every input and effect. */
  private readonly status: QuorumStatus
  /** Elections, votes, syncs and txn counts as events, for the cluster panel's timeline (zab-trace.ts). */
  readonly zabTrace: ZabTrace

  constructor(private readonly options: QuorumHostOptions) {
    this.status = new QuorumStatus(options.peer, options.core.config, options.nowMs)
    options.core.quorumStatus = this.status
    this.zabTrace = new ZabTrace({ peer: options.peer, nowMs: options.nowMs })
  }

  attachNetwork(network: QuorumNetwork): void {
    this.network = network
  }

  // ---- inputs -------------------------------------------------------------------------------------------------

  /** Anything that happened (a packet, a durable ticket, a client's write…). Re-entrant calls queue in order. */
  input(input: PeerInput): void {
    if (this.stopped) return
    this.inbox.push(input)
    this.drain()
  }

  private drain(): void {
    if (this.stepping) return
    this.stepping = true
    try {
      while (this.inbox.length > 0 && !this.stopped) {
        const next = this.inbox.shift()!
        if (next.kind === 'propose' && this.options.peer.leader?.phase !== 'broadcast') continue
        this.status.input(next)
        this.zabTrace.input(next)
        this.options.peer.step(this.options.nowMs(), next)
        const effects = this.options.peer.takeEffects()
        this.status.effects(effects)
        this.zabTrace.effects(effects)
        this.performAll(effects)
      }
    } finally {
      this.stepping = false
    }
    this.armTimer()
  }

  /** Stops the machine (shutdown input) and the timer; the caller closes network, server and storage. */
  shutdown(): void {
    if (this.stopped) return
    this.input({ kind: 'shutdown' })
    this.stopped = true
    this.zabTrace.close()
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.leaveReadOnly()
  }

  /**
   * QuorumPeer.run's LOOKING case with readonlymode.enabled: a grace period of max(2 s, tickTime), then, if still
   * LOOKING, the member serves read-only clients until the election ends.
   */
  private awaitReadOnly(): void {
    this.leaveReadOnly()
    const { core } = this.options
    if (!core.config.readOnlyModeEnabled || this.stopped) return
    this.readOnlyTimer = setTimeout(() => {
      this.readOnlyTimer = undefined
      if (this.stopped || this.state !== ServerState.LOOKING) return
      this.options.log('info', 'Read-only server started')
      core.startReadOnly()
    }, readOnlyGraceMs(core.config.tickTimeMs))
    this.readOnlyTimer.unref()
  }

  /** The election ended (or the member stops): no read-only server, pending or running. */
  private leaveReadOnly(): void {
    if (this.readOnlyTimer !== undefined) clearTimeout(this.readOnlyTimer)
    this.readOnlyTimer = undefined
    this.options.core.stopReadOnly()
  }

  private armTimer(): void {
    if (this.stopped) return
    const deadline = this.options.peer.nextDeadlineMs()
    if (deadline === null || deadline >= this.timerDueMs) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timerDueMs = deadline
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerDueMs = Number.POSITIVE_INFINITY
      this.input({ kind: 'tick' })
    }, Math.max(0, deadline - this.options.nowMs()))
  }

  /** What the leader's prep checks a reconfig against (Apache's lzks.self / getLeader()). */
  private reconfigView(): ReconfigView {
    const { peer, core } = this.options
    const serversOf = cachedServersOf()
    return {
      standaloneEnabled: core.config.standaloneEnabled,
      inProgress: () => peer.leader?.reconfigPending ?? false,
      lastSeen: () => ({ version: peer.configVersion, servers: serversOf(peer.membershipText) }),
      isQuorumSynced: (voters) => peer.leader?.isQuorumSynced(new MajorityQuorum(voters)) ?? false,
    }
  }

  // ---- effects ------------------------------------------------------------------------------------------------

  private performAll(effects: Effect[]): void {
    for (let i = 0; i < effects.length; i++) {
      if (this.gate !== null) {
        for (let j = i; j < effects.length; j++) this.gated.push(effects[j]!)
        return
      }
      this.perform(effects[i]!)
    }
  }

  private perform(effect: Effect): void {
    const network = this.network!
    const { core } = this.options
    switch (effect.kind) {
      case 'sendNotification':
        return network.sendNotification(effect.to, effect.notification)
      case 'connectToLeader':
        return network.connectToLeader(effect.attempt, effect.leader)
      case 'sendToLeader':
        return network.sendToLeader(effect.attempt, effect.packet)
      case 'closeLeaderConnection':
        return network.closeLeaderConnection(effect.attempt)
      case 'sendToLearner':
        return network.sendToLearner(effect.connection, effect.packet)
      case 'sendSnapshotToLearner':
        return network.sendRawToLearner(effect.connection, encodeSnapBody(core.tree as DataTree, core.sessions.sessionTimeouts()))
      case 'closeLearnerConnection':
        return network.closeLearnerConnection(effect.connection)
      case 'persist':
        return this.persist(effect.ticket, effect.op)
      case 'apply':
        return core.applyCommitted(this.txnOf(effect.proposal))
      case 'stateChanged':
        this.state = effect.state
        this.leaderId = effect.leader
        network.setAcceptingLearners(effect.state === ServerState.LEADING)
        if (effect.state === ServerState.LOOKING) {
          core.stopServing()
          this.awaitReadOnly()
        } else {
          this.leaveReadOnly()
        }
        this.options.onStateChanged?.(effect.state, effect.leader)
        return
      case 'serving':
        if (effect.serving) {
          this.options.onServing?.(effect.epoch)
          core.reconfigView = this.state === ServerState.LEADING ? this.reconfigView() : null
          core.startServing(this.linkFor(this.state))
        } else {
          core.reconfigView = null
          core.stopServing()
        }
        return
      case 'configActivated':
        this.options.onConfigActivated?.(effect.text, effect.version)
        return
      case 'learnerRequest': {
        const { request } = effect
        if (request.type === OpCode.sync) return this.input({ kind: 'sync', connection: effect.connection })
        const forwarded: ServerRequest = {
          cnx: null,
          sessionId: request.sessionId,
          cxid: request.cxid,
          type: request.type,
          body: request.body,
          authIds: request.authinfo ?? [],
          receivedMs: this.options.nowMs(),
        }
        return core.submitForwarded(forwarded)
      }
      case 'touchSessions': {
        const now = this.options.nowMs()
        for (const touch of effect.touches) core.sessions.touchSession(touch.sessionId, touch.timeoutMs, now)
        return
      }
      case 'revalidate': {
        const valid = core.sessions.touchSession(effect.sessionId, effect.timeoutMs, this.options.nowMs())
        return this.input({ kind: 'revalidateAnswer', connection: effect.connection, sessionId: effect.sessionId, valid })
      }
      case 'revalidated':
        return core.revalidated(effect.sessionId, effect.valid)
      case 'syncDone':
        return core.syncDone()
      case 'log':
        return this.options.log(effect.level, effect.message)
      case 'halt':
        this.stopped = true
        this.leaveReadOnly()
        core.stopServing()
        return this.options.onHalt(effect.reason)
    }
  }

  private txnOf(proposal: Proposal): LoggedTxn {
    const known = this.decoded.get(proposal)
    if (known !== undefined) return known
    const { txn } = decodeProposalData(proposal.data)
    this.decoded.set(proposal, txn)
    return txn
  }

  private persist(ticket: number, op: PersistOp): void {
    const { persist, storage, core } = this.options
    switch (op.op) {
      case 'append': {
        // Our own proposals carry the digest our prep computed; a leader's carries its own. The log keeps either.
        const known = this.decoded.get(op.proposal)
        if (known !== undefined) return persist.enqueue(ticket, { kind: 'append', txn: known, digest: known.digest ?? null })
        const { txn, digest } = decodeProposalData(op.proposal.data)
        this.decoded.set(op.proposal, txn)
        return persist.enqueue(ticket, { kind: 'append', txn, digest })
      }
      case 'acceptedEpoch':
      case 'currentEpoch': {
        const { epoch } = op
        const name = op.op
        return persist.enqueue(ticket, { kind: 'run', what: `writing ${name}`, run: () => storage.writeEpoch(name, epoch) })
      }
      case 'truncate': {
        const { zxid } = op
        if (core.tree.lastProcessedZxid <= zxid) {
          return persist.enqueue(ticket, { kind: 'run', what: 'truncating the log', run: () => storage.truncate(zxid) })
        }
        // The tree holds txns past the cut (fast-forwarded from our log): rebuild it from the truncated files before
        // any later effect runs.
        let release!: () => void
        this.gate = new Promise<void>((resolve) => (release = resolve))
        return persist.enqueue(ticket, {
          kind: 'run',
          what: 'truncating the log and reloading the database',
          run: async () => {
            try {
              await storage.truncate(zxid)
              const reloaded = await storage.reload()
              core.replaceTree(reloaded.tree, reloaded.sessions)
            } finally {
              this.gate = null
              release()
              this.releaseGated()
            }
          },
        })
      }
      case 'snapshot': {
        const content = op.snapshot as SnapContent
        content.tree.lastProcessedZxid = op.zxid
        core.replaceTree(content.tree, content.sessions)
        storage.adoptSnapshot(content)
        const { zxid } = op
        const bytes = storage.encodeSnapshot(content)
        return persist.enqueue(ticket, { kind: 'run', what: 'writing the leader snapshot', run: () => storage.writeSnapshot(zxid, bytes) })
      }
    }
  }

  /** Runs the effects that waited for a rebuilt tree, then whatever arrived meanwhile. */
  private releaseGated(): void {
    if (this.stepping) throw new Error('the gate opened inside a step')
    this.stepping = true
    try {
      this.performAll(this.gated.splice(0))
    } finally {
      this.stepping = false
    }
    this.drain()
  }

  // ---- the client pipeline's way into the quorum --------------------------------------------------------------

  private linkFor(state: ServerState): QuorumLink {
    const peer = this.options.peer
    const mode = state === ServerState.LEADING ? 'leader' : state === ServerState.OBSERVING ? 'observer' : 'follower'
    return {
      mode,
      nextZxid: () => peer.leader?.nextZxid() ?? 0n,
      propose: (txn) => {
        const proposal = proposalOf(txn)
        this.decoded.set(proposal, txn)
        this.input({ kind: 'propose', proposal })
      },
      forward: (request) => {
        const authinfo = request.authIds.length > 0 ? (request.authIds as Id[]) : null
        this.input({ kind: 'forwardRequest', request: { sessionId: request.sessionId, cxid: request.cxid, type: request.type, body: request.body, authinfo } })
      },
      // Touches only fill the learner's map for its next PING reply: no effects, so no step needed.
      touch: (sessionId, timeoutMs) => peer.learner?.touchSession(sessionId, timeoutMs),
      revalidate: (sessionId, timeoutMs) => this.input({ kind: 'revalidateSession', sessionId, timeoutMs }),
    }
  }
}

