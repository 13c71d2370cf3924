import { ConnectStringError, parseConnectString } from '../../../engine/client'
import type { LocalCluster } from '../../../engine/cluster'
import { type LiveSession, type SessionProbeTarget, probeMemberSessions, probeSessions } from '../../../engine/monitor'
import type { ParsedArgs } from '../../contract/contract'
import type { LiveSessionView, SessionLensView } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { Clusters } from '../clusters/clusters'
import type { Connections } from '../connections/connections'
import { hexLong } from '../znodes/convert'

/** How long `sessions.expire` waits to see the session leave the leader's tracker before answering `expired: false`. */
export const EXPIRE_CONFIRM_TIMEOUT_MS = 10_000

interface Target extends SessionProbeTarget {
  readonly memberId: number | null
}

function toSessionView(session: LiveSession, memberIds: ReadonlyMap<string, number | null>): LiveSessionView {
  return {
    sessionId: hexLong(session.sessionId),
    connections: session.connections.map(({ member, connection }) => ({
      member,
      memberId: memberIds.get(member) ?? null,
      clientAddress: connection.clientAddress,
      lastOperation: connection.lastOperation,
      queued: connection.queued,
      received: connection.received,
      sent: connection.sent,
      establishedAt: connection.establishedMs,
      lastLatencyMs: connection.lastLatencyMs,
      avgLatencyMs: connection.avgLatencyMs,
      maxLatencyMs: connection.maxLatencyMs,
    })),
    timeoutMs: session.timeoutMs,
    ephemerals: session.ephemerals,
    watches: session.watches,
    tracked: session.tracked,
  }
}

/**
 * The session lens: live sessions of an ensemble (an open connection's or a local cluster's) from its members'
 * four-letter words, and, in a local ZooDesk cluster, expiring one on purpose through the cluster's IPC channel.
 */
export class Sessions {
  constructor(
    private readonly connections: Connections,
    private readonly clusters: Clusters,
  ) {}

  async list(args: ParsedArgs<'sessions.list'>): Promise<SessionLensView> {
    const started = performance.now()
    const { targets, clusterId } = this.targetsOf(args)
    const cluster = clusterId === null ? null : this.clusters.localCluster(clusterId)
    const lens = await probeSessions(targets)
    const memberIds = new Map(targets.map((target) => [`${target.host}:${target.port}`, target.memberId]))
    const leaderReport = lens.reports.find((report) => report.mode === 'leader')
    const leaderId = leaderReport === undefined ? null : (memberIds.get(leaderReport.address) ?? null)
    return {
      sessions: lens.sessions.map((session) => toSessionView(session, memberIds)),
      dumpFrom: lens.dumpFrom,
      members: lens.reports.map((report) => ({ address: report.address, memberId: memberIds.get(report.address) ?? null, mode: report.mode })),
      gaps: lens.gaps,
      clusterId,
      expire: expirePossibility(cluster, leaderId),
      takenAt: Date.now(),
      tookMs: Math.round(performance.now() - started),
    }
  }

  /** Asks the cluster's ZooDesk members to expire the session, then waits until the leader no longer tracks it. */
  async expire(args: ParsedArgs<'sessions.expire'>): Promise<{ expired: boolean; tookMs: number }> {
    const cluster = this.clusters.localCluster(args.clusterId)
    const leaderId = (await cluster.status()).find((status) => status.mode === 'leader')?.id ?? null
    const possibility = expirePossibility(cluster, leaderId)
    if (!possibility.possible) throw fail.unsupported(EXPIRE_IMPOSSIBLE[possibility.reason])
    const sessionId = BigInt(args.sessionId)
    const targets = cluster.members.map((member) => ({ host: '127.0.0.1', port: member.clientPort }))
    // Listed by some member's tracker or connections (the closeSession txn is applied everywhere when it is gone).
    const listed = async (): Promise<boolean> => {
      const reports = await Promise.all(targets.map((target) => probeMemberSessions(target, 2000)))
      return reports.some(
        (report) =>
          (report.dump.ok && (report.dump.value.sessions.has(sessionId) || report.dump.value.ephemerals.has(sessionId))) ||
          (report.cons.ok && report.cons.value.some((connection) => connection.sessionId === sessionId)),
      )
    }
    if (!(await listed())) throw fail.notFound('session', args.sessionId)
    const started = performance.now()
    await cluster.expireSession(sessionId)
    const deadline = Date.now() + EXPIRE_CONFIRM_TIMEOUT_MS
    for (;;) {
      if (!(await listed())) return { expired: true, tookMs: Math.round(performance.now() - started) }
      if (Date.now() > deadline) return { expired: false, tookMs: Math.round(performance.now() - started) }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  private targetsOf(args: ParsedArgs<'sessions.list'>): { targets: Target[]; clusterId: string | null } {
    if ('clusterId' in args) {
      const cluster = this.clusters.localCluster(args.clusterId)
      return { targets: cluster.members.map((member) => ({ host: '127.0.0.1', port: member.clientPort, memberId: member.id })), clusterId: args.clusterId }
    }
    const connection = this.connections.get(args.connectionId)
    let hosts: readonly { host: string; port: number }[]
    try {
      hosts = parseConnectString(connection.effectiveConnectString).hosts
    } catch (error) {
      if (error instanceof ConnectStringError) throw fail.badArguments('connectionId', error.message)
      throw error
    }
    // A connection to a local cluster gets its member ids (and the expire action).
    const local = ['127.0.0.1', 'localhost'].includes(hosts[0]?.host ?? '')
    const clusterId = local ? this.clusters.clusterIdServing(hosts.map((host) => host.port)) : null
    const cluster = clusterId === null ? null : this.clusters.localCluster(clusterId)
    const memberOf = (port: number): number | null => cluster?.members.find((member) => member.clientPort === port)?.id ?? null
    return { targets: hosts.map((host) => ({ host: host.host, port: host.port, memberId: memberOf(host.port) })), clusterId }
  }
}

type ExpireImpossible = Extract<SessionLensView['expire'], { possible: false }>['reason']

const EXPIRE_IMPOSSIBLE: Record<ExpireImpossible, string> = {
  'not-local': 'only a local cluster started by ZooDesk can expire a session on purpose',
  apache: 'Apache ZooKeeper has no four-letter word or AdminServer command that expires a session (only JMX ConnectionMXBean.terminateSession); its timeout or its client closing ends it',
  'apache-leader': 'only the leader owns sessions, and the leader is an Apache ZooKeeper member, which cannot be told to expire one; restart it so that a ZooDesk member leads',
  'not-running': 'the cluster is not running',
}

/** `leaderId`: the member that leads now, if known; a ZooDesk follower cannot expire sessions the leader owns. */
function expirePossibility(cluster: LocalCluster | null, leaderId: number | null): SessionLensView['expire'] {
  if (cluster === null) return { possible: false, reason: 'not-local' }
  if (!cluster.members.some((member) => member.kind === 'zoodesk')) return { possible: false, reason: 'apache' }
  if (!cluster.isRunning) return { possible: false, reason: 'not-running' }
  if (cluster.members.find((member) => member.id === leaderId)?.kind === 'apache') return { possible: false, reason: 'apache-leader' }
  return { possible: true }
}
