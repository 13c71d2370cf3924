import type { Id } from '../proto'
import type { WatchedEvent, Watcher } from '../tree/api'
import { AuthIdSet } from './auth-ids'
import { notificationFrame } from './reply-writer'
import type { PipelineEntry } from './pipeline-entry'

/** The socket under a connection, as the core needs it. Implemented by the node:net adapter and by tests. */
export interface ConnectionTransport {
  /** Java's `getHostAddress()` form of the peer address (IPv4 dotted quad, or full-form IPv6). */
  readonly remoteAddress: string
  readonly remotePort: number
  write(bytes: Buffer): void
  /** Flush what was written, then close. */
  end(): void
  /** Close now, dropping unsent output. */
  destroy(): void
  /** Stop or resume delivering input (handshake, throttling, a client that does not read). */
  setReading(enabled: boolean): void
  /** Bytes written but not yet accepted by the OS. */
  readonly pendingWriteBytes: number
}

export type ConnectionState = 'new' | 'handshake' | 'established' | 'closed'

/** Apache's per-connection figures (`ServerCnxn` stats) for `cons`, `stat` and the AdminServer. */
export class ConnectionStats {
  packetsReceived = 0
  packetsSent = 0
  minLatencyMs = Number.MAX_SAFE_INTEGER
  maxLatencyMs = 0
  lastOperation = 'NA'
  lastCxid = -1
  lastZxid = -1n
  lastResponseTimeMs = 0
  lastLatencyMs = 0
  count = 0
  totalLatencyMs = 0

  reset(): void {
    this.packetsReceived = 0
    this.packetsSent = 0
    this.minLatencyMs = Number.MAX_SAFE_INTEGER
    this.maxLatencyMs = 0
    this.lastOperation = 'NA'
    this.lastCxid = -1
    this.lastZxid = -1n
    this.lastResponseTimeMs = 0
    this.lastLatencyMs = 0
    this.count = 0
    this.totalLatencyMs = 0
  }

  /** `updateStatsForResponse`: special (negative) xids do not overwrite the last real cxid. */
  recordResponse(cxid: number, zxid: bigint, operation: string, startMs: number, endMs: number): void {
    if (cxid >= 0) this.lastCxid = cxid
    this.lastZxid = zxid
    this.lastOperation = operation
    this.lastResponseTimeMs = endMs
    const elapsed = endMs - startMs
    this.lastLatencyMs = elapsed
    if (elapsed < this.minLatencyMs) this.minLatencyMs = elapsed
    if (elapsed > this.maxLatencyMs) this.maxLatencyMs = elapsed
    this.count++
    this.totalLatencyMs += elapsed
  }

  get minLatency(): number {
    return this.minLatencyMs === Number.MAX_SAFE_INTEGER ? 0 : this.minLatencyMs
  }

  /** Integer division, as Java's long average. */
  get avgLatency(): number {
    return this.count === 0 ? 0 : Math.floor(this.totalLatencyMs / this.count)
  }
}

let nextWatcherId = 1

/**
 * One client connection: framing state, session binding, auth ids, the in-order reply queue and statistics. It is
 * also the Watcher the tree notifies (watches live on connections, as in Apache).
 */
export class ClientConnection implements Watcher {
  readonly watcherId = nextWatcherId++
  state: ConnectionState = 'new'
  sessionId = 0n
  /** Negotiated timeout once the handshake ran; before that, the sessionless-connection timeout. */
  sessionTimeoutMs: number
  /** The client did not send the trailing readOnly byte: the ConnectResponse must not carry it either. */
  oldClient = true
  readonly auth: AuthIdSet
  readonly stats = new ConnectionStats()
  readonly establishedWallMs: number
  /** Requests with a positive xid not yet answered (`outstandingCount`, the `queued=` figure). */
  outstanding = 0
  /** Replies owed, in arrival order; a write's reply waits for its txn, a read waits for what precedes it. */
  readonly queue: PipelineEntry[] = []
  queueHead = 0
  /** Raw input kept while reading is off (the handshake is being decided). */
  heldInput: Buffer[] = []
  readingEnabled = true
  /** Why reading is off: each reason must clear before reading resumes. */
  readonly readBlocks = new Set<'handshake' | 'throttle' | 'backpressure'>()

  // Framing state: a 4-byte length, then a payload of that length.
  lengthBytes = Buffer.alloc(4)
  lengthFilled = 0
  payload: Buffer | undefined
  payloadFilled = 0

  constructor(
    readonly transport: ConnectionTransport,
    establishedWallMs: number,
    sessionlessTimeoutMs: number,
  ) {
    this.establishedWallMs = establishedWallMs
    this.sessionTimeoutMs = sessionlessTimeoutMs
    this.auth = new AuthIdSet([{ scheme: 'ip', id: transport.remoteAddress }])
  }

  get authIds(): readonly Id[] {
    return this.auth.list()
  }

  /** `NIOServerCnxn.process`: the tree has already dropped events this connection may not READ. */
  process(event: WatchedEvent): void {
    this.send(notificationFrame(event.type, event.path))
  }

  send(frame: Buffer): void {
    if (this.state === 'closed') return
    this.stats.packetsSent++
    this.onSent?.(frame)
    this.transport.write(frame)
  }

  /** Hook for server-wide counters (packets sent, response sizes); set by the core. */
  onSent: ((frame: Buffer) => void) | undefined

  get pendingEntries(): number {
    return this.queue.length - this.queueHead
  }

  /** Interest ops as Apache prints them: 1 read, 4 write, 5 both, 0 neither. */
  get interestOps(): number {
    if (this.state === 'closed') return 0
    return (this.readingEnabled ? 1 : 0) | (this.transport.pendingWriteBytes > 0 ? 4 : 0)
  }
}
