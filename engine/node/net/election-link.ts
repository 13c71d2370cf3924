import type { Socket } from 'node:net'
import { ElectionFrameReader } from '../../quorum/wire/initial-message'

export interface ElectionLinkEvents {
  /** One framed election message (not yet decoded). */
  onMessage(link: ElectionLink, payload: Buffer): void
  /** The socket's send buffer drained: the link takes writes again. */
  onWritable(link: ElectionLink): void
  /** Called once, whoever closed it. `local` is true when `close` was called here (replaced, shut down). */
  onClosed(link: ElectionLink, reason: string, local: boolean): void
}

/**
 * One established election connection with server `sid`, after the initial message: Apache's SendWorker and
 * RecvWorker pair. Messages are `int length` + payload both ways; a bad length ends the connection (RecvWorker's
 * "Received packet with invalid packet"), everything else is the transport's business.
 */
export class ElectionLink {
  private readonly frames = new ElectionFrameReader()
  private closedFlag = false

  constructor(
    readonly sid: number,
    /** Whether we opened this connection (we have the higher sid) or accepted it. */
    readonly initiatedByUs: boolean,
    private readonly socket: Socket,
    private readonly events: ElectionLinkEvents,
  ) {}

  /** Takes over the socket; `leftover` is whatever followed the initial message in the same read. */
  start(leftover: Buffer): void {
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk))
    this.socket.on('drain', () => {
      if (!this.closedFlag) this.events.onWritable(this)
    })
    this.socket.on('error', (error: Error) => this.finish(`socket error: ${error.message}`, false))
    this.socket.on('close', () => this.finish('connection closed', false))
    if (leftover.length > 0) this.receive(leftover)
  }

  get closed(): boolean {
    return this.closedFlag
  }

  /**
   * False while the socket's send buffer is over its high-water mark: the caller keeps (only) its newest message
   * until `onWritable`, which is what Apache's capacity-1 send queue amounts to while SendWorker blocks in write.
   */
  get writable(): boolean {
    return !this.closedFlag && !this.socket.writableNeedDrain
  }

  get pendingBytes(): number {
    return this.closedFlag ? 0 : this.socket.writableLength
  }

  write(frame: Buffer): void {
    if (!this.closedFlag) this.socket.write(frame)
  }

  /** Prompt and idempotent: the socket is destroyed at once. */
  close(reason: string): void {
    this.finish(reason, true)
  }

  private finish(reason: string, local: boolean): void {
    if (this.closedFlag) return
    this.closedFlag = true
    this.socket.destroy()
    this.events.onClosed(this, reason, local)
  }

  private receive(chunk: Buffer): void {
    if (this.closedFlag) return
    let messages: Buffer[]
    try {
      messages = this.frames.push(chunk)
    } catch (error) {
      this.finish(error instanceof Error ? error.message : String(error), false)
      return
    }
    for (const payload of messages) {
      if (this.closedFlag) return
      this.events.onMessage(this, payload)
    }
  }
}
