import { LocalCluster, type MemberKind } from '../cluster'
import { type ReconnectPacing, ZooKeeperClient } from '../client'
import { type BenchContext, type BenchReport, type BenchSettings, type BenchTarget, runBench } from './bench'
import { median } from './stats'

/**
 * `zoodesk bench --compare --ensemble N`: the same measurements on an N-member ZooDesk ensemble and an N-member
 * Apache ZooKeeper 3.8 ensemble, both local clusters with the same settings (one process per member, 127.0.0.1):
 * time until every member serves, throughput and latency with the clients on a follower and on the leader
 * (interleaved A/B runs, as the standalone compare), and fail-over: SIGKILL the leader, time until a write succeeds.
 */
export interface EnsembleBenchOptions {
  members: number
  failoverTrials: number
  tickTimeMs: number
  zoodeskScript: string
  progress: (line: string) => void
  signal?: AbortSignal
}

export interface FailoverTrial {
  /** SIGKILL of the leader → first acknowledged write (ms). */
  writesBackMs: number
  /** SIGKILL → a new leader reported by `srvr` (ms). */
  newLeaderMs: number
}

export interface EnsembleSide {
  kind: MemberKind
  startupMs: number
  failover: FailoverTrial[]
}

export interface EnsembleBenchReport {
  members: number
  sides: EnsembleSide[]
  onFollower: BenchReport
  onLeader: BenchReport
}

const KINDS: readonly MemberKind[] = ['zoodesk', 'apache']
const NAMES: Record<MemberKind, string> = { zoodesk: 'ZooDesk', apache: 'Apache' }

export async function runEnsembleBench(settings: BenchSettings, options: EnsembleBenchOptions, context: BenchContext): Promise<EnsembleBenchReport> {
  const clusters = new Map<MemberKind, LocalCluster>()
  const sides: EnsembleSide[] = []
  try {
    // Start-up, one ensemble at a time so neither competes with the other for the CPU.
    for (const kind of KINDS) {
      options.progress(`starting a ${options.members}-member ${NAMES[kind]} ensemble…`)
      const cluster = await LocalCluster.create({ voters: options.members, kind, tickTimeMs: options.tickTimeMs, zoodeskScript: options.zoodeskScript })
      clusters.set(kind, cluster)
      const started = performance.now()
      await cluster.start()
      await cluster.waitForServing(120_000)
      const startupMs = performance.now() - started
      options.progress(`${NAMES[kind]}: every member serves after ${Math.round(startupMs)} ms`)
      sides.push({ kind, startupMs, failover: [] })
    }
    const onFollower = await runBench(await targetsFor(clusters, 'follower'), settings, context)
    const onLeader = await runBench(await targetsFor(clusters, 'leader'), settings, context)
    for (const side of sides) {
      const cluster = clusters.get(side.kind)!
      for (let trial = 1; trial <= options.failoverTrials; trial++) {
        if (options.signal?.aborted === true) break
        const result = await failover(cluster)
        side.failover.push(result)
        options.progress(`${NAMES[side.kind]} fail-over ${trial}: writes back after ${Math.round(result.writesBackMs)} ms (new leader after ${Math.round(result.newLeaderMs)} ms)`)
      }
    }
    return { members: options.members, sides, onFollower, onLeader }
  } finally {
    await Promise.all([...clusters.values()].map((cluster) => cluster.close()))
  }
}

async function targetsFor(clusters: Map<MemberKind, LocalCluster>, role: 'leader' | 'follower'): Promise<BenchTarget[]> {
  const targets: BenchTarget[] = []
  for (const kind of KINDS) {
    const cluster = clusters.get(kind)!
    const statuses = await cluster.waitForServing(60_000)
    const chosen = statuses.find((status) => status.mode === role)
    if (chosen === undefined) throw new Error(`${NAMES[kind]} ensemble has no ${role}`)
    const member = cluster.member(chosen.id)
    const target: BenchTarget = { name: `${NAMES[kind]} ${role}`, addresses: [{ host: '127.0.0.1', port: member.clientPort }] }
    if (chosen.pid !== null) target.pid = chosen.pid
    targets.push(target)
  }
  return targets
}

/**
 * Kills the leader while a client keeps writing through the other members; measures until a write is acknowledged
 * again. Then restarts the old leader and waits until everyone serves, ready for the next trial.
 */
const FAILOVER_PACING: ReconnectPacing = { reconnectJitterMsMax: 0, cycleDelayMs: 10 }

async function failover(cluster: LocalCluster): Promise<FailoverTrial> {
  const leader = await cluster.waitForLeader({ timeoutMs: 60_000 })
  const others = cluster.members.filter((member) => member.id !== leader && member.role === 'participant')
  // Java's pacing waits a random 0–1 s before each reconnect (and 1 s more per cycle through the hosts): with a few
  // trials that dice roll would decide the result. A client that retries every 10 ms measures the servers instead.
  const client = await ZooKeeperClient.connect(others.map((member) => `127.0.0.1:${member.clientPort}`).join(','), {
    sessionTimeoutMs: 30_000,
    reconnectPacing: FAILOVER_PACING,
  })
  const path = `/zoodesk-failover-${process.pid}-${Date.now().toString(36)}`
  try {
    await client.create(path, 'x')
    const killedAt = performance.now()
    await cluster.kill(leader)
    let newLeaderMs = Number.NaN
    const leaderWatch = cluster
      .waitForLeader({ timeoutMs: 60_000, intervalMs: 20, among: others.map((member) => member.id) })
      .then(() => (newLeaderMs = performance.now() - killedAt))
    let writesBackMs = Number.NaN
    while (performance.now() - killedAt < 60_000) {
      try {
        await client.setData(path, 'y')
        writesBackMs = performance.now() - killedAt
        break
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }
    await leaderWatch.catch(() => undefined)
    await client.delete(path).catch(() => undefined)
    return { writesBackMs, newLeaderMs }
  } finally {
    await client.close().catch(() => undefined)
    await cluster.restart(leader)
    await cluster.waitForServing(120_000)
  }
}

/** The ensemble part of the report: start-up and fail-over side by side, with ratios (ZooDesk ÷ Apache). */
export function formatEnsembleSummary(report: EnsembleBenchReport): string {
  const side = (kind: MemberKind) => report.sides.find((entry) => entry.kind === kind)
  const zoodesk = side('zoodesk')
  const apache = side('apache')
  const ms = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '-' : `${Math.round(value)} ms`)
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || a === 0 ? '-' : `${(b / a).toFixed(2)}× faster`
  const writesBack = (entry: EnsembleSide | undefined) => (entry === undefined ? undefined : median(entry.failover.map((trial) => trial.writesBackMs)))
  const newLeader = (entry: EnsembleSide | undefined) => (entry === undefined ? undefined : median(entry.failover.map((trial) => trial.newLeaderMs)))
  return [
    `${report.members}-member ensembles (ZooDesk / Apache):`,
    `  start until every member serves:   ${ms(zoodesk?.startupMs)} / ${ms(apache?.startupMs)}   (${ratio(zoodesk?.startupMs, apache?.startupMs)})`,
    `  leader SIGKILL → writes accepted:  ${ms(writesBack(zoodesk))} / ${ms(writesBack(apache))}   (${ratio(writesBack(zoodesk), writesBack(apache))}, median of ${zoodesk?.failover.length ?? 0})`,
    `  leader SIGKILL → new leader:       ${ms(newLeader(zoodesk))} / ${ms(newLeader(apache))}`,
  ].join('\n')
}
