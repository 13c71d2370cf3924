import { ErrorCode } from '../proto'
import { type ClientGroup, type GroupTask, type GroupTaskResult, LocalClientGroup, WorkerClientGroup } from './client-group'
import type { ServerAddress } from './driver'
import { processCpuMicros, processRssBytes } from './proc'
import { median, mergeSorted, percentileOfSorted } from './stats'
import { type BenchOp, type TaskSpec, shareOut } from './workload'

/**
 * The benchmark itself: for each run and each target in turn (A, B, A, B …), open fresh sessions, build a fresh
 * subtree, time each selected operation over all sessions at once, clean up. Throughput is requests completed over
 * the wall time from the first send to the last reply across all sessions; latency percentiles are per run;
 * the summary is the median over runs. Server CPU per op comes from /proc when the server is a local process.
 */
export interface BenchTarget {
  name: string
  addresses: ServerAddress[]
  /** Local server process, for CPU per op and RSS. */
  pid?: number
  /** The bench started this server and will throw it away: no need to clean up after the RSS load. */
  disposable?: boolean
}

export interface BenchSettings {
  ops: BenchOp[]
  sessions: number
  outstanding: number
  count: number
  payloadBytes: number
  runs: number
  /** Client worker threads; 0 runs every session on the calling thread. */
  threads: number
  warmup: boolean
  /** Znodes to load before reading each local server's RSS; 0 skips the memory step. */
  rssZnodes: number
  sessionTimeoutMs: number
  /** Children of the getChildren node. */
  childrenCount: number
}

export interface BenchContext {
  /** The bundled CLI (worker threads run it). Required when threads > 0. */
  workerScript?: string
  signal?: AbortSignal
  progress?: (line: string) => void
}

export interface OpRunResult {
  run: number
  completed: number
  errors: number
  errorCodes: Record<string, number>
  durationMs: number
  opsPerSecond: number
  p50Ms: number
  p99Ms: number
  p999Ms: number
  serverCpuMicrosPerOp?: number
  clientCpuMicrosPerOp: number
}

export interface OpSummary {
  op: BenchOp
  target: string
  runs: OpRunResult[]
  median: {
    opsPerSecond: number
    p50Ms: number
    p99Ms: number
    p999Ms: number
    serverCpuMicrosPerOp?: number
    clientCpuMicrosPerOp: number
  }
  errors: number
}

export interface MemoryResult {
  target: string
  znodes: number
  payloadBytes: number
  rssIdleBytes: number
  rssLoadedBytes: number
}

export interface BenchReport {
  settings: BenchSettings
  targets: Array<{ name: string; addresses: string[]; pid?: number }>
  results: OpSummary[]
  memory: MemoryResult[]
}

export const DEFAULT_SETTINGS: BenchSettings = {
  ops: ['create', 'set', 'get', 'exists', 'children', 'mix', 'delete'],
  sessions: 8,
  outstanding: 16,
  count: 20000,
  payloadBytes: 100,
  runs: 5,
  threads: 1,
  warmup: true,
  rssZnodes: 0,
  sessionTimeoutMs: 30000,
  childrenCount: 1000,
}
// threads: 1 was chosen by measuring on this 2-core machine against Apache (8×16, 20k ops): clients on the main
// thread or on one worker cost the same client CPU (7–10 µs per op, a fifth of Apache's 30–45 µs), while two
// workers cost more (12–17 µs per op) for no throughput: on 2 cores the server, not the client, needs the second
// core. One worker keeps the load loop apart from the coordinating thread (progress, /proc reads).

const ROOT_PATH = '/zoodesk-bench'
/** Timed phases in the order they run (reads need the nodes create made; delete removes them). */
const PHASE_ORDER: readonly BenchOp[] = ['create', 'set', 'get', 'exists', 'children', 'mix', 'delete']
const NEEDS_NODES: ReadonlySet<BenchOp> = new Set(['set', 'get', 'exists', 'mix', 'delete'])

export class BenchAborted extends Error {
  constructor() {
    super('benchmark interrupted')
    this.name = 'BenchAborted'
  }
}

interface GroupPlan {
  group: ClientGroup
  sessions: number[]
}

interface PhaseOutcome {
  results: GroupTaskResult[]
  serverCpuMicros?: number
  clientCpuMicros: number
}

class BenchRunner {
  private readonly plans: GroupPlan[]
  private target: BenchTarget | null = null

  constructor(
    private readonly settings: BenchSettings,
    private readonly context: BenchContext,
  ) {
    this.plans = createGroups(settings, context)
  }

  private checkAborted(): void {
    if (this.context.signal?.aborted === true) throw new BenchAborted()
  }

  async terminate(): Promise<void> {
    await Promise.all(this.plans.map((plan) => plan.group.terminate()))
  }

  async openSessions(target: BenchTarget): Promise<void> {
    this.checkAborted()
    this.target = target
    await Promise.all(
      this.plans.map((plan) =>
        plan.group.open({
          sessions: plan.sessions.map((session) => ({
            session,
            address: target.addresses[session % target.addresses.length] as ServerAddress,
          })),
          options: { sessionTimeoutMs: this.settings.sessionTimeoutMs, maxOutstanding: this.settings.outstanding },
        }),
      ),
    )
  }

  async closeSessions(): Promise<void> {
    await Promise.all(this.plans.map((plan) => plan.group.closeSessions()))
  }

  /** Runs one phase: `specFor(session, share)` says what each session does. */
  private async phase(
    specFor: (share: { first: number; count: number }) => TaskSpec,
    count: number,
    record: boolean,
    allowedErrors: number[],
    sessionCount = this.settings.sessions,
  ): Promise<PhaseOutcome> {
    this.checkAborted()
    const shares = shareOut(count, sessionCount)
    const pid = this.target?.pid
    const serverCpuBefore = pid === undefined ? undefined : processCpuMicros(pid)
    const clientCpuBefore = process.cpuUsage()
    const perGroup = await Promise.all(
      this.plans.map((plan) => {
        const tasks: GroupTask[] = plan.sessions
          .filter((session) => session < sessionCount && (shares[session]?.count ?? 0) > 0)
          .map((session) => ({ session, spec: specFor(shares[session] as { first: number; count: number }), record, allowedErrors }))
        return tasks.length === 0 ? Promise.resolve([]) : plan.group.run(tasks, this.settings.outstanding)
      }),
    )
    const clientCpu = process.cpuUsage(clientCpuBefore)
    const serverCpuAfter = pid === undefined ? undefined : processCpuMicros(pid)
    const outcome: PhaseOutcome = { results: perGroup.flat(), clientCpuMicros: clientCpu.user + clientCpu.system }
    if (serverCpuBefore !== undefined && serverCpuAfter !== undefined) outcome.serverCpuMicros = serverCpuAfter - serverCpuBefore
    return outcome
  }

  /** Creates a few paths one after the other from session 0 (parents of the phase nodes). */
  private async createPaths(paths: string[], allowedErrors: number[] = []): Promise<void> {
    await this.phase(
      () => ({ op: 'create', parentPath: ROOT_PATH, first: 0, count: paths.length, nodeCount: 0, payloadBytes: 0, paths }),
      paths.length,
      false,
      allowedErrors,
      1,
    )
  }

  private async deletePaths(paths: string[]): Promise<void> {
    await this.phase(
      () => ({ op: 'delete', parentPath: ROOT_PATH, first: 0, count: paths.length, nodeCount: 0, payloadBytes: 0, paths }),
      paths.length,
      false,
      [ErrorCode.NONODE, ErrorCode.NOTEMPTY],
      1,
    )
  }

  private nodes(op: BenchOp, parentPath: string, count: number, nodeCount: number): (share: { first: number; count: number }) => TaskSpec {
    return (share) => ({ op, parentPath, first: share.first, count: share.count, nodeCount, payloadBytes: this.settings.payloadBytes })
  }

  /** The whole sequence on the current target; returns one result per timed op. */
  async sequence(run: number, count: number, record: boolean): Promise<Map<BenchOp, OpRunResult>> {
    const { ops, childrenCount } = this.settings
    const selected = new Set(ops)
    const runPath = `${ROOT_PATH}/r${run}-${process.pid}-${Date.now().toString(36)}`
    const dataPath = `${runPath}/n`
    const kidsPath = `${runPath}/kids`
    const results = new Map<BenchOp, OpRunResult>()
    const timed = async (op: BenchOp, spec: (share: { first: number; count: number }) => TaskSpec, allowed: number[] = []) => {
      const summary = summarizeRun(run, await this.phase(spec, count, record, allowed))
      if (record) results.set(op, summary)
      this.context.progress?.(describeProgress(this.target?.name ?? '', op, summary))
    }
    await this.createPaths([ROOT_PATH], [ErrorCode.NODEEXISTS])
    await this.createPaths([runPath, dataPath, kidsPath])
    if (selected.has('children')) {
      await this.phase(this.nodes('create', kidsPath, childrenCount, 0), childrenCount, false, [])
    }
    const needNodes = ops.some((op) => NEEDS_NODES.has(op))
    if (selected.has('create')) await timed('create', this.nodes('create', dataPath, count, 0))
    else if (needNodes) await this.phase(this.nodes('create', dataPath, count, 0), count, false, [])
    for (const op of PHASE_ORDER) {
      if (op === 'create' || op === 'delete' || !selected.has(op)) continue
      await timed(op, op === 'children' ? this.nodes('children', kidsPath, count, 0) : this.nodes(op, dataPath, count, count))
    }
    if (selected.has('delete')) await timed('delete', this.nodes('delete', dataPath, count, 0))
    else if (selected.has('create') || needNodes) await this.phase(this.nodes('delete', dataPath, count, 0), count, false, [ErrorCode.NONODE])
    if (selected.has('children')) {
      await this.phase(this.nodes('delete', kidsPath, childrenCount, 0), childrenCount, false, [ErrorCode.NONODE])
    }
    await this.deletePaths([dataPath, kidsPath, runPath, ROOT_PATH])
    return results
  }

  /** Loads `znodes` nodes and reads the server's RSS before and after. */
  async memory(target: BenchTarget, znodes: number): Promise<MemoryResult | undefined> {
    if (target.pid === undefined) return undefined
    const rssIdleBytes = processRssBytes(target.pid)
    const loadPath = `${ROOT_PATH}/rss-${process.pid}-${Date.now().toString(36)}`
    await this.createPaths([ROOT_PATH], [ErrorCode.NODEEXISTS])
    await this.createPaths([loadPath])
    await this.phase(this.nodes('create', loadPath, znodes, 0), znodes, false, [])
    const rssLoadedBytes = processRssBytes(target.pid)
    if (target.disposable !== true) {
      await this.phase(this.nodes('delete', loadPath, znodes, 0), znodes, false, [ErrorCode.NONODE])
      await this.deletePaths([loadPath, ROOT_PATH])
    }
    if (rssIdleBytes === undefined || rssLoadedBytes === undefined) return undefined
    return { target: target.name, znodes, payloadBytes: this.settings.payloadBytes, rssIdleBytes, rssLoadedBytes }
  }
}

function createGroups(settings: BenchSettings, context: BenchContext): GroupPlan[] {
  const groupCount = settings.threads === 0 ? 1 : Math.min(settings.threads, settings.sessions)
  if (settings.threads > 0 && context.workerScript === undefined) {
    throw new Error('client worker threads need the bundled CLI script (run through out/cli/zoodesk.cjs, or use --threads 0)')
  }
  const plans: GroupPlan[] = []
  for (let index = 0; index < groupCount; index++) {
    const group = settings.threads === 0 ? new LocalClientGroup() : new WorkerClientGroup(context.workerScript as string)
    plans.push({ group, sessions: [] })
  }
  for (let session = 0; session < settings.sessions; session++) plans[session % groupCount]?.sessions.push(session)
  return plans
}

function summarizeRun(run: number, outcome: PhaseOutcome): OpRunResult {
  let completed = 0
  let errors = 0
  let firstNs: bigint | null = null
  let lastNs: bigint | null = null
  const errorCodes: Record<string, number> = {}
  const latencies: Float64Array[] = []
  for (const result of outcome.results) {
    completed += result.completed
    errors += result.errors
    for (const [code, times] of Object.entries(result.errorCodes)) errorCodes[code] = (errorCodes[code] ?? 0) + times
    if (firstNs === null || result.firstSendNs < firstNs) firstNs = result.firstSendNs
    if (lastNs === null || result.lastReplyNs > lastNs) lastNs = result.lastReplyNs
    if (result.latenciesNs !== null) latencies.push(result.latenciesNs)
  }
  const durationNs = firstNs === null || lastNs === null ? 0 : Number(lastNs - firstNs)
  const sorted = mergeSorted(latencies)
  const summary: OpRunResult = {
    run,
    completed,
    errors,
    errorCodes,
    durationMs: durationNs / 1e6,
    opsPerSecond: durationNs > 0 ? completed / (durationNs / 1e9) : 0,
    p50Ms: percentileOfSorted(sorted, 0.5) / 1e6,
    p99Ms: percentileOfSorted(sorted, 0.99) / 1e6,
    p999Ms: percentileOfSorted(sorted, 0.999) / 1e6,
    clientCpuMicrosPerOp: completed > 0 ? outcome.clientCpuMicros / completed : Number.NaN,
  }
  if (outcome.serverCpuMicros !== undefined && completed > 0) summary.serverCpuMicrosPerOp = outcome.serverCpuMicros / completed
  return summary
}

function describeProgress(target: string, op: BenchOp, summary: OpRunResult): string {
  const run = summary.run
  const rate = Math.round(summary.opsPerSecond).toLocaleString('en-US')
  const errors = summary.errors > 0 ? `, ${summary.errors} errors` : ''
  return `${run === 0 ? 'warm-up' : `run ${run}`} ${target} ${op}: ${rate} ops/s${errors}`
}

function summarizeOp(op: BenchOp, target: string, runs: OpRunResult[]): OpSummary {
  const serverCpu = runs.map((run) => run.serverCpuMicrosPerOp).filter((value): value is number => value !== undefined)
  const summary: OpSummary = {
    op,
    target,
    runs,
    median: {
      opsPerSecond: median(runs.map((run) => run.opsPerSecond)),
      p50Ms: median(runs.map((run) => run.p50Ms)),
      p99Ms: median(runs.map((run) => run.p99Ms)),
      p999Ms: median(runs.map((run) => run.p999Ms)),
      clientCpuMicrosPerOp: median(runs.map((run) => run.clientCpuMicrosPerOp)),
    },
    errors: runs.reduce((total, run) => total + run.errors, 0),
  }
  if (serverCpu.length > 0) summary.median.serverCpuMicrosPerOp = median(serverCpu)
  return summary
}

export async function runBench(targets: BenchTarget[], settings: BenchSettings, context: BenchContext = {}): Promise<BenchReport> {
  const runner = new BenchRunner(settings, context)
  const onAbort = () => void runner.terminate()
  context.signal?.addEventListener('abort', onAbort)
  const perTarget = new Map<string, Map<BenchOp, OpRunResult[]>>(targets.map((target) => [target.name, new Map()]))
  const memory: MemoryResult[] = []
  try {
    if (settings.warmup) {
      for (const target of targets) {
        await runner.openSessions(target)
        // A quarter of a run (at least 1000 requests) lets the JVM compile its hot paths before anything counts.
        await runner.sequence(0, Math.min(settings.count, Math.max(1000, Math.floor(settings.count / 4))), false)
        await runner.closeSessions()
      }
    }
    for (let run = 1; run <= settings.runs; run++) {
      for (const target of targets) {
        await runner.openSessions(target)
        const results = await runner.sequence(run, settings.count, true)
        await runner.closeSessions()
        const byOp = perTarget.get(target.name) as Map<BenchOp, OpRunResult[]>
        for (const [op, result] of results) byOp.set(op, [...(byOp.get(op) ?? []), result])
      }
    }
    if (settings.rssZnodes > 0) {
      for (const target of targets) {
        await runner.openSessions(target)
        const result = await runner.memory(target, settings.rssZnodes)
        await runner.closeSessions()
        if (result !== undefined) memory.push(result)
      }
    }
  } catch (error) {
    if (context.signal?.aborted === true) throw new BenchAborted()
    throw error
  } finally {
    context.signal?.removeEventListener('abort', onAbort)
    await runner.terminate()
  }
  const results: OpSummary[] = []
  for (const op of PHASE_ORDER) {
    for (const target of targets) {
      const runs = perTarget.get(target.name)?.get(op)
      if (runs !== undefined) results.push(summarizeOp(op, target.name, runs))
    }
  }
  return {
    settings,
    targets: targets.map((target) => ({
      name: target.name,
      addresses: target.addresses.map((address) => `${address.host}:${address.port}`),
      ...(target.pid === undefined ? {} : { pid: target.pid }),
    })),
    results,
    memory,
  }
}
