// Running `zoodesk shell` as zkCli.sh is run (stdin script, stdout and stderr merged in write order), and turning
// either shell's output into something two runs can be compared on.
import { ErrorCode } from '../../../engine/proto'
import { ZooKeeperClient, isKeeperException } from '../../../engine/client'
import { signalChild, spawnTracked, waitForClose } from '../../compat/harness/child'
import { normalize } from '../../compat/harness/normalize'

export interface ShellRun {
  /** stdout and stderr merged, in write order. */
  raw: string
  exitCode: number | null
}

/**
 * `zoodesk shell -server <connectString> [args]`, fed `lines` on stdin (then `quit`, closing the session, as
 * test/compat/harness/zkcli.ts does for zkCli). Through `sh -c '… 2>&1'` so both streams share one pipe.
 */
export async function runZooDeskShell(
  cli: string,
  connectString: string,
  lines: readonly string[] | undefined,
  args: readonly string[] = [],
  timeoutMs = 30_000,
): Promise<ShellRun> {
  const child = spawnTracked(
    '/bin/sh',
    ['-c', 'exec "$0" "$@" 2>&1', process.execPath, cli, 'shell', '-server', connectString, ...args],
    { stdio: ['pipe', 'pipe', 'ignore'], detached: true },
  )
  let raw = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk))
  child.stdin?.on('error', () => {})
  child.stdin?.end(lines === undefined ? '' : [...lines, 'quit'].join('\n') + '\n')
  const timer = setTimeout(() => signalChild(child, 'SIGKILL'), timeoutMs)
  const status = await waitForClose(child).finally(() => clearTimeout(timer))
  return { raw, exitCode: status.code }
}

export interface Transcript {
  /** The output without watcher blocks, zxids / session ids / times replaced by placeholders. */
  text: string
  /** `WatchedEvent …` lines of node events (session events depend on timing), in order. */
  events: string[]
}

/**
 * zkCli's watcher prints each event as two atomic writes, "\nWATCHER::\n" and "\nWatchedEvent …\n", on the event
 * thread: where they land among the command output is a race in Java. They are taken out (with the blank line each
 * carries) and compared on their own, in order; the rest must match line for line.
 */
export interface TranscriptOptions {
  /** Text to replace (e.g. a connect string), before normalisation. */
  replacements?: readonly [string, string][]
  /** Sort the items of printed path lists (`[/a, /b]`, what getEphemerals prints): their order is the server's. */
  sortPathLists?: boolean
}

export function transcript(raw: string, options: TranscriptOptions = {}): Transcript {
  const kept: string[] = []
  const events: string[] = []
  for (const line of raw.split('\n')) {
    if (line.startsWith('SLF4J: ')) continue
    const isEventLine = line === 'WATCHER::' || line.startsWith('WatchedEvent ')
    if (!isEventLine) {
      kept.push(line)
      continue
    }
    if (kept.at(-1) === '') kept.pop()
    if (line.startsWith('WatchedEvent ') && !line.includes(' type:None ')) events.push(line)
  }
  const lines = options.sortPathLists === true ? kept.map(sortPathList) : kept
  let text = lines.join('\n').replace(/^ZooKeeper CLI version: .*$/m, 'ZooKeeper CLI version: <version>')
  for (const [from, to] of options.replacements ?? []) text = text.split(from).join(to)
  const [normalized] = normalize([text])
  return { text: normalized as string, events }
}

function sortPathList(line: string): string {
  if (!line.startsWith('[/') || !line.endsWith(']')) return line
  return `[${line.slice(1, -1).split(', ').sort().join(', ')}]`
}

/**
 * What changed in zkCli between Debian's 3.8.0 (the oracle here) and 3.8.6 (what the shell follows): `get` gained
 * -b/-x, `set` gained -b, and both now print an option table with their usage. Applied to zkCli's output.
 */
export function apache380To386(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (line === '\tget [-s] [-w] path') return '\tget [-s] [-w] [-b] [-x] path'
      if (line === '\tset [-s] [-v version] path data') return '\tset path data [-s] [-v version] [-b]'
      if (line === 'get [-s] [-w] path') {
        return [
          'get [-s] [-w] [-b] [-x] path',
          ' -b   Output data in base64 format',
          ' -s   Print znode stats additionally',
          ' -w   Watch for changes on the znode',
          ' -x   Output data in hexdump format',
          '',
        ].join('\n')
      }
      if (line === 'set [-s] [-v version] path data') {
        return [
          'set path data [-s] [-v version] [-b]',
          ' -b         Supply data in base64 format',
          ' -s         Print znode stats additionally',
          ' -v <arg>   Set with an expected version',
          '',
        ].join('\n')
      }
      return line
    })
    .join('\n')
}

/** The digest identity the ACL script uses; cleanup authenticates as it to remove what it protected. */
export const DIGEST_USER = 'user1:secret'

async function deleteTree(client: ZooKeeperClient, path: string): Promise<void> {
  let children: string[] = []
  try {
    children = await client.getChildren(path)
  } catch (error) {
    if (isKeeperException(error) && error.code === ErrorCode.NONODE) return
    throw error
  }
  for (const child of children) await deleteTree(client, `${path === '/' ? '' : path}/${child}`)
  try {
    await client.delete(path)
  } catch (error) {
    if (!(isKeeperException(error) && error.code === ErrorCode.NONODE)) throw error
  }
}

/** Removes everything a script may have left: every top-level node but /zookeeper, and every quota. */
export async function resetTree(connectString: string): Promise<void> {
  const client = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 10_000 })
  try {
    await client.addAuth('digest', DIGEST_USER)
    for (const child of await client.getChildren('/')) {
      if (child !== 'zookeeper') await deleteTree(client, `/${child}`)
    }
    for (const child of await client.getChildren('/zookeeper/quota')) await deleteTree(client, `/zookeeper/quota/${child}`)
  } finally {
    await client.close()
  }
}
