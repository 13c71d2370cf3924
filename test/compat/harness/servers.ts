// Starting the two servers under test, Apache ZooKeeper 3.8.0 (Debian) and ZooDesk, from the
// same options, each in its own temp dir on 127.0.0.1, behind one TestServer interface.
import type { ChildProcess } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConnection } from 'node:net'
import { fileURLToPath } from 'node:url'
import { hasExited, killNow, spawnTracked, terminate } from './child'
import type { ExitStatus } from './child'
import { FAST_JVM_FLAGS, JAVA, SERVER_CLASSPATH, SERVER_MAIN, cdsPlan, log4jProperties, systemPropertyFlags } from './jvm'
import { LOOPBACK, adminCommand, fourLetter, freePort } from './net'
import { renderZooCfg, zooCfgEntries } from './zoocfg'
import type { CfgValue } from './zoocfg'

export { adminCommand, fourLetter, freePort } from './net'
export type { CfgValue } from './zoocfg'

export type ServerKind = 'apache' | 'zoodesk'

export interface ServerOptions {
  /** Label for the temp dir, to find a failed test's logs. */
  name?: string
  /** zoo.cfg tickTime (ms). Default 2000, as in Debian's sample zoo.cfg. */
  tickTime?: number
  /** Enable the AdminServer on a free 127.0.0.1 port. Default false. */
  admin?: boolean
  /** Extra zoo.cfg keys; `null` removes one of the harness defaults. */
  config?: Readonly<Record<string, CfgValue | null>>
  /**
   * Java system properties, e.g. `zookeeper.extendedTypesEnabled`, `znode.container.checkIntervalMs`,
   * `jute.maxbuffer`, `readonlymode.enabled`. Both servers get them as `-D` flags (the
   * `zoodesk server` command takes `-D name=value` like a JVM), so their zoo.cfg stays identical.
   */
  systemProperties?: Readonly<Record<string, CfgValue>>
  /** Client port. Default: a free port (and a retry with another if it was taken meanwhile). */
  port?: number
  /** How long to wait for the server to serve. Default 30 s. */
  startTimeoutMs?: number
  /** Keep the temp dir after stop(), for its logs. Also ZOODESK_COMPAT_KEEP=1. */
  keepDir?: boolean
  /** ZooDesk only: the CLI bundle to run. Default `out/cli/zoodesk.cjs`, or ZOODESK_BIN. */
  zoodeskBin?: string
  /** Ensemble member: the `myid` file written into the data dir before the first start (see ensemble.ts). */
  myId?: number
  /** AdminServer port when `admin` is on. Default: a free port. */
  adminPort?: number
  /**
   * Ensemble member started ahead of its peers: ready once this port (its election port) accepts connections,
   * since it cannot serve before a quorum is up.
   */
  readyWhenListening?: number
}

export interface TestServer {
  readonly kind: ServerKind
  readonly host: string
  readonly port: number
  /** `host:port`, for any client. */
  readonly connectString: string
  /** The server's own temp dir (config, logs, data). Removed by stop(). */
  readonly dir: string
  readonly dataDir: string
  readonly configFile: string
  /** AdminServer port when `admin: true`. */
  readonly adminPort: number | undefined
  /** Log files, main log first. */
  readonly logFiles: readonly string[]
  /** Pid of the running process; undefined while down. */
  readonly pid: number | undefined
  /** Wall time of the last (re)start until it answered ruok and srvr, in ms. */
  readonly startupMs: number
  isRunning(): boolean
  /** Graceful stop (SIGTERM, SIGKILL after 10 s), then removes the temp dir. Idempotent. */
  stop(): Promise<void>
  /** Crash it: SIGKILL. The data dir stays, for restart(). */
  kill9(): Promise<void>
  /** Start again on the same port and data dir (stopping it gracefully first if it runs). */
  restart(): Promise<void>
  /** Every log file, concatenated with headers. */
  readLog(): string
}

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const DEFAULT_ZOODESK_BIN = join(REPO_ROOT, 'out', 'cli', 'zoodesk.cjs')

const DEFAULT_TICK_TIME = 2000
const DEFAULT_START_TIMEOUT_MS = 30_000
const PORT_ATTEMPTS = 3
/** How each server says a port it wanted was taken (Java's BindException, Node's EADDRINUSE, our CLI's message). */
export const PORT_TAKEN = /Address already in use|EADDRINUSE|is already in use/

/** Servers started and not yet stopped: for an afterAll leak check. */
const running = new Set<TestServer>()

export function runningServers(): readonly TestServer[] {
  return [...running]
}

function stringValues(record: Readonly<Record<string, CfgValue>> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(record ?? {})) out[key] = String(value)
  return out
}

interface Launched {
  child: ChildProcess
  /** Called once the process has exited. */
  afterExit(status: ExitStatus): void
  /**
   * Whether stop() (which deletes the dir right after) may simply SIGKILL. True for Apache:
   * 3.8 standalone has no shutdown hook that touches data (every txn is fsynced before its
   * reply), and a SIGTERM-ed JVM spends ~300 ms in HotSpot's exit waiting for threads blocked
   * in native code. False for ZooDesk, whose own shutdown path is worth exercising.
   */
  killOnStop: boolean
}

/** How to run one kind of server in a prepared dir. */
interface Launcher {
  kind: ServerKind
  /** Writes kind-specific files and returns the main log path plus any other log files. */
  prepare(dir: string): { logFiles: string[] }
  /** Spawns the server, stdout/stderr going to `outputFd`. */
  spawn(dir: string, configFile: string, outputFd: number): Launched
  /** The file that stdout/stderr go to. */
  outputFile(dir: string): string
}

export function startApache(options: ServerOptions = {}): Promise<TestServer> {
  const properties = stringValues(options.systemProperties)
  const launcher: Launcher = {
    kind: 'apache',
    prepare: (dir) => {
      const log = join(dir, 'zookeeper.log')
      writeFileSync(join(dir, 'log4j.properties'), log4jProperties(log))
      return { logFiles: [log, join(dir, 'jvm.out')] }
    },
    outputFile: (dir) => join(dir, 'jvm.out'),
    spawn: (dir, configFile, outputFd) => {
      const cds = cdsPlan(SERVER_CLASSPATH, FAST_JVM_FLAGS)
      const args = [
        '-Xmx512m',
        ...FAST_JVM_FLAGS,
        ...cds.flags,
        `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
        `-Dzookeeper.log.dir=${dir}`,
        ...systemPropertyFlags(properties),
        '-cp',
        SERVER_CLASSPATH,
        SERVER_MAIN,
        configFile,
      ]
      const child = spawnTracked(JAVA, args, { cwd: dir, stdio: ['ignore', outputFd, outputFd] })
      return {
        child,
        // A SIGTERM-ed JVM exits through its shutdown sequence (code 143) and writes the
        // archive; a SIGKILL-ed one does not.
        afterExit: (status) => cds.afterExit(status.code !== null, join(dir, 'jvm.out')),
        killOnStop: !cds.recording,
      }
    },
  }
  return startServer(launcher, options)
}

/**
 * The ZooDesk CLI bundle to run, or a loud error when it is missing: a differential test that
 * silently skipped would prove nothing.
 */
export function zoodeskBinary(options: Pick<ServerOptions, 'zoodeskBin'> = {}): string {
  const bin = options.zoodeskBin ?? process.env['ZOODESK_BIN'] ?? DEFAULT_ZOODESK_BIN
  if (!existsSync(bin)) {
    throw new Error(`ZooDesk server binary not found: ${bin}. Build it with \`npm run build:cli\` (or set ZOODESK_BIN).`)
  }
  return bin
}

export async function startZooDesk(options: ServerOptions = {}): Promise<TestServer> {
  const bin = zoodeskBinary(options)
  const defines = Object.entries(stringValues(options.systemProperties)).flatMap(([key, value]) => ['-D', `${key}=${value}`])
  const launcher: Launcher = {
    kind: 'zoodesk',
    prepare: (dir) => ({ logFiles: [join(dir, 'zoodesk.log')] }),
    outputFile: (dir) => join(dir, 'zoodesk.log'),
    spawn: (dir, configFile, outputFd) => ({
      child: spawnTracked(process.execPath, [bin, 'server', '--config', configFile, ...defines], {
        cwd: dir,
        stdio: ['ignore', outputFd, outputFd],
      }),
      afterExit: () => {},
      killOnStop: false,
    }),
  }
  return startServer(launcher, options)
}

async function startServer(launcher: Launcher, options: ServerOptions): Promise<TestServer> {
  const fixedPort = options.port !== undefined
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort())
    const adminPort = options.admin === true ? (options.adminPort ?? (await freePort())) : undefined
    const server = new ManagedServer(launcher, options, port, adminPort)
    try {
      await server.start()
      running.add(server)
      return server
    } catch (error) {
      const log = server.readLog()
      await server.stop()
      // Another process may have taken the port between freePort() and the bind.
      const portTaken = PORT_TAKEN.test(log)
      if (fixedPort || !portTaken || attempt >= PORT_ATTEMPTS) throw error
    }
  }
}

class ManagedServer implements TestServer {
  readonly kind: ServerKind
  readonly host = LOOPBACK
  readonly connectString: string
  readonly dir: string
  readonly dataDir: string
  readonly configFile: string
  readonly logFiles: readonly string[]
  startupMs = 0
  private child: ChildProcess | undefined
  private launched: Launched | undefined
  private removed = false

  constructor(
    private readonly launcher: Launcher,
    private readonly options: ServerOptions,
    readonly port: number,
    readonly adminPort: number | undefined,
  ) {
    this.kind = launcher.kind
    this.connectString = `${this.host}:${port}`
    const label = (options.name ?? 'server').replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 40)
    this.dir = mkdtempSync(join(tmpdir(), `zoodesk-compat-${launcher.kind}-${label}-`))
    this.dataDir = join(this.dir, 'data')
    this.configFile = join(this.dir, 'zoo.cfg')
    this.logFiles = launcher.prepare(this.dir).logFiles
    const entries = zooCfgEntries({
      tickTime: options.tickTime ?? DEFAULT_TICK_TIME,
      dataDir: this.dataDir,
      clientPort: port,
      host: this.host,
      adminPort,
      extra: options.config ?? {},
    })
    writeFileSync(this.configFile, renderZooCfg(entries))
    if (options.myId !== undefined) {
      mkdirSync(this.dataDir, { recursive: true })
      writeFileSync(join(this.dataDir, 'myid'), `${options.myId}\n`)
    }
  }

  get pid(): number | undefined {
    return this.isRunning() ? this.child?.pid : undefined
  }

  isRunning(): boolean {
    return this.child !== undefined && !hasExited(this.child)
  }

  async start(): Promise<void> {
    const began = performance.now()
    const outputFd = openSync(this.launcher.outputFile(this.dir), 'a')
    try {
      this.launched = this.launcher.spawn(this.dir, this.configFile, outputFd)
      this.child = this.launched.child
    } finally {
      closeSync(outputFd) // the child holds its own copy
    }
    await this.waitServing(this.child, began + (this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS))
    this.startupMs = Math.round(performance.now() - began)
  }

  /**
   * Ready = ruok answers imok (or is not whitelisted), srvr reports a mode, and, when enabled,
   * the AdminServer answers (Apache starts it without failing when it cannot).
   */
  private async waitServing(child: ChildProcess, deadline: number): Promise<void> {
    let last = 'no answer yet'
    while (performance.now() < deadline) {
      if (hasExited(child)) {
        throw new Error(`${this.kind} server exited during start-up (code ${child.exitCode}, signal ${child.signalCode})\n${this.logTail()}`)
      }
      const listening = this.options.readyWhenListening
      if (listening !== undefined) {
        if (await accepts(this.host, listening)) return
        last = `port ${listening} not listening yet`
        await new Promise((resolve) => setTimeout(resolve, 25))
        continue
      }
      try {
        const ruok = await fourLetter(this.host, this.port, 'ruok', { timeoutMs: 500 })
        if (ruok === 'imok' || ruok.includes('not in the whitelist')) {
          const srvr = await fourLetter(this.host, this.port, 'srvr', { timeoutMs: 2000 })
          if (/^Zookeeper version: /.test(srvr) && /^Mode: /m.test(srvr)) {
            if (this.adminPort === undefined) return
            await adminCommand(this.host, this.adminPort, 'ruok', {}, 1000)
            return
          }
          last = `srvr: ${JSON.stringify(srvr)}`
        } else {
          last = `ruok: ${JSON.stringify(ruok)}`
        }
      } catch (error) {
        last = String(error)
      }
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    throw new Error(`${this.kind} server on ${this.connectString} not serving after start timeout (${last})\n${this.logTail()}`)
  }

  async stop(): Promise<void> {
    const removeDir = !this.removed && this.options.keepDir !== true && process.env['ZOODESK_COMPAT_KEEP'] !== '1'
    if (this.child !== undefined) {
      const fast = removeDir && this.launched?.killOnStop === true
      this.finish(await (fast ? killNow(this.child) : terminate(this.child)))
    }
    running.delete(this)
    if (removeDir) {
      this.removed = true
      rmSync(this.dir, { recursive: true, force: true })
    }
  }

  async kill9(): Promise<void> {
    if (this.child !== undefined) this.finish(await killNow(this.child))
  }

  async restart(): Promise<void> {
    if (this.removed) throw new Error(`${this.kind} server ${this.connectString} was stopped for good; start a new one`)
    if (this.child !== undefined) this.finish(await terminate(this.child))
    await this.start()
  }

  /** Runs the exit hook of the last launch, once. */
  private finish(status: ExitStatus): void {
    const launched = this.launched
    this.launched = undefined
    launched?.afterExit(status)
  }

  readLog(): string {
    return this.logFiles.map((file) => `==> ${file} <==\n${readOrEmpty(file)}`).join('\n')
  }

  private logTail(lines = 60): string {
    return this.logFiles
      .map((file) => `==> ${file} (last ${lines} lines) <==\n${readOrEmpty(file).split('\n').slice(-lines).join('\n')}`)
      .join('\n')
  }
}

/** Whether `host:port` accepts a TCP connection now. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}
