import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { LocalCluster, type MemberKind, type MemberSpawner, PortInUseError } from '../../../engine/cluster'
import type { MonitoredMember } from '../../../engine/monitor'
import type { ParsedArgs } from '../../contract/contract'
import type { ClusterMemberState, ClusterView, ClusterZabEvent, ZabEventView } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { EventBus } from '../../rpc/event-bus'
import { ZabTimeline } from './zab-timeline'

/** A cluster's definition, kept in `<userData>/clusters.json` so that it comes back on the next launch. */
interface ClusterDefinition {
  clusterId: string
  name: string
  voters: number
  observers: number
  basePort: number | null
  dataDir: string
  tickTimeMs: number
  /** One kind for every member, or one per member in id order (a mixed ensemble). */
  kind: MemberKind | MemberKind[]
  /** Absent in definitions saved before it existed. */
  reconfigEnabled?: boolean
  isDefault: boolean
}

interface MemberTrack {
  state: ClusterMemberState
  disk: { mode: 'ok' | 'slow' | 'fail'; delayMs: number }
  lastExit: string | null
}

interface Entry {
  definition: ClusterDefinition
  cluster: LocalCluster
  members: Map<number, MemberTrack>
  partition: number[][] | null
}

export interface ClustersOptions {
  /** `<userData>`: clusters.json and the default data dirs (`clusters/<id>`) live there. */
  userDataDir: string
  /** The ZooDesk CLI bundle members run. */
  zoodeskScript: string
  /** How member processes are started (Electron: its binary as Node); default child_process. */
  spawnMember?: MemberSpawner
}

const SERVING_TIMEOUT_MS = 60_000

/**
 * Local ensembles (engine/cluster LocalCluster): each member in its own process, partitions through the cluster's
 * peer proxies, disk faults through the member's IPC channel. Members die with this process however it ends
 * (IPC disconnect, plus the kernel's parent-death signal on Linux).
 */
export class Clusters {
  private readonly entries = new Map<string, Entry>()
  /** By cluster id, not entry: a cluster moved to free ports (a new LocalCluster) keeps its history. */
  private readonly timelines = new Map<string, ZabTimeline>()
  private readonly file: string

  constructor(
    private readonly options: ClustersOptions,
    private readonly bus: EventBus,
  ) {
    this.file = join(options.userDataDir, 'clusters.json')
  }

  private loadDefinitions(): ClusterDefinition[] {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { clusters?: ClusterDefinition[] }
      return Array.isArray(parsed.clusters) ? parsed.clusters : []
    } catch {
      return []
    }
  }

  private persist(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 })
    const temp = `${this.file}.${process.pid}.tmp`
    writeFileSync(temp, `${JSON.stringify({ clusters: [...this.entries.values()].map((entry) => entry.definition) }, null, 2)}\n`, { mode: 0o600 })
    renameSync(temp, this.file)
  }

  /** Definitions saved by earlier runs, not started. */
  async restoreSaved(): Promise<void> {
    for (const definition of this.loadDefinitions()) {
      if (!this.entries.has(definition.clusterId)) await this.instantiate(definition)
    }
  }

  private async instantiate(definition: ClusterDefinition): Promise<Entry> {
    const build = (basePort: number | null) =>
      LocalCluster.create({
        voters: definition.voters,
        observers: definition.observers,
        dataDir: definition.dataDir,
        tickTimeMs: definition.tickTimeMs,
        kind: definition.kind ?? 'zoodesk',
        reconfigEnabled: definition.reconfigEnabled ?? false,
        // Both servers let only a superuser (or skipACL) reconfig: a test cluster that allows it skips ACL checks.
        ...(definition.reconfigEnabled === true ? { extraConfig: { skipACL: 'yes' } } : {}),
        zoodeskScript: this.options.zoodeskScript,
        ...(basePort === null ? {} : { basePort }),
        ...(this.options.spawnMember === undefined ? {} : { spawnMember: this.options.spawnMember }),
      })
    const cluster = await build(definition.basePort)
    definition.basePort = cluster.layout.basePort
    const members = new Map<number, MemberTrack>(cluster.members.map((member) => [member.id, { state: 'stopped', disk: { mode: 'ok', delayMs: 0 }, lastExit: null }]))
    const entry: Entry = { definition, cluster, members, partition: null }
    cluster.on('member-start', (event) => {
      const track = members.get(event.id)
      if (track !== undefined) {
        track.state = 'running'
        track.lastExit = null
      }
      this.recordZab(definition.clusterId, event.id, Date.now(), { type: 'member', running: true, detail: event.pid === undefined ? null : `pid ${event.pid}` })
      this.changed(entry)
    })
    cluster.on('member-exit', (event) => {
      const track = members.get(event.id)
      if (track !== undefined) {
        track.state = event.signal === 'SIGKILL' ? 'killed' : event.expected ? 'stopped' : 'exited'
        track.lastExit = event.signal ?? `code ${event.code}`
      }
      this.recordZab(definition.clusterId, event.id, Date.now(), { type: 'member', running: false, detail: event.signal ?? `code ${event.code}` })
      this.changed(entry)
    })
    cluster.on('zab', (event) => this.recordZab(definition.clusterId, event.id, event.time, event.event))
    this.entries.set(definition.clusterId, entry)
    return entry
  }

  /** Keeps a ZAB event in the cluster's history and streams it on clusters.zab. */
  private recordZab(clusterId: string, memberId: number, time: number, event: ZabEventView): void {
    let timeline = this.timelines.get(clusterId)
    if (timeline === undefined) {
      timeline = new ZabTimeline()
      this.timelines.set(clusterId, timeline)
    }
    const payload: ClusterZabEvent = { clusterId, memberId, time, event }
    timeline.add(payload)
    this.bus.emit('clusters.zab', payload)
  }

  /** The buffered ZAB history (oldest first). */
  timeline(clusterId: string, sinceMs?: number): { events: ClusterZabEvent[] } {
    this.get(clusterId)
    return { events: this.timelines.get(clusterId)?.list(sinceMs) ?? [] }
  }

  private changed(entry: Entry): void {
    this.bus.emit('clusters.state', this.view(entry))
  }

  private get(clusterId: string): Entry {
    const entry = this.entries.get(clusterId)
    if (entry === undefined) throw fail.notFound('cluster', clusterId)
    return entry
  }

  view(entry: Entry): ClusterView {
    const { cluster, definition } = entry
    return {
      clusterId: definition.clusterId,
      name: definition.name,
      kind: Array.isArray(definition.kind) ? (definition.kind.every((kind) => kind === definition.kind[0]) ? definition.kind[0]! : 'mixed') : definition.kind,
      reconfigEnabled: definition.reconfigEnabled ?? false,
      connectString: cluster.connectString,
      dataDir: definition.dataDir,
      tickTimeMs: definition.tickTimeMs,
      voters: definition.voters,
      observers: definition.observers,
      members: cluster.members.map((member) => {
        const track = entry.members.get(member.id)
        return {
          id: member.id,
          role: member.role === 'observer' ? ('observer' as const) : ('voter' as const),
          kind: member.kind,
          state: track?.state ?? 'stopped',
          pid: cluster.pid(member.id) ?? null,
          clientPort: member.clientPort,
          adminPort: member.adminPort,
          disk: track?.disk ?? { mode: 'ok', delayMs: 0 },
          lastExit: track?.lastExit ?? null,
        }
      }),
      partition: entry.partition,
      running: cluster.isRunning,
      isDefault: definition.isDefault,
    }
  }

  list(): ClusterView[] {
    return [...this.entries.values()].map((entry) => this.view(entry))
  }

  byId(clusterId: string): ClusterView {
    return this.view(this.get(clusterId))
  }

  defaultCluster(): ClusterView | null {
    const entry = [...this.entries.values()].find((candidate) => candidate.definition.isDefault)
    return entry === undefined ? null : this.view(entry)
  }

  async create(args: ParsedArgs<'clusters.create'> & { isDefault?: boolean }): Promise<ClusterView> {
    if ([...this.entries.values()].some((entry) => entry.definition.name === args.name)) throw fail.conflict(`a cluster named ${JSON.stringify(args.name)} exists`)
    if (Array.isArray(args.kind) && args.kind.length !== args.voters + args.observers) {
      throw fail.badArguments('kind', `one kind per member: ${args.voters + args.observers} expected, ${args.kind.length} given`)
    }
    const clusterId = randomUUID()
    const definition: ClusterDefinition = {
      clusterId,
      name: args.name,
      voters: args.voters,
      observers: args.observers,
      basePort: args.basePort,
      dataDir: args.dataDir ?? join(this.options.userDataDir, 'clusters', clusterId),
      tickTimeMs: args.tickTimeMs,
      kind: args.kind,
      reconfigEnabled: args.reconfigEnabled,
      isDefault: args.isDefault ?? false,
    }
    let entry: Entry
    try {
      entry = await this.instantiate(definition)
    } catch (error) {
      throw fail.conflict(`cannot create the cluster: ${(error as Error).message}`)
    }
    this.persist()
    if (args.start) await this.start(clusterId)
    return this.view(entry)
  }

  /**
   * Starts every member and waits until they all serve. When a saved port is taken now (another program got it
   * since the last run), the cluster moves to a free block of ports: members keep their data, clients get the new
   * connect string from the view.
   */
  async start(clusterId: string): Promise<ClusterView> {
    let entry = this.get(clusterId)
    try {
      try {
        await entry.cluster.start()
      } catch (error) {
        if (!(error instanceof PortInUseError) || entry.cluster.isRunning) throw error
        this.entries.delete(clusterId)
        entry.definition.basePort = null
        entry = await this.instantiate(entry.definition)
        this.persist()
        await entry.cluster.start()
      }
      await entry.cluster.waitForServing(SERVING_TIMEOUT_MS)
    } catch (error) {
      throw fail.conflict(`cluster ${entry.definition.name} did not start: ${(error as Error).message}`)
    }
    this.changed(entry)
    return this.view(entry)
  }

  async stop(clusterId: string): Promise<ClusterView> {
    const entry = this.get(clusterId)
    await entry.cluster.stop()
    entry.partition = null
    this.changed(entry)
    return this.view(entry)
  }

  async remove(args: ParsedArgs<'clusters.remove'>): Promise<boolean> {
    const entry = this.get(args.clusterId)
    if (args.deleteData && args.confirm !== entry.definition.name) {
      throw fail.confirm(entry.definition.name, entry.definition.voters + entry.definition.observers, `deleting cluster ${entry.definition.name} erases its data in ${entry.definition.dataDir}`)
    }
    await entry.cluster.close()
    this.entries.delete(args.clusterId)
    this.timelines.delete(args.clusterId)
    this.persist()
    if (args.deleteData) rmSync(entry.definition.dataDir, { recursive: true, force: true })
    return true
  }

  private member(entry: Entry, memberId: number): void {
    if (!entry.members.has(memberId)) throw fail.notFound('member', String(memberId))
  }

  private running(entry: Entry): void {
    if (!entry.cluster.isRunning) throw fail.conflict(`cluster ${entry.definition.name} is not running`)
  }

  async killMember(clusterId: string, memberId: number): Promise<ClusterView> {
    const entry = this.get(clusterId)
    this.member(entry, memberId)
    await entry.cluster.kill(memberId)
    return this.view(entry)
  }

  async restartMember(clusterId: string, memberId: number): Promise<ClusterView> {
    const entry = this.get(clusterId)
    this.member(entry, memberId)
    this.running(entry)
    await entry.cluster.restart(memberId)
    return this.view(entry)
  }

  partition(clusterId: string, groups: number[][]): ClusterView {
    const entry = this.get(clusterId)
    this.running(entry)
    const seen = new Set<number>()
    for (const id of groups.flat()) {
      this.member(entry, id)
      if (seen.has(id)) throw fail.badArguments('groups', `member ${id} is in two groups`)
      seen.add(id)
    }
    for (let i = 0; i < groups.length; i++) for (let j = i + 1; j < groups.length; j++) entry.cluster.partition(groups[i]!, groups[j]!)
    entry.partition = groups
    this.changed(entry)
    return this.view(entry)
  }

  heal(clusterId: string): ClusterView {
    const entry = this.get(clusterId)
    entry.cluster.heal()
    entry.partition = null
    this.changed(entry)
    return this.view(entry)
  }

  async setDisk(args: ParsedArgs<'clusters.setDisk'>): Promise<ClusterView> {
    const entry = this.get(args.clusterId)
    this.member(entry, args.memberId)
    try {
      await entry.cluster.setDisk(args.memberId, { mode: args.mode, delayMs: args.delayMs })
    } catch (error) {
      throw fail.unsupported((error as Error).message)
    }
    const track = entry.members.get(args.memberId)
    if (track !== undefined) track.disk = { mode: args.mode, delayMs: args.mode === 'slow' ? args.delayMs : 0 }
    this.changed(entry)
    return this.view(entry)
  }

  /** The running cluster itself, for services that act on its members (the session lens's expire). */
  localCluster(clusterId: string): LocalCluster {
    return this.get(clusterId).cluster
  }

  /** The local cluster one of whose members listens on one of these client ports (127.0.0.1), if any. */
  clusterIdServing(ports: readonly number[]): string | null {
    const entry = [...this.entries.values()].find((candidate) => candidate.cluster.members.some((member) => ports.includes(member.clientPort)))
    return entry?.definition.clusterId ?? null
  }

  /** Client and admin addresses, for the health service. */
  monitoredMembers(clusterId: string): MonitoredMember[] {
    return this.get(clusterId).cluster.members.map((member) => ({ host: '127.0.0.1', clientPort: member.clientPort, adminPort: member.adminPort }))
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.cluster.stop().catch(() => {})))
  }
}
