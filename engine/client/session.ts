import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { JuteReader, JuteWriter } from '../jute'
import {
  AuthPacket,
  ConnectRequest,
  ConnectResponse,
  ErrorCode,
  EventType,
  KeeperState,
  OpCode,
  WatcherEvent,
  Xid,
} from '../proto'
import { Chroot } from './chroot'
import type { HostAndPort } from './connect-string'
import { TypedEmitter } from './emitter'
import { KeeperException } from './errors'
import { Fifo } from './fifo'
import { FrameDecoder } from './frame-decoder'
import { APACHE_RECONNECT_PACING, HostProvider } from './host-provider'
import { OrderedDelivery } from './ordered-delivery'
import { setWatchesBatches } from './set-watches'
import { isReadWriteServer, openTransport } from './transport'
import type { ClientOptions, ClientState, SessionEvent, SessionEventName, Watcher, WatchedEvent } from './types'
import { WatchManager } from './watch-manager'

/** Java pings at least this often even with a long session timeout. */
const MAX_SEND_PING_INTERVAL_MS = 10_000
const RW_PROBE_MIN_MS = 100
const RW_PROBE_MAX_MS = 60_000
/** Deliveries waiting for the application before we stop reading the socket. */
const DELIVERY_BACKLOG_PAUSE = 10_000
const PASSWORD_BYTES = 16

/**
 * Runs in order when the reply (or the failure) of a request is known: decodes the body, registers or removes
 * watches, and returns the result or throws the KeeperException the caller sees. `reader` is undefined on failure.
 */
export type ReplyHandler<T> = (err: number, reader: JuteReader | undefined) => T

class Call {
  xid = 0
  constructor(
    readonly opCode: number,
    readonly writeBody: ((w: JuteWriter) => void) | undefined,
    readonly handle: ReplyHandler<unknown>,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

interface AuthEntry {
  readonly scheme: string
  readonly auth: Buffer
  waiters: { resolve: () => void; reject: (error: unknown) => void }[]
}

interface Connection {
  readonly socket: Socket
  readonly host: HostAndPort
  readonly decoder: FrameDecoder
  phase: 'opening' | 'handshaking' | 'open'
  lastRecvMs: number
  lastSendMs: number
  readonly pending: Fifo<Call>
  readonly authSent: Fifo<AuthEntry>
  closed: boolean
  paused: boolean
  flushScheduled: boolean
  timer: NodeJS.Timeout | undefined
}

export interface SessionEvents extends Record<string, unknown[]> {
  state: [SessionEvent]
  /** A watcher or listener threw; the client carries on. */
  error: [unknown]
}

const ALIVE: ReadonlySet<ClientState> = new Set(['CONNECTING', 'CONNECTED', 'CONNECTEDREADONLY'])

const EVENT_STATE: Record<SessionEventName, number> = {
  SyncConnected: KeeperState.SyncConnected,
  Disconnected: KeeperState.Disconnected,
  Expired: KeeperState.Expired,
  AuthFailed: KeeperState.AuthFailed,
  ConnectedReadOnly: KeeperState.ConnectedReadOnly,
  Closed: KeeperState.Closed,
}

/**
 * One ZooKeeper session over a sequence of connections (Java's ClientCnxn): handshake, pings, read timeout,
 * reconnect to the next host with the same session, re-sending auth and watches, the pipeline of outstanding
 * requests in xid order, and the single ordered event path.
 */
export class Session extends TypedEmitter<SessionEvents> {
  readonly chroot: Chroot
  readonly watches = new WatchManager()
  readonly hostProvider: HostProvider
  readonly defaultWatcher: Watcher | undefined

  state: ClientState = 'CONNECTING'
  sessionId: bigint
  sessionPassword: Buffer
  negotiatedTimeoutMs = 0
  lastZxidSeen = 0n
  lastEvent: SessionEventName | undefined

  private readonly requestedTimeoutMs: number
  private readonly canBeReadOnly: boolean
  private readonly maxOutstanding: number
  private readonly maxQueued: number
  private readonly maxFrameBytes: number
  private readonly tls: ClientOptions['tls']
  private readonly delivery: OrderedDelivery
  private readonly out = new JuteWriter(64 * 1024)
  private readonly waiting = new Fifo<Call>()
  private readonly authInfo: AuthEntry[] = []

  private conn: Connection | undefined
  private reconnectTimer: NodeJS.Timeout | undefined
  private seenRwServerBefore: boolean
  private readTimeoutMs: number
  private connectTimeoutMs: number
  private xid = 1
  private closing = false
  private closeCall: Promise<void> | undefined
  private rwServer: HostAndPort | undefined
  private rwProbeIntervalMs = RW_PROBE_MIN_MS
  private rwProbeLastMs = 0
  private rwProbeIndex = 0
  private rwProbe = false

  constructor(hosts: readonly HostAndPort[], chroot: string | undefined, options: ClientOptions) {
    super()
    this.chroot = new Chroot(chroot)
    this.hostProvider = new HostProvider(hosts, options.reconnectPacing ?? APACHE_RECONNECT_PACING, options.random)
    this.defaultWatcher = options.defaultWatcher
    this.requestedTimeoutMs = options.sessionTimeoutMs ?? 30_000
    this.canBeReadOnly = options.canBeReadOnly ?? false
    this.maxOutstanding = options.maxOutstandingRequests ?? 1000
    this.maxQueued = options.maxQueuedRequests ?? 10_000
    this.maxFrameBytes = options.maxFrameBytes ?? 0xfffff
    this.tls = options.tls
    this.sessionId = options.sessionId ?? 0n
    this.sessionPassword = options.sessionPassword ?? Buffer.alloc(PASSWORD_BYTES)
    // A caller-supplied session was made on a read-write server (Java sets the same flag).
    this.seenRwServerBefore = this.sessionId !== 0n
    this.readTimeoutMs = (this.requestedTimeoutMs * 2) / 3
    this.connectTimeoutMs = this.requestedTimeoutMs / this.hostProvider.size
    this.delivery = new OrderedDelivery((error) => this.reportError(error))
    this.delivery.onIdle = () => this.resumeReading()
    this.startConnect()
  }

  get isAlive(): boolean {
    return ALIVE.has(this.state)
  }

  get connectedHost(): HostAndPort | undefined {
    return this.conn?.phase === 'open' ? this.conn.host : undefined
  }

  /** Requests sent and not answered yet (bounded by maxOutstandingRequests). */
  get inFlightRequests(): number {
    return this.conn?.pending.length ?? 0
  }

  /** Requests sent and not answered yet, and requests waiting to be sent. */
  get outstandingRequests(): number {
    return (this.conn?.pending.length ?? 0) + this.waiting.length
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Requests

  /** Queues one request; it is sent in call order, as soon as the connection and the outstanding limit allow. */
  submit<T>(opCode: number, writeBody: ((w: JuteWriter) => void) | undefined, handle: ReplyHandler<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call = new Call(opCode, writeBody, handle, resolve as (value: unknown) => void, reject)
      const refusal = this.refusalCode()
      if (refusal !== undefined) return this.settle(call, refusal, undefined)
      const conn = this.conn
      if (conn !== undefined && conn.phase === 'open' && this.waiting.length === 0 && this.canSend(conn)) {
        this.send(conn, call)
        return
      }
      if (this.connectedHost === undefined && this.waiting.length >= this.maxQueued) {
        return this.settle(call, ErrorCode.CONNECTIONLOSS, undefined)
      }
      this.waiting.push(call)
    })
  }

  /** Java's conLossPacket: the code a request gets when it cannot be (or was not) answered. */
  private lossCode(): number {
    if (this.state === 'AUTH_FAILED') return ErrorCode.AUTHFAILED
    if (this.state === 'CLOSED') return ErrorCode.SESSIONEXPIRED
    return ErrorCode.CONNECTIONLOSS
  }

  private refusalCode(): number | undefined {
    if (!this.isAlive || this.closing) return this.lossCode()
    return undefined
  }

  private canSend(conn: Connection): boolean {
    return conn.pending.length < this.maxOutstanding && !conn.socket.writableNeedDrain
  }

  private pump(): void {
    const conn = this.conn
    if (conn === undefined || conn.phase !== 'open') return
    while (this.waiting.length > 0 && this.canSend(conn)) this.send(conn, this.waiting.shift()!)
  }

  private nextXid(): number {
    const xid = this.xid
    this.xid = xid >= 0x7fffffff ? 1 : xid + 1
    return xid
  }

  private send(conn: Connection, call: Call): void {
    call.xid = this.nextXid()
    const start = this.out.offset
    try {
      this.writeFrame(call.xid, call.opCode, call.writeBody)
    } catch (error) {
      // A body that cannot be encoded fails its own call only.
      this.out.offset = start
      this.delivery.push('completion', () => call.reject(error))
      return
    }
    conn.pending.push(call)
    this.scheduleFlush(conn)
  }

  private writeFrame(xid: number, type: number, writeBody: ((w: JuteWriter) => void) | undefined): void {
    const w = this.out
    const start = w.offset
    w.int(0)
    w.int(xid)
    w.int(type)
    writeBody?.(w)
    w.intAt(start, w.offset - start - 4)
  }

  /** Frames written in one turn go out in one socket write. */
  private scheduleFlush(conn: Connection): void {
    if (conn.flushScheduled) return
    conn.flushScheduled = true
    queueMicrotask(() => {
      conn.flushScheduled = false
      if (conn.closed || this.out.offset === 0) return
      conn.socket.write(this.out.toBuffer())
      this.out.reset()
      conn.lastSendMs = performance.now()
    })
  }

  /** Runs the call's handler now (keeping watch bookkeeping in frame order) and delivers its outcome in order. */
  private settle(call: Call, err: number, reader: JuteReader | undefined): void {
    let value: unknown
    try {
      value = call.handle(err, reader)
    } catch (error) {
      this.delivery.push('completion', () => call.reject(error))
      return
    }
    this.delivery.push('completion', () => call.resolve(value))
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Auth

  /** Sends an auth packet now if connected, and again after every reconnect; resolves on the server's answer. */
  addAuth(scheme: string, auth: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const refusal = this.refusalCode()
      if (refusal !== undefined) return reject(new KeeperException(refusal))
      const entry: AuthEntry = { scheme, auth, waiters: [{ resolve, reject }] }
      this.authInfo.push(entry)
      const conn = this.conn
      if (conn !== undefined && conn.phase === 'open') this.sendAuth(conn, entry)
    })
  }

  private sendAuth(conn: Connection, entry: AuthEntry): void {
    this.writeFrame(Xid.auth, OpCode.auth, (w) => AuthPacket.write(w, { type: 0, scheme: entry.scheme, auth: entry.auth }))
    conn.authSent.push(entry)
    this.scheduleFlush(conn)
  }

  private onAuthReply(conn: Connection, err: number): void {
    const entry = conn.authSent.shift()
    if (err === ErrorCode.AUTHFAILED) {
      this.authFailed()
      return
    }
    if (entry === undefined) return
    const waiters = entry.waiters
    entry.waiters = []
    for (const waiter of waiters) this.delivery.push('completion', waiter.resolve)
  }

  private rejectAuthWaiters(code: number): void {
    for (const entry of this.authInfo) {
      const waiters = entry.waiters
      entry.waiters = []
      for (const waiter of waiters) this.delivery.push('completion', () => waiter.reject(new KeeperException(code)))
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Connection lifecycle

  private startConnect(): void {
    if (!this.isAlive || this.closing) return
    let host: HostAndPort
    let delayMs: number
    if (this.rwServer !== undefined) {
      host = this.rwServer
      delayMs = 0
      this.rwServer = undefined
    } else {
      ;({ host, delayMs } = this.hostProvider.next())
    }
    if (delayMs <= 0) return this.openConnection(host)
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined
      this.openConnection(host)
    }, delayMs)
  }

  private openConnection(host: HostAndPort): void {
    if (!this.isAlive || this.closing) return
    this.state = 'CONNECTING'
    const now = performance.now()
    let conn: Connection | undefined
    const socket = openTransport(host, this.tls, () => {
      if (conn !== undefined) this.sendConnectRequest(conn)
    })
    conn = {
      socket,
      host,
      decoder: new FrameDecoder(this.maxFrameBytes),
      phase: 'opening',
      lastRecvMs: now,
      lastSendMs: now,
      pending: new Fifo(),
      authSent: new Fifo(),
      closed: false,
      paused: false,
      flushScheduled: false,
      timer: undefined,
    }
    const self = conn
    this.conn = conn
    socket.on('data', (chunk: Buffer) => this.onData(self, chunk))
    socket.on('error', () => this.connectionLost(self))
    socket.on('close', () => this.connectionLost(self))
    socket.on('drain', () => this.pump())
    this.armTimer(conn)
  }

  private sendConnectRequest(conn: Connection): void {
    if (conn.closed) return
    const w = this.out
    w.reset()
    w.int(0)
    ConnectRequest.write(w, {
      protocolVersion: 0,
      lastZxidSeen: this.lastZxidSeen,
      timeOut: this.requestedTimeoutMs,
      sessionId: this.seenRwServerBefore ? this.sessionId : 0n,
      passwd: this.sessionPassword,
    })
    // The trailing readOnly byte makes the request 45 bytes, as Java, C and kazoo send it.
    w.bool(this.canBeReadOnly)
    w.intAt(0, w.offset - 4)
    conn.phase = 'handshaking'
    conn.socket.write(w.toBuffer())
    w.reset()
    conn.lastSendMs = performance.now()
  }

  private onData(conn: Connection, chunk: Buffer): void {
    if (conn.closed) return
    conn.lastRecvMs = performance.now()
    conn.decoder.push(chunk)
    try {
      for (let frame = conn.decoder.next(); frame !== undefined; frame = conn.decoder.next()) {
        if (conn.phase === 'handshaking') this.onConnectResponse(conn, frame)
        else this.onFrame(conn, frame)
        if (conn.closed) return
      }
    } catch (error) {
      this.connectionLost(conn)
      return
    }
    this.pump()
    if (this.delivery.backlog > DELIVERY_BACKLOG_PAUSE && !conn.paused) {
      conn.paused = true
      conn.socket.pause()
    }
  }

  private resumeReading(): void {
    const conn = this.conn
    if (conn === undefined || !conn.paused || conn.closed) return
    conn.paused = false
    conn.socket.resume()
  }

  private onConnectResponse(conn: Connection, frame: Buffer): void {
    const reader = new JuteReader(frame)
    const response = ConnectResponse.read(reader)
    const readOnly = reader.remaining > 0 ? reader.bool() : false
    if (response.timeOut <= 0) {
      this.expire()
      return
    }
    this.negotiatedTimeoutMs = response.timeOut
    this.readTimeoutMs = (response.timeOut * 2) / 3
    this.connectTimeoutMs = response.timeOut / this.hostProvider.size
    this.hostProvider.onConnected()
    this.sessionId = response.sessionId
    this.sessionPassword = response.passwd ?? Buffer.alloc(PASSWORD_BYTES)
    this.state = readOnly ? 'CONNECTEDREADONLY' : 'CONNECTED'
    this.seenRwServerBefore ||= !readOnly
    if (readOnly) {
      this.rwProbeIntervalMs = RW_PROBE_MIN_MS
      this.rwProbeLastMs = performance.now()
    }
    conn.phase = 'open'
    this.armTimer(conn)
    this.sessionEvent(readOnly ? 'ConnectedReadOnly' : 'SyncConnected')
    // Java's primeConnection order: auth packets, then watch re-registration, then whatever the caller queued.
    for (const entry of this.authInfo) this.sendAuth(conn, entry)
    this.sendSetWatches(conn)
    this.pump()
  }

  private sendSetWatches(conn: Connection): void {
    if (this.watches.isEmpty) return
    for (const batch of setWatchesBatches(this.watches.lists(), this.lastZxidSeen)) {
      // Java sends these with ordinary xids and matches the empty replies through the pending queue.
      this.send(conn, new Call(batch.opCode, batch.write, () => undefined, () => undefined, () => undefined))
    }
  }

  private onFrame(conn: Connection, frame: Buffer): void {
    const reader = new JuteReader(frame, 0, frame.length, this.maxFrameBytes)
    const xid = reader.int()
    const zxid = reader.long()
    const err = reader.int()
    switch (xid) {
      case Xid.ping:
        return
      case Xid.auth:
        return this.onAuthReply(conn, err)
      case Xid.notification:
        return this.onNotification(reader)
      default:
        break
    }
    const call = conn.pending.shift()
    if (call === undefined) throw new Error(`nothing pending, but got a reply with xid ${xid}`)
    if (call.xid !== xid) {
      // Replies must come in request order; anything else means the stream is broken (Java drops the connection).
      this.settle(call, ErrorCode.CONNECTIONLOSS, undefined)
      throw new Error(`xid out of order: got ${xid}, expected ${call.xid}`)
    }
    if (zxid > 0n) this.lastZxidSeen = zxid
    this.settle(call, err, err === 0 ? reader : undefined)
  }

  private onNotification(reader: JuteReader): void {
    const event = WatcherEvent.read(reader)
    const watchers = this.watches.materialize(event.type as WatchedEvent['type'], event.path)
    if (watchers.size === 0) return
    const watched: WatchedEvent = {
      type: event.type as WatchedEvent['type'],
      state: event.state as WatchedEvent['state'],
      path: this.chroot.toClient(event.path),
    }
    this.deliverEvent(watchers, watched)
  }

  /** Calls each watcher on the ordered event path. */
  deliverEvent(watchers: Iterable<Watcher>, event: WatchedEvent): void {
    this.delivery.push('event', () => {
      for (const watcher of watchers) {
        try {
          watcher(event)
        } catch (error) {
          this.reportError(error)
        }
      }
    })
  }

  /** A session event goes to the default watcher, to every registered watcher (as in Java) and to 'state'. */
  private sessionEvent(name: SessionEventName): void {
    const watchers = this.watches.all(new Set())
    if (this.defaultWatcher !== undefined) watchers.add(this.defaultWatcher)
    const event: WatchedEvent = { type: EventType.None, state: EVENT_STATE[name] as WatchedEvent['state'], path: null }
    const change: SessionEvent = { event: name, state: this.state }
    this.deliverEvent(watchers, event)
    this.delivery.push('event', () => {
      this.lastEvent = name
      this.emit('state', change)
    })
  }

  private armTimer(conn: Connection): void {
    if (conn.timer !== undefined) clearInterval(conn.timer)
    const limitMs = conn.phase === 'open' ? this.readTimeoutMs : this.connectTimeoutMs
    const tickMs = Math.max(10, Math.min(1000, Math.floor(limitMs / 10)))
    conn.timer = setInterval(() => this.tick(conn), tickMs)
  }

  private tick(conn: Connection): void {
    if (conn.closed) return
    const now = performance.now()
    const idleRecvMs = now - conn.lastRecvMs
    if (conn.phase !== 'open') {
      if (idleRecvMs >= this.connectTimeoutMs) this.connectionLost(conn)
      return
    }
    if (idleRecvMs >= this.readTimeoutMs) {
      this.connectionLost(conn)
      return
    }
    const idleSendMs = now - conn.lastSendMs
    // Java's ping rule, including its 1 s allowance so the second ping is not missed.
    const toNextPingMs = this.readTimeoutMs / 2 - idleSendMs - (idleSendMs > 1000 ? 1000 : 0)
    if (toNextPingMs <= 0 || idleSendMs > MAX_SEND_PING_INTERVAL_MS) {
      this.writeFrame(Xid.ping, OpCode.ping, undefined)
      this.scheduleFlush(conn)
      conn.lastSendMs = now
    }
    if (this.state === 'CONNECTEDREADONLY' && now - this.rwProbeLastMs >= this.rwProbeIntervalMs) {
      this.rwProbeLastMs = now
      this.rwProbeIntervalMs = Math.min(2 * this.rwProbeIntervalMs, RW_PROBE_MAX_MS)
      this.probeReadWrite(conn)
    }
  }

  /** While read-only, ask another server `isro`; an `rw` answer moves the session there (Java's pingRwServer). */
  private probeReadWrite(conn: Connection): void {
    const others = this.hostProvider.order.filter((host) => host !== conn.host)
    if (this.rwProbe || others.length === 0) return
    const host = others[this.rwProbeIndex++ % others.length]!
    this.rwProbe = true
    void isReadWriteServer(host).then((readWrite) => {
      this.rwProbe = false
      if (!readWrite || this.conn !== conn || this.state !== 'CONNECTEDREADONLY') return
      this.rwProbeIntervalMs = RW_PROBE_MIN_MS
      this.rwServer = host
      this.connectionLost(conn)
    })
  }

  /** Socket error, EOF, read timeout or protocol error: fail what was sent, keep the session, try the next host. */
  private connectionLost(conn: Connection): void {
    if (conn.closed) return
    this.teardown(conn)
    const wasConnected = conn.phase === 'open'
    const code = this.lossCode()
    for (let call = conn.pending.shift(); call !== undefined; call = conn.pending.shift()) this.settle(call, code, undefined)
    if (this.closing) {
      this.finishClose()
      return
    }
    if (!this.isAlive) return
    this.state = 'CONNECTING'
    if (wasConnected) this.sessionEvent('Disconnected')
    this.startConnect()
  }

  private teardown(conn: Connection): void {
    conn.closed = true
    if (conn.timer !== undefined) clearInterval(conn.timer)
    conn.timer = undefined
    conn.socket.destroy()
    if (this.conn === conn) {
      this.conn = undefined
      this.out.reset()
    }
  }

  /** The server answered the handshake with timeout 0: the session is gone for good. */
  private expire(): void {
    this.state = 'CLOSED'
    this.sessionEvent('Expired')
    this.shutdown(ErrorCode.SESSIONEXPIRED)
  }

  private authFailed(): void {
    this.state = 'AUTH_FAILED'
    this.sessionEvent('AuthFailed')
    this.shutdown(ErrorCode.AUTHFAILED)
  }

  /** Terminal: fail everything with `code`, stop timers and sockets, forget watches. */
  private shutdown(code: number): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
    const conn = this.conn
    if (conn !== undefined) {
      this.teardown(conn)
      for (let call = conn.pending.shift(); call !== undefined; call = conn.pending.shift()) this.settle(call, code, undefined)
    }
    for (const call of this.waiting.drain()) this.settle(call, code, undefined)
    this.rejectAuthWaiters(code)
    this.delivery.push('event', () => this.watches.clear())
  }

  /**
   * Drops the current connection as if the network failed; the session carries on with the next host
   * (Java's testableCloseSocket). Pending requests fail with CONNECTIONLOSS.
   */
  dropConnection(): void {
    const conn = this.conn
    if (conn !== undefined) this.connectionLost(conn)
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Close

  /**
   * Closes the session: sends closeSession after everything already queued (when connected) and waits for its reply
   * at most `timeoutMs`, then releases the connection. Idempotent.
   */
  close(timeoutMs: number): Promise<void> {
    if (this.closeCall !== undefined) return this.closeCall
    if (!this.isAlive) return (this.closeCall = Promise.resolve())
    this.closing = true
    this.closeCall = new Promise<void>((resolve) => {
      this.onClosed = resolve
      if (this.connectedHost === undefined) return this.finishClose()
      const call = new Call(
        OpCode.closeSession,
        undefined,
        () => undefined,
        () => this.finishClose(),
        () => this.finishClose(),
      )
      this.waiting.push(call)
      this.pump()
      this.closeTimer = setTimeout(() => this.finishClose(), timeoutMs)
    })
    return this.closeCall
  }

  private onClosed: (() => void) | undefined
  private closeTimer: NodeJS.Timeout | undefined

  private finishClose(): void {
    if (this.state === 'CLOSED' && this.onClosed === undefined) return
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer)
    this.closeTimer = undefined
    this.state = 'CLOSED'
    this.shutdown(ErrorCode.SESSIONEXPIRED)
    this.sessionEvent('Closed')
    const resolve = this.onClosed
    this.onClosed = undefined
    // Resolve after the Closed event and every failure above have been delivered.
    this.delivery.push('event', () => resolve?.())
  }

  private reportError(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error)
    else queueMicrotask(() => {
      throw error
    })
  }
}
