import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/**
 * The Debian Apache ZooKeeper 3.8.0 server and kazoo (system python), driven from tests: the reference our file
 * formats are checked against. Listens on 127.0.0.1 only, on a random port in 20000-60000.
 */

const CLASSPATH = '/etc/zookeeper/conf:/usr/share/java/zookeeper.jar'
const SYSTEM_PYTHON = '/usr/bin/python3'
const START_TIMEOUT_MS = 30_000

export interface ApacheServer {
  port: number
  /** SIGTERM, then wait for the JVM to exit. */
  stop(): Promise<void>
}

export interface ApacheOptions {
  dataDir: string
  /** Extra zoo.cfg lines (snapCount, preAllocSize …). */
  config?: Record<string, string | number>
  /** Extra -D system properties. */
  systemProperties?: Record<string, string>
}

function randomPort(): number {
  return 20000 + Math.floor(Math.random() * 40000)
}

function ruok(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end('ruok'))
    let reply = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (reply += chunk))
    socket.on('close', () => resolve(reply === 'imok'))
    socket.on('error', () => resolve(false))
    socket.setTimeout(1000, () => socket.destroy())
  })
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
}

/** Starts Apache standalone on `dataDir`; resolves once it answers ruok. Retries on a port clash. */
export async function startApache(options: ApacheOptions): Promise<ApacheServer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startOnce(options, randomPort())
    } catch (error) {
      if (attempt >= 3) throw error
    }
  }
}

async function startOnce(options: ApacheOptions, port: number): Promise<ApacheServer> {
  const confDir = await mkdtemp(join(tmpdir(), 'zoodesk-apache-conf-'))
  const lines = {
    tickTime: 2000,
    dataDir: options.dataDir,
    clientPort: port,
    clientPortAddress: '127.0.0.1',
    'admin.enableServer': 'false',
    '4lw.commands.whitelist': 'ruok,srvr',
    ...options.config,
  }
  const configPath = join(confDir, 'zoo.cfg')
  await writeFile(configPath, Object.entries(lines).map(([key, value]) => `${key}=${value}`).join('\n') + '\n')
  const properties = Object.entries({ 'zookeeper.log.dir': confDir, ...options.systemProperties }).map(([k, v]) => `-D${k}=${v}`)
  const child = spawn('java', ['-Xmx256m', '-cp', CLASSPATH, ...properties, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited(child)
    await rm(confDir, { recursive: true, force: true })
  }
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break
    if (await ruok(port)) return { port, stop }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await stop()
  throw new Error(`Apache ZooKeeper did not start on port ${port}: ${stderr.slice(-2000)}`)
}

/** Runs a python script file with kazoo against `port`; the script gets PORT in its environment. Returns stdout. */
export async function runKazoo(port: number, scriptPath: string): Promise<string> {
  const { stdout } = await promisify(execFile)(SYSTEM_PYTHON, [scriptPath], {
    env: { ...process.env, PORT: String(port) },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
  })
  return stdout
}
