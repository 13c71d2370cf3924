import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { zoodeskBinary } from '../../../compat/harness/servers'
import { fourLetterWord } from './four-letter-word'
import type { EnsembleOptions, ServerFactory, TestEnsemble, TestMember } from './server-factory'

/** Debian's zookeeper.jar manifest leaves out the Netty jars that the TLS (Netty) connection factory needs. */
const CLASSPATH = [
  '/etc/zookeeper/conf',
  '/usr/share/java/zookeeper.jar',
  '/usr/share/java/netty-codec.jar',
  '/usr/share/java/netty-resolver.jar',
  '/usr/share/java/netty-transport-native-unix-common.jar',
].join(':')
const READY_TIMEOUT_MS = 60_000

/** Debian's Apache ZooKeeper 3.8.0, one JVM per member, in a temp dir, on random 127.0.0.1 ports. */
export const apacheFactory: ServerFactory = {
  name: 'apache-3.8.0',
  start: (options) => ProcessEnsemble.start('apache', options),
}

/** ZooDesk's `zoodesk server --config`, one Node process per member, configured exactly as the Apache members. */
export const zoodeskEnsembleFactory: ServerFactory = {
  name: 'zoodesk',
  start: (options) => ProcessEnsemble.start('zoodesk', options),
}

interface ApacheMember extends TestMember {
  readonly dir: string
  readonly configPath: string
  process: ChildProcess | undefined
}

class ProcessEnsemble implements TestEnsemble {
  private constructor(
    readonly kind: 'apache' | 'zoodesk',
    readonly root: string,
    readonly members: ApacheMember[],
    private readonly options: EnsembleOptions,
  ) {}

  static async start(kind: 'apache' | 'zoodesk', options: EnsembleOptions = {}): Promise<ProcessEnsemble> {
    const size = options.size ?? 1
    const root = mkdtempSync(join(tmpdir(), `zoodesk-client-${kind}-`))
    const ports = await freePorts(size * (options.tls === undefined ? 3 : 4))
    const members: ApacheMember[] = []
    for (let i = 0; i < size; i++) {
      const dir = join(root, `member${i + 1}`)
      members.push({
        id: i + 1,
        host: '127.0.0.1',
        clientPort: ports[i * 3]!,
        quorumPort: ports[i * 3 + 1]!,
        electionPort: ports[i * 3 + 2]!,
        securePort: options.tls === undefined ? undefined : ports[size * 3 + i]!,
        dir,
        configPath: join(dir, 'zoo.cfg'),
        process: undefined,
      })
    }
    for (const member of members) writeConfig(member, members, options)
    const ensemble = new ProcessEnsemble(kind, root, members, options)
    try {
      await Promise.all(members.map((member) => ensemble.launch(member)))
      await Promise.all(members.map((member) => waitServing(member)))
    } catch (error) {
      await ensemble.close()
      throw error
    }
    return ensemble
  }

  connectString(chroot = ''): string {
    return this.members.map((member) => `${member.host}:${member.clientPort}`).join(',') + chroot
  }

  secureConnectString(chroot = ''): string {
    return this.members.map((member) => `${member.host}:${member.securePort}`).join(',') + chroot
  }

  memberIndexByPort(port: number): number {
    return this.members.findIndex((member) => member.clientPort === port || member.securePort === port)
  }

  async stopMember(index: number): Promise<void> {
    const member = this.members[index]!
    const child = member.process
    member.process = undefined
    if (child === undefined || child.exitCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGKILL')
    await exited
  }

  async startMember(index: number, waitForService = true): Promise<void> {
    const member = this.members[index]!
    await this.launch(member)
    if (waitForService) await waitServing(member)
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((_, index) => this.stopMember(index)))
    rmSync(this.root, { recursive: true, force: true })
  }

  private async launch(member: ApacheMember): Promise<void> {
    const properties: Record<string, string> = {
      'zookeeper.log.dir': member.dir,
      'zookeeper.root.logger': 'INFO,ROLLINGFILE',
      'zookeeper.admin.enableServer': 'false',
      'zookeeper.extendedTypesEnabled': 'true',
      'zookeeper.4lw.commands.whitelist': '*',
      ...this.options.systemProperties,
    }
    if (this.kind === 'zoodesk') {
      const flags = Object.entries(properties).flatMap(([key, value]) => ['-D', `${key}=${value}`])
      const logFile = openSync(join(member.dir, 'zoodesk.log'), 'a')
      const child = spawn(process.execPath, [zoodeskBinary(), 'server', '--config', member.configPath, ...flags], { stdio: ['ignore', logFile, logFile], cwd: member.dir })
      closeSync(logFile)
      member.process = child
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve)
        child.once('error', reject)
      })
      return
    }
    const args = [
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Xshare:auto',
      ...Object.entries(properties).map(([key, value]) => `-D${key}=${value}`),
      '-cp',
      CLASSPATH,
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      member.configPath,
    ]
    const child = spawn('java', args, { stdio: 'ignore', cwd: member.dir })
    member.process = child
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve)
      child.once('error', reject)
    })
  }
}

function writeConfig(member: ApacheMember, members: readonly ApacheMember[], options: EnsembleOptions): void {
  mkdirSync(join(member.dir, 'data'), { recursive: true })
  const tickTimeMs = options.tickTimeMs ?? 500
  const lines = [
    `tickTime=${tickTimeMs}`,
    'initLimit=10',
    'syncLimit=5',
    `dataDir=${join(member.dir, 'data')}`,
    `clientPort=${member.clientPort}`,
    'clientPortAddress=127.0.0.1',
  ]
  if (options.minSessionTimeoutMs !== undefined) lines.push(`minSessionTimeout=${options.minSessionTimeoutMs}`)
  if (options.maxSessionTimeoutMs !== undefined) lines.push(`maxSessionTimeout=${options.maxSessionTimeoutMs}`)
  if (members.length > 1) {
    writeFileSync(join(member.dir, 'data', 'myid'), `${member.id}\n`)
    for (const peer of members) lines.push(`server.${peer.id}=127.0.0.1:${peer.quorumPort}:${peer.electionPort}`)
  }
  if (options.tls !== undefined && member.securePort !== undefined) {
    const tls = options.tls
    lines.push(
      `secureClientPort=${member.securePort}`,
      'secureClientPortAddress=127.0.0.1',
      'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
      `ssl.keyStore.location=${tls.keyStorePath}`,
      `ssl.keyStore.password=${tls.password}`,
      `ssl.trustStore.location=${tls.trustStorePath}`,
      `ssl.trustStore.password=${tls.password}`,
      `ssl.clientAuth=${tls.clientAuth ?? 'need'}`,
      'ssl.hostnameVerification=false',
    )
  }
  for (const [key, value] of Object.entries(options.extraConfig ?? {})) lines.push(`${key}=${value}`)
  writeFileSync(member.configPath, `${lines.join('\n')}\n`)
}

/** Random ports in 20000–32000 (below the ephemeral range, so a restarted member gets its port back) that 127.0.0.1 can bind right now. */
async function freePorts(count: number): Promise<number[]> {
  const chosen = new Set<number>()
  while (chosen.size < count) {
    const port = 20000 + Math.floor(Math.random() * 12000)
    if (!chosen.has(port) && (await canBind(port))) chosen.add(port)
  }
  return [...chosen]
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

async function waitServing(member: ApacheMember): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (member.process === undefined || member.process.exitCode !== null) {
      throw new Error(`member ${member.id} exited (see ${member.dir})`)
    }
    const answer = await fourLetterWord(member.host, member.clientPort, 'srvr')
    if (/Mode: (standalone|leader|follower|observer)/.test(answer)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`member ${member.id} not serving within ${READY_TIMEOUT_MS} ms (see ${member.dir})`)
}
