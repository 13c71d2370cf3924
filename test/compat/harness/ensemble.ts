// Ensembles of the servers under test: N voters + M observers of one kind (Apache ZooKeeper 3.8.0 or ZooDesk), each
// member a TestServer of servers.ts started with the same settings plus the quorum keys, so a differential scenario
// can run against the member that has a given role. The topology the scenarios run in comes from
// ZOODESK_COMPAT_TOPOLOGY (standalone | leader | follower | observer).
import { createServer } from 'node:net'
import { LOOPBACK } from './net'
import { PORT_TAKEN, fourLetter, startApache, startZooDesk } from './servers'
import type { CfgValue, ServerKind, ServerOptions, TestServer } from './servers'

export type Topology = 'standalone' | 'leader' | 'follower' | 'observer'
export type EnsembleRole = Exclude<Topology, 'standalone'>

export const TOPOLOGIES: readonly Topology[] = ['standalone', 'leader', 'follower', 'observer']

/** The topology of this run: ZOODESK_COMPAT_TOPOLOGY, standalone by default; anything else is an error, never a skip. */
export function compatTopology(): Topology {
  const value = process.env['ZOODESK_COMPAT_TOPOLOGY'] ?? ''
  if (value === '') return 'standalone'
  if ((TOPOLOGIES as readonly string[]).includes(value)) return value as Topology
  throw new Error(`ZOODESK_COMPAT_TOPOLOGY=${value}: expected one of ${TOPOLOGIES.join(', ')}`)
}

export interface EnsembleOptions extends Omit<ServerOptions, 'port' | 'myId' | 'adminPort'> {
  /** Voting members. Default 3. */
  voters?: number
  /** Observers (sids after the voters). Default 1. */
  observers?: number
}

export interface EnsembleMember extends TestServer {
  readonly id: number
  readonly peerType: 'participant' | 'observer'
  readonly quorumPort: number
  readonly electionPort: number
}

export interface TestEnsemble {
  readonly kind: ServerKind
  readonly members: readonly EnsembleMember[]
  /** The member with this role (the lowest sid among followers), as `srvr` reports it now. */
  member(role: EnsembleRole): Promise<EnsembleMember>
  /** `srvr`'s Mode of each member, by sid. */
  modes(): Promise<Map<number, string>>
  stop(): Promise<void>
}

const DEFAULT_START_TIMEOUT_MS = 90_000
const FORMED_TIMEOUT_MS = 30_000

/** Attempts at starting an ensemble whose ports were taken by another process meanwhile. */
const START_ATTEMPTS = 3

/**
 * Starts the members (a member serves only once a quorum has formed) and resolves when each serves and exactly one
 * leads: the highest voter. If any member fails to start, the others are stopped; a port taken meanwhile means a
 * new try.
 */
export async function startEnsemble(kind: ServerKind, options: EnsembleOptions = {}): Promise<TestEnsemble> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEnsembleOnce(kind, options)
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !PORT_TAKEN.test(String(error))) throw error
    }
  }
}

async function startEnsembleOnce(kind: ServerKind, options: EnsembleOptions): Promise<TestEnsemble> {
  const voters = options.voters ?? 3
  const observers = options.observers ?? 1
  const size = voters + observers
  const ports = await pickPorts(size * 4)
  const specs = Array.from({ length: size }, (_, i) => ({
    id: i + 1,
    peerType: i < voters ? ('participant' as const) : ('observer' as const),
    clientPort: ports[i * 4]!,
    adminPort: ports[i * 4 + 1]!,
    quorumPort: ports[i * 4 + 2]!,
    electionPort: ports[i * 4 + 3]!,
  }))
  const serverLines: Record<string, CfgValue> = {}
  for (const spec of specs) {
    serverLines[`server.${spec.id}`] = `127.0.0.1:${spec.quorumPort}:${spec.electionPort}${spec.peerType === 'observer' ? ':observer' : ''}`
  }
  const { voters: _v, observers: _o, ...serverOptions } = options
  const start = kind === 'apache' ? startApache : startZooDesk
  const startMember = async (spec: (typeof specs)[number], first: boolean): Promise<EnsembleMember> => {
    const config: Record<string, CfgValue | null> = { initLimit: 10, syncLimit: 5, ...serverLines, ...options.config }
    if (spec.peerType === 'observer') config['peerType'] = 'observer'
    const server = await start({
      ...serverOptions,
      name: `${options.name ?? 'ensemble'}-${spec.id}`,
      config,
      myId: spec.id,
      port: spec.clientPort,
      adminPort: spec.adminPort,
      startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      ...(first ? { readyWhenListening: spec.electionPort } : {}),
    })
    return memberOf(server, spec)
  }
  // The highest voter starts first and is electing before the others start: with equal logs it wins whatever the
  // start-up times, so both kinds of ensemble have the same leader, followers and observer (sids and session ids
  // then line up too).
  const highest = specs[voters - 1]!
  const started: Array<PromiseSettledResult<EnsembleMember>> = [
    ...(await Promise.allSettled([startMember(highest, true)])),
  ]
  if (started[0]!.status === 'fulfilled') {
    started.push(...(await Promise.allSettled(specs.filter((spec) => spec !== highest).map((spec) => startMember(spec, false)))))
  }
  const members = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  const ensemble = new Ensemble(kind, members)
  if (failure !== undefined) {
    await ensemble.stop()
    throw failure.reason
  }
  try {
    await ensemble.waitFormed(voters, observers)
  } catch (error) {
    await ensemble.stop()
    throw error
  }
  return ensemble
}

function memberOf(server: TestServer, spec: { id: number; peerType: 'participant' | 'observer'; quorumPort: number; electionPort: number }): EnsembleMember {
  // The started server with its place in the ensemble; every TestServer call goes to the server itself.
  return {
    id: spec.id,
    peerType: spec.peerType,
    quorumPort: spec.quorumPort,
    electionPort: spec.electionPort,
    kind: server.kind,
    host: server.host,
    port: server.port,
    connectString: server.connectString,
    dir: server.dir,
    dataDir: server.dataDir,
    configFile: server.configFile,
    adminPort: server.adminPort,
    logFiles: server.logFiles,
    get pid() {
      return server.pid
    },
    get startupMs() {
      return server.startupMs
    },
    isRunning: () => server.isRunning(),
    stop: () => server.stop(),
    kill9: () => server.kill9(),
    restart: () => server.restart(),
    readLog: () => server.readLog(),
  }
}

class Ensemble implements TestEnsemble {
  constructor(
    readonly kind: ServerKind,
    readonly members: readonly EnsembleMember[],
  ) {}

  async modes(): Promise<Map<number, string>> {
    const modes = new Map<number, string>()
    await Promise.all(
      this.members.map(async (m) => {
        const srvr = await fourLetter(m.host, m.port, 'srvr', { timeoutMs: 2000 }).catch(() => '')
        modes.set(m.id, /^Mode: (\S+)$/m.exec(srvr)?.[1] ?? 'not serving')
      }),
    )
    return modes
  }

  async member(role: EnsembleRole): Promise<EnsembleMember> {
    const modes = await this.modes()
    const found = [...this.members].sort((a, b) => a.id - b.id).find((m) => modes.get(m.id) === role)
    if (found === undefined) throw new Error(`${this.kind} ensemble has no ${role}: ${JSON.stringify([...modes])}`)
    return found
  }

  /** Every member serves, the highest voter leads, the other voters follow and the observers observe. */
  async waitFormed(voters: number, observers: number): Promise<void> {
    const deadline = performance.now() + FORMED_TIMEOUT_MS
    let last = new Map<number, string>()
    while (performance.now() < deadline) {
      last = await this.modes()
      const count = (mode: string): number => [...last.values()].filter((m) => m === mode).length
      if (last.get(voters) === 'leader' && count('follower') === voters - 1 && count('observer') === observers) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`${this.kind} ensemble did not form: ${JSON.stringify([...last])}\n${this.members.map((m) => m.readLog().slice(-4000)).join('\n')}`)
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop()))
  }
}

/**
 * Ports for ensemble members, drawn at random below Linux's ephemeral range (32768+), so no outgoing connection of
 * the members (each JVM opens several) can hold one; never one this process handed out before, and bindable now.
 */
const PORT_RANGE = { low: 20_000, high: 32_767 }
const handedOut = new Set<number>()

async function pickPorts(count: number): Promise<number[]> {
  const ports: number[] = []
  while (ports.length < count) {
    const port = PORT_RANGE.low + Math.floor(Math.random() * (PORT_RANGE.high - PORT_RANGE.low + 1))
    if (handedOut.has(port) || !(await canBind(port))) continue
    handedOut.add(port)
    ports.push(port)
  }
  return ports
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)))
  })
}
