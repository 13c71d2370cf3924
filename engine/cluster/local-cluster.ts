import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type ApacheLaunchOptions, apacheCommand, apacheLogFile, log4jProperties, missingJars } from './apache-launch'
import { ApacheZabLogParser } from './apache-zab-log'
import { ClusterEventHub, type ClusterEvents, type ClusterEventName } from './cluster-events'
import { type ConfigValue, type MemberKind, type MemberPlan, type MemberRole, memberConfigEntries, renderZooCfg } from './member-config'
import { LogTail } from './log-tail'
import { CLUSTER_PARENT_ENV } from './member-link'
import type { DiskFaultMessage, DiskMode, ExpireSessionMessage } from './member-messages'
import { type MemberExit, type MemberHandle, type MemberSpawner, defaultZooDeskSpawner, spawnWatched } from './member-process'
import { type PartitionOptions, PeerMesh } from './peer-mesh'
import { assertPortsFree, planFreePorts } from './port-check'
import { LOOPBACK, type PortLayout, planPorts } from './port-layout'
import { type MemberMode, fourLetterWord, parseSrvr } from './srvr'

export interface LocalClusterOptions {
  /** Voting members (ids 1..voters). */
  voters: number
  /** Observers (ids after the voters). Default 0. */
  observers?: number
  /** First client port; see port-layout.ts for the rest. Default: a random free block in 20000–32000 (below the ephemeral port range). */
  basePort?: number
  /**
   * Root of the members' directories (`<dataDir>/<id>/`: myid, zoo.cfg, logs, version-2/). Kept across runs, so a
   * cluster re-created on it finds its data. Default: a temp directory, deleted by close().
   */
  dataDir?: string
  /** Default 2000, as Debian's sample zoo.cfg. */
  tickTimeMs?: number
  /** In ticks. Default 10. */
  initLimit?: number
  /** In ticks. Default 5. */
  syncLimit?: number
  /** One kind for all, or one per member in id order (mixed ensembles). Default 'zoodesk'. */
  kind?: MemberKind | readonly MemberKind[]
  /** Extra zoo.cfg keys for every member, written last; `null` removes one the cluster would write. */
  extraConfig?: Readonly<Record<string, ConfigValue | null>>
  /** The ZooDesk CLI bundle members run. Default: $ZOODESK_BIN, else ./out/cli/zoodesk.cjs. */
  zoodeskScript?: string
  /** Starts ZooDesk members (e.g. Electron's utilityProcess). Default: child_process.spawn of `nodePath`. */
  spawnMember?: MemberSpawner
  /** Node binary for ZooDesk members and Apache watchdogs. Default process.execPath. */
  nodePath?: string
  /** How to run Apache members. Defaults fit Debian's zookeeper package. */
  apache?: ApacheLaunchOptions
  /**
   * Route every peer connection through the cluster's proxies (default true), which partitions need. false: peers
   * dial each other's real ports, with no proxy hop (e.g. for throughput benchmarks); partition() then throws.
   */
  peerLinks?: boolean
  /**
   * Dynamic reconfiguration on (`reconfigEnabled=true`), for Apache and ZooDesk members alike (mixed too). Peers then
   * name each other by their real ports (no peer links, so no partitions): a reconfig spreads one member's view of
   * the ensemble to all, which must hold for every member. Both want a superuser or skipACL to reconfig (the ACL of
   * /zookeeper/config is read-only). Every start rewrites a member's zoo.cfg from the plan, so a restarted member
   * starts from the planned membership and takes the active one from its leader (NEWLEADER), as Apache's does.
   */
  reconfigEnabled?: boolean
  /** Also wrap members in `setpriv --pdeathsig KILL` on Linux (when present). Default true. */
  kernelParentDeathSignal?: boolean
  /** stopMember/stop: SIGTERM, then SIGKILL after this long. Default 10000. */
  stopGraceMs?: number
  /** How long one `srvr` may take in status(). Default 1000. */
  statusTimeoutMs?: number
}

/** One member as planned: fixed for the life of the cluster. */
export interface ClusterMember {
  id: number
  role: MemberRole
  kind: MemberKind
  clientPort: number
  adminPort: number
  /** The ports this member itself listens on for peers (peers reach them through the cluster's links). */
  quorumPort: number
  electionPort: number
  /** `<dataDir>/<id>`: myid, zoo.cfg, logs, and the member's ZooKeeper dataDir. */
  dir: string
  configFile: string
  /** Log files, main one first. */
  logFiles: string[]
}

export interface MemberStatus {
  id: number
  /** The process runs. */
  alive: boolean
  /** It answers client requests (srvr reports leader, follower, observer or standalone). */
  serving: boolean
  mode: MemberMode | null
  zxid: bigint | null
  pid: number | null
}

export interface DiskFault {
  mode: DiskMode
  /** Extra latency per write and fsync, for 'slow'. Default 0. */
  delayMs?: number
}

export interface WaitOptions {
  timeoutMs?: number
  /** Poll period. Default 200 ms. */
  intervalMs?: number
}

interface MemberState {
  member: ClusterMember
  handle: MemberHandle | undefined
  /** The member should be running: set by starts, cleared by stopMember/kill/stop. An exit while set is unexpected. */
  wanted: boolean
  lastExit: MemberExit | undefined
  disk: DiskFaultMessage | undefined
  /** A start or stop in progress, so concurrent calls for one member queue up. */
  busy: Promise<unknown>
  /** An Apache member's log, followed for its elections (ZooDesk members send theirs over IPC). */
  logTail: LogTail | undefined
}

const DEFAULTS = { tickTimeMs: 2000, initLimit: 10, syncLimit: 5, stopGraceMs: 10_000, statusTimeoutMs: 1000 }

/** Handles still running anywhere in this process, SIGKILLed if the process exits without stopping them. */
const liveHandles = new Set<MemberHandle>()
let exitHookInstalled = false
function trackHandle(handle: MemberHandle): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const live of liveHandles) live.kill('SIGKILL')
    })
  }
  liveHandles.add(handle)
  void handle.exited.then(() => liveHandles.delete(handle))
}

/**
 * A local ZooKeeper ensemble: ZooDesk and/or Apache ZooKeeper 3.8 members, each in its own OS process, on
 * 127.0.0.1, with every peer-to-peer connection passing through proxies this process owns (partitions are real
 * socket faults). Members die with this process, however it ends. Like Curator's TestingCluster:
 *
 *   const cluster = await LocalCluster.create({ voters: 3 })
 *   await cluster.start(); await cluster.waitForServing()
 *   … cluster.connectString …
 *   await cluster.close()
 */
export class LocalCluster {
  readonly members: readonly ClusterMember[]
  /** Every member's client address, in id order (observers included). */
  readonly connectString: string
  readonly dataDir: string
  readonly layout: PortLayout
  private readonly states: MemberState[]
  private readonly mesh: PeerMesh
  private readonly events = new ClusterEventHub()
  private running = false
  private closed = false
  private lifecycle: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly options: LocalClusterOptions,
    layout: PortLayout,
    plans: MemberPlan[],
    dataDir: string,
    private readonly ownsDataDir: boolean,
  ) {
    this.layout = layout
    this.dataDir = dataDir
    this.members = plans.map((plan) => {
      const ports = layout.members[plan.id - 1]
      if (ports === undefined) throw new RangeError(`member ${plan.id} is not in the port layout`)
      const dir = join(dataDir, String(plan.id))
      return {
        ...plan,
        clientPort: ports.clientPort,
        adminPort: ports.adminPort,
        quorumPort: ports.quorumPort,
        electionPort: ports.electionPort,
        dir,
        configFile: join(dir, 'zoo.cfg'),
        logFiles: plan.kind === 'apache' ? [apacheLogFile(dir), join(dir, 'jvm.out')] : [join(dir, 'zoodesk.log')],
      }
    })
    this.states = this.members.map((member) => ({
      member,
      handle: undefined,
      wanted: false,
      lastExit: undefined,
      disk: undefined,
      busy: Promise.resolve(),
      logTail: undefined,
    }))
    this.connectString = this.members.map((member) => `${LOOPBACK}:${member.clientPort}`).join(',')
    const settings = this.settings()
    this.mesh = new PeerMesh(layout, { quorumConnectRetryMs: settings.initLimitTicks * settings.tickTimeMs })
  }

  /** Plans members, ports and directories. Nothing runs until start(). */
  static async create(options: LocalClusterOptions): Promise<LocalCluster> {
    const plans = planMembers(options)
    for (const [name, value] of [
      ['tickTimeMs', options.tickTimeMs],
      ['initLimit', options.initLimit],
      ['syncLimit', options.syncLimit],
    ] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new RangeError(`${name} must be a positive whole number, got ${value}`)
    }
    const layout = options.basePort === undefined ? await planFreePorts(plans.length) : planPorts(options.basePort, plans.length)
    const ownsDataDir = options.dataDir === undefined
    const dataDir = ownsDataDir ? mkdtempSync(join(tmpdir(), 'zoodesk-cluster-')) : resolve(options.dataDir as string)
    mkdirSync(dataDir, { recursive: true })
    return new LocalCluster(options, layout, plans, dataDir, ownsDataDir)
  }

  get isRunning(): boolean {
    return this.running
  }

  on<K extends ClusterEventName>(name: K, listener: (event: ClusterEvents[K]) => void): () => void {
    return this.events.on(name, listener)
  }

  member(id: number): ClusterMember {
    return this.state(id).member
  }

  /**
   * Checks that every port is free, opens the peer links and starts every member. Resolves once all member
   * processes run (not yet serving: see waitForServing). On failure nothing is left running.
   */
  start(): Promise<void> {
    return this.inOrder(async () => {
      if (this.closed) throw new Error('this cluster was closed; create a new one')
      if (this.running) return
      this.checkPrerequisites()
      await assertPortsFree(this.layout, this.peerLinks)
      if (this.peerLinks) await this.mesh.start()
      this.running = true
      try {
        await Promise.all(this.states.map((state) => this.startMember(state.member.id)))
      } catch (error) {
        await this.stopEverything()
        throw error
      }
    })
  }

  /**
   * Stops every member (gracefully, SIGKILL after stopGraceMs) and the peer links. Data stays; start() again.
   * Waits for a start() in progress to finish first.
   */
  stop(): Promise<void> {
    return this.inOrder(() => this.stopEverything())
  }

  /** stop(), then deletes the data directory when the cluster created it (no dataDir option). */
  close(): Promise<void> {
    return this.inOrder(async () => {
      if (this.closed) return
      await this.stopEverything()
      this.closed = true
      if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true })
    })
  }

  private async stopEverything(): Promise<void> {
    await Promise.all(this.states.map((state) => this.stopMember(state.member.id)))
    await this.mesh.close()
    this.running = false
  }

  /** start/stop/close run one at a time, in call order. */
  private inOrder<T>(work: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.then(work, work)
    this.lifecycle = next.catch(() => undefined)
    return next
  }

  /** Starts one member that is not running (after stopMember or kill, or a crash). */
  startMember(id: number): Promise<void> {
    const state = this.state(id)
    return this.serialise(state, async () => {
      if (!this.running) throw new Error('the cluster is not started: call start() first')
      if (state.handle !== undefined) return
      await this.launch(state)
    })
  }

  /** SIGTERM, then SIGKILL after stopGraceMs. Resolves with how it exited (undefined when it was not running). */
  stopMember(id: number): Promise<MemberExit | undefined> {
    const state = this.state(id)
    return this.serialise(state, async () => {
      state.wanted = false
      const handle = state.handle
      if (handle === undefined) return undefined
      handle.kill('SIGTERM')
      const timer = setTimeout(() => handle.kill('SIGKILL'), this.options.stopGraceMs ?? DEFAULTS.stopGraceMs)
      try {
        return await handle.exited
      } finally {
        clearTimeout(timer)
      }
    })
  }

  /** SIGKILL, as a crash. Resolves once the process is gone. */
  kill(id: number): Promise<MemberExit | undefined> {
    const state = this.state(id)
    return this.serialise(state, async () => {
      state.wanted = false
      const handle = state.handle
      if (handle === undefined) return undefined
      handle.kill('SIGKILL')
      return handle.exited
    })
  }

  /** Stops the member gracefully if it runs, then starts it again on the same ports and data. */
  async restart(id: number): Promise<void> {
    await this.stopMember(id)
    await this.startMember(id)
  }

  /**
   * Cuts the network between two groups of members: symmetric by default (connections reset, new ones refused);
   * `oneWay`: only traffic from groupA to groupB is lost. Partitions add up until heal(). Clients are not affected.
   */
  partition(groupA: readonly number[], groupB: readonly number[], options: PartitionOptions = {}): void {
    if (!this.peerLinks) throw new Error('partitions need the peer links: create the cluster without peerLinks: false')
    this.mesh.partition(groupA, groupB, options)
  }

  /** Lifts every partition. */
  heal(): void {
    this.mesh.heal()
  }

  private get peerLinks(): boolean {
    return this.options.peerLinks !== false && this.options.reconfigEnabled !== true
  }

  /** Directed pairs whose traffic is blocked now. */
  partitions(): { from: number; to: number; symmetric: boolean }[] {
    return this.mesh.partitions()
  }

  /**
   * Slows or fails a ZooDesk member's disk (txn log and snapshot writes and fsyncs). The setting survives restarts
   * of the member. Rejects for Apache members, which cannot be told.
   */
  async setDisk(id: number, fault: DiskFault): Promise<void> {
    const state = this.state(id)
    if (state.member.kind !== 'zoodesk') {
      throw new Error(`member ${id} runs Apache ZooKeeper: disk faults can only be injected into ZooDesk members`)
    }
    const delayMs = fault.delayMs ?? 0
    if (!['ok', 'slow', 'fail'].includes(fault.mode)) throw new RangeError(`unknown disk mode ${JSON.stringify(fault.mode)}`)
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`delayMs must be a number >= 0, got ${delayMs}`)
    const message: DiskFaultMessage = { type: 'disk', mode: fault.mode, delayMs: fault.mode === 'slow' ? delayMs : 0 }
    state.disk = fault.mode === 'ok' ? undefined : message
    if (state.handle !== undefined) await state.handle.send(message)
  }

  /**
   * Expires a client session on purpose, exactly as its timeout would: every running ZooDesk member is told, and the
   * one that owns sessions (the leader) submits the closeSession txn through its normal pipeline, so the ephemerals
   * go on every member and the client sees Expired. Resolves with the members told. Rejects when no ZooDesk member
   * runs: Apache ZooKeeper has no command that expires a session (only its timeout does).
   */
  async expireSession(sessionId: bigint): Promise<number[]> {
    const told = this.members.filter((member) => member.kind === 'zoodesk' && this.state(member.id).handle !== undefined)
    if (told.length === 0) throw new Error('no running ZooDesk member: Apache ZooKeeper members cannot be told to expire a session')
    const message: ExpireSessionMessage = { type: 'expire-session', sessionId: `0x${BigInt.asUintN(64, sessionId).toString(16)}` }
    await Promise.all(told.map((member) => this.state(member.id).handle?.send(message).catch(() => undefined)))
    return told.map((member) => member.id)
  }

  /** The pid of a running member. */
  pid(id: number): number | undefined {
    return this.state(id).handle?.pid
  }

  /** Each member's process state and `srvr` answer, in id order. */
  status(): Promise<MemberStatus[]> {
    return Promise.all(this.states.map((state) => this.statusOf(state)))
  }

  /** Polls status() until `check` holds; rejects after timeoutMs (default 60 s) with every member's state. */
  async waitUntil(check: (statuses: MemberStatus[]) => boolean, description: string, options: WaitOptions = {}): Promise<MemberStatus[]> {
    return this.poll(description, options, (statuses) => (check(statuses) ? statuses : undefined))
  }

  /**
   * Resolves once every member that should run serves clients. Rejects at once if one of them exited on its own
   * (with its exit status and log tail), or after timeoutMs (default 60 s).
   */
  waitForServing(timeoutMs = 60_000): Promise<MemberStatus[]> {
    return this.poll('every member serving', { timeoutMs }, (statuses) => {
      this.failOnUnexpectedExit()
      const wanted = statuses.filter((status) => this.state(status.id).wanted)
      return wanted.every((status) => status.serving) ? statuses : undefined
    })
  }

  /**
   * Resolves with the id of a member that leads (a standalone member counts), among `among` (default all) —
   * e.g. the majority side of a partition, where the cut-off old leader may still believe it leads for a while.
   */
  waitForLeader(options: WaitOptions & { among?: readonly number[] } = {}): Promise<number> {
    const among = options.among ?? this.members.map((member) => member.id)
    return this.poll(`a leader among members ${among.join(', ')}`, options, (statuses) => {
      const leader = statuses.find((status) => among.includes(status.id) && (status.mode === 'leader' || status.mode === 'standalone'))
      return leader?.id
    })
  }

  /** The last lines of a member's logs, for error messages. */
  logTail(id: number, lines = 40): string {
    return this.state(id)
      .member.logFiles.map((file) => `==> ${file} <==\n${readTail(file, lines)}`)
      .join('\n')
  }

  private state(id: number): MemberState {
    const state = Number.isInteger(id) ? this.states[id - 1] : undefined
    if (state === undefined) throw new RangeError(`no member ${id} (members are 1..${this.states.length})`)
    return state
  }

  private serialise<T>(state: MemberState, work: () => Promise<T>): Promise<T> {
    const next = state.busy.then(work, work)
    state.busy = next.catch(() => undefined)
    return next
  }

  private checkPrerequisites(): void {
    if (this.members.some((member) => member.kind === 'zoodesk') && this.options.spawnMember === undefined) {
      const script = this.zoodeskScript()
      if (!existsSync(script)) {
        throw new Error(`the ZooDesk CLI bundle is missing: ${script} (build it with \`npm run build:cli\`, or pass zoodeskScript)`)
      }
    }
    if (this.members.some((member) => member.kind === 'apache')) {
      const missing = missingJars(this.options.apache ?? {})
      if (missing.length > 0) {
        throw new Error(`Apache ZooKeeper members need ${missing.join(', ')} (Debian: apt-get install zookeeper libjetty9-java), or pass apache.classpath`)
      }
    }
  }

  private zoodeskScript(): string {
    return resolve(this.options.zoodeskScript ?? process.env['ZOODESK_BIN'] ?? join(process.cwd(), 'out', 'cli', 'zoodesk.cjs'))
  }

  /** Writes the member's files and starts its process. */
  private async launch(state: MemberState): Promise<void> {
    const { member } = state
    mkdirSync(member.dir, { recursive: true })
    writeFileSync(join(member.dir, 'myid'), `${member.id}\n`)
    const entries = memberConfigEntries(member, this.members, this.layout, this.settings(), member.dir)
    writeFileSync(member.configFile, renderZooCfg(member, entries))
    const spawnOptions = {
      ...(this.options.nodePath !== undefined ? { nodePath: this.options.nodePath } : {}),
      ...(this.options.kernelParentDeathSignal !== undefined ? { kernelParentDeathSignal: this.options.kernelParentDeathSignal } : {}),
    }
    let handle: MemberHandle
    if (member.kind === 'apache') {
      const apache = this.options.apache ?? {}
      writeFileSync(join(member.dir, 'log4j.properties'), log4jProperties(apacheLogFile(member.dir)))
      const { command, args } = apacheCommand(apache, member.dir, member.configFile)
      await this.followApacheLog(state)
      try {
        handle = await spawnWatched({ id: member.id, command, args, cwd: member.dir, logFile: join(member.dir, 'jvm.out') }, spawnOptions)
      } catch (error) {
        await this.stopFollowingLog(state)
        throw error
      }
    } else {
      const spawner = this.options.spawnMember ?? defaultZooDeskSpawner(spawnOptions)
      handle = await spawner({
        id: member.id,
        scriptPath: this.zoodeskScript(),
        args: ['server', '--config', member.configFile],
        env: { ...process.env, [CLUSTER_PARENT_ENV]: '1' },
        cwd: member.dir,
        logFile: join(member.dir, 'zoodesk.log'),
      })
    }
    trackHandle(handle)
    handle.onMessage?.((message) => {
      if (state.handle === handle) this.events.emit('zab', { id: member.id, kind: member.kind, time: message.time, event: message.event })
    })
    state.handle = handle
    state.wanted = true
    state.lastExit = undefined
    void handle.exited.then((exit) => this.exited(state, handle, exit))
    if (state.disk !== undefined) await handle.send(state.disk).catch(() => undefined)
    this.events.emit('member-start', { id: member.id, kind: member.kind, pid: handle.pid })
  }

  /** Starts following an Apache member's log from its current end: its election lines become 'zab' events. */
  private async followApacheLog(state: MemberState): Promise<void> {
    await this.stopFollowingLog(state)
    const { id, kind, dir } = state.member
    const parser = new ApacheZabLogParser(id)
    const tail = new LogTail(apacheLogFile(dir), (line) => {
      for (const record of parser.line(line)) this.events.emit('zab', { id, kind, time: record.time, event: record.event })
    })
    state.logTail = tail
    await tail.start()
  }

  private async stopFollowingLog(state: MemberState): Promise<void> {
    const tail = state.logTail
    state.logTail = undefined
    await tail?.stop()
  }

  private exited(state: MemberState, handle: MemberHandle, exit: MemberExit): void {
    if (state.handle !== handle) return
    // The JVM's last lines are on disk now: read them before the tail stops.
    void this.stopFollowingLog(state)
    state.handle = undefined
    state.lastExit = exit
    const { id, kind } = state.member
    this.events.emit('member-exit', { id, kind, code: exit.code, signal: exit.signal, expected: !state.wanted })
  }

  private settings() {
    return {
      tickTimeMs: this.options.tickTimeMs ?? DEFAULTS.tickTimeMs,
      initLimitTicks: this.options.initLimit ?? DEFAULTS.initLimit,
      syncLimitTicks: this.options.syncLimit ?? DEFAULTS.syncLimit,
      extraConfig: this.options.reconfigEnabled === true ? { reconfigEnabled: 'true', ...this.options.extraConfig } : (this.options.extraConfig ?? {}),
      peerLinks: this.peerLinks,
    }
  }

  private async statusOf(state: MemberState): Promise<MemberStatus> {
    const { id, clientPort } = state.member
    const handle = state.handle
    if (handle === undefined) return { id, alive: false, serving: false, mode: null, zxid: null, pid: null }
    const base = { id, alive: true, pid: handle.pid ?? null }
    try {
      const text = await fourLetterWord(LOOPBACK, clientPort, 'srvr', this.options.statusTimeoutMs ?? DEFAULTS.statusTimeoutMs)
      return { ...base, ...parseSrvr(text) }
    } catch {
      return { ...base, serving: false, mode: null, zxid: null }
    }
  }

  private failOnUnexpectedExit(): void {
    for (const state of this.states) {
      if (state.wanted && state.handle === undefined && state.lastExit !== undefined) {
        const { code, signal } = state.lastExit
        throw new Error(
          `member ${state.member.id} (${state.member.kind}) exited with ${signal ?? `code ${code}`}\n${this.logTail(state.member.id)}`,
        )
      }
    }
  }

  private async poll<T>(description: string, options: WaitOptions, found: (statuses: MemberStatus[]) => T | undefined): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000)
    const intervalMs = options.intervalMs ?? 200
    for (;;) {
      const statuses = await this.status()
      const result = found(statuses)
      if (result !== undefined) return result
      if (Date.now() >= deadline) {
        throw new Error(`timed out waiting for ${description}:\n${describeStatuses(statuses)}`)
      }
      await new Promise((resolveSleep) => setTimeout(resolveSleep, intervalMs))
    }
  }
}

function planMembers(options: LocalClusterOptions): MemberPlan[] {
  const voters = options.voters
  const observers = options.observers ?? 0
  if (!Number.isInteger(voters) || voters < 1) throw new RangeError(`voters must be a whole number >= 1, got ${voters}`)
  if (!Number.isInteger(observers) || observers < 0) throw new RangeError(`observers must be a whole number >= 0, got ${observers}`)
  const total = voters + observers
  if (total > 255) throw new RangeError(`at most 255 members, got ${total}`)
  const kinds = options.kind
  if (Array.isArray(kinds) && kinds.length !== total) {
    throw new RangeError(`kind lists ${kinds.length} members, but there are ${total}`)
  }
  const plans: MemberPlan[] = []
  for (let id = 1; id <= total; id++) {
    const kind: MemberKind = typeof kinds === 'string' ? kinds : ((kinds as readonly MemberKind[] | undefined)?.[id - 1] ?? 'zoodesk')
    if (kind !== 'zoodesk' && kind !== 'apache') throw new RangeError(`unknown member kind ${JSON.stringify(kind)}`)
    plans.push({ id, role: id <= voters ? 'participant' : 'observer', kind })
  }
  return plans
}

function describeStatuses(statuses: readonly MemberStatus[]): string {
  return statuses
    .map(
      (s) =>
        `  member ${s.id}: ${s.alive ? `pid ${s.pid}` : 'not running'}, ${s.serving ? 'serving' : 'not serving'}` +
        `${s.mode === null ? '' : `, ${s.mode}`}${s.zxid === null ? '' : `, zxid 0x${s.zxid.toString(16)}`}`,
    )
    .join('\n')
}

function readTail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}
