import { randomUUID } from 'node:crypto'
import { ConnectStringError, ZooKeeperClient, parseConnectString } from '../../../engine/client'
import { parseSocketAddress } from '../../../engine/node/net/socket-address'
import { ObserverTap, type TapStatus, type TapTxn } from '../../../engine/tap'
import type { ParsedArgs } from '../../contract/contract'
import type { TapTxnView, TapView } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { EventBus } from '../../rpc/event-bus'
import type { Connections } from '../connections/connections'
import { hexLong } from '../znodes/convert'

/** How often a tap's txns leave for the UI, and the most one batch carries (counts always cover all of them). */
export const TAP_BATCH_INTERVAL_MS = 200
export const TAP_MAX_TXNS_PER_BATCH = 2000
const CONFIG_READ_TIMEOUT_MS = 15_000

interface RunningTap {
  readonly tapId: string
  readonly target: string
  readonly connectionId: string | null
  readonly attachedAt: number
  readonly tap: ObserverTap
  readonly timer: NodeJS.Timeout
  pending: TapTxn[]
  counts: Map<string, number>
  omitted: number
}

export function toTxnView(txn: TapTxn): TapTxnView {
  return {
    zxid: hexLong(txn.zxid),
    type: txn.type,
    sessionId: hexLong(txn.sessionId),
    cxid: txn.cxid,
    time: txn.timeMs,
    paths: txn.paths,
    dataBytes: txn.dataBytes,
    subTypes: txn.subTypes,
    errorCode: txn.errorCode,
  }
}

/**
 * Observer taps (engine/tap) on any ensemble: by an open connection (its client reads /zookeeper/config, its connect
 * string lists the members to ask srvr) or by a connect string. Txns are batched every 200 ms onto `tap.txns`;
 * phase, leader, epoch and gaps go on `tap.state`.
 */
export class Taps {
  private readonly taps = new Map<string, RunningTap>()

  constructor(
    private readonly connections: Connections,
    private readonly bus: EventBus,
  ) {
    // A tap through a connection's SSH tunnel cannot outlive the tunnel.
    connections.onClose((connection) => {
      if (connection.tunnel === null) return
      for (const running of this.taps.values()) if (running.connectionId === connection.id) void this.detach(running.tapId)
    })
  }

  attach(args: ParsedArgs<'tap.attach'>): TapView {
    const byConnection = 'connectionId' in args
    const connection = byConnection ? this.connections.get(args.connectionId) : null
    const connectString = connection?.effectiveConnectString ?? ('connectString' in args ? args.connectString : '')
    let members: { host: string; port: number }[]
    try {
      members = parseConnectString(connectString).hosts.map((host) => ({ host: host.host, port: host.port }))
    } catch (error) {
      if (error instanceof ConnectStringError) throw fail.badArguments('connectString', error.message)
      throw error
    }
    let quorumAddress: { host: string; port: number } | undefined
    if (args.quorumAddress !== undefined) {
      const parsed = parseSocketAddress(args.quorumAddress)
      if (parsed === null) throw fail.badArguments('quorumAddress', 'expected host:port')
      quorumAddress = parsed
    }
    const tapId = randomUUID()
    const connectionId = connection?.id ?? null
    const tunnel = connection?.tunnel ?? null
    const readConfig = async (): Promise<string> => {
      // The connection's own session when it is still open (no session txns of ours in the stream); else a short one.
      const open = connectionId === null ? null : this.openConnection(connectionId)
      if (open !== null) return (await open.client.getConfig()).data?.toString('utf8') ?? ''
      const client = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 10_000, connectTimeoutMs: CONFIG_READ_TIMEOUT_MS })
      try {
        return (await client.getConfig()).data?.toString('utf8') ?? ''
      } finally {
        await client.close()
      }
    }
    const running: RunningTap = {
      tapId,
      target: connection?.name ?? connectString,
      connectionId,
      attachedAt: Date.now(),
      tap: new ObserverTap({
        members,
        readConfig,
        ...(quorumAddress === undefined ? {} : { quorumAddress }),
        // Behind an SSH tunnel the members are dialled at local ports and the leader's quorum port is forwarded too.
        ...(tunnel === null ? {} : { nameOf: (member) => tunnel.remoteOf(member), reach: (address) => tunnel.reach(address) }),
        ...(args.serverId === undefined ? {} : { serverId: BigInt(args.serverId) }),
        onTxn: (txn) => this.collect(running, txn),
        onStatus: (status) => this.bus.emit('tap.state', this.viewOf(running, status)),
      }),
      timer: setInterval(() => this.flush(running), TAP_BATCH_INTERVAL_MS),
      pending: [],
      counts: new Map(),
      omitted: 0,
    }
    this.taps.set(tapId, running)
    running.tap.start()
    return this.viewOf(running, running.tap.status())
  }

  async detach(tapId: string): Promise<boolean> {
    const running = this.get(tapId)
    this.taps.delete(tapId)
    clearInterval(running.timer)
    await running.tap.stop()
    this.flush(running)
    this.bus.emit('tap.state', this.viewOf(running, running.tap.status()))
    return true
  }

  list(): TapView[] {
    return [...this.taps.values()].map((running) => this.viewOf(running, running.tap.status()))
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.taps.keys()].map((tapId) => this.detach(tapId)))
  }

  private openConnection(connectionId: string): ReturnType<Connections['get']> | null {
    try {
      return this.connections.get(connectionId)
    } catch {
      return null
    }
  }

  private get(tapId: string): RunningTap {
    const running = this.taps.get(tapId)
    if (running === undefined) throw fail.notFound('tap', tapId)
    return running
  }

  private collect(running: RunningTap, txn: TapTxn): void {
    running.counts.set(txn.type, (running.counts.get(txn.type) ?? 0) + 1)
    running.pending.push(txn)
    // Bounded between flushes: under a burst only the newest are carried, the counts still cover all.
    if (running.pending.length >= 2 * TAP_MAX_TXNS_PER_BATCH) {
      running.omitted += running.pending.length - TAP_MAX_TXNS_PER_BATCH
      running.pending = running.pending.slice(-TAP_MAX_TXNS_PER_BATCH)
    }
  }

  private flush(running: RunningTap): void {
    if (running.counts.size === 0) return
    let txns = running.pending
    let omitted = running.omitted
    if (txns.length > TAP_MAX_TXNS_PER_BATCH) {
      omitted += txns.length - TAP_MAX_TXNS_PER_BATCH
      txns = txns.slice(-TAP_MAX_TXNS_PER_BATCH)
    }
    const status = running.tap.status()
    this.bus.emit('tap.txns', {
      tapId: running.tapId,
      time: Date.now(),
      txns: txns.map(toTxnView),
      counts: Object.fromEntries(running.counts),
      omitted,
      txnCount: status.txnCount,
      lastZxid: status.lastZxid === null ? null : hexLong(status.lastZxid),
    })
    running.pending = []
    running.counts = new Map()
    running.omitted = 0
  }

  private viewOf(running: RunningTap, status: TapStatus): TapView {
    return {
      tapId: running.tapId,
      target: running.target,
      connectionId: running.connectionId,
      phase: status.phase,
      serverId: String(status.serverId),
      leaderId: status.leaderId,
      leaderQuorumAddress: status.leaderQuorumAddress,
      leaderClientAddress: status.leaderClientAddress,
      epoch: status.epoch === null ? null : Number(status.epoch),
      lastZxid: status.lastZxid === null ? null : hexLong(status.lastZxid),
      syncMode: status.syncMode,
      snapshotBytes: status.snapshot?.sizeBytes ?? null,
      txnCount: status.txnCount,
      connections: status.connections,
      leaderChanges: status.leaderChanges,
      gaps: status.gaps.map((gap) => ({ afterZxid: hexLong(gap.afterZxid), beforeZxid: hexLong(gap.beforeZxid), count: gap.count, reason: gap.reason })),
      lastError: status.lastError,
      attachedAt: running.attachedAt,
      liveSince: status.liveSinceMs,
    }
  }
}
