// Per-node history and undo. Behind a connection to a local cluster (ours or Apache members: their dataDirs are on
// this machine) the txn log of a member's dataDir says everything: each version of the node, the session that made
// it, the txn time. Behind a remote ensemble only a watch can see changes, from the first call on: a partial
// timeline. "Restore" writes a version's data back with a versioned setData, so a concurrent change is refused
// (BADVERSION) instead of overwritten.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseConnectString } from '../../../engine/client'
import { ForensicDataDir, type NodeChange, nodeHistory, sessionCreatedAt } from '../../../engine/forensics'
import { fourLetterWord, notWhitelisted, parseCons, parseSrvr } from '../../../engine/monitor'
import type { ParsedArgs } from '../../contract/contract'
import type { ClusterView, NodeHistoryView, NodeRestoreResult, NodeVersionData, NodeVersionView } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { EventBus } from '../../rpc/event-bus'
import type { AuditLog } from '../audit-log'
import type { Connections, OpenConnection } from '../connections/connections'
import type { Operations } from '../operations'
import { hexLong, toAclEntries, toBase64, toZnodeStat } from '../znodes/convert'
import { type SeenVersion, WatchTimeline } from './watch-timeline'

const CONS_TIMEOUT_MS = 1500
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

/** What history.version and history.restore need of one version: its data and ACL. */
interface KeptVersion {
  data: Buffer | null
  dataKnown: boolean
  acl: NodeChange['acl']
}

interface LastHistory {
  view: NodeHistoryView
  byZxid: Map<string, KeptVersion>
}

export interface ClusterLookup {
  list(): ClusterView[]
}

/** The local cluster whose members a connection dials (any loopback host:port that is a member's client port). */
export function localClusterOf(connection: OpenConnection, clusters: readonly ClusterView[]): ClusterView | null {
  const hosts = parseConnectString(connection.effectiveConnectString).hosts.filter((host) => LOOPBACK_HOSTS.has(host.host))
  return clusters.find((cluster) => cluster.members.some((member) => hosts.some((host) => host.port === member.clientPort))) ?? null
}

export class History {
  private readonly last = new Map<string, LastHistory>()
  private readonly timelines = new Map<string, WatchTimeline>()

  constructor(
    private readonly connections: Connections,
    private readonly clusters: ClusterLookup,
    private readonly operations: Operations,
    private readonly audit: AuditLog,
    private readonly bus: EventBus,
  ) {
    connections.onClose((connection) => {
      for (const [key, timeline] of this.timelines) {
        if (key.startsWith(`${connection.id}\u0000`)) {
          this.timelines.delete(key)
          void timeline.stop()
        }
      }
      for (const key of [...this.last.keys()]) if (key.startsWith(`${connection.id}\u0000`)) this.last.delete(key)
    })
  }

  private key(connectionId: string, path: string): string {
    return `${connectionId}\u0000${path}`
  }

  async list(args: ParsedArgs<'history.list'>): Promise<NodeHistoryView> {
    const connection = this.connections.get(args.connectionId)
    const cluster = localClusterOf(connection, this.clusters.list())
    const started = performance.now()
    const history = cluster === null ? await this.fromWatch(connection, args.path) : await this.fromTxnLog(connection, cluster, args.path, args.operationId)
    const current = await connection.client.exists(args.path).catch(() => null)
    history.view.currentVersion = current?.version ?? null
    history.view.elapsedMs = Math.round(performance.now() - started)
    this.last.set(this.key(args.connectionId, args.path), history)
    return history.view
  }

  /** Reads every member's txn log (they may differ: a member that was down caught up by snapshot) and keeps the most complete. */
  private async fromTxnLog(connection: OpenConnection, cluster: ClusterView, path: string, operationId: string | undefined): Promise<LastHistory> {
    return this.operations.run('forensics', `history ${path}`, operationId, async (operation) => {
      let best: { memberId: number; dir: ForensicDataDir } | null = null
      const members = await this.mostCurrentMembers(cluster)
      let done = 0
      try {
        for (const member of members) {
          const dir = await ForensicDataDir.open(join(cluster.dataDir, String(member.id)), { signal: operation.signal })
          operation.progress('reading', ++done, members.length)
          const lastZxid = dir.summary.lastZxid ?? -1n
          const bestZxid = best?.dir.summary.lastZxid ?? -1n
          if (best === null || lastZxid > bestZxid) {
            await best?.dir.close()
            best = { memberId: member.id, dir }
          } else {
            await dir.close()
          }
        }
        if (best === null) throw fail.notFound('txn log of cluster', cluster.name)
        const { dir } = best
        const history = await nodeHistory(dir, path, operation.signal)
        const addresses = await this.clientAddresses(cluster)
        const sessionTimes = new Map<bigint, number | null>()
        const byZxid = new Map<string, KeptVersion>()
        const versions: NodeVersionView[] = history.changes.map((change) => {
          if (!sessionTimes.has(change.sessionId)) sessionTimes.set(change.sessionId, sessionCreatedAt(dir, change.sessionId)?.timeMs ?? null)
          const zxid = hexLong(change.zxid)
          byZxid.set(zxid, { data: change.data, dataKnown: change.dataKnown, acl: change.acl })
          return {
            zxid,
            time: change.timeMs,
            kind: change.kind,
            version: change.version,
            aclVersion: change.aclVersion,
            sessionId: hexLong(change.sessionId),
            clientAddress: addresses.get(change.sessionId) ?? null,
            sessionCreatedAt: sessionTimes.get(change.sessionId) ?? null,
            dataBytes: change.dataKnown ? (change.data?.length ?? 0) : null,
            inMulti: change.inMulti,
            ephemeral: change.ephemeralOwner !== null && change.ephemeralOwner !== 0n,
          }
        })
        const view: NodeHistoryView = {
          connectionId: connection.id,
          path,
          source: 'txnLog',
          partial: false,
          clusterId: cluster.clusterId,
          memberId: best.memberId,
          startsWithCreate: history.startsWithCreate,
          versions,
          currentVersion: null,
          elapsedMs: 0,
        }
        return { view, byZxid }
      } finally {
        await best?.dir.close()
      }
    })
  }

  /**
   * The members whose txn log to read: the one `srvr` says has the highest zxid (one log indexed, not three); when no
   * member answers, every member with a log (the most complete one is kept).
   */
  private async mostCurrentMembers(cluster: ClusterView): Promise<ClusterView['members']> {
    const withLog = cluster.members.filter((member) => existsSync(join(cluster.dataDir, String(member.id), 'version-2')))
    const zxids = await Promise.all(
      withLog.map(async (member) => {
        const text = await fourLetterWord('127.0.0.1', member.clientPort, 'srvr', CONS_TIMEOUT_MS).catch(() => '')
        return { member, zxid: text === '' ? null : (parseSrvr(text).zxid ?? null) }
      }),
    )
    let best: { member: ClusterView['members'][number]; zxid: bigint } | null = null
    for (const one of zxids) if (one.zxid !== null && (best === null || one.zxid > best.zxid)) best = { member: one.member, zxid: one.zxid }
    return best === null ? withLog : [best.member]
  }

  /** Live sessions' client addresses, from every member's `cons` (a session's address is in no txn). */
  private async clientAddresses(cluster: ClusterView): Promise<Map<bigint, string>> {
    const out = new Map<bigint, string>()
    const answers = await Promise.all(
      cluster.members.filter((member) => member.state === 'running').map((member) => fourLetterWord('127.0.0.1', member.clientPort, 'cons', CONS_TIMEOUT_MS).catch(() => '')),
    )
    for (const text of answers) {
      if (text === '' || notWhitelisted(text)) continue
      for (const line of parseCons(text)) if (line.sessionId !== null && line.clientAddress !== null) out.set(line.sessionId, line.clientAddress)
    }
    return out
  }

  private async fromWatch(connection: OpenConnection, path: string): Promise<LastHistory> {
    const key = this.key(connection.id, path)
    let timeline = this.timelines.get(key)
    if (timeline === undefined) {
      timeline = new WatchTimeline(connection.client, path, () => this.bus.emit('history.changed', { connectionId: connection.id, path }))
      this.timelines.set(key, timeline)
      try {
        await timeline.start()
      } catch (error) {
        this.timelines.delete(key)
        throw error
      }
    }
    await timeline.settled()
    const byZxid = new Map<string, KeptVersion>()
    const versions = timeline.versions.map((seen: SeenVersion): NodeVersionView => {
      const zxid = hexLong(seen.zxid)
      if (seen.kind !== 'delete') byZxid.set(zxid, { data: seen.data, dataKnown: true, acl: null })
      return {
        zxid,
        time: seen.timeMs,
        kind: seen.kind,
        version: seen.version,
        aclVersion: seen.aclVersion,
        sessionId: null,
        clientAddress: null,
        sessionCreatedAt: null,
        dataBytes: seen.data?.length ?? 0,
        inMulti: false,
        ephemeral: seen.ephemeralOwner !== null && seen.ephemeralOwner !== 0n,
      }
    })
    const view: NodeHistoryView = {
      connectionId: connection.id,
      path,
      source: 'watch',
      partial: true,
      clusterId: null,
      memberId: null,
      startsWithCreate: false,
      versions,
      currentVersion: null,
      elapsedMs: 0,
    }
    return { view, byZxid }
  }

  private async kept(connectionId: string, path: string, zxid: string): Promise<KeptVersion> {
    const wanted = hexLong(BigInt(zxid))
    let last = this.last.get(this.key(connectionId, path))
    if (last?.byZxid.has(wanted) !== true) {
      await this.list({ connectionId, path, operationId: undefined })
      last = this.last.get(this.key(connectionId, path))
    }
    const kept = last?.byZxid.get(wanted)
    if (kept === undefined) throw fail.notFound('version', `${path} @ ${zxid}`)
    return kept
  }

  async version(args: ParsedArgs<'history.version'>): Promise<NodeVersionData> {
    const kept = await this.kept(args.connectionId, args.path, args.zxid)
    return { zxid: hexLong(BigInt(args.zxid)), data: toBase64(kept.data), dataKnown: kept.dataKnown, acl: kept.acl === null ? null : toAclEntries(kept.acl) }
  }

  async restore(args: ParsedArgs<'history.restore'>): Promise<NodeRestoreResult> {
    const connection = this.connections.writable(args.connectionId)
    const kept = await this.kept(args.connectionId, args.path, args.zxid)
    if (!kept.dataKnown) throw fail.conflict(`the data of ${args.path} at ${args.zxid} is not in the txn log`)
    // Without an expected version, the one read now: the window for a concurrent change is this read-then-write.
    const expected = args.expectedVersion ?? (await connection.client.exists(args.path))?.version
    if (expected === undefined) throw fail.notFound('node', args.path)
    const stat = await connection.client.setData(args.path, kept.data, expected)
    this.audit.record({
      connectionId: connection.id,
      connectionName: connection.name,
      operation: 'restore',
      path: args.path,
      oldVersion: expected,
      newVersion: stat.version,
      detail: `data of ${args.zxid}, ${kept.data?.length ?? 0} bytes`,
    })
    return { stat: toZnodeStat(stat), zxid: hexLong(BigInt(args.zxid)) }
  }

  async forget(connectionId: string, path: string): Promise<boolean> {
    const key = this.key(connectionId, path)
    const timeline = this.timelines.get(key)
    this.last.delete(key)
    if (timeline === undefined) return false
    this.timelines.delete(key)
    await timeline.stop()
    return true
  }

  async stopAll(): Promise<void> {
    for (const timeline of this.timelines.values()) await timeline.stop()
    this.timelines.clear()
    this.last.clear()
  }
}
