import { formatEnsembleSummary, runEnsembleBench } from '../bench/ensemble'
import { BenchAborted, type BenchSettings, type BenchTarget, DEFAULT_SETTINGS, runBench } from '../bench/bench'
import type { ServerAddress } from '../bench/driver'
import { findListeningPid } from '../bench/proc'
import { formatComparison, formatJson, formatSingle } from '../bench/report'
import { type LocalServer, startApacheServer, startZooDeskServer } from '../bench/servers'
import { BENCH_OPS, type BenchOp } from '../bench/workload'
import { type CliCommand, type CliContext, CliFailure, ExitCode, UsageError, parseCommandLine, wholeNumber } from './support'

const HELP = `Usage: zoodesk bench [--connect host:port[,host:port...] | --compare] [options]

Measures throughput and latency of ZooKeeper operations with a pipelined raw-protocol
load generator: every session keeps --outstanding requests in flight.

Targets:
  --connect <hosts>      benchmark a running server or ensemble (sessions are spread
                         over the hosts); without --connect or --compare, a ZooDesk
                         server is started locally in a child process
  --compare              start ZooDesk and Debian's Apache ZooKeeper 3.8 locally (fresh
                         temp dataDirs, same settings), run them interleaved and print
                         ratios, latencies, server CPU per op and RSS side by side

Workload:
  --ops <list>           any of ${BENCH_OPS.join(',')}
                         (default: all; children is getChildren of a node with
                         --children children, mix is 90% getData / 10% setData)
  --clients <n>          sessions (default ${DEFAULT_SETTINGS.sessions})
  --outstanding <n>      requests in flight per session (default ${DEFAULT_SETTINGS.outstanding})
  --count <n>            requests per op and run (default ${DEFAULT_SETTINGS.count})
  --size <bytes>         data size for create/setData (default ${DEFAULT_SETTINGS.payloadBytes})
  --runs <n>             runs; results are medians (default ${DEFAULT_SETTINGS.runs})
  --children <n>         children of the node getChildren reads (default ${DEFAULT_SETTINGS.childrenCount})
  --threads <n>          client worker threads, 0 = main thread (default ${DEFAULT_SETTINGS.threads})
  --no-warmup            skip the unmeasured warm-up pass
  --rss-znodes <n>       load n znodes and report the server's RSS (default 100000 with
                         --compare, else 0; needs a local server process)
  --server-pid <pid>     the server's pid for CPU/RSS figures with --connect (found
                         automatically for a local listener when possible)
  --java <path>          java for --compare (default: java)
  --ensemble <n>         with --compare: n-member ensembles of each kind (local clusters)
                         instead of standalone servers; measures start-up, throughput and
                         latency with clients on a follower and on the leader, and fail-over
                         (SIGKILL the leader, time until writes are accepted again)
  --failover-trials <n>  fail-overs per ensemble with --ensemble (default 3)
  --tick-time <ms>       tickTime of the --ensemble members (default 2000)

Output:
  --json                 print the full report as JSON instead of a table
  -h, --help             show this help

Exit status: 0 done; 1 a server failed or requests failed; 2 bad command line; 130 interrupted.
`

interface BenchArguments {
  settings: BenchSettings
  mode: 'connect' | 'compare' | 'local'
  addresses: ServerAddress[]
  serverPid?: number
  java?: string
  json: boolean
  /** Members per ensemble for `--compare --ensemble`; undefined compares standalone servers. */
  ensemble?: number
  failoverTrials: number
  tickTimeMs: number
}

function parseAddresses(text: string): ServerAddress[] {
  return text.split(',').map((item) => {
    const trimmed = item.trim()
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(trimmed)
    if (match === null) throw new UsageError(`--connect wants host:port[,host:port...], got ${JSON.stringify(trimmed)}`)
    const port = Number(match[2])
    if (port < 1 || port > 65535) throw new UsageError(`port ${port} is out of range in --connect`)
    return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port }
  })
}

function parseOps(text: string | undefined): BenchOp[] {
  if (text === undefined) return [...DEFAULT_SETTINGS.ops]
  const ops = text.split(',').map((item) => item.trim()).filter((item) => item !== '')
  for (const op of ops) {
    if (!(BENCH_OPS as readonly string[]).includes(op)) throw new UsageError(`unknown op ${JSON.stringify(op)}; choose from ${BENCH_OPS.join(',')}`)
  }
  if (ops.length === 0) throw new UsageError('--ops is empty')
  return [...new Set(ops as BenchOp[])]
}

function readArguments(args: string[]): BenchArguments | null {
  const { values } = parseCommandLine(args, {
    connect: { type: 'string' },
    compare: { type: 'boolean' },
    ops: { type: 'string' },
    clients: { type: 'string' },
    outstanding: { type: 'string' },
    count: { type: 'string' },
    size: { type: 'string' },
    runs: { type: 'string' },
    children: { type: 'string' },
    threads: { type: 'string' },
    'no-warmup': { type: 'boolean' },
    'rss-znodes': { type: 'string' },
    'server-pid': { type: 'string' },
    java: { type: 'string' },
    ensemble: { type: 'string' },
    'failover-trials': { type: 'string' },
    'tick-time': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help === true) return null
  if (values.compare === true && values.connect !== undefined) throw new UsageError('use either --connect or --compare, not both')
  const mode = values.compare === true ? 'compare' : values.connect !== undefined ? 'connect' : 'local'
  const settings: BenchSettings = {
    ...DEFAULT_SETTINGS,
    ops: parseOps(values.ops),
    sessions: wholeNumber(values.clients, 'clients', DEFAULT_SETTINGS.sessions, 1, 1024),
    outstanding: wholeNumber(values.outstanding, 'outstanding', DEFAULT_SETTINGS.outstanding, 1, 1000),
    count: wholeNumber(values.count, 'count', DEFAULT_SETTINGS.count, 1, 10_000_000),
    payloadBytes: wholeNumber(values.size, 'size', DEFAULT_SETTINGS.payloadBytes, 0, 1_000_000),
    runs: wholeNumber(values.runs, 'runs', DEFAULT_SETTINGS.runs, 1, 1000),
    childrenCount: wholeNumber(values.children, 'children', DEFAULT_SETTINGS.childrenCount, 1, 1_000_000),
    threads: wholeNumber(values.threads, 'threads', DEFAULT_SETTINGS.threads, 0, 64),
    warmup: values['no-warmup'] !== true,
    rssZnodes: wholeNumber(values['rss-znodes'], 'rss-znodes', mode === 'compare' ? 100000 : 0, 0, 10_000_000),
  }
  const parsed: BenchArguments = {
    settings,
    mode,
    addresses: values.connect === undefined ? [] : parseAddresses(values.connect),
    json: values.json === true,
    failoverTrials: wholeNumber(values['failover-trials'], 'failover-trials', 3, 0, 100),
    tickTimeMs: wholeNumber(values['tick-time'], 'tick-time', 2000, 10, 60_000),
  }
  if (values.ensemble !== undefined) {
    if (mode !== 'compare') throw new UsageError('--ensemble goes with --compare')
    parsed.ensemble = wholeNumber(values.ensemble, 'ensemble', 3, 1, 7)
    // An ensemble's members are separate processes: the RSS step measures one server, so it is left out.
    parsed.settings.rssZnodes = 0
  }
  if (values['server-pid'] !== undefined) parsed.serverPid = wholeNumber(values['server-pid'], 'server-pid', 0)
  if (values.java !== undefined) parsed.java = values.java
  return parsed
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0'])

function connectTarget(parsed: BenchArguments): BenchTarget {
  const target: BenchTarget = { name: 'server', addresses: parsed.addresses }
  const only = parsed.addresses.length === 1 ? parsed.addresses[0] : undefined
  const pid = parsed.serverPid ?? (only !== undefined && LOCAL_HOSTS.has(only.host) ? findListeningPid(only.port) : undefined)
  if (pid !== undefined) target.pid = pid
  return target
}

function localTarget(server: LocalServer): BenchTarget {
  return { name: server.name, addresses: [server.address], pid: server.pid, disposable: true }
}

/** Ctrl-C / SIGTERM abort the run (servers are still stopped); a second one exits at once. */
function abortOnSignals(controller: AbortController, context: CliContext): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      context.err(`zoodesk bench: second ${signal}, exiting now\n`)
      process.exit(ExitCode.interrupted)
    }
    context.err(`zoodesk bench: ${signal}, stopping servers…\n`)
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}

async function startServers(parsed: BenchArguments, context: CliContext, started: LocalServer[], signal: AbortSignal): Promise<BenchTarget[]> {
  if (parsed.mode === 'connect') return [connectTarget(parsed)]
  const progress = (line: string) => context.err(`${line}\n`)
  progress('starting ZooDesk…')
  const zoodesk = await startZooDeskServer(context.scriptPath)
  started.push(zoodesk)
  if (parsed.mode === 'local') return [localTarget(zoodesk)]
  if (signal.aborted) throw new BenchAborted()
  progress('starting Apache ZooKeeper…')
  const apache = await startApacheServer(parsed.java === undefined ? {} : { java: parsed.java })
  started.push(apache)
  return [localTarget(zoodesk), localTarget(apache)]
}

export async function runBenchCommand(args: string[], context: CliContext): Promise<number> {
  const parsed = readArguments(args)
  if (parsed === null) {
    context.out(HELP)
    return ExitCode.ok
  }
  if (parsed.mode === 'compare' && parsed.settings.runs < 5) {
    context.err(`note: --runs ${parsed.settings.runs}; use 5 or more for numbers worth comparing (the machine is noisy)\n`)
  }
  const controller = new AbortController()
  const disposeSignals = abortOnSignals(controller, context)
  const started: LocalServer[] = []
  try {
    if (parsed.ensemble !== undefined) {
      const progress = (line: string) => context.err(`${line}\n`)
      const report = await runEnsembleBench(
        parsed.settings,
        { members: parsed.ensemble, failoverTrials: parsed.failoverTrials, tickTimeMs: parsed.tickTimeMs, zoodeskScript: context.scriptPath, progress, signal: controller.signal },
        { workerScript: context.scriptPath, signal: controller.signal, progress },
      )
      if (parsed.json) context.out(`${JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`)
      else context.out(`clients on a follower:\n${formatComparison(report.onFollower)}\n\nclients on the leader:\n${formatComparison(report.onLeader)}\n\n${formatEnsembleSummary(report)}\n`)
      const failed = [report.onFollower, report.onLeader].some((one) => one.results.some((summary) => summary.errors > 0))
      return failed ? ExitCode.failure : ExitCode.ok
    }
    const targets = await startServers(parsed, context, started, controller.signal)
    const report = await runBench(targets, parsed.settings, {
      workerScript: context.scriptPath,
      signal: controller.signal,
      progress: (line) => context.err(`${line}\n`),
    })
    context.out(`${parsed.json ? formatJson(report) : targets.length > 1 ? formatComparison(report) : formatSingle(report)}\n`)
    return report.results.some((summary) => summary.errors > 0) ? ExitCode.failure : ExitCode.ok
  } catch (error) {
    if (error instanceof BenchAborted || controller.signal.aborted) throw new CliFailure('interrupted', ExitCode.interrupted)
    if (error instanceof UsageError || error instanceof CliFailure) throw error
    throw new CliFailure(error instanceof Error ? error.message : String(error))
  } finally {
    disposeSignals()
    await Promise.all(started.map((server) => server.stop()))
  }
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'measure throughput and latency (optionally against Apache ZooKeeper)',
  help: HELP,
  run: runBenchCommand,
}
