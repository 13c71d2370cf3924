import { LocalCluster, PortInUseError } from '../cluster'
import type { ClusterMember, MemberExitEvent, MemberKind } from '../cluster'
import { linkPort } from '../cluster/port-layout'
import { type CliCommand, type CliContext, CliFailure, ExitCode, UsageError, parseCommandLine, wholeNumber } from './support'
import { listenForStopSignals } from './stop-signals'

const HELP = `Usage: zoodesk cluster --nodes N [--observers M] [--base-port P] [--data-dir DIR]
                       [--tick-time MS] [--apache K]

Runs a local ZooKeeper ensemble on 127.0.0.1, each member in its own process, until
Ctrl-C or SIGTERM. Prints the port layout, then the connect string once every member
serves. Every four-letter word and the AdminServer (on 127.0.0.1) are enabled.

Options:
  -n, --nodes <N>        voting members, 1-9 (default 3)
  --observers <M>        observers, after the voters (default 0)
  --base-port <P>        client ports are P, P+1, ...; the other ports follow (default 2181)
  --data-dir <DIR>       members' directories (DIR/<id>/); kept, and reused by the next
                         run on the same DIR. Default: a temp directory removed at exit
  --tick-time <MS>       zoo.cfg tickTime (default 2000)
  --apache <K>           members 1..K run Apache ZooKeeper 3.8 (Debian's) instead of
                         ZooDesk, for mixed ensembles (default 0)
  --timeout <S>          seconds to wait for every member to serve (default 120)
  -h, --help             show this help

Peers reach each other only through proxies owned by this process (one per pair of
members and port kind), so the library API can cut them (partitions); clients connect
to members directly.

Exit status: 0 after a clean stop on SIGTERM or SIGINT once serving; 1 when a member
fails to start or a port is taken; 2 for a bad command line; 130 when interrupted
before every member serves.
`

interface ClusterArguments {
  voters: number
  observers: number
  basePort: number
  dataDir: string | undefined
  tickTimeMs: number
  apacheCount: number
  timeoutMs: number
}

function readArguments(args: string[]): ClusterArguments | 'help' {
  const { values } = parseCommandLine(args, {
    nodes: { type: 'string', short: 'n' },
    observers: { type: 'string' },
    'base-port': { type: 'string' },
    'data-dir': { type: 'string' },
    'tick-time': { type: 'string' },
    apache: { type: 'string' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help === true) return 'help'
  const voters = wholeNumber(values.nodes, 'nodes', 3, 1, 9)
  const observers = wholeNumber(values.observers, 'observers', 0, 0, 9)
  const apacheCount = wholeNumber(values.apache, 'apache', 0, 0, voters + observers)
  return {
    voters,
    observers,
    basePort: wholeNumber(values['base-port'], 'base-port', 2181, 1, 65535),
    dataDir: values['data-dir'],
    tickTimeMs: wholeNumber(values['tick-time'], 'tick-time', 2000, 1, 600_000),
    apacheCount,
    timeoutMs: wholeNumber(values.timeout, 'timeout', 120, 1, 3600) * 1000,
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? []
  return rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd()).join('\n')
}

export function describeLayout(cluster: LocalCluster): string {
  const { basePort, memberCount } = cluster.layout
  const memberRows = [
    ['member', 'role', 'kind', 'client', 'admin', 'quorum', 'election', 'directory'],
    ...cluster.members.map((m: ClusterMember) => [
      String(m.id),
      m.role,
      m.kind,
      String(m.clientPort),
      String(m.adminPort),
      String(m.quorumPort),
      String(m.electionPort),
      m.dir,
    ]),
  ]
  const linkRows = [['link', 'quorum', 'election']]
  for (const from of cluster.members) {
    for (const to of cluster.members) {
      if (from.id === to.id) continue
      linkRows.push([
        `${from.id} → ${to.id}`,
        String(linkPort(basePort, memberCount, from.id, to.id, 'quorum')),
        String(linkPort(basePort, memberCount, from.id, to.id, 'election')),
      ])
    }
  }
  const voters = cluster.members.filter((m) => m.role === 'participant').length
  const observers = cluster.members.length - voters
  let text = `ZooDesk local cluster: ${voters} voter${voters === 1 ? '' : 's'}`
  text += observers > 0 ? ` and ${observers} observer${observers === 1 ? '' : 's'}` : ''
  text += ` on 127.0.0.1, ports ${basePort}-${basePort + cluster.layout.all.length - 1}\n`
  text += `${table(memberRows)}\n`
  if (linkRows.length > 1) {
    text += 'peer links (member a reaches member b\'s quorum/election port through these proxies):\n'
    text += `${table(linkRows)}\n`
  }
  return text
}

function describeExit(event: MemberExitEvent): string {
  return `member ${event.id} (${event.kind}) exited unexpectedly with ${event.signal ?? `code ${event.code}`}`
}

export async function runCluster(args: string[], context: CliContext): Promise<number> {
  const parsed = readArguments(args)
  if (parsed === 'help') {
    context.out(HELP)
    return ExitCode.ok
  }
  const total = parsed.voters + parsed.observers
  const kinds: MemberKind[] = Array.from({ length: total }, (_, index) => (index < parsed.apacheCount ? 'apache' : 'zoodesk'))
  let cluster: LocalCluster
  try {
    cluster = await LocalCluster.create({
      voters: parsed.voters,
      observers: parsed.observers,
      basePort: parsed.basePort,
      ...(parsed.dataDir !== undefined ? { dataDir: parsed.dataDir } : {}),
      tickTimeMs: parsed.tickTimeMs,
      kind: kinds,
      zoodeskScript: context.scriptPath,
    })
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message)
    throw error
  }
  const signals = listenForStopSignals('cluster', context.err)
  const stopWatchingExits = cluster.on('member-exit', (event) => {
    if (!event.expected) context.err(`zoodesk cluster: ${describeExit(event)}\n`)
  })
  try {
    context.out(describeLayout(cluster))
    context.out(`data: ${cluster.dataDir}${parsed.dataDir === undefined ? ' (removed at exit)' : ''}\n`)
    // close() (in finally) waits for a start() in progress, so an early signal stops every member it spawned.
    const serving = cluster.start().then(() => cluster.waitForServing(parsed.timeoutMs))
    const first = await Promise.race([serving.then(() => 'serving' as const), signals.requested])
    if (first !== 'serving') {
      serving.catch(() => undefined)
      context.err(`zoodesk cluster: ${first} before every member served, stopping\n`)
      return ExitCode.interrupted
    }
    context.out(`connect string: ${cluster.connectString}\n`)
    const signal = await signals.requested
    context.err(`zoodesk cluster: ${signal} received, stopping\n`)
    return ExitCode.ok
  } catch (error) {
    if (error instanceof PortInUseError) throw new CliFailure(error.message)
    throw new CliFailure(error instanceof Error ? error.message : String(error))
  } finally {
    stopWatchingExits()
    await cluster.close()
    signals.dispose()
  }
}

export const clusterCommand: CliCommand = {
  name: 'cluster',
  summary: 'run a local ensemble of ZooDesk and/or Apache members until Ctrl-C',
  help: HELP,
  run: runCluster,
}
