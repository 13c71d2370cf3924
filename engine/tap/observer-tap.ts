import { type Logger, createLogger } from '../node/log'
import { connectToLeader } from '../node/net/leader-connection'
import type { QuorumConnection } from '../node/net/quorum-connection'
import { type SocketAddress, formatSocketAddress } from '../node/net/socket-address'
import { type LeaderLocation, findLeader } from './leader-finder'
import { type SnapshotSummary, type SyncMode, type TapEffect, type TapGap, TapSession } from './tap-session'
import type { TapTxn } from './tap-txn'

export type TapPhaseName = 'finding-leader' | 'connecting' | 'syncing' | 'live' | 'reconnecting' | 'stopped'

/** What the tap is doing and has seen, for the UI (a copy on every change of phase, leader, epoch or gaps). */
export interface TapStatus {
  phase: TapPhaseName
  serverId: bigint
  leaderId: number | null
  leaderQuorumAddress: string | null
  leaderClientAddress: string | null
  epoch: bigint | null
  /** The last txn streamed (or, before the first, the zxid the stream starts after). */
  lastZxid: bigint | null
  syncMode: SyncMode | null
  snapshot: SnapshotSummary | null
  txnCount: number
  /** Connections made to a leader (1 while the first holds). */
  connections: number
  leaderChanges: number
  gaps: TapGap[]
  lastError: string | null
  /** Wall-clock ms when the current connection went live, or null. */
  liveSinceMs: number | null
}

export interface ObserverTapOptions {
  /** Client addresses of the ensemble (the connect string's hosts): srvr finds the leader among them. */
  members: readonly SocketAddress[]
  /** /zookeeper/config as a member serves it. */
  readConfig: () => Promise<string>
  /** The leader's quorum address, typed by the user: used instead of /zookeeper/config. */
  quorumAddress?: SocketAddress
  /** How the ensemble names a member dialled at `members` (see FindLeaderOptions.nameOf). */
  nameOf?: (member: SocketAddress) => SocketAddress
  /**
   * Where to dial to reach a quorum address (an SSH tunnel's local port forwarding to it). Default: the address
   * itself. The status keeps naming the leader by its real quorum address.
   */
  reach?: (quorumAddress: SocketAddress) => Promise<SocketAddress>
  /** The sid announced; default `defaultTapServerId()`. */
  serverId?: bigint
  connectTimeoutMs?: number
  /** Silence tolerated while syncing (default 20 s) and when live (default 10 s; leaders ping every tickTime / 2). */
  syncTimeoutMs?: number
  readTimeoutMs?: number
  /** Pause between attempts after a failure or a lost leader. Default 300 ms. */
  retryDelayMs?: number
  log?: Logger
  /** Every committed txn, in zxid order (called synchronously as packets arrive: keep it cheap). */
  onTxn(txn: TapTxn): void
  onStatus?(status: TapStatus): void
}

const MAX_GAPS_KEPT = 100
const TAP_SID_BASE = 0x7a70n << 32n
let tapsMade = 0

/**
 * A sid no real member uses: far above Apache's usual 1..255 (and ZooDesk's ceiling of 255), distinct for every tap
 * of this process and, through the pid, of other processes on this machine. Two taps with one sid would both be
 * served by an Apache leader (it keys nothing on an observer's sid) but a ZooDesk leader keeps one connection per
 * sid, so the second would push the first out.
 */
export function defaultTapServerId(): bigint {
  tapsMade = (tapsMade + 1) & 0xffff
  return TAP_SID_BASE + (BigInt(process.pid & 0xffff) << 16n) + BigInt(tapsMade)
}

/**
 * The socket side of the tap: finds the leader, runs a TapSession over `connectToLeader`, and after a lost leader
 * finds the new one and connects again, claiming the last txn it streamed so the new leader sends what was missed
 * (DIFF) or says where the stream resumes (a gap).
 */
export class ObserverTap {
  private readonly state: TapStatus
  private readonly log: Logger
  private stopped = false
  private connection: QuorumConnection<SnapshotSummary> | null = null
  private wake: (() => void) | null = null
  private running: Promise<void> | null = null

  constructor(private readonly options: ObserverTapOptions) {
    this.log = options.log ?? createLogger('tap')
    this.state = {
      phase: 'finding-leader',
      serverId: options.serverId ?? defaultTapServerId(),
      leaderId: null,
      leaderQuorumAddress: null,
      leaderClientAddress: null,
      epoch: null,
      lastZxid: null,
      syncMode: null,
      snapshot: null,
      txnCount: 0,
      connections: 0,
      leaderChanges: 0,
      gaps: [],
      lastError: null,
      liveSinceMs: null,
    }
  }

  status(): TapStatus {
    return { ...this.state, gaps: [...this.state.gaps] }
  }

  start(): void {
    this.running ??= this.run()
  }

  /** Closes the leader connection and ends the loop. */
  async stop(): Promise<void> {
    this.stopped = true
    this.connection?.close('tap detached')
    this.wake?.()
    await this.running
    this.setPhase('stopped')
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let location: LeaderLocation
      try {
        location = await findLeader({
          members: this.options.members,
          readConfig: this.options.readConfig,
          ...(this.options.quorumAddress === undefined ? {} : { quorumAddress: this.options.quorumAddress }),
          ...(this.options.nameOf === undefined ? {} : { nameOf: this.options.nameOf }),
        })
      } catch (error) {
        this.failed(error)
        await this.pause()
        continue
      }
      if (this.stopped) break
      this.noteLeader(location)
      let dialed: SocketAddress
      try {
        dialed = this.options.reach === undefined ? location.quorumAddress : await this.options.reach(location.quorumAddress)
      } catch (error) {
        this.failed(error)
        await this.pause()
        continue
      }
      if (this.stopped) break
      const reason = await this.connectOnce(location, dialed)
      if (this.stopped) break
      this.state.lastError = reason
      this.state.liveSinceMs = null
      this.setPhase('reconnecting')
      await this.pause()
    }
  }

  private noteLeader(location: LeaderLocation): void {
    const previous = this.state.leaderId
    if (previous !== null && location.leaderId !== null && previous !== location.leaderId) this.state.leaderChanges++
    this.state.leaderId = location.leaderId
    this.state.leaderQuorumAddress = formatSocketAddress(location.quorumAddress)
    this.state.leaderClientAddress = location.clientAddress === null ? null : formatSocketAddress(location.clientAddress)
  }

  /** One connection, from connect to close; resolves with why it ended. */
  private connectOnce(location: LeaderLocation, dialed: SocketAddress): Promise<string> {
    const claimZxid = this.state.lastZxid ?? location.zxid ?? 0n
    const session = new TapSession(
      {
        serverId: this.state.serverId,
        claimZxid,
        deliveredZxid: this.state.lastZxid,
        syncTimeoutMs: this.options.syncTimeoutMs ?? 20_000,
        readTimeoutMs: this.options.readTimeoutMs ?? 10_000,
      },
      performance.now(),
    )
    this.state.connections++
    this.setPhase('connecting')
    return new Promise((resolve) => {
      const drain = (connection: QuorumConnection<SnapshotSummary>): void => {
        for (const effect of session.takeEffects()) this.perform(connection, effect)
        // The last txn streamed, or (before the first) the zxid after which the stream is complete.
        this.state.lastZxid = session.lastZxid ?? this.state.lastZxid
      }
      const connection = connectToLeader<SnapshotSummary>({
        leader: dialed,
        connectTimeoutMs: this.options.connectTimeoutMs ?? 5000,
        log: this.log,
        parseSnapshot: summariseSnapshot,
        onConnected: (c) => {
          session.step(performance.now(), { kind: 'connected' })
          this.setPhase('syncing')
          drain(c)
        },
        onPacket: (c, packet, snapshot) => {
          session.step(performance.now(), snapshot === undefined ? { kind: 'packet', packet } : { kind: 'packet', packet, snapshot })
          drain(c)
        },
        onClose: (_c, closed) => {
          session.closed()
          clearInterval(ticker)
          if (this.connection === connection) this.connection = null
          resolve(closed.wasConnected ? `connection to the leader ended: ${closed.reason}` : `cannot connect to ${formatSocketAddress(location.quorumAddress)}: ${closed.reason}`)
        },
      })
      this.connection = connection
      // Read timeouts: coarse on purpose (one check a second), not one timer per packet.
      const ticker = setInterval(() => {
        session.step(performance.now(), { kind: 'tick' })
        drain(connection)
      }, 1000)
      if (this.stopped) connection.close('tap detached')
    })
  }

  private perform(connection: QuorumConnection<SnapshotSummary>, effect: TapEffect): void {
    switch (effect.kind) {
      case 'txn':
        this.state.txnCount++
        this.options.onTxn(effect.txn)
        return
      case 'send':
        connection.send(effect.packet)
        return
      case 'close':
        this.log.warn(`closing the tap's leader connection: ${effect.reason}`)
        connection.close(effect.reason)
        return
      case 'epoch':
        this.state.epoch = effect.epoch
        return this.changed()
      case 'synced':
        this.state.syncMode = effect.mode
        this.state.snapshot = effect.snapshot
        return this.changed()
      case 'live':
        this.state.lastError = null
        this.state.liveSinceMs = Date.now()
        return this.setPhase('live')
      case 'gap':
        this.state.gaps.push(effect.gap)
        if (this.state.gaps.length > MAX_GAPS_KEPT) this.state.gaps.shift()
        return this.changed()
      case 'log':
        if (effect.level === 'warn') this.log.warn(effect.message)
        else this.log.info(effect.message)
        return
    }
  }

  private failed(error: unknown): void {
    this.state.lastError = error instanceof Error ? error.message : String(error)
    this.setPhase(this.state.connections === 0 ? 'finding-leader' : 'reconnecting')
  }

  private pause(): Promise<void> {
    if (this.stopped) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.retryDelayMs ?? 300)
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.wake = () => {
        this.wake = null
        done()
      }
    })
  }

  private setPhase(phase: TapPhaseName): void {
    this.state.phase = phase
    this.changed()
  }

  private changed(): void {
    this.options.onStatus?.(this.status())
  }
}

/** The snapshot after a SNAP is not kept: its size and session count are enough to show what the sync cost. */
function summariseSnapshot(body: Buffer): SnapshotSummary {
  return { sizeBytes: body.length, sessionCount: body.length >= 4 ? Math.max(0, body.readInt32BE(0)) : 0 }
}
