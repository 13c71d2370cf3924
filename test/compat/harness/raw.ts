// A tiny raw-frame ZooKeeper client for what no third-party client here can send: multiRead,
// checkWatches, setWatches2, unknown opcodes, oversized frames, a wrong session password.
// It encodes with engine/proto's record schemas and records what the server answers, byte
// fields decoded, so a scenario can compare Apache's and ZooDesk's replies field by field.
import { createConnection } from 'node:net'
import type { Socket } from 'node:net'
import { JuteReader, JuteWriter, decode, encode } from '../../../engine/jute'
import type { Codec } from '../../../engine/jute'
import {
  CheckVersionRequest,
  ConnectRequest,
  ConnectResponse,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
  ErrorResponse,
  GetChildrenRequest,
  GetChildrenResponse,
  GetDataRequest,
  GetDataResponse,
  MultiHeader,
  ReplyHeader,
  SetDataRequest,
  StatResponse,
  WatcherEvent,
} from '../../../engine/proto'
import type { ACL } from '../../../engine/proto'
import { longFromBigInt } from './json'
import type { Long } from './json'

export interface RawReply {
  xid: number
  zxid: bigint
  err: number
  /** The bytes after the ReplyHeader. */
  body: Buffer
}

export interface RawEvent {
  type: number
  state: number
  path: string
}

export interface HandshakeOptions {
  timeOut?: number
  sessionId?: bigint
  passwd?: Buffer
  lastZxidSeen?: bigint
  /** Append the optional readOnly byte (Java, C and kazoo do; node-zookeeper-client does not). Default true. */
  readOnlyFlag?: boolean
}

export interface Handshake {
  timeOut: number
  sessionId: bigint
  passwd: Buffer
  /** Present only when the request carried the flag. */
  readOnly?: boolean
  /** Payload length of the ConnectResponse frame. */
  length: number
}

const MAX_FRAME_BYTES = 16 * 1024 * 1024

/** One TCP connection speaking client frames. Replies are matched to requests in send order. */
export class RawConnection {
  /** Watch notifications, in arrival order. */
  readonly events: RawEvent[] = []
  /** Every frame after the handshake, in arrival order: `event <type> <path>` or `reply <xid>`. */
  readonly arrivals: string[] = []
  private pending: { xid: number; resolve: (reply: RawReply | 'closed') => void }[] = []
  private handshakeWaiter: ((frame: Buffer | 'closed') => void) | undefined
  private handshakeDone = false
  private inbound: Buffer = Buffer.alloc(0)
  private nextXid = 1
  private closedFlag = false
  private readonly closeWaiters = new Set<() => void>()
  private readonly eventWaiters = new Set<() => void>()

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', () => {}) // a reset is a close, reported through 'close'
    socket.on('close', () => this.onClose())
  }

  static open(host: string, port: number, timeoutMs = 5000): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`raw connect to ${host}:${port} timed out`))
      }, timeoutMs)
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.setNoDelay(true)
        resolve(new RawConnection(socket))
      })
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
    })
  }

  get closed(): boolean {
    return this.closedFlag
  }

  /** Sends a ConnectRequest and waits for the ConnectResponse (or the server closing). */
  async handshake(options: HandshakeOptions = {}, timeoutMs = 10_000): Promise<Handshake | 'closed'> {
    const request = encode(ConnectRequest, {
      protocolVersion: 0,
      lastZxidSeen: options.lastZxidSeen ?? 0n,
      timeOut: options.timeOut ?? 30_000,
      sessionId: options.sessionId ?? 0n,
      passwd: options.passwd ?? Buffer.alloc(16),
    })
    const payload = options.readOnlyFlag === false ? request : Buffer.concat([request, Buffer.from([0])])
    const frame = await new Promise<Buffer | 'closed'>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('raw handshake: no ConnectResponse')), timeoutMs)
      this.handshakeWaiter = (f) => {
        clearTimeout(timer)
        resolve(f)
      }
      this.sendFrame(payload)
      if (this.closedFlag) this.handshakeWaiter('closed')
    })
    if (frame === 'closed') return 'closed'
    const response = decode(ConnectResponse, frame)
    const out: Handshake = { timeOut: response.timeOut, sessionId: response.sessionId, passwd: response.passwd ?? Buffer.alloc(0), length: frame.length }
    if (frame.length > 36) out.readOnly = frame[36] !== 0
    return out
  }

  /** Writes one length-prefixed frame. */
  sendFrame(payload: Buffer): void {
    const length = Buffer.alloc(4)
    length.writeInt32BE(payload.length)
    if (!this.socket.destroyed) this.socket.write(Buffer.concat([length, payload]))
  }

  /** Writes bytes as they are (no length prefix). */
  sendBytes(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes)
  }

  /**
   * Sends RequestHeader{xid, type} + body and resolves with the reply carrying that xid, or
   * 'closed' when the server closes the connection first. Default xid: the next ordinary one.
   */
  request(type: number, body: Buffer = Buffer.alloc(0), xid?: number, timeoutMs = 10_000): Promise<RawReply | 'closed'> {
    const useXid = xid ?? this.nextXid++
    const header = Buffer.alloc(8)
    header.writeInt32BE(useXid, 0)
    header.writeInt32BE(type, 4)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw request type ${type} xid ${useXid}: no reply after ${timeoutMs} ms`)), timeoutMs)
      this.pending.push({
        xid: useXid,
        resolve: (reply) => {
          clearTimeout(timer)
          resolve(reply)
        },
      })
      this.sendFrame(Buffer.concat([header, body]))
      if (this.closedFlag) this.flushClosed()
    })
  }

  /**
   * Like request(), but resolves 'no reply' after `timeoutMs` instead of failing: for
   * requests a server may leave unanswered (Apache 3.8.0 never answers a lone check).
   */
  tryRequest(type: number, body: Buffer = Buffer.alloc(0), timeoutMs = 1000): Promise<RawReply | 'closed' | 'no reply'> {
    const xid = this.nextXid++
    const header = Buffer.alloc(8)
    header.writeInt32BE(xid, 0)
    header.writeInt32BE(type, 4)
    return new Promise((resolve) => {
      const entry = {
        xid,
        resolve: (reply: RawReply | 'closed'): void => {
          clearTimeout(timer)
          resolve(reply)
        },
      }
      const timer = setTimeout(() => {
        this.pending = this.pending.filter((p) => p !== entry)
        resolve('no reply')
      }, timeoutMs)
      this.pending.push(entry)
      this.sendFrame(Buffer.concat([header, body]))
      if (this.closedFlag) this.flushClosed()
    })
  }

  /** request() with the body encoded by `codec`. */
  call<T>(type: number, codec: Codec<T>, value: T, xid?: number): Promise<RawReply | 'closed'> {
    return this.request(type, encode(codec, value), xid)
  }

  /** Resolves true once the server has closed the connection, false after `timeoutMs`. */
  waitClosed(timeoutMs = 3000): Promise<boolean> {
    if (this.closedFlag) return Promise.resolve(true)
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.closeWaiters.delete(done)
        resolve(true)
      }
      const timer = setTimeout(() => {
        this.closeWaiters.delete(done)
        resolve(false)
      }, timeoutMs)
      this.closeWaiters.add(done)
    })
  }

  /** Resolves with a copy of `events` once it holds `count`, or after `timeoutMs`. */
  waitEvents(count: number, timeoutMs = 3000): Promise<RawEvent[]> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.events.length >= count) finish()
      }
      const finish = (): void => {
        clearTimeout(timer)
        this.eventWaiters.delete(check)
        resolve([...this.events])
      }
      const timer = setTimeout(finish, timeoutMs)
      this.eventWaiters.add(check)
      check()
    })
  }

  /** Closes our side without a closeSession (the session lives on until it expires). */
  /**
   * Ends the session the way a client does (closeSession, then the socket), so no expiry of a
   * forgotten session lands in a later scenario's zxid window.
   */
  async closeSession(): Promise<void> {
    if (!this.closedFlag) await this.request(-11)
    this.destroy()
  }

  destroy(): void {
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    this.inbound = this.inbound.length === 0 ? chunk : Buffer.concat([this.inbound, chunk])
    while (this.inbound.length >= 4) {
      const length = this.inbound.readInt32BE(0)
      if (length < 0 || length > MAX_FRAME_BYTES) {
        this.socket.destroy()
        return
      }
      if (this.inbound.length < 4 + length) return
      const frame = this.inbound.subarray(4, 4 + length)
      this.inbound = this.inbound.subarray(4 + length)
      this.onFrame(frame)
    }
  }

  private onFrame(frame: Buffer): void {
    if (!this.handshakeDone) {
      this.handshakeDone = true
      this.handshakeWaiter?.(frame)
      this.handshakeWaiter = undefined
      return
    }
    const header = decode(ReplyHeader, frame)
    const body = frame.subarray(16)
    if (header.xid === -1) {
      const event = decode(WatcherEvent, body)
      this.events.push({ type: event.type, state: event.state, path: event.path })
      this.arrivals.push(`event ${event.type} ${event.path}`)
      for (const waiter of this.eventWaiters) waiter()
      return
    }
    this.arrivals.push(`reply ${header.xid}`)
    const index = this.pending.findIndex((p) => p.xid === header.xid)
    if (index === -1) return // an answer nobody waits for (e.g. after a timeout)
    const [waiter] = this.pending.splice(index, 1)
    waiter?.resolve({ xid: header.xid, zxid: header.zxid, err: header.err, body: Buffer.from(body) })
  }

  private onClose(): void {
    this.closedFlag = true
    this.handshakeWaiter?.('closed')
    this.handshakeWaiter = undefined
    this.flushClosed()
    for (const waiter of [...this.closeWaiters]) waiter()
  }

  private flushClosed(): void {
    const pending = this.pending
    this.pending = []
    for (const p of pending) p.resolve('closed')
  }
}

/** Opens a connection to `host:port` and establishes a new session on it. */
export async function rawSession(connectString: string, options: HandshakeOptions = {}): Promise<{ conn: RawConnection; session: Handshake }> {
  const [host, portText] = splitHostPort(connectString)
  const conn = await RawConnection.open(host, Number(portText))
  const session = await conn.handshake(options)
  if (session === 'closed') throw new Error(`raw session to ${connectString}: server closed the connection during the handshake`)
  return { conn, session }
}

export function splitHostPort(connectString: string): [string, string] {
  const colon = connectString.lastIndexOf(':')
  return [connectString.slice(0, colon), connectString.slice(colon + 1)]
}

/**
 * A reply as an observation: `{err, zxid}` plus the decoded body when err is 0 and a codec is
 * given (else the body's length), or `{closed: true}`. The zxid is normalized like any other.
 */
export function replyObservation<T>(reply: RawReply | 'closed' | 'no reply', codec?: Codec<T>): unknown {
  if (reply === 'closed') return { closed: true }
  if (reply === 'no reply') return { noReply: true }
  const zxid = longFromBigInt(reply.zxid)
  if (reply.err !== 0 || codec === undefined) return { err: reply.err, zxid, bodyBytes: reply.body.length }
  return { err: 0, zxid, body: jsonSafe(decode(codec, reply.body)) }
}

/** conn.call + replyObservation in one step. */
export async function rawOp<Req, Res>(conn: RawConnection, type: number, reqCodec: Codec<Req>, req: Req, resCodec?: Codec<Res>): Promise<unknown> {
  return replyObservation(await conn.call(type, reqCodec, req), resCodec)
}

/** Bigints become Long (number or decimal string), Buffers utf-8 text; for observations. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return longFromBigInt(value) satisfies Long
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  if (Array.isArray(value)) return value.map(jsonSafe)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v)
    return out
  }
  return value
}

/** One sub-operation of a multi / multiRead request, as the wire carries it. */
export type MultiOp =
  | { type: 1 | 15 | 19; path: string; data?: Buffer | null; acl?: ACL[]; flags?: number }
  | { type: 21; path: string; data?: Buffer | null; acl?: ACL[]; flags?: number; ttl: bigint }
  | { type: 2; path: string; version?: number }
  | { type: 5; path: string; data: Buffer | null; version?: number }
  | { type: 13; path: string; version: number }
  | { type: 4 | 8; path: string }

const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]

/** MultiOperationRecord: each op as MultiHeader{type, false, -1} + its record, then {-1, true, -1}. */
export function encodeMulti(ops: readonly MultiOp[]): Buffer {
  const w = new JuteWriter(1024)
  for (const op of ops) {
    MultiHeader.write(w, { type: op.type, done: false, err: -1 })
    switch (op.type) {
      case 1:
      case 15:
      case 19:
        CreateRequest.write(w, { path: op.path, data: op.data ?? null, acl: op.acl ?? OPEN, flags: op.flags ?? (op.type === 19 ? 4 : 0) })
        break
      case 21:
        CreateTTLRequest.write(w, { path: op.path, data: op.data ?? null, acl: op.acl ?? OPEN, flags: op.flags ?? 5, ttl: op.ttl })
        break
      case 2:
        DeleteRequest.write(w, { path: op.path, version: op.version ?? -1 })
        break
      case 5:
        SetDataRequest.write(w, { path: op.path, data: op.data, version: op.version ?? -1 })
        break
      case 13:
        CheckVersionRequest.write(w, { path: op.path, version: op.version })
        break
      case 4:
        GetDataRequest.write(w, { path: op.path, watch: false })
        break
      case 8:
        GetChildrenRequest.write(w, { path: op.path, watch: false })
        break
    }
  }
  MultiHeader.write(w, { type: -1, done: true, err: -1 })
  return w.toBuffer()
}

/** MultiResponse as observations: one `{type, err, ...record}` per result, in order. */
export function decodeMultiResponse(body: Buffer): unknown[] {
  const r = new JuteReader(body)
  const out: unknown[] = []
  for (;;) {
    const header = MultiHeader.read(r)
    if (header.done) break
    const result: Record<string, unknown> = { type: header.type, err: header.err }
    switch (header.type) {
      case 1:
        Object.assign(result, CreateResponse.read(r))
        break
      case 15:
        Object.assign(result, Create2Response.read(r))
        break
      case 5:
        Object.assign(result, StatResponse.read(r))
        break
      case 4:
        Object.assign(result, GetDataResponse.read(r))
        break
      case 8:
        Object.assign(result, GetChildrenResponse.read(r))
        break
      case -1:
        result['errBody'] = ErrorResponse.read(r).err
        break
      default:
        break // delete, check: no record
    }
    out.push(jsonSafe(result))
  }
  if (!r.atEnd()) out.push({ trailingBytes: r.remaining })
  return out
}
