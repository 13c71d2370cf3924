// Drives Debian's zkCli.sh (Apache's Java client and shell) non-interactively.
import { signalChild, spawnTracked, waitForClose } from './child'

export const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh'

/**
 * zkCli.sh appends $CLIENT_JVMFLAGS and $JVMFLAGS to its java command. Measured: these barely
 * move its ~0.6 s (JVM start is ~0.1 s; the rest is class loading, the connection, and
 * HotSpot's exit waiting ~0.3 s for the client's selector thread sitting in native code), and
 * AppCDS is impossible because zkCli.sh puts the non-empty /etc/zookeeper/conf on the
 * classpath. They are kept because they cost nothing and spare a perf-data file per run.
 */
export const ZKCLI_JVM_FLAGS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData'

export interface ZkCliOptions {
  /** Kill zkCli after this long. Default 30 s. */
  timeoutMs?: number
  /** Options before the command, e.g. ['-client-configuration', file]. */
  extraArgs?: readonly string[]
}

export interface ZkCliResult {
  /** stdout and stderr merged in write order, with JVM/log noise and session events removed. */
  output: string
  /** stdout and stderr merged, untouched. */
  raw: string
  exitCode: number | null
}

/**
 * `zkCli.sh -server <connectString> <command...>`: one command, then exit.
 *
 * Note: in this mode zkCli exits without closing its session, which lives on on the server
 * until it expires (30 s). Use zkCliScript when that matters (ephemerals, cons, wchc...).
 * Messages such as "Created /a" and "Node does not exist: /a" go to stderr; the result merges
 * both streams in order.
 */
export function zkCli(connectString: string, command: readonly string[], options: ZkCliOptions = {}): Promise<ZkCliResult> {
  return runZkCli([...(options.extraArgs ?? []), '-server', connectString, ...command], undefined, options)
}

export interface ZkCliScriptOptions extends ZkCliOptions {
  /** Append `quit` (closing the session) unless the script ends with it. Default true. */
  quit?: boolean
}

/**
 * Feeds commands to zkCli.sh on stdin, one per line, in one session. With `quit` appended
 * (the default) the session is closed cleanly and the run is faster (~0.5 s).
 */
export function zkCliScript(
  connectString: string,
  commands: readonly string[] | string,
  options: ZkCliScriptOptions = {},
): Promise<ZkCliResult> {
  const lines = (typeof commands === 'string' ? commands.split('\n') : [...commands]).map((l) => l.trim()).filter((l) => l !== '')
  if (options.quit !== false && lines.at(-1) !== 'quit') lines.push('quit')
  return runZkCli([...(options.extraArgs ?? []), '-server', connectString], lines.join('\n') + '\n', options)
}

async function runZkCli(args: readonly string[], stdin: string | undefined, options: ZkCliOptions): Promise<ZkCliResult> {
  // A shell merges stderr into stdout so the two keep their write order (Java's System.out
  // and System.err both flush on each println). `detached` makes it a process-group leader
  // so a timeout kills the JVM too, not just the script.
  const child = spawnTracked('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', ZKCLI, ...args], {
    env: { ...process.env, CLIENT_JVMFLAGS: ZKCLI_JVM_FLAGS },
    stdio: ['pipe', 'pipe', 'ignore'],
    detached: true,
  })
  let raw = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk))
  child.stdin?.on('error', () => {}) // EPIPE if zkCli died first; the exit status tells why
  child.stdin?.end(stdin ?? '')

  const timeoutMs = options.timeoutMs ?? 30_000
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    signalChild(child, 'SIGKILL')
  }, timeoutMs)
  const status = await waitForClose(child).finally(() => clearTimeout(timer))
  if (timedOut) throw new Error(`zkCli.sh ${args.join(' ')} timed out after ${timeoutMs} ms; output:\n${raw}`)
  return { output: cleanZkCliOutput(raw), raw, exitCode: status.code }
}

const NOISE_LINES = [
  /^SLF4J: /, // no slf4j binding on Debian's client classpath
  /^Connecting to \S+$/,
  /^Welcome to ZooKeeper!$/,
  /^JLine support is (disabled|enabled)$/,
  /^WATCHER::$/,
  // Session state events (connected, closed), printed by the default watcher.
  /^WatchedEvent state:\w+ type:None path:null$/,
]

/**
 * Removes what says nothing about the server: slf4j warnings, the banner, and session events.
 * Node watch events stay, as `WatchedEvent state:… type:… path:…` lines. The default watcher
 * prints each event as "\nWATCHER::\n" + "\nWatchedEvent …\n"; the blank lines that belong
 * to it go too.
 */
export function cleanZkCliOutput(raw: string): string {
  const withoutEventBlocks = raw.replace(/\n?WATCHER::\n\n(WatchedEvent [^\n]*)\n/g, '$1\n')
  return withoutEventBlocks
    .split('\n')
    .filter((line) => !NOISE_LINES.some((re) => re.test(line)))
    .join('\n')
}

/**
 * zkCliScript's output as its non-empty lines. The default watcher prints session events from
 * its own thread, so the blank lines around them land between command outputs by timing;
 * without them, a script's output is the same from run to run.
 */
export async function zkCliLines(connectString: string, commands: readonly string[] | string, options: ZkCliScriptOptions = {}): Promise<string[]> {
  const result = await zkCliScript(connectString, commands, options)
  return result.output.split('\n').filter((line) => line !== '')
}
