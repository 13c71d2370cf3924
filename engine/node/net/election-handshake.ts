import type { Socket } from 'node:net'
import { type InitialMessage, readInitialMessage } from '../../quorum/wire/initial-message'

export type HandshakeResult =
  | { kind: 'message'; message: InitialMessage; rest: Buffer }
  /** `parse` failures are logged as errors (Apache: "Initial message parsing error!"); the others are quieter. */
  | { kind: 'failed'; cause: 'parse' | 'timeout' | 'closed'; reason: string }

/**
 * Reads the initial message from a connection accepted on the election port. At most one initial message (20 +
 * 2048 bytes) is buffered before it parses or fails, so a peer cannot make us hold more than one read's worth.
 *
 * Apache reads it with the socket's timeout (initLimit × tickTime) on the listener thread; a silent peer blocks
 * every other accept meanwhile. Here each connection has its own timer and nobody waits for anybody.
 */
export class IncomingHandshake {
  private pending: Buffer = Buffer.alloc(0)
  private done = false
  private readonly timer: NodeJS.Timeout
  private readonly onData = (chunk: Buffer): void => this.receive(chunk)
  private readonly onClose = (): void => this.finish({ kind: 'failed', cause: 'closed', reason: 'closed before the initial message' })
  private readonly onError = (): void => {
    // 'close' follows and reports it.
  }

  constructor(
    readonly socket: Socket,
    timeoutMs: number,
    private readonly onDone: (handshake: IncomingHandshake, result: HandshakeResult) => void,
  ) {
    this.timer = setTimeout(
      () => this.finish({ kind: 'failed', cause: 'timeout', reason: `no initial message within ${timeoutMs} ms` }),
      timeoutMs,
    )
    socket.on('data', this.onData)
    socket.on('close', this.onClose)
    socket.on('error', this.onError)
  }

  /** Gives up (transport shutting down): the socket is destroyed, `onDone` is not called. */
  abort(): void {
    if (this.done) return
    this.done = true
    this.detach()
    this.socket.destroy()
  }

  private receive(chunk: Buffer): void {
    if (this.done) return
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    let read: ReturnType<typeof readInitialMessage>
    try {
      read = readInitialMessage(this.pending)
    } catch (error) {
      this.finish({ kind: 'failed', cause: 'parse', reason: error instanceof Error ? error.message : String(error) })
      return
    }
    if (read.kind === 'incomplete') return
    this.finish({ kind: 'message', message: read.message, rest: this.pending.subarray(read.bytesUsed) })
  }

  private finish(result: HandshakeResult): void {
    if (this.done) return
    this.done = true
    this.detach()
    // Listeners are gone; `onDone` runs synchronously and either hands the socket to a new owner (who attaches its
    // own before any event can fire) or destroys it.
    if (result.kind === 'failed') this.socket.destroy()
    this.onDone(this, result)
  }

  private detach(): void {
    clearTimeout(this.timer)
    this.socket.off('data', this.onData)
    this.socket.off('close', this.onClose)
    this.socket.off('error', this.onError)
  }
}
