import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { ConfigError } from '../node/config-error'
import { loadMemberConfig } from '../node/config-load'
import type { MemberConfig } from '../node/config-types'
import { type SystemProperty, parseDefine } from '../node/jvm-flags'
import { createLogger } from '../node/log'
import { attachToCluster, type DiskFaultMessage } from '../cluster'
import { type RunningMember, startMember } from '../node/member'
import { type CliCommand, type CliContext, CliFailure, ExitCode, UsageError, parseCommandLine } from './support'
import { listenForStopSignals, type StopRequest } from './stop-signals'
import { ZOODESK_VERSION } from './version'

const HELP = `Usage: zoodesk server --config <zoo.cfg> [-D name=value]...

Runs one ZooKeeper ensemble member (standalone, or one server of an ensemble whose
peers may be ZooDesk or Apache ZooKeeper 3.8), configured by a standard zoo.cfg.

Options:
  -c, --config <path>   the zoo.cfg to read (may also be given as the only argument)
  -D <name>=<value>     a Java system property, as given to Apache with -D, e.g.
                        -Dzookeeper.extendedTypesEnabled=true (repeatable)
  -h, --help            show this help

Environment:
  SERVER_JVMFLAGS, JVMFLAGS   -D items are read from these as zkServer.sh passes them
                              (JVMFLAGS wins over SERVER_JVMFLAGS, -D options over both;
                              a zoo.cfg key wins over all of them, as in Apache)
  ZOODESK_LOG_LEVEL           error | warn | info (default) | debug | trace

Exit status: 0 after a clean stop on SIGTERM or SIGINT; 1 when the member fails to
start or run (e.g. the client port is in use); 2 for a bad command line or config.
`

export interface ServerDependencies {
  startMember: (config: MemberConfig) => Promise<RunningMember>
  /** Where stop requests come from; by default SIGTERM and SIGINT. */
  listenForStop: () => StopRequest
  /** How long stop() may take before we give up and exit non-zero. */
  stopTimeoutMs: number
}

const defaultDependencies: ServerDependencies = {
  startMember,
  listenForStop: () => listenForStopSignals('server'),
  stopTimeoutMs: 15000,
}

function readArguments(args: string[]): { help: true } | { help: false; configPath: string; properties: SystemProperty[] } {
  const { values, positionals } = parseCommandLine(
    args,
    {
      config: { type: 'string', short: 'c' },
      D: { type: 'string', short: 'D', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  )
  if (values.help === true) return { help: true }
  if (positionals.length > 1 || (positionals.length === 1 && values.config !== undefined)) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[values.config === undefined ? 1 : 0])}`)
  }
  const configPath = values.config ?? positionals[0]
  if (configPath === undefined) throw new UsageError('missing --config <zoo.cfg>')
  const properties: SystemProperty[] = []
  for (const item of values.D ?? []) {
    const property = parseDefine(item, '-D')
    if (property === null) throw new UsageError(`-D needs name=value, got ${JSON.stringify(item)}`)
    properties.push(property)
  }
  return { help: false, configPath, properties }
}

/** Creates a data directory if needed and checks that we can write into it, before anything starts. */
function prepareDirectory(key: string, path: string): void {
  const absolute = resolve(path)
  try {
    mkdirSync(absolute, { recursive: true })
  } catch (error) {
    throw new CliFailure(`${key} ${absolute} cannot be created: ${(error as Error).message}`, ExitCode.usage)
  }
  if (!statSync(absolute).isDirectory()) throw new CliFailure(`${key} ${absolute} is not a directory`, ExitCode.usage)
  try {
    accessSync(absolute, constants.W_OK | constants.X_OK)
  } catch {
    throw new CliFailure(`${key} ${absolute} is not writable by this user`, ExitCode.usage)
  }
}

/** Finds a Node system error code anywhere in an error's cause chain (or inside an AggregateError). */
function findErrorCode(error: unknown, code: string, depth = 0): (Error & { port?: unknown }) | undefined {
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined
  const candidate = error as Error & { code?: unknown; cause?: unknown; errors?: unknown }
  if (candidate.code === code) return candidate
  if (Array.isArray(candidate.errors)) {
    for (const inner of candidate.errors) {
      const found = findErrorCode(inner, code, depth + 1)
      if (found !== undefined) return found
    }
  }
  return findErrorCode(candidate.cause, code, depth + 1)
}

function startFailure(error: unknown, config: MemberConfig): CliFailure {
  const inUse = findErrorCode(error, 'EADDRINUSE')
  if (inUse !== undefined) {
    const port = typeof inUse.port === 'number' ? inUse.port : config.clientPort
    return new CliFailure(`port ${port} is already in use (${config.clientPortAddress}:${port}); is another server running?`)
  }
  const denied = findErrorCode(error, 'EACCES')
  if (denied !== undefined && typeof denied.port === 'number') {
    return new CliFailure(`not allowed to listen on port ${denied.port}`)
  }
  return new CliFailure(`cannot start: ${error instanceof Error ? error.message : String(error)}`)
}

function describeMode(config: MemberConfig): string {
  if (config.servers.length === 0) return 'standalone'
  return `ensemble member ${config.myId} of ${config.servers.length}, ${config.peerType}`
}

async function stopWithin(member: RunningMember, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`stop did not finish within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    await Promise.race([member.stop(), timeout])
  } finally {
    clearTimeout(timer)
  }
}

export async function runServer(args: string[], context: CliContext, dependencies: ServerDependencies = defaultDependencies): Promise<number> {
  const parsed = readArguments(args)
  if (parsed.help) {
    context.out(HELP)
    return ExitCode.ok
  }
  const log = createLogger('server')
  let config: MemberConfig
  try {
    const loaded = loadMemberConfig(parsed.configPath, { env: context.env, commandLineProperties: parsed.properties })
    for (const warning of loaded.warnings) createLogger('config').warn(warning)
    config = loaded.config
  } catch (error) {
    if (error instanceof ConfigError) throw new CliFailure(error.message, ExitCode.usage)
    throw error
  }
  prepareDirectory('dataDir', config.dataDir)
  if (resolve(config.dataLogDir) !== resolve(config.dataDir)) prepareDirectory('dataLogDir', config.dataLogDir)

  const stopRequest = dependencies.listenForStop()
  // Started by a local cluster: die with it, and take its disk faults (held until the member runs).
  let member: RunningMember | undefined
  let pendingDiskFault: DiskFaultMessage | undefined
  const cluster = attachToCluster({
    onDisk: (fault) => {
      if (member === undefined) pendingDiskFault = fault
      else member.disk.set(fault.mode, fault.delayMs)
      log.info(`disk fault from the cluster: ${fault.mode}${fault.mode === 'slow' ? ` (+${fault.delayMs} ms)` : ''}`)
    },
    onExpireSession: (sessionId) => {
      // Only the leader (or a standalone member) owns sessions; the others ignore the request.
      if (member?.expireSession?.(sessionId) === true) log.info(`expiring session 0x${sessionId.toString(16)} on the cluster's request`)
    },
  })
  try {
    try {
      member = await dependencies.startMember(config)
      if (pendingDiskFault !== undefined) member.disk.set(pendingDiskFault.mode, pendingDiskFault.delayMs)
      // The cluster's timeline shows our elections, votes and txn counts.
      cluster?.reportZabTrace(member.zabTrace)
    } catch (error) {
      throw startFailure(error, config)
    }
    // An ensemble member listens now and serves once it leads or has synced with a leader.
    const verb = config.servers.length > 0 ? 'listening' : 'serving'
    log.info(
      `ZooDesk ${ZOODESK_VERSION} ${verb} on ${config.clientPortAddress}:${member.clientPort} ` +
        `(${describeMode(config)}, dataDir ${resolve(config.dataDir)})`,
    )
    const signal = await stopRequest.requested
    log.info(`${signal} received, stopping`)
    try {
      await stopWithin(member, dependencies.stopTimeoutMs)
    } catch (error) {
      log.error('stop failed', error)
      return ExitCode.failure
    }
    log.info('stopped')
    return ExitCode.ok
  } finally {
    cluster?.detach()
    stopRequest.dispose()
  }
}

export function createServerCommand(dependencies?: Partial<ServerDependencies>): CliCommand {
  const merged = { ...defaultDependencies, ...dependencies }
  return {
    name: 'server',
    summary: 'run one ZooKeeper ensemble member from a zoo.cfg',
    help: HELP,
    run: (args, context) => runServer(args, context, merged),
  }
}
