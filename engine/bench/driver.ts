import { type Socket, connect } from 'node:net'
import { JuteWriter, decode } from '../jute'
import { ConnectRequest, ConnectResponse, OpCode, Xid } from '../proto'

/**
 * A minimal pipelined ZooKeeper session for load generation: handshake, requests with xids, replies matched in
 * order (the server must answer a session's requests in order, §1.5), N requests kept in flight, per-request
 * latency, pings while idle. It decodes only reply headers: bodies are skipped, so the client spends its CPU on
 * what any client must do (framing, encoding), not on building objects nobody reads.
 *
 * Batching: every socket read handles all complete frames in it, then refills the window with one write, the way
 * an async C client's event loop does. Time is read once per read and once per write (process.hrtime.bigint).
 */
export interface ServerAddress {
  host: string
  port: number
}

/** The requests of one task: `write` appends request `index` (RequestHeader + body, no length prefix). */
export interface RequestSource {
  readonly count: number
  write(writer: JuteWriter, index: number, xid: number): void
}

export interface TaskResult {
  completed: number
  /** Replies with a non-zero err that was not in `allowedErrors`. */
  errors: number
  /** err code → count, for every non-zero err (allowed ones too). */
  errorCodes: Record<string, number>
  firstSendNs: bigint
  lastReplyNs: bigint
}

export interface SessionOptions {
  sessionTimeoutMs?: number
  connectTimeoutMs?: number
  /** Largest window `run` will be asked for (sizes the in-flight ring). */
  maxOutstanding?: number
}

const MAX_FRAME_BYTES = 64 * 1024 * 1024
const REPLY_HEADER_BYTES = 16
const PING_FRAME = Buffer.from([0, 0, 0, 8, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, OpCode.ping])

interface ActiveTask {
  source: RequestSource
  outstanding: number
  latenciesNs: Float64Array | null
  latencyOffset: number
  allowedErrors: ReadonlySet<number>
  baseNs: bigint
  nextIndex: number
  result: TaskResult
  resolve: (result: TaskResult) => void
  reject: (error: Error) => void
}

export class SessionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SessionError'
  }
}

export class BenchSession {
  sessionId = 0n
  negotiatedTimeoutMs = 0

  private readonly writer = new JuteWriter(64 * 1024)
  private readonly ringXids: Int32Array
  private readonly ringSentNs: Float64Array
  private ringHead = 0
  private inFlight = 0
  private nextXid = 1
  private partial: Buffer | null = null
  private task: ActiveTask | null = null
  private failure: Error | null = null
  private lastSendMs = 0
  private pingTimer: NodeJS.Timeout | null = null
  private onHandshake: ((frame: Buffer) => void) | null = null
  private closeWaiter: { xid: number; resolve: () => void } | null = null

  private constructor(
    private readonly socket: Socket,
    maxOutstanding: number,
  ) {
    this.ringXids = new Int32Array(maxOutstanding)
    this.ringSentNs = new Float64Array(maxOutstanding)
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (error) => this.fail(new SessionError(`connection error: ${error.message}`)))
    socket.on('close', () => this.fail(new SessionError('connection closed by the server')))
  }

  /** Connects and establishes a new session. */
  static open(address: ServerAddress, options: SessionOptions = {}): Promise<BenchSession> {
    const sessionTimeoutMs = options.sessionTimeoutMs ?? 30000
    const connectTimeoutMs = options.connectTimeoutMs ?? 10000
    return new Promise((resolve, reject) => {
      const socket = connect({ host: address.host, port: address.port })
      const session = new BenchSession(socket, options.maxOutstanding ?? 1024)
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new SessionError(`no session from ${address.host}:${address.port} within ${connectTimeoutMs} ms`))
      }, connectTimeoutMs)
      const onEarlyError = (error: Error) => {
        clearTimeout(timer)
        reject(new SessionError(`cannot connect to ${address.host}:${address.port}: ${error.message}`))
      }
      socket.once('error', onEarlyError)
      socket.once('close', () => onEarlyError(new Error('connection closed during the handshake')))
      socket.once('connect', () => session.sendConnectRequest(sessionTimeoutMs))
      session.onHandshake = (frame) => {
        clearTimeout(timer)
        socket.removeListener('error', onEarlyError)
        socket.removeAllListeners('close')
        socket.on('close', () => session.fail(new SessionError('connection closed by the server')))
        try {
          session.acceptConnectResponse(frame)
          resolve(session)
        } catch (error) {
          socket.destroy()
          reject(error as Error)
        }
      }
    })
  }

  private sendConnectRequest(sessionTimeoutMs: number): void {
    const w = this.writer.reset()
    w.int(0)
    ConnectRequest.write(w, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: sessionTimeoutMs, sessionId: 0n, passwd: Buffer.alloc(16) })
    w.bool(false) // readOnly: like the Java and C clients
    w.intAt(0, w.offset - 4)
    this.socket.write(w.toBuffer())
  }

  private acceptConnectResponse(frame: Buffer): void {
    const response = decode(ConnectResponse, frame)
    if (response.timeOut <= 0) throw new SessionError('the server refused the session (timeout 0)')
    this.sessionId = response.sessionId
    this.negotiatedTimeoutMs = response.timeOut
    this.lastSendMs = Date.now()
    const checkEveryMs = Math.max(100, Math.floor(response.timeOut / 6))
    this.pingTimer = setInterval(() => this.pingIfIdle(), checkEveryMs)
    this.pingTimer.unref()
  }

  /** Java's client pings after a third of the session timeout without sending anything. */
  private pingIfIdle(): void {
    if (this.failure !== null) return
    if (Date.now() - this.lastSendMs < this.negotiatedTimeoutMs / 3) return
    this.socket.write(PING_FRAME)
    this.lastSendMs = Date.now()
  }

  /**
   * Sends `source.count` requests keeping `outstanding` in flight. Latencies (ns, in reply order) go to
   * `latenciesNs[latencyOffset …]` when given.
   */
  run(
    source: RequestSource,
    outstanding: number,
    latenciesNs: Float64Array | null = null,
    latencyOffset = 0,
    allowedErrors: ReadonlySet<number> = new Set(),
  ): Promise<TaskResult> {
    if (this.failure !== null) return Promise.reject(this.failure)
    if (this.task !== null) return Promise.reject(new SessionError('a task is already running on this session'))
    if (outstanding < 1 || outstanding > this.ringXids.length) {
      return Promise.reject(new SessionError(`outstanding must be 1..${this.ringXids.length}`))
    }
    return new Promise((resolve, reject) => {
      const now = process.hrtime.bigint()
      this.task = {
        source,
        outstanding,
        latenciesNs,
        latencyOffset,
        allowedErrors,
        baseNs: now,
        nextIndex: 0,
        result: { completed: 0, errors: 0, errorCodes: {}, firstSendNs: now, lastReplyNs: now },
        resolve,
        reject,
      }
      if (source.count === 0) return this.finishTask()
      this.fill()
    })
  }

  private fill(): void {
    const task = this.task
    if (task === null) return
    const count = task.source.count
    if (task.nextIndex >= count || this.inFlight >= task.outstanding) return
    const now = process.hrtime.bigint()
    const sentNs = Number(now - task.baseNs)
    if (task.nextIndex === 0) task.result.firstSendNs = now
    const w = this.writer.reset()
    const capacity = this.ringXids.length
    while (this.inFlight < task.outstanding && task.nextIndex < count) {
      const xid = this.takeXid()
      const frameStart = w.offset
      w.int(0)
      task.source.write(w, task.nextIndex, xid)
      w.intAt(frameStart, w.offset - frameStart - 4)
      const slot = (this.ringHead + this.inFlight) % capacity
      this.ringXids[slot] = xid
      this.ringSentNs[slot] = sentNs
      this.inFlight++
      task.nextIndex++
    }
    this.socket.write(w.toBuffer())
    this.lastSendMs = Date.now()
  }

  private takeXid(): number {
    const xid = this.nextXid
    this.nextXid = xid === 0x7fffffff ? 1 : xid + 1
    return xid
  }

  private onData(chunk: Buffer): void {
    let buf = chunk
    if (this.partial !== null) {
      buf = Buffer.concat([this.partial, chunk])
      this.partial = null
    }
    const now = process.hrtime.bigint()
    let offset = 0
    while (buf.length - offset >= 4) {
      const length = buf.readInt32BE(offset)
      if (length < 0 || length > MAX_FRAME_BYTES) return this.fail(new SessionError(`bad frame length ${length}`))
      if (buf.length - offset - 4 < length) break
      this.onFrame(buf, offset + 4, length, now)
      if (this.failure !== null) return
      offset += 4 + length
    }
    if (offset < buf.length) this.partial = buf.subarray(offset)
    this.fill()
  }

  private onFrame(buf: Buffer, start: number, length: number, now: bigint): void {
    if (this.onHandshake !== null) {
      const handler = this.onHandshake
      this.onHandshake = null
      handler(buf.subarray(start, start + length))
      return
    }
    if (length < REPLY_HEADER_BYTES) return this.fail(new SessionError(`reply of ${length} bytes is too short`))
    const xid = buf.readInt32BE(start)
    if (xid === Xid.ping || xid === Xid.notification) return
    const err = buf.readInt32BE(start + 12)
    if (this.closeWaiter !== null && xid === this.closeWaiter.xid) return this.closeWaiter.resolve()
    const task = this.task
    if (task === null || this.inFlight === 0) return this.fail(new SessionError(`unexpected reply xid ${xid}`))
    const expected = this.ringXids[this.ringHead]
    if (xid !== expected) return this.fail(new SessionError(`reply out of order: xid ${xid}, expected ${expected}`))
    const result = task.result
    if (task.latenciesNs !== null) {
      task.latenciesNs[task.latencyOffset + result.completed] = Number(now - task.baseNs) - (this.ringSentNs[this.ringHead] ?? 0)
    }
    this.ringHead = (this.ringHead + 1) % this.ringXids.length
    this.inFlight--
    result.completed++
    result.lastReplyNs = now
    if (err !== 0) {
      result.errorCodes[err] = (result.errorCodes[err] ?? 0) + 1
      if (!task.allowedErrors.has(err)) result.errors++
    }
    if (result.completed === task.source.count) this.finishTask()
  }

  private finishTask(): void {
    const task = this.task
    if (task === null) return
    this.task = null
    task.resolve(task.result)
  }

  private fail(error: Error): void {
    if (this.failure !== null) return
    this.failure = error
    if (this.pingTimer !== null) clearInterval(this.pingTimer)
    const task = this.task
    this.task = null
    task?.reject(error)
    this.closeWaiter?.resolve()
    this.socket.destroy()
  }

  /** Ends the session politely (closeSession, then FIN); gives up after `timeoutMs`. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.failure !== null) return
    if (this.pingTimer !== null) clearInterval(this.pingTimer)
    const xid = this.takeXid()
    const replied = new Promise<void>((resolve) => {
      this.closeWaiter = { xid, resolve }
    })
    const frame = Buffer.alloc(12)
    frame.writeInt32BE(8, 0)
    frame.writeInt32BE(xid, 4)
    frame.writeInt32BE(OpCode.closeSession, 8)
    this.socket.write(frame)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs)
    })
    await Promise.race([replied, timeout])
    clearTimeout(timer)
    this.destroy()
  }

  /** Drops the connection at once (Ctrl-C, errors elsewhere). */
  destroy(): void {
    this.fail(new SessionError('session closed'))
  }
}
