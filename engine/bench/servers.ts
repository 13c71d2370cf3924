import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BenchSession, type ServerAddress } from './driver'

/**
 * Local servers for `zoodesk bench --compare`: ZooDesk (`zoodesk server` in a child process, so its CPU is its
 * own) and Debian's Apache ZooKeeper 3.8.0 (QuorumPeerMain, -Xmx1000m as in performance-targets.md), each with
 * a fresh temp dataDir, the same tickTime and fsync settings, listening on 127.0.0.1 only, AdminServer off.
 */
export interface LocalServer {
  readonly name: string
  readonly pid: number
  readonly address: ServerAddress
  readonly dataDir: string
  /** SIGTERM, then SIGKILL after a grace period; removes the temp directory. */
  stop(): Promise<void>
}

export interface LocalServerOptions {
  tickTimeMs?: number
  /** Milliseconds to wait for the first session. */
  startTimeoutMs?: number
}

export interface ApacheServerOptions extends LocalServerOptions {
  java?: string
  classpath?: string
  heap?: string
}

export const APACHE_CLASSPATH = '/etc/zookeeper/conf:/usr/share/java/zookeeper.jar'

/** A port in 20000–60000 that we could bind on 127.0.0.1 a moment ago. */
export async function findFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000)
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
    if (free) return port
  }
  throw new Error('no free port found in 20000-60000')
}

export function zooCfgText(dataDir: string, port: number, tickTimeMs: number): string {
  return [
    `tickTime=${tickTimeMs}`,
    'initLimit=10',
    'syncLimit=5',
    `dataDir=${dataDir}`,
    `clientPort=${port}`,
    'clientPortAddress=127.0.0.1',
    'admin.enableServer=false',
    '4lw.commands.whitelist=srvr,mntr,ruok,conf',
    '',
  ].join('\n')
}

function tail(path: string, bytes = 2000): string {
  try {
    const text = readFileSync(path, 'utf8')
    return text.slice(-bytes).trim()
  } catch {
    return ''
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  if (await waitForExit(child, 10000)) return
  child.kill('SIGKILL')
  await waitForExit(child, 5000)
}

/** Polls with real sessions until one is established, the child dies, or the time is up. */
async function waitUntilServing(name: string, child: ChildProcess, address: ServerAddress, logPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${name} exited before serving (exit code ${child.exitCode ?? child.signalCode}):\n${tail(logPath)}`)
    try {
      const session = await BenchSession.open(address, { connectTimeoutMs: 2000, maxOutstanding: 1 })
      await session.close()
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  throw new Error(`${name} did not serve on ${address.host}:${address.port} within ${timeoutMs} ms:\n${tail(logPath)}`)
}

interface Launch {
  name: string
  command: string
  args: (configPath: string, tempDir: string) => string[]
  env?: NodeJS.ProcessEnv
}

async function launch(launchSpec: Launch, options: LocalServerOptions): Promise<LocalServer> {
  const tempDir = mkdtempSync(join(tmpdir(), `zoodesk-bench-${launchSpec.name.toLowerCase()}-`))
  const dataDir = join(tempDir, 'data')
  mkdirSync(dataDir)
  const port = await findFreePort()
  const configPath = join(tempDir, 'zoo.cfg')
  writeFileSync(configPath, zooCfgText(dataDir, port, options.tickTimeMs ?? 2000))
  const logPath = join(tempDir, 'server.log')
  const logFd = openSync(logPath, 'a')
  const child = spawn(launchSpec.command, launchSpec.args(configPath, tempDir), {
    stdio: ['ignore', logFd, logFd],
    env: launchSpec.env ?? process.env,
  })
  closeSync(logFd)
  const spawned = await new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null))
    child.once('error', (error) => resolve(error))
  })
  const cleanup = () => rmSync(tempDir, { recursive: true, force: true })
  if (spawned !== null || child.pid === undefined) {
    cleanup()
    throw new Error(`cannot start ${launchSpec.name} (${launchSpec.command}): ${spawned?.message ?? 'no pid'}`)
  }
  const address = { host: '127.0.0.1', port }
  const server: LocalServer = {
    name: launchSpec.name,
    pid: child.pid,
    address,
    dataDir,
    async stop() {
      await stopChild(child)
      cleanup()
    },
  }
  try {
    await waitUntilServing(launchSpec.name, child, address, logPath, options.startTimeoutMs ?? 60000)
  } catch (error) {
    await server.stop()
    throw error
  }
  return server
}

/** ZooDesk's `server` subcommand from the bundled CLI at `cliPath`, in its own Node process. */
export function startZooDeskServer(cliPath: string, options: LocalServerOptions = {}): Promise<LocalServer> {
  return launch(
    {
      name: 'ZooDesk',
      command: process.execPath,
      args: (configPath) => [cliPath, 'server', '--config', configPath],
      // The member reads -D items from these, as zkServer.sh does; the bench wants the plain defaults.
      env: { ...process.env, JVMFLAGS: '', SERVER_JVMFLAGS: '' },
    },
    options,
  )
}

/** Debian's Apache ZooKeeper, started the way its zkServer.sh would (minus the daemonising). */
export function startApacheServer(options: ApacheServerOptions = {}): Promise<LocalServer> {
  return launch(
    {
      name: 'Apache',
      command: options.java ?? 'java',
      args: (configPath, tempDir) => [
        `-Xmx${options.heap ?? '1000m'}`,
        '-cp',
        options.classpath ?? APACHE_CLASSPATH,
        `-Dzookeeper.log.dir=${tempDir}`,
        '-Dzookeeper.root.logger=INFO,ROLLINGFILE',
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        configPath,
      ],
    },
    options,
  )
}
