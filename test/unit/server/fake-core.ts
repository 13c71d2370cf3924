import { JuteReader, JuteWriter, type Codec } from '../../../engine/jute'
import type { MemberConfig } from '../../../engine/node/config-types'
import { ConnectRequest, ConnectResponse, ReplyHeader, WatcherEvent } from '../../../engine/proto'
import { treeAccessControl } from '../../../engine/server/access-control'
import type { ClientConnection, ConnectionTransport } from '../../../engine/server/connection'
import { ServerCore } from '../../../engine/server/server-core'
import { MemoryTxnSink, type TxnSink } from '../../../engine/server/txn-sink'
import { DataTree } from '../../../engine/tree/data-tree'
import { testConfig } from '../../integration/server/harness'

/** A transport that records what the core does with it. */
export class FakeTransport implements ConnectionTransport {
  readonly written: Buffer[] = []
  ended = false
  destroyed = false
  reading = true
  pendingWriteBytes = 0
  constructor(
    readonly remoteAddress = '127.0.0.1',
    readonly remotePort = 40000,
  ) {}
  write(bytes: Buffer): void {
    this.written.push(bytes)
  }
  end(): void {
    this.ended = true
  }
  destroy(): void {
    this.destroyed = true
  }
  setReading(enabled: boolean): void {
    this.reading = enabled
  }
  get closed(): boolean {
    return this.ended || this.destroyed
  }
  /** Frames written so far (each write is one frame), minus the 4-byte length. */
  takeFrames(): Buffer[] {
    const frames = this.written.splice(0).map((frame) => frame.subarray(4))
    return frames
  }
}

export interface Reply {
  xid: number
  zxid: bigint
  err: number
  body: Buffer
}

export function parseReply(frame: Buffer): Reply {
  const header = ReplyHeader.read(new JuteReader(frame))
  return { ...header, body: frame.subarray(16) }
}

/** A core on a manual clock; deferred work and commits run when `settle` is awaited. */
export class CoreHarness {
  nowMs = 1_000_000
  wallMs = 1_795_000_000_000
  readonly deferred: Array<() => void> = []
  readonly core: ServerCore
  readonly tree: DataTree
  readonly sink: TxnSink

  constructor(overrides: Partial<MemberConfig> = {}, options: { sink?: TxnSink; restoredSessions?: Map<bigint, number>; tree?: DataTree } = {}) {
    const config = testConfig(overrides)
    this.tree = options.tree ?? new DataTree({ extendedTypesEnabled: config.extendedTypesEnabled })
    this.sink = options.sink ?? new MemoryTxnSink()
    this.core = new ServerCore({
      config,
      tree: this.tree,
      sink: this.sink,
      access: treeAccessControl({ skipACL: config.skipACL }),
      clock: { nowMs: () => this.nowMs, wallMs: () => this.wallMs },
      defer: (fn) => this.deferred.push(fn),
      quotaCheck: (path, bytes, count) => this.tree.quotaCheck(path, bytes, count),
      ...(options.restoredSessions ? { restoredSessions: options.restoredSessions } : {}),
    })
  }

  /** Runs deferred work and lets commit promises resolve, until nothing is left. */
  async settle(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      await new Promise((resolve) => setImmediate(resolve))
      if (this.deferred.length === 0) return
      for (const fn of this.deferred.splice(0)) fn()
    }
  }

  advance(ms: number): void {
    this.nowMs += ms
    this.wallMs += ms
    this.core.onTimer()
  }

  accept(transport = new FakeTransport()): { cnx: ClientConnection; transport: FakeTransport } {
    const cnx = this.core.accept(transport)
    if (cnx === undefined) throw new Error('refused')
    return { cnx, transport }
  }

  /** Opens a connection with a fresh session; returns it after the ConnectResponse. */
  async session(timeoutMs = 30000): Promise<{ cnx: ClientConnection; transport: FakeTransport; sessionId: bigint; password: Buffer }> {
    const { cnx, transport } = this.accept()
    this.core.receive(cnx, connectFrame({ timeoutMs }))
    await this.settle()
    const [frame] = transport.takeFrames()
    const response = ConnectResponse.read(new JuteReader(frame!))
    return { cnx, transport, sessionId: response.sessionId, password: response.passwd ?? Buffer.alloc(16) }
  }

  async request<T>(cnx: ClientConnection, xid: number, type: number, codec?: Codec<T>, record?: T): Promise<void> {
    this.core.receive(cnx, requestFrame(xid, type, codec, record))
    await this.settle()
  }
}

export function connectFrame(options: { timeoutMs?: number; sessionId?: bigint; password?: Buffer; readOnly?: boolean } = {}): Buffer {
  const w = new JuteWriter()
  w.int(0)
  ConnectRequest.write(w, {
    protocolVersion: 0,
    lastZxidSeen: 0n,
    timeOut: options.timeoutMs ?? 30000,
    sessionId: options.sessionId ?? 0n,
    passwd: options.password ?? Buffer.alloc(16),
  })
  w.bool(options.readOnly ?? false)
  w.intAt(0, w.offset - 4)
  return w.toBuffer()
}

export function requestFrame<T>(xid: number, type: number, codec?: Codec<T>, record?: T): Buffer {
  const w = new JuteWriter()
  w.int(0)
  w.int(xid)
  w.int(type)
  if (codec !== undefined && record !== undefined) codec.write(w, record)
  w.intAt(0, w.offset - 4)
  return w.toBuffer()
}

export function eventOf(reply: Reply): { type: number; path: string } {
  const event = WatcherEvent.read(new JuteReader(reply.body))
  return { type: event.type, path: event.path }
}
