import { randomUUID } from 'node:crypto'
import { parseConnectString } from '../../../engine/client'
import { EnsembleMonitor, type MemberHealth, type MonitoredMember } from '../../../engine/monitor'
import type { ParsedArgs } from '../../contract/contract'
import type { HealthSnapshot, MemberSample } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { EventBus } from '../../rpc/event-bus'
import type { Connections } from '../connections/connections'
import { hexLong } from '../znodes/convert'

/** Where the members of a local cluster are, from the clusters service. */
export type ClusterMembersLookup = (clusterId: string) => MonitoredMember[]

function toSample(health: MemberHealth): MemberSample {
  return { ...health, zxid: health.zxid === null ? null : hexLong(health.zxid), notices: [...health.notices], sources: [...health.sources] }
}

/** Health monitors (engine/monitor) for any ensemble, by connection, local cluster or explicit member list. */
export class Health {
  private readonly monitors = new Map<string, EnsembleMonitor>()

  constructor(
    private readonly connections: Connections,
    private readonly clusterMembers: ClusterMembersLookup,
    private readonly bus: EventBus,
  ) {}

  private membersOf(target: ParsedArgs<'health.watch'>['target']): MonitoredMember[] {
    switch (target.kind) {
      case 'connection': {
        const connection = this.connections.get(target.connectionId)
        return parseConnectString(connection.effectiveConnectString).hosts.map((host) => ({ host: host.host, clientPort: host.port, adminPort: null }))
      }
      case 'cluster':
        return this.clusterMembers(target.clusterId)
      case 'members':
        return target.members.map((member) => ({ host: member.host, clientPort: member.clientPort, adminPort: member.adminPort }))
    }
  }

  watch(args: ParsedArgs<'health.watch'>): HealthSnapshot {
    const members = this.membersOf(args.target)
    const monitorId = randomUUID()
    const monitor = new EnsembleMonitor(members, {
      intervalMs: args.intervalMs,
      onRound: (samples) => this.bus.emit('health.sample', { monitorId, samples: samples.map(toSample) }),
      onAlert: (alert) => this.bus.emit('health.alert', { monitorId, ...alert }),
    })
    this.monitors.set(monitorId, monitor)
    monitor.start()
    return this.snapshotOf(monitorId, monitor)
  }

  private get(monitorId: string): EnsembleMonitor {
    const monitor = this.monitors.get(monitorId)
    if (monitor === undefined) throw fail.notFound('health monitor', monitorId)
    return monitor
  }

  private snapshotOf(monitorId: string, monitor: EnsembleMonitor): HealthSnapshot {
    return {
      monitorId,
      members: monitor.members.map((member) => ({ ...member })),
      latest: monitor.latest().map(toSample),
      leader: monitor.currentLeader,
      hasQuorum: monitor.hasQuorum,
    }
  }

  snapshot(monitorId: string): HealthSnapshot {
    return this.snapshotOf(monitorId, this.get(monitorId))
  }

  series(monitorId: string, member: string | undefined, sinceMs: number | undefined): { samples: MemberSample[] } {
    return { samples: this.get(monitorId).history(member, sinceMs).map(toSample) }
  }

  list(): HealthSnapshot[] {
    return [...this.monitors].map(([id, monitor]) => this.snapshotOf(id, monitor))
  }

  async unwatch(monitorId: string): Promise<boolean> {
    const monitor = this.get(monitorId)
    this.monitors.delete(monitorId)
    await monitor.stop()
    return true
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.monitors.keys()].map((id) => this.unwatch(id)))
  }
}
