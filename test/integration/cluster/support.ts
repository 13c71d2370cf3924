// Shared helpers for the local-cluster tests: the ZooDesk CLI bundle members run, clients, and process checks.
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { build } from 'vite'
import { ZooKeeperClient } from '../../../engine/client'

const REPO_ROOT = join(__dirname, '..', '..', '..')
let builtBundle: string | undefined

/**
 * The CLI bundle for ZooDesk members: $ZOODESK_BIN when set, otherwise built once per test file from
 * vite.cli.config.mts into a private temp directory, so parallel builds of out/cli never race.
 */
export async function zoodeskBundle(): Promise<string> {
  const fromEnv = process.env['ZOODESK_BIN']
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (builtBundle === undefined) {
    const outDir = mkdtempSync(join(tmpdir(), 'zoodesk-cluster-cli-'))
    await build({
      root: REPO_ROOT,
      configFile: join(REPO_ROOT, 'vite.cli.config.mts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    })
    builtBundle = join(outDir, 'zoodesk.cjs')
  }
  return builtBundle
}

/** Removes the bundle built by zoodeskBundle(), if any. */
export function removeBuiltBundle(): void {
  if (builtBundle !== undefined) rmSync(dirname(builtBundle), { recursive: true, force: true })
  builtBundle = undefined
}

export async function withClient<T>(connectString: string, use: (client: ZooKeeperClient) => Promise<T>): Promise<T> {
  const client = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 10_000 })
  try {
    return await use(client)
  } finally {
    await client.close()
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  // A zombie (exited, not yet reaped by a parent that is gone too) holds nothing: count it as gone.
  try {
    const state = /\) (\S) /.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1]
    return state !== 'Z'
  } catch {
    return process.platform !== 'linux'
  }
}

/** Pids of live processes whose command line contains `needle` (Linux /proc). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle) && isProcessAlive(Number(entry))) pids.push(Number(entry))
    } catch {
      // exited while we looked
    }
  }
  return pids
}

export async function eventually<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

interface TcpRow {
  localPort: number
  remotePort: number
  inode: string
}

/** Established TCP sockets, IPv4 and IPv6 (a JVM uses IPv4-mapped IPv6 sockets), from Linux /proc/net. */
function establishedSockets(): TcpRow[] {
  const rows: TcpRow[] = []
  const portOf = (address: string) => parseInt(address.slice(address.lastIndexOf(':') + 1), 16)
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      const [local, remote, state, inode] = [fields[1], fields[2], fields[3], fields[9]]
      if (local === undefined || remote === undefined || inode === undefined || state !== '01') continue
      rows.push({ localPort: portOf(local), remotePort: portOf(remote), inode })
    }
  }
  return rows
}

/**
 * For every established connection accepted on one of `ports`, whether its other end is a socket of this process
 * (i.e. one of the cluster's peer links) rather than another member.
 */
export function connectionsInto(ports: ReadonlySet<number>): { port: number; fromThisProcess: boolean }[] {
  const ownInodes = new Set<string>()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (match?.[1] !== undefined) ownInodes.add(match[1])
    } catch {
      // closed meanwhile
    }
  }
  const sockets = establishedSockets()
  return sockets
    .filter((row) => ports.has(row.localPort))
    .map((row) => ({
      port: row.localPort,
      fromThisProcess: sockets.some((other) => other.localPort === row.remotePort && other.remotePort === row.localPort && ownInodes.has(other.inode)),
    }))
}
