import { type Socket, connect } from 'node:net'
import { type Codec, JuteReader, JuteWriter } from '../../../engine/jute'
import { defaultMemberConfig } from '../../../engine/node/config'
import type { MemberConfig } from '../../../engine/node/config-types'
import { ConnectRequest, ConnectResponse, ReplyHeader, WatcherEvent } from '../../../engine/proto'
import { MemoryTxnSink, type TxnSink } from '../../../engine/server/txn-sink'
import { ZooKeeperServer, type ZooKeeperServerOptions } from '../../../engine/server/zookeeper-server'
import { DataTree } from '../../../engine/tree/data-tree'

/** Apache 3.8's defaults, a standalone member on a random 127.0.0.1 port, no AdminServer unless asked. */
export function testConfig(overrides: Partial<MemberConfig> = {}): MemberConfig {
  const tickTimeMs = overrides.tickTimeMs ?? 2000
  return {
    ...defaultMemberConfig('/tmp/zoodesk-test'),
    tickTimeMs,
    initLimitTicks: 10,
    syncLimitTicks: 5,
    clientPort: 0,
    clientPortAddress: '127.0.0.1',
    minSessionTimeoutMs: 2 * tickTimeMs,
    maxSessionTimeoutMs: 20 * tickTimeMs,
    adminEnableServer: false,
    adminServerAddress: '127.0.0.1',
    adminServerPort: 0,
    ...overrides,
  }
}

export interface RunningServer {
  server: ZooKeeperServer
  port: number
  adminPort: number | undefined
  tree: DataTree
  sink: TxnSink
  close(): Promise<void>
}

export async function startServer(
  overrides: Partial<MemberConfig> = {},
  extra: Partial<Omit<ZooKeeperServerOptions, 'config'>> = {},
): Promise<RunningServer> {
  const config = testConfig(overrides)
  const tree = (extra.tree as DataTree | undefined) ?? new DataTree({ extendedTypesEnabled: config.extendedTypesEnabled, skipACL: config.skipACL })
  const sink = extra.sink ?? new MemoryTxnSink()
  const server = new ZooKeeperServer({ ...extra, config, tree, sink })
  const { port, adminPort } = await server.listen()
  return { server, port, adminPort, tree, sink, close: () => server.close() }
}

export interface Reply {
  xid: number
  zxid: bigint
  err: number
  body: Buffer
}

/**
 * A client that speaks raw frames: nothing is hidden, so tests see exactly the bytes a server sends.
 */
export class RawClient {
  private readonly frames: Buffer[] = []
  private waiters: Array<() => void> = []
  private pending = Buffer.alloc(0)
  closed = false
  sessionId = 0n
  password: Buffer = Buffer.alloc(16)
  timeoutMs = 0

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk])
      while (this.pending.length >= 4) {
        const length = this.pending.readInt32BE(0)
        if (this.pending.length < 4 + length) break
        this.frames.push(this.pending.subarray(4, 4 + length))
        this.pending = this.pending.subarray(4 + length)
      }
      this.wake()
    })
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
    socket.on('error', () => undefined)
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' }, () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  /** Opens a connection and runs the handshake; `readOnly` undefined sends the 44-byte form. */
  static async session(port: number, options: { timeoutMs?: number; sessionId?: bigint; password?: Buffer; readOnly?: boolean } = {}): Promise<RawClient> {
    const client = await RawClient.open(port)
    const response = await client.handshake(options)
    if (response.timeOut > 0) {
      client.sessionId = response.sessionId
      client.password = response.passwd ?? Buffer.alloc(16)
      client.timeoutMs = response.timeOut
    }
    return client
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter()
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  sendFrame(payload: Buffer): void {
    const length = Buffer.allocUnsafe(4)
    length.writeInt32BE(payload.length, 0)
    this.socket.write(Buffer.concat([length, payload]))
  }

  connectFrame(options: { timeoutMs?: number; sessionId?: bigint; password?: Buffer; readOnly?: boolean; lastZxidSeen?: bigint } = {}): Buffer {
    const w = new JuteWriter()
    ConnectRequest.write(w, {
      protocolVersion: 0,
      lastZxidSeen: options.lastZxidSeen ?? 0n,
      timeOut: options.timeoutMs ?? 30000,
      sessionId: options.sessionId ?? 0n,
      passwd: options.password ?? Buffer.alloc(16),
    })
    if (options.readOnly !== undefined) w.bool(options.readOnly)
    return w.toBuffer()
  }

  async handshake(options: { timeoutMs?: number; sessionId?: bigint; password?: Buffer; readOnly?: boolean; lastZxidSeen?: bigint } = {}): Promise<ConnectResponse & { readOnly?: boolean; raw: Buffer }> {
    this.sendFrame(this.connectFrame(options))
    const frame = await this.nextFrame()
    const r = new JuteReader(frame)
    const response = ConnectResponse.read(r)
    return { ...response, ...(r.remaining > 0 ? { readOnly: r.bool() } : {}), raw: frame }
  }

  /** Sends `[xid][type][record]`. */
  send<T>(xid: number, type: number, codec?: Codec<T>, record?: T): void {
    const w = new JuteWriter()
    w.int(xid)
    w.int(type)
    if (codec !== undefined && record !== undefined) codec.write(w, record)
    this.sendFrame(w.toBuffer())
  }

  sendBody(xid: number, type: number, body: Buffer): void {
    const w = new JuteWriter()
    w.int(xid)
    w.int(type)
    w.raw(body)
    this.sendFrame(w.toBuffer())
  }

  /** The next frame, or undefined once the server has closed the connection. */
  async nextFrame(timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs
    while (this.frames.length === 0) {
      if (this.closed) throw new Error('connection closed')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('timed out waiting for a frame')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    return this.frames.shift()!
  }

  async reply(timeoutMs = 5000): Promise<Reply> {
    const frame = await this.nextFrame(timeoutMs)
    const r = new JuteReader(frame)
    const header = ReplyHeader.read(r)
    return { ...header, body: frame.subarray(16) }
  }

  /** Next reply that is not a notification; notifications seen on the way are collected. */
  async replyFor(xid: number, events: Array<{ type: number; path: string }> = []): Promise<Reply> {
    for (;;) {
      const reply = await this.reply()
      if (reply.xid === -1) {
        const event = WatcherEvent.read(new JuteReader(reply.body))
        events.push({ type: event.type, path: event.path })
        continue
      }
      if (reply.xid !== xid) throw new Error(`expected xid ${xid}, got ${reply.xid}`)
      return reply
    }
  }

  async call<T>(xid: number, type: number, codec?: Codec<T>, record?: T): Promise<Reply> {
    this.send(xid, type, codec, record)
    return this.replyFor(xid)
  }

  /** Resolves true once the server has closed the connection (false if it stays open for `timeoutMs`). */
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!this.closed) {
      const left = deadline - Date.now()
      if (left <= 0) return false
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    return true
  }

  close(): void {
    this.socket.destroy()
  }
}

export function decodeBody<T>(codec: Codec<T>, body: Buffer): T {
  return codec.read(new JuteReader(body))
}

/** Sends a four-letter word and collects everything until the server closes. */
export function fourLetterWord(port: number, word: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.write(typeof word === 'string' ? Buffer.from(word, 'latin1') : word))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.on('error', reject)
  })
}
