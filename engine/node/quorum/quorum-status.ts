import type { QuorumServerSpec } from '../config-types'
import { cachedServersOf } from './membership-servers'
import type { MemberConfig } from '../config-types'
import type { Effect } from '../../quorum/peer/effects'
import type { PeerInput } from '../../quorum/peer/inputs'
import type { QuorumPeer } from '../../quorum/peer/quorum-peer'
import { ServerState } from '../../quorum/wire/notification'
import { PacketType } from '../../quorum/wire/packet-type'
import { zxidHex } from '../../quorum/zxid'
import type { LearnerHandlerView, QuorumStatusView, VotingMemberView, ZabStateView } from '../../server/four-letter-words'
import { type MonitorEntry, summaryEntries } from '../../server/monitor'
import { BufferStats, LatencyCounter, PercentileCounter } from '../../server/server-stats'
import { javaHashSetOrder } from '../../tree/java-hash'

/** `LearnerHandler.markerPacketInterval`: one queue-time marker per this many packets queued for a learner. */
const MARKER_PACKET_INTERVAL = 1000

/** Apache's `QuorumPeer.SyncMode` as a learner last synced. */
type SyncMode = 'none' | 'diff' | 'snap' | 'trunc'

/** What the leader knows of one learner connection beyond the machine's handler (LearnerHandler's counters). */
interface HandlerFigures {
  /** The learner's sid as the summary sets key it, once its FOLLOWERINFO/OBSERVERINFO arrived. */
  sidKey: string | null
  establishedWallMs: number
  packetsSent: number
  packetsReceived: number
  requests: number
  lastZxid: bigint
  queued: number
  /** The kind of sync in progress for it (from the DIFF/TRUNC/SNAP until its NEWLEADER ack), or null. */
  syncing: 'diff' | 'snap' | null
}

/** An AvgMinMaxCounterSet / AvgMinMaxPercentileCounterSet keyed by learner sid, listed in Apache's map order. */
class SummarySet<C extends LatencyCounter> {
  private readonly counters = new Map<string, C>()

  constructor(
    private readonly name: string,
    private readonly make: () => C,
  ) {}

  add(key: string, value: number): void {
    let counter = this.counters.get(key)
    if (counter === undefined) {
      counter = this.make()
      this.counters.set(key, counter)
    }
    counter.add(value)
  }

  /** Values to zero; the keys stay (AvgMinMaxCounterSet.reset). */
  reset(): void {
    for (const counter of this.counters.values()) counter.reset()
  }

  entries(): MonitorEntry[] {
    const entries: MonitorEntry[] = []
    for (const key of javaHashSetOrder(this.counters.keys())) entries.push(...summaryEntries(`${key}_${this.name}`, this.counters.get(key)!))
    return entries
  }
}

/**
 * The quorum side of a member as `srvr`, `conf`, `mntr`, `dump` and the AdminServer show it (Apache's
 * QuorumZooKeeperServer / Leader / Learner figures). It reads the machine's state through its read-only getters and
 * keeps the counters Apache keeps (looking_count, diff/snap counts, election and sync times, proposal sizes,
 * per-learner packet figures) by watching the inputs and effects the host passes through the machine.
 */
export class QuorumStatus implements QuorumStatusView {
  private readonly ownSpec: MemberConfig['servers'][number] | undefined
  private lookingCount = 0
  private proposalCount = 0
  private commitCount = 0
  private diffCount = 0
  private snapCount = 0
  private learnerProposalsReceived = 0
  private learnerCommitsReceived = 0
  private readonly electionTime = new LatencyCounter()
  private readonly followerSyncTime = new LatencyCounter()
  private readonly observerSyncTime = new LatencyCounter()
  private readonly unavailableTime = new LatencyCounter()
  private readonly leaderUnavailableTime = new LatencyCounter()
  private readonly inflightSnapCount = new LatencyCounter()
  private readonly inflightDiffCount = new LatencyCounter()
  private readonly queueSizes = new SummarySet('learner_handler_qp_size', () => new LatencyCounter())
  private readonly queueTimes = new SummarySet('learner_handler_qp_time_ms', () => new PercentileCounter())
  private readonly proposalStats = new BufferStats()
  private readonly handlers = new Map<number, HandlerFigures>()
  private state: ServerState = ServerState.LOOKING
  private serving = false
  private electionStartMs: number | null = null
  private unavailableStartMs: number | null = null
  /** When the current role began (Apache creates the role's ZooKeeperServer then). */
  private roleStartMs: number
  /** When this leader was established (`Leader.leaderStartTime`), or null. */
  private leaderStartMs: number | null = null
  private learnerSyncStartMs: number | null = null
  private syncMode: SyncMode = 'none'

  constructor(
    private readonly peer: QuorumPeer,
    private readonly config: MemberConfig,
    private readonly nowMs: () => number,
    private readonly wallMs: () => number = Date.now,
  ) {
    this.ownSpec = config.servers.find((server) => server.id === config.myId)
    this.roleStartMs = nowMs()
  }

  // ---- watching the machine -------------------------------------------------------------------------------------

  /** An input about to be stepped (the host calls this first). */
  input(input: PeerInput): void {
    switch (input.kind) {
      case 'fromLeader':
        return this.fromLeader(input.packet.type)
      case 'fromLearner': {
        const figures = this.handlers.get(input.connection)
        if (figures === undefined) return
        if (this.stageOf(input.connection) === 'broadcast') figures.packetsReceived++
        if (input.packet.type === PacketType.REQUEST) figures.requests++
        return
      }
      case 'learnerConnected':
        this.handlers.set(input.connection, {
          sidKey: null,
          establishedWallMs: this.wallMs(),
          packetsSent: 0,
          packetsReceived: 0,
          requests: 0,
          lastZxid: -1n,
          queued: 0,
          syncing: null,
        })
        return
      case 'learnerDisconnected':
        this.handlers.delete(input.connection)
        return
      case 'propose':
        if (this.peer.leader?.phase === 'broadcast') {
          this.proposalCount++
          this.proposalStats.record(input.proposal.data.length)
        }
        return
      default:
        return
    }
  }

  /** A batch of effects, before the host performs them (in order). */
  effects(effects: readonly Effect[]): void {
    for (const effect of effects) {
      if (effect.kind !== 'sendToLearner') continue
      const figures = this.handlers.get(effect.connection)
      if (figures !== undefined) figures.queued++
    }
    for (const effect of effects) this.effect(effect)
    this.settleSyncs()
  }

  private effect(effect: Effect): void {
    switch (effect.kind) {
      case 'stateChanged':
        return this.stateChanged(this.nowMs(), effect.state)
      case 'serving':
        return this.servingChanged(this.nowMs(), effect.serving)
      case 'sendToLeader':
        // Apache's learner starts its sync clock once registerWithLeader has returned (ACKEPOCH sent).
        if (effect.packet.type === PacketType.ACKEPOCH) this.learnerSyncStartMs = this.nowMs()
        return
      case 'sendToLearner':
        return this.sentToLearner(effect.connection, effect.packet.type, effect.packet.zxid)
      case 'closeLearnerConnection':
        this.handlers.delete(effect.connection)
        return
      case 'apply':
        if (this.state === ServerState.LEADING) this.commitCount++
        return
      default:
        return
    }
  }

  private stateChanged(now: number, state: ServerState): void {
    const previous = this.state
    this.state = state
    if (state === ServerState.LOOKING) {
      if (previous !== ServerState.LOOKING || this.electionStartMs === null) this.lookingCount++
      this.electionStartMs = now
      this.unavailableStartMs ??= now
      this.syncMode = 'none'
      this.handlers.clear()
      return
    }
    // Followers and the leader time their election (`ELECTION_TIME`); observers do not.
    if (state !== ServerState.OBSERVING && this.electionStartMs !== null) this.electionTime.add(now - this.electionStartMs)
    this.electionStartMs = null
    this.roleStartMs = now
    this.leaderStartMs = null
  }

  private servingChanged(now: number, serving: boolean): void {
    this.serving = serving
    if (!serving) return
    if (this.state === ServerState.LEADING) this.leaderStartMs = now
    if (this.unavailableStartMs !== null) {
      const unavailableMs = now - this.unavailableStartMs
      this.unavailableTime.add(unavailableMs)
      if (this.state === ServerState.LEADING) this.leaderUnavailableTime.add(unavailableMs)
      this.unavailableStartMs = null
    }
    if (this.learnerSyncStartMs !== null && this.state !== ServerState.LEADING) {
      const syncMs = now - this.learnerSyncStartMs
      if (this.state === ServerState.OBSERVING) this.observerSyncTime.add(syncMs)
      else this.followerSyncTime.add(syncMs)
    }
    this.learnerSyncStartMs = null
    this.syncMode = 'none'
  }

  private fromLeader(type: number): void {
    const learner = this.peer.learner
    if (learner === null) return
    if (learner.stage === 'sync' || learner.stage === 'leaderInfo') {
      if (type === PacketType.DIFF) this.syncMode = 'diff'
      else if (type === PacketType.SNAP) this.syncMode = 'snap'
      else if (type === PacketType.TRUNC) this.syncMode = 'trunc'
      return
    }
    if (!learner.serving) return
    if (type === PacketType.PROPOSAL && !learner.observer) this.learnerProposalsReceived++
    else if ((type === PacketType.COMMIT && !learner.observer) || (type === PacketType.INFORM && learner.observer)) this.learnerCommitsReceived++
  }

  private sentToLearner(connection: number, type: number, zxid: bigint): void {
    const figures = this.handlers.get(connection)
    if (figures === undefined) return
    figures.queued--
    if (type === PacketType.SNAP || type === PacketType.DIFF || type === PacketType.TRUNC) {
      // One sync per learner connection; Apache's throttlers count the syncs of each kind in progress.
      const kind = type === PacketType.SNAP ? 'snap' : 'diff'
      if (figures.syncing === null) {
        figures.syncing = kind
        if (kind === 'snap') {
          this.snapCount++
          this.inflightSnapCount.add(this.syncsInProgress('snap'))
        } else {
          this.diffCount++
          this.inflightDiffCount.add(this.syncsInProgress('diff'))
        }
      }
    }
    if (figures.sidKey === null) {
      const sid = this.sidOf(connection)
      if (sid === 0) return
      figures.sidKey = String(sid)
    }
    // The packet leaves the learner's queue: Apache samples what is still queued behind it.
    if (figures.packetsSent % MARKER_PACKET_INTERVAL === 0) this.queueTimes.add(figures.sidKey, 0)
    this.queueSizes.add(figures.sidKey, figures.queued)
    figures.packetsSent++
    if (zxid > 0n) figures.lastZxid = zxid
  }

  /** A sync ends when the learner acked NEWLEADER (its handler moved past that stage). */
  private settleSyncs(): void {
    for (const [connection, figures] of this.handlers) {
      if (figures.syncing === null) continue
      const stage = this.stageOf(connection)
      if (stage === 'newLeaderAck' || stage === 'ackEpoch' || stage === 'electing' || stage === 'epoch' || stage === 'info') continue
      const kind = figures.syncing
      figures.syncing = null
      if (kind === 'snap') this.inflightSnapCount.add(this.syncsInProgress('snap'))
      else this.inflightDiffCount.add(this.syncsInProgress('diff'))
    }
  }

  private syncsInProgress(kind: 'diff' | 'snap'): number {
    let count = 0
    for (const figures of this.handlers.values()) if (figures.syncing === kind) count++
    return count
  }

  private sidOf(connection: number): number {
    return this.peer.leader?.learnerConnection(connection)?.sid ?? 0
  }

  private stageOf(connection: number): string {
    return this.peer.leader?.learnerConnection(connection)?.stage ?? 'closed'
  }

  // ---- QuorumStatusView -----------------------------------------------------------------------------------------

  peerState(): string {
    const names: Record<ServerState, string> = {
      [ServerState.LOOKING]: 'looking',
      [ServerState.FOLLOWING]: 'following',
      [ServerState.LEADING]: 'leading',
      [ServerState.OBSERVING]: 'observing',
    }
    let text = names[this.peer.state]
    const zab = this.zabPhase()
    if (zab !== 'election') text += ` - ${zab}`
    if (this.syncMode !== 'none') text += ` - ${this.syncMode}`
    return text
  }

  private zabPhase(): string {
    const leader = this.peer.leader
    if (leader !== null) {
      if (leader.phase === 'broadcast') return 'broadcast'
      if (leader.phase === 'newLeader') return 'synchronization'
      return leader.phase === 'shutdown' ? 'election' : 'discovery'
    }
    const learner = this.peer.learner
    if (learner !== null) {
      if (learner.serving) return 'broadcast'
      if (learner.stage === 'sync') return 'synchronization'
      return learner.stage === 'closed' ? 'election' : 'discovery'
    }
    return 'election'
  }

  observerMasterId(): number | undefined {
    if (this.state !== ServerState.OBSERVING) return undefined
    const learner = this.peer.learner
    return learner !== null && learner.stage !== 'closed' && learner.stage !== 'connecting' ? learner.leaderId : -1
  }

  gauges(): ReadonlyArray<readonly [string, number | null]> {
    const gauges: Array<[string, number | null]> = [['quorum_size', this.peer.quorum.voters.size]]
    const leader = this.peer.leader
    if (this.state === ServerState.LEADING) {
      const handlers = leader?.learnerConnections() ?? []
      const value = (n: number): number | null => (leader === null ? null : n)
      gauges.push(
        ['learners', value(handlers.length)],
        ['synced_followers', value(handlers.filter((h) => h.forwarding && !h.observer).length)],
        ['synced_non_voting_followers', value(handlers.filter((h) => h.forwarding && !h.observer && !this.peer.quorum.isVoter(h.sid)).length)],
        ['synced_observers', value(handlers.filter((h) => h.forwarding && h.observer).length)],
        ['pending_syncs', value(leader?.pendingSyncCount ?? 0)],
        ['leader_uptime', value(this.leaderStartMs === null ? 0 : Math.floor(this.nowMs() - this.leaderStartMs))],
        ['last_proposal_size', value(this.proposalStats.last)],
        ['max_proposal_size', value(this.proposalStats.max)],
        ['min_proposal_size', value(this.proposalStats.min)],
      )
    } else if (this.state === ServerState.FOLLOWING) {
      // A follower without an observer master has no synced_observers figure (null: not printed).
      gauges.push(['synced_observers', null])
    }
    return gauges
  }

  metrics(): ReadonlyMap<string, number> {
    const values = new Map<string, number>([
      ['looking_count', this.lookingCount],
      ['proposal_count', this.proposalCount],
      ['commit_count', this.commitCount],
      ['diff_count', this.diffCount],
      ['snap_count', this.snapCount],
      ['learner_proposal_received_count', this.learnerProposalsReceived],
      ['learner_commit_received_count', this.learnerCommitsReceived],
    ])
    const summaries: Array<[string, LatencyCounter]> = [
      ['election_time', this.electionTime],
      ['follower_sync_time', this.followerSyncTime],
      ['observer_sync_time', this.observerSyncTime],
      ['unavailable_time', this.unavailableTime],
      ['leader_unavailable_time', this.leaderUnavailableTime],
      ['inflight_snap_count', this.inflightSnapCount],
      ['inflight_diff_count', this.inflightDiffCount],
    ]
    for (const [name, counter] of summaries) for (const [key, value] of summaryEntries(name, counter)) values.set(key, value as number)
    return values
  }

  learnerQueueSizes(): MonitorEntry[] {
    return this.queueSizes.entries()
  }

  learnerQueueTimes(): MonitorEntry[] {
    return this.queueTimes.entries()
  }

  /** The active configuration's servers (zoo.cfg's until a reconfig changes them). */
  private servers(): readonly QuorumServerSpec[] {
    return this.peer.configVersion === 0n ? this.config.servers : this.serversOfText(this.peer.membershipText)
  }

  private readonly serversOfText = cachedServersOf()

  confText(): string {
    const own = this.ownSpec
    // The active configuration (after a reconfig, not the zoo.cfg lines).
    const membership = this.peer.membershipText
    return [
      `initLimit=${this.config.initLimitTicks}\n`,
      `syncLimit=${this.config.syncLimitTicks}\n`,
      `electionAlg=${this.config.electionAlg}\n`,
      `electionPort=${own?.electionPort ?? -1}\n`,
      `quorumPort=${own?.quorumPort ?? -1}\n`,
      `peerType=${this.peer.learnerKind === 'participant' ? 0 : 1}\n`,
      'membership: \n',
      `${membership}version=${zxidHex(this.peer.configVersion)}`,
    ].join('')
  }

  proposalSizes(): BufferStats | null {
    return this.state === ServerState.LEADING ? this.proposalStats : null
  }

  leaderInfo(): { isLeader: boolean; leaderId: number; leaderIp: string } {
    const leaderId = this.peer.leaderId ?? -1
    const leader = this.servers().find((server) => server.id === leaderId)
    return { isLeader: this.state === ServerState.LEADING && this.serving, leaderId, leaderIp: leader?.host ?? '' }
  }

  votingView(): VotingMemberView[] {
    return [...this.servers()]
      .filter((server) => this.peer.quorum.isVoter(server.id))
      .sort((a, b) => a.id - b.id)
      .map((server) => ({
        id: server.id,
        serverAddresses: [`${hostText(server.host)}:${server.quorumPort}`],
        electionAddresses: [`${hostText(server.host)}:${server.electionPort}`],
        clientAddress: this.clientAddressOf(server),
        learnerType: server.role,
      }))
  }

  /** The client address a member's server line gives, or ours from clientPort(Address); "" for other members. */
  private clientAddressOf(server: MemberConfig['servers'][number]): string {
    if (server.clientPort !== undefined) return `${hostText(server.clientHost ?? '0.0.0.0')}:${server.clientPort}`
    if (server.id !== this.config.myId) return ''
    return `${hostText(this.config.clientPortAddress ?? '0.0.0.0')}:${this.config.clientPort}`
  }

  observers(): { synced: number; handlers: LearnerHandlerView[] } | null {
    const leader = this.peer.leader
    if (this.state !== ServerState.LEADING || leader === null) return null
    const handlers: LearnerHandlerView[] = []
    for (const h of leader.learnerConnections()) {
      if (!h.forwarding || !h.observer) continue
      const figures = this.handlers.get(h.connection)
      handlers.push({
        // Apache prints the socket's `/ip:port`; the machine knows the connection by id only and QuorumNetwork does
        // not expose its sockets' addresses.
        remoteSocketAddress: '<unknown>',
        sid: h.sid,
        establishedWallMs: figures?.establishedWallMs ?? 0,
        queuedPackets: 0,
        queuedPacketsSize: 0,
        packetsReceived: figures?.packetsReceived ?? 0,
        packetsSent: figures?.packetsSent ?? 0,
        requests: figures?.requests ?? 0,
        lastZxid: figures?.lastZxid ?? -1n,
      })
    }
    return { synced: handlers.length, handlers }
  }

  resetObserverStats(): void {
    const leader = this.peer.leader
    if (leader === null) return
    for (const h of leader.learnerConnections()) {
      const figures = this.handlers.get(h.connection)
      if (!h.observer || figures === undefined) continue
      figures.packetsReceived = 0
      figures.packetsSent = 0
      figures.requests = 0
      figures.lastZxid = -1n
    }
  }

  resetMetrics(options: { proposalSizes: boolean }): void {
    this.lookingCount = 0
    this.proposalCount = 0
    this.commitCount = 0
    this.diffCount = 0
    this.snapCount = 0
    this.learnerProposalsReceived = 0
    this.learnerCommitsReceived = 0
    for (const counter of [
      this.electionTime,
      this.followerSyncTime,
      this.observerSyncTime,
      this.unavailableTime,
      this.leaderUnavailableTime,
      this.inflightSnapCount,
      this.inflightDiffCount,
    ]) {
      counter.reset()
    }
    this.queueSizes.reset()
    this.queueTimes.reset()
    if (options.proposalSizes) this.proposalStats.reset()
  }

  zabState(): ZabStateView {
    const own = this.ownSpec
    const host = own?.host ?? '0.0.0.0'
    return {
      myId: this.config.myId,
      isLeader: this.state === ServerState.LEADING && this.serving,
      quorumAddress: { host, port: own?.quorumPort ?? -1 },
      electionAddress: { host, port: own?.electionPort ?? -1 },
      clientAddress: `${hostText(this.config.clientPortAddress ?? '0.0.0.0')}:${this.config.clientPort}`,
      voting: this.peer.quorum.isVoter(this.config.myId),
      zabState: this.zabPhase(),
    }
  }

  serverUptimeMs(): number {
    return Math.floor(this.nowMs() - this.roleStartMs)
  }

  isLearner(): boolean {
    return this.state === ServerState.FOLLOWING || this.state === ServerState.OBSERVING
  }
}

/** `QuorumServer.delimitedHostString`: IPv6 literals in brackets. */
function hostText(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}
