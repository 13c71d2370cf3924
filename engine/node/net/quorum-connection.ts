import type { Socket } from 'node:net'
import { JuteWriter } from '../../jute'
import { PacketType } from '../../quorum/wire/packet-type'
import { QuorumPacket, QuorumPacketReader } from '../../quorum/wire/quorum-packet'
import { SnapshotScanner } from './snapshot-scanner'

/**
 * Why a quorum-port connection ended:
 * - `local`: `close()` was called here;
 * - `remote`: the other side closed or reset it;
 * - `error`: bytes that do not decode (a bad packet, a bad snapshot), a socket error, a failed or timed-out connect.
 */
export type QuorumCloseCause = 'local' | 'remote' | 'error'

export interface QuorumConnectionClosed {
  cause: QuorumCloseCause
  reason: string
  /** False when the TCP connection never formed (learner side: the connect failed). */
  wasConnected: boolean
}

export interface QuorumConnectionEvents<S> {
  /** The outgoing connection formed (learner side only). */
  onConnected?(connection: QuorumConnection<S>): void
  /** A packet, in stream order. For SNAP on a connection that parses snapshots, `snapshot` is the parsed body. */
  onPacket(connection: QuorumConnection<S>, packet: QuorumPacket, snapshot: S | undefined): void
  /** Exactly once per connection, whoever closed it, after the socket is gone. No packet follows a close. */
  onClose(connection: QuorumConnection<S>, closed: QuorumConnectionClosed): void
}

export interface QuorumConnectionOptions<S> {
  /**
   * Learner side: parses what follows a SNAP packet: the session table, the tree (ACL cache, nodes, "/" marker) and
   * the ustring "BenWasHere". It is called once, with exactly those bytes (the framing and the signature are
   * already checked), and throws on bad input (the connection then closes with cause `error`). Without it (leader
   * side), SNAP is an ordinary packet.
   */
  parseSnapshot?: (body: Buffer) => S
  /** Longest data/authinfo field accepted in a packet (and a snapshot field). Default 2 × 0xfffff, as JuteReader. */
  maxPacketBytes?: number
  /** `send` and `sendRaw` return false once this many bytes wait to be sent. Default 4 MiB. */
  highWaterBytes?: number
}

export const DEFAULT_QUORUM_HIGH_WATER_BYTES = 4 * 1024 * 1024
const DEFAULT_MAX_PACKET_BYTES = 2 * 0xfffff
/** Batches up to this size are copied out exactly; larger ones hand their storage to the socket instead. */
const BATCH_COPY_LIMIT_BYTES = 16 * 1024
const BATCH_INITIAL_BYTES = 4 * 1024

let lastConnectionId = 0

/** Ids unique within the process, so a stale id from an earlier listener or attempt never names a new connection. */
export function nextQuorumConnectionId(): number {
  return ++lastConnectionId
}

interface SnapshotInProgress {
  packet: QuorumPacket
  scanner: SnapshotScanner
  chunks: Buffer[]
}

/**
 * One connection on the quorum port, either side: QuorumPackets back to back (jute records with no outer length
 * prefix; each field carries its own), and on the learner side the snapshot body after a SNAP.
 *
 * Sends made in one turn of the event loop are serialised into one buffer and leave in one write (Apache's
 * BufferedOutputStream, flushed per batch). `pendingBytes`, the boolean from `send`/`sendRaw` and `whenDrained`
 * let a sender stop before memory grows; nothing here drops or times out: the quorum machines own those decisions.
 * `close` is prompt (the socket is destroyed) and idempotent.
 */
export class QuorumConnection<S = never> {
  readonly id: number
  private state: 'connecting' | 'open' | 'closed'
  private everConnected: boolean
  private closeCause: { cause: QuorumCloseCause; reason: string } | null = null
  private closeReported = false
  private readonly reader: QuorumPacketReader
  private readonly parseSnapshot: ((body: Buffer) => S) | null
  private readonly maxPacketBytes: number
  private readonly highWaterBytes: number
  private snapshot: SnapshotInProgress | null = null
  private batch = new JuteWriter(BATCH_INITIAL_BYTES)
  private flushScheduled = false
  private connectTimer: NodeJS.Timeout | null = null

  constructor(
    private readonly socket: Socket,
    connected: boolean,
    private readonly events: QuorumConnectionEvents<S>,
    options: QuorumConnectionOptions<S> = {},
    id = nextQuorumConnectionId(),
  ) {
    this.id = id
    this.state = connected ? 'open' : 'connecting'
    this.everConnected = connected
    this.maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES
    this.highWaterBytes = options.highWaterBytes ?? DEFAULT_QUORUM_HIGH_WATER_BYTES
    this.parseSnapshot = options.parseSnapshot ?? null
    this.reader = new QuorumPacketReader(this.maxPacketBytes)
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('end', () => this.noteClose('remote', 'closed by the other side'))
    socket.on('error', (error: Error) => this.noteClose(this.everConnected ? 'remote' : 'error', error.message))
    socket.on('close', () => this.closed())
    if (!connected) socket.once('connect', () => this.opened())
  }

  /** Fails the connect after `timeoutMs` (learner side; Apache uses connectToLearnerMasterLimit × tickTime). */
  limitConnectTime(timeoutMs: number): void {
    if (this.state !== 'connecting' || this.connectTimer !== null) return
    this.connectTimer = setTimeout(() => this.fail(`connect timed out after ${timeoutMs} ms`), timeoutMs)
  }

  get isOpen(): boolean {
    return this.state === 'open'
  }

  get isClosed(): boolean {
    return this.state === 'closed' || this.closeCause !== null
  }

  get remoteAddress(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`
  }

  /** Bytes accepted by `send`/`sendRaw` and not yet handed to the kernel. */
  get pendingBytes(): number {
    return this.isClosed ? 0 : this.socket.writableLength + this.batch.offset
  }

  /**
   * Queues a packet; it leaves with the others of this turn of the event loop, in order. Returns false once
   * `highWaterBytes` wait (keep sending only what you must, then `await whenDrained()`). Ignored after close.
   * Throws only if the packet cannot be encoded (a host bug); nothing of it is queued then.
   */
  send(packet: QuorumPacket): boolean {
    if (this.isClosed) return false
    const mark = this.batch.offset
    try {
      QuorumPacket.write(this.batch, packet)
    } catch (error) {
      this.batch.offset = mark
      throw error
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true
      process.nextTick(() => this.flush())
    }
    return this.pendingBytes < this.highWaterBytes
  }

  /**
   * Writes bytes as they are, after every packet queued before them: the snapshot body and its signature after a
   * SNAP. The buffer is handed over: do not modify it afterwards (no copy is made).
   */
  sendRaw(bytes: Buffer): boolean {
    if (this.isClosed) return false
    this.flush()
    if (bytes.length > 0) this.socket.write(bytes)
    return this.pendingBytes < this.highWaterBytes
  }

  /** Resolves once the kernel has taken what was queued (or the connection closed). */
  whenDrained(): Promise<void> {
    this.flush()
    if (this.isClosed || !this.socket.writableNeedDrain) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done)
        this.socket.off('close', done)
        resolve()
      }
      this.socket.on('drain', done)
      this.socket.on('close', done)
    })
  }

  /** Closes at once (unsent bytes are dropped). Idempotent; `onClose` follows with cause `local`. */
  close(reason = 'closed'): void {
    this.noteClose('local', reason)
    this.socket.destroy()
  }

  // ---- sending --------------------------------------------------------------------------------------------------

  private flush(): void {
    this.flushScheduled = false
    if (this.batch.offset === 0) return
    if (this.isClosed) {
      this.batch.reset()
      return
    }
    if (this.batch.offset <= BATCH_COPY_LIMIT_BYTES) {
      this.socket.write(this.batch.toBuffer())
      this.batch.reset()
    } else {
      // A large batch leaves in the writer's own storage; a fresh small writer takes over (no copy, no hoarding).
      this.socket.write(this.batch.view())
      this.batch = new JuteWriter(BATCH_INITIAL_BYTES)
    }
  }

  // ---- receiving ------------------------------------------------------------------------------------------------

  private receive(chunk: Buffer): void {
    if (this.isClosed) return
    if (this.snapshot !== null) this.feedSnapshot(chunk)
    else this.deliver(() => this.reader.push(chunk))
  }

  private deliver(read: () => QuorumPacket[]): void {
    let packets: QuorumPacket[]
    try {
      packets = read()
    } catch (error) {
      this.fail(`bad packet: ${describe(error)}`)
      return
    }
    for (const packet of packets) {
      if (this.isClosed) return
      if (packet.type !== PacketType.SNAP) {
        this.events.onPacket(this, packet, undefined)
        continue
      }
      // The reader stopped right after SNAP, so this is the last packet of the batch.
      if (this.parseSnapshot === null) {
        this.events.onPacket(this, packet, undefined)
        if (!this.isClosed) this.deliver(() => this.reader.resume(this.reader.takeRemainder()))
        return
      }
      this.snapshot = { packet, scanner: new SnapshotScanner(this.maxPacketBytes), chunks: [] }
      this.feedSnapshot(this.reader.takeRemainder())
      return
    }
  }

  /** Collects the snapshot's bytes until its signature; then parses it once and goes back to packets. */
  private feedSnapshot(chunk: Buffer): void {
    const snapshot = this.snapshot
    if (snapshot === null) return
    let used: number | null
    try {
      used = snapshot.scanner.push(chunk)
    } catch (error) {
      this.fail(`bad snapshot: ${describe(error)}`)
      return
    }
    if (used === null) {
      if (chunk.length > 0) snapshot.chunks.push(chunk)
      return
    }
    if (used > 0) snapshot.chunks.push(chunk.subarray(0, used))
    this.snapshot = null
    const whole = snapshot.chunks.length === 1 ? snapshot.chunks[0]! : Buffer.concat(snapshot.chunks)
    let value: S
    try {
      value = this.parseSnapshot!(whole)
    } catch (error) {
      this.fail(`snapshot does not decode: ${describe(error)}`)
      return
    }
    this.events.onPacket(this, snapshot.packet, value)
    const rest = chunk.subarray(used)
    if (!this.isClosed) this.deliver(() => this.reader.resume(rest))
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------------

  private opened(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer)
    this.connectTimer = null
    if (this.isClosed) return
    this.state = 'open'
    this.everConnected = true
    this.events.onConnected?.(this)
  }

  private fail(reason: string): void {
    this.noteClose('error', reason)
    this.socket.destroy()
  }

  /** The first reason wins: a local close stays local even if the socket reports an error afterwards. */
  private noteClose(cause: QuorumCloseCause, reason: string): void {
    if (this.closeCause === null) this.closeCause = { cause, reason }
  }

  private closed(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer)
    this.connectTimer = null
    this.state = 'closed'
    this.batch = new JuteWriter(16) // let a large batch buffer go
    this.snapshot = null
    if (this.closeReported) return
    this.closeReported = true
    const { cause, reason } = this.closeCause ?? { cause: 'remote' as const, reason: 'connection closed' }
    this.events.onClose(this, { cause, reason, wasConnected: this.everConnected })
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
