import { spawn } from 'node:child_process'
import { type Server, type Socket, createConnection, createServer } from 'node:net'
import type { LogLevel, Logger } from '../../../engine/node/log'
import { ElectionTransport, type ElectionTransportOptions } from '../../../engine/node/net'
import type { SocketAddress } from '../../../engine/node/net'
import { type Notification, NOTIFICATION_VERSION, ServerState } from '../../../engine/quorum/wire/notification'

export const LOOPBACK = '127.0.0.1'

/** A Logger that keeps its lines (and prints nothing), so tests can assert what was logged. */
export class CapturingLogger implements Logger {
  readonly lines: string[] = []
  constructor(readonly component = 'test') {}
  error(message: string, error?: unknown): void {
    this.push('error', message, error)
  }
  warn(message: string, error?: unknown): void {
    this.push('warn', message, error)
  }
  info(message: string): void {
    this.push('info', message)
  }
  debug(message: string): void {
    this.push('debug', message)
  }
  trace(message: string): void {
    this.push('trace', message)
  }
  isEnabled(_level: LogLevel): boolean {
    return true
  }
  has(pattern: RegExp): boolean {
    return this.lines.some((line) => pattern.test(line))
  }
  private push(level: LogLevel, message: string, error?: unknown): void {
    const suffix = error === undefined ? '' : `: ${error instanceof Error ? error.message : String(error)}`
    this.lines.push(`${level.toUpperCase()} ${message}${suffix}`)
  }
}

export async function eventually(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function vote(leader: number, overrides: Partial<Notification> = {}): Notification {
  return {
    state: ServerState.LOOKING,
    leader: BigInt(leader),
    zxid: 0n,
    electionEpoch: 1n,
    peerEpoch: 0n,
    version: NOTIFICATION_VERSION,
    config: null,
    ...overrides,
  }
}

export interface Received {
  from: number
  notification: Notification
}

/** A transport plus what it received and logged. */
export interface TestMember {
  id: number
  port: number
  transport: ElectionTransport
  received: Received[]
  log: CapturingLogger
}

/**
 * Starts election transports on free ports, all sharing one peers Map that is filled once every port is known
 * (the transport reads it on each connection attempt).
 */
export async function startMembers(
  ids: readonly number[],
  extra: Partial<ElectionTransportOptions> = {},
  peers: Map<number, SocketAddress> = new Map(),
): Promise<{ members: Map<number, TestMember>; peers: Map<number, SocketAddress> }> {
  const members = new Map<number, TestMember>()
  for (const id of ids) members.set(id, await startMember(id, peers, extra))
  return { members, peers }
}

export async function startMember(
  id: number,
  peers: Map<number, SocketAddress>,
  extra: Partial<ElectionTransportOptions> = {},
  port = 0,
): Promise<TestMember> {
  const received: Received[] = []
  const log = new CapturingLogger(`election-${id}`)
  const transport = new ElectionTransport({
    myId: id,
    bindHost: LOOPBACK,
    bindPort: port,
    peers,
    log,
    onNotification: (from, notification) => received.push({ from, notification }),
    connectTimeoutMs: 500,
    ...extra,
  })
  const bound = await transport.listen()
  peers.set(id, { host: LOOPBACK, port: bound })
  return { id, port: bound, transport, received, log }
}

/** A raw TCP peer: connects, collects everything it reads, and reports when it was closed. */
export class RawPeer {
  readonly socket: Socket
  private chunks: Buffer[] = []
  closed = false
  readonly connected: Promise<void>

  constructor(port: number, host = LOOPBACK) {
    this.socket = createConnection({ host, port })
    this.socket.on('data', (chunk: Buffer) => this.chunks.push(chunk))
    this.socket.on('error', () => undefined)
    this.socket.on('close', () => {
      this.closed = true
    })
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve())
      this.socket.once('error', reject)
    })
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks)
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  destroy(): void {
    this.socket.destroy()
  }
}

/** A raw TCP server that records every accepted socket and what it sent. */
export class RawServer {
  readonly server: Server
  readonly sockets: { socket: Socket; chunks: Buffer[]; closed: boolean }[] = []
  port = 0

  constructor(private readonly read = true) {
    this.server = createServer((socket) => {
      const entry = { socket, chunks: [] as Buffer[], closed: false }
      this.sockets.push(entry)
      socket.on('error', () => undefined)
      socket.on('close', () => {
        entry.closed = true
      })
      if (this.read) socket.on('data', (chunk: Buffer) => entry.chunks.push(chunk))
    })
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, LOOPBACK, () => resolve()))
    const address = this.server.address()
    this.port = address !== null && typeof address === 'object' ? address.port : 0
    return this.port
  }

  bytesOf(index: number): Buffer {
    return Buffer.concat(this.sockets[index]?.chunks ?? [])
  }

  async close(): Promise<void> {
    for (const { socket } of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** A port that is closed: bound once, then released (connections to it are refused). */
export async function closedPort(): Promise<number> {
  const server = new RawServer()
  const port = await server.listen()
  await server.close()
  return port
}

/**
 * A port whose accept queue is full (a python3 listener with backlog 0 that never accepts, filled by its own
 * connects): new connects hang, as towards a host that is gone. Node cannot leave connections unaccepted.
 * The helper process is killed by the cleanup it registers.
 */
export async function blackHole(cleanups: (() => Promise<void>)[]): Promise<number> {
  const script = [
    'import socket, sys',
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
    'port = s.getsockname()[1]; held = []',
    'for _ in range(3):',
    '    c = socket.socket(); c.setblocking(False)',
    '    try: c.connect(("127.0.0.1", port))',
    '    except BlockingIOError: pass',
    '    held.append(c)',
    'print(port, flush=True)',
    'sys.stdin.read()',
  ].join('\n')
  const child = spawn('/usr/bin/python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] })
  cleanups.push(async () => {
    child.kill('SIGKILL')
  })
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))
    child.once('error', reject)
  })
  return Number(line.trim())
}
