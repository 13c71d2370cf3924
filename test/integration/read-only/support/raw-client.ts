// A raw-frame client for read-only mode checks: it sends the ConnectRequest's trailing readOnly byte with the value
// we choose (the compat harness's RawConnection always sends false) and records every frame the server answers
// with, so a scenario can compare Apache's and ZooDesk's bytes field by field.
import { createConnection, type Socket } from 'node:net'
import { encode } from '../../../../engine/jute'
import { ConnectRequest } from '../../../../engine/proto'

export interface RawConnectOptions {
  /** The trailing readOnly byte; undefined leaves it out (an "old client"). */
  readOnly: boolean | undefined
  sessionId?: bigint
  passwd?: Buffer
  timeOutMs?: number
  lastZxidSeen?: bigint
}

/** The first frame the server sent after a ConnectRequest, decoded both ways it may be meant. */
export interface RawConnectAnswer {
  /** Payload length (36 without the flag, 37 with it; 16 when the server sent a ReplyHeader instead). */
  length: number
  timeOut: number
  sessionId: bigint
  passwd: Buffer
  readOnly: boolean | undefined
  /** The same bytes read as a ReplyHeader {xid, zxid, err} (what a refused createSession sends). */
  asReplyHeader: { xid: number; zxid: bigint; err: number } | undefined
}

export interface RawReply {
  xid: number
  zxid: bigint
  err: number
  body: Buffer
}

/** One TCP connection; replies are matched by xid. */
export class RawReadOnlyClient {
  private inbound: Buffer = Buffer.alloc(0)
  private readonly frames: Buffer[] = []
  private frameWaiter: (() => void) | undefined
  private closedFlag = false
  private nextXid = 1

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', () => {})
    socket.on('close', () => {
      this.closedFlag = true
      this.frameWaiter?.()
    })
  }

  static open(host: string, port: number, timeoutMs = 5000): Promise<RawReadOnlyClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`connect to ${host}:${port} timed out`))
      }, timeoutMs)
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.setNoDelay(true)
        resolve(new RawReadOnlyClient(socket))
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

  /** Sends a ConnectRequest; 'closed' when the server closes instead of answering. */
  async connect(options: RawConnectOptions, timeoutMs = 10_000): Promise<RawConnectAnswer | 'closed' | 'no answer'> {
    const request = encode(ConnectRequest, {
      protocolVersion: 0,
      lastZxidSeen: options.lastZxidSeen ?? 0n,
      timeOut: options.timeOutMs ?? 10_000,
      sessionId: options.sessionId ?? 0n,
      passwd: options.passwd ?? Buffer.alloc(16),
    })
    const payload = options.readOnly === undefined ? request : Buffer.concat([request, Buffer.from([options.readOnly ? 1 : 0])])
    this.send(payload)
    const frame = await this.nextFrame(timeoutMs)
    if (frame === 'closed' || frame === 'no answer') return frame
    const answer: RawConnectAnswer = {
      length: frame.length,
      timeOut: frame.length >= 8 ? frame.readInt32BE(4) : 0,
      sessionId: frame.length >= 16 ? frame.readBigInt64BE(8) : 0n,
      passwd: frame.length >= 20 ? frame.subarray(20, 20 + Math.max(0, frame.readInt32BE(16))) : Buffer.alloc(0),
      readOnly: frame.length > 36 ? frame[36] !== 0 : undefined,
      asReplyHeader: frame.length === 16 ? { xid: frame.readInt32BE(0), zxid: frame.readBigInt64BE(4), err: frame.readInt32BE(12) } : undefined,
    }
    return answer
  }

  /** Sends RequestHeader{xid, type} + body; resolves with the next reply (not a notification), or closed. */
  async request(type: number, body: Buffer = Buffer.alloc(0), xid = this.nextXid++, timeoutMs = 10_000): Promise<RawReply | 'closed' | 'no answer'> {
    const header = Buffer.alloc(8)
    header.writeInt32BE(xid, 0)
    header.writeInt32BE(type, 4)
    this.send(Buffer.concat([header, body]))
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const frame = await this.nextFrame(Math.max(1, deadline - Date.now()))
      if (frame === 'closed' || frame === 'no answer') return frame
      const reply = { xid: frame.readInt32BE(0), zxid: frame.readBigInt64BE(4), err: frame.readInt32BE(12), body: frame.subarray(16) }
      if (reply.xid === -1) continue // a watch notification
      return reply
    }
  }

  /** Resolves true once the server has closed the connection, false after `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!this.closedFlag && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    return this.closedFlag
  }

  destroy(): void {
    this.socket.destroy()
  }

  private send(payload: Buffer): void {
    const length = Buffer.alloc(4)
    length.writeInt32BE(payload.length)
    if (!this.socket.destroyed) this.socket.write(Buffer.concat([length, payload]))
  }

  private nextFrame(timeoutMs: number): Promise<Buffer | 'closed' | 'no answer'> {
    const ready = this.frames.shift()
    if (ready !== undefined) return Promise.resolve(ready)
    if (this.closedFlag) return Promise.resolve('closed')
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.frameWaiter = undefined
        resolve('no answer')
      }, timeoutMs)
      this.frameWaiter = () => {
        const frame = this.frames.shift()
        if (frame === undefined && !this.closedFlag) return
        clearTimeout(timer)
        this.frameWaiter = undefined
        resolve(frame ?? 'closed')
      }
    })
  }

  private onData(chunk: Buffer): void {
    this.inbound = this.inbound.length === 0 ? chunk : Buffer.concat([this.inbound, chunk])
    while (this.inbound.length >= 4) {
      const length = this.inbound.readInt32BE(0)
      if (this.inbound.length < 4 + length) break
      this.frames.push(Buffer.from(this.inbound.subarray(4, 4 + length)))
      this.inbound = this.inbound.subarray(4 + length)
    }
    this.frameWaiter?.()
  }
}
