import { type Server, type Socket, createConnection, createServer } from 'node:net'
import { encodeInitialMessage, readInitialMessage } from '../quorum/wire/initial-message'
import { LOOPBACK, type PeerLinkPorts } from './port-layout'

/**
 * What a link currently does to traffic. `cut` models a symmetric partition: connections are reset and new ones
 * refused (or, with `blackhole`, accepted and never answered). The drop flags model one-way partitions: the
 * connection stays up and bytes in that direction vanish.
 */
export interface LinkFaults {
  cut: boolean
  blackhole: boolean
  /** Bytes from the dialling member (`from`) to `to` are discarded. */
  dropForward: boolean
  /** Bytes from `to` back to `from` are discarded. */
  dropBackward: boolean
}

export const NO_FAULTS: Readonly<LinkFaults> = { cut: false, blackhole: false, dropForward: false, dropBackward: false }

export interface PeerLinkOptions {
  ports: PeerLinkPorts
  /**
   * Election links only: the address to put in the dialler's initial message, i.e. the link port through which
   * `to` reaches `from`. Apache's acceptor connects back to the address a lower-sid dialler announces
   * (QuorumCnxManager.handleConnection), which is the dialler's real election port; without the rewrite that
   * reverse connection would bypass the proxies and ignore partitions.
   */
  announceAddress?: string
  /**
   * How long to keep retrying a target that refuses the connection before resetting the dialler's. Default 0
   * (reset at once, the closest a proxy gets to a refused connection).
   */
  connectRetryMs?: number
}

/** One TCP proxy: member `from` dials `listenPort`, we relay to `to`'s real port, applying the link's faults. */
export class PeerLink {
  readonly ports: PeerLinkPorts
  private readonly announceAddress: string | undefined
  private readonly connectRetryMs: number
  private readonly server: Server
  private readonly relays = new Set<Relay>()
  private readonly held = new Set<Socket>()
  private faults: LinkFaults = { ...NO_FAULTS }
  private closed = false

  constructor(options: PeerLinkOptions) {
    this.ports = options.ports
    this.announceAddress = options.announceAddress
    this.connectRetryMs = options.connectRetryMs ?? 0
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket))
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen({ port: this.ports.listenPort, host: LOOPBACK, exclusive: true }, () => {
        this.server.removeListener('error', reject)
        this.server.on('error', () => {}) // after listening, accept errors (EMFILE…) only cost that connection
        resolve()
      })
    })
  }

  get currentFaults(): Readonly<LinkFaults> {
    return this.faults
  }

  /** Relayed connections open right now (held blackhole connections not counted). */
  get connectionCount(): number {
    return this.relays.size
  }

  setFaults(next: LinkFaults): void {
    const previous = this.faults
    this.faults = { ...next }
    if (next.cut) {
      for (const relay of [...this.relays]) relay.reset()
    }
    if (!next.cut || !next.blackhole) this.releaseHeld()
    for (const relay of this.relays) relay.setDrops(next.dropForward, next.dropBackward)
    // A connection that lost bytes has a torn stream (half a frame went missing): once the drop ends, reset it so
    // both members see a broken connection and reconnect, as they would after TCP gave up.
    const dropEnded = (previous.dropForward && !next.dropForward) || (previous.dropBackward && !next.dropBackward)
    if (dropEnded) {
      for (const relay of [...this.relays]) if (relay.lostBytes) relay.reset()
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.closed = true
    for (const relay of [...this.relays]) relay.reset()
    this.releaseHeld()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private releaseHeld(): void {
    for (const socket of this.held) resetSocket(socket)
    this.held.clear()
  }

  private accept(downstream: Socket): void {
    downstream.on('error', () => {})
    if (this.closed) {
      resetSocket(downstream)
      return
    }
    if (this.faults.cut) {
      if (!this.faults.blackhole) {
        resetSocket(downstream)
        return
      }
      this.held.add(downstream)
      downstream.on('data', () => {})
      downstream.once('close', () => this.held.delete(downstream))
      return
    }
    const relay = new Relay(downstream, this.ports.targetPort, this.announceAddress, this.connectRetryMs, () => this.relays.delete(relay))
    relay.setDrops(this.faults.dropForward, this.faults.dropBackward)
    this.relays.add(relay)
  }
}

function resetSocket(socket: Socket): void {
  try {
    if (!socket.destroyed) socket.resetAndDestroy()
  } catch {
    socket.destroy()
  }
}

/** Most bytes a relay keeps for a target that is not listening yet (a learner's FOLLOWERINFO is a few dozen). */
const PENDING_BYTES_MAX = 1024 * 1024
const CONNECT_RETRY_INTERVAL_MS = 50

/** One relayed connection: downstream (the dialling member) ⇄ upstream (the target's real port). */
class Relay {
  private upstream: Socket | null = null
  private upstreamConnected = false
  private readonly pending: Buffer[] = []
  private pendingBytes = 0
  private retryTimer: NodeJS.Timeout | undefined
  private readonly retryDeadline: number
  private finished = false
  private dropForward = false
  private dropBackward = false
  /** Set once any byte was discarded in either direction. */
  lostBytes = false
  /** Election links: bytes of the initial message gathered until it is complete; null once passed. */
  private initialBytes: Buffer | null

  constructor(
    private readonly downstream: Socket,
    private readonly targetPort: number,
    private readonly announceAddress: string | undefined,
    connectRetryMs: number,
    private readonly onClosed: () => void,
  ) {
    this.initialBytes = announceAddress === undefined ? null : Buffer.alloc(0)
    this.retryDeadline = Date.now() + connectRetryMs
    downstream.on('error', () => this.reset())
    downstream.on('data', (chunk: Buffer) => this.forward(chunk))
    downstream.on('end', () => {
      if (this.upstreamConnected) this.upstream?.end()
      else this.reset() // the dialler gave up before the target answered
    })
    downstream.once('close', () => this.sideClosed())
    this.connectUpstream()
  }

  setDrops(dropForward: boolean, dropBackward: boolean): void {
    this.dropForward = dropForward
    this.dropBackward = dropBackward
  }

  reset(): void {
    clearTimeout(this.retryTimer)
    resetSocket(this.downstream)
    if (this.upstream !== null) resetSocket(this.upstream)
    this.finish()
  }

  /**
   * Dials the target. A refused dial is retried until `connectRetryMs` has passed, holding what the dialler sent:
   * the dialler has already seen its connection accepted (by us), so refusing it now would look like a connection
   * that broke, not one that was refused. Apache's learner retries refused dials to the leader's quorum port,
   * which opens only once the leader leads, but gives up following at once on a broken one.
   */
  private connectUpstream(): void {
    const upstream = createConnection({ port: this.targetPort, host: LOOPBACK, allowHalfOpen: true, noDelay: true })
    this.upstream = upstream
    upstream.once('connect', () => {
      this.upstreamConnected = true
      for (const chunk of this.pending.splice(0)) this.writeUpstream(chunk)
      this.pendingBytes = 0
    })
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      const refused = !this.upstreamConnected && error.code === 'ECONNREFUSED'
      if (refused && !this.finished && Date.now() < this.retryDeadline) {
        upstream.destroy()
        this.retryTimer = setTimeout(() => this.connectUpstream(), CONNECT_RETRY_INTERVAL_MS)
        return
      }
      this.reset()
    })
    upstream.on('data', (chunk: Buffer) => this.backward(chunk))
    upstream.on('end', () => this.downstream.end())
    upstream.once('close', () => {
      if (this.upstreamConnected) this.sideClosed()
    })
  }

  /** One side is fully closed: finish the other gracefully (its pending bytes still go out); both closed: done. */
  private sideClosed(): void {
    if (this.downstream.destroyed && (this.upstream === null || this.upstream.destroyed)) {
      this.finish()
      return
    }
    if (!this.upstreamConnected) {
      this.reset()
      return
    }
    this.downstream.end()
    this.upstream?.end()
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    clearTimeout(this.retryTimer)
    this.onClosed()
  }

  private forward(chunk: Buffer): void {
    let bytes: Buffer | null = chunk
    if (this.initialBytes !== null) bytes = this.rewriteInitial(chunk)
    if (bytes === null || bytes.length === 0) return
    if (this.dropForward) {
      this.lostBytes = true
      return
    }
    if (!this.upstreamConnected) {
      this.pending.push(bytes)
      this.pendingBytes += bytes.length
      if (this.pendingBytes > PENDING_BYTES_MAX) this.reset()
      return
    }
    this.writeUpstream(bytes)
  }

  private writeUpstream(bytes: Buffer): void {
    const upstream = this.upstream
    if (upstream === null) return
    if (!upstream.write(bytes)) {
      this.downstream.pause()
      upstream.once('drain', () => this.downstream.resume())
    }
  }

  private backward(chunk: Buffer): void {
    if (this.dropBackward) {
      this.lostBytes = true
      return
    }
    if (!this.downstream.write(chunk)) {
      this.upstream?.pause()
      this.downstream.once('drain', () => this.upstream?.resume())
    }
  }

  /**
   * Gathers the dialler's initial message and replaces its election address by the reverse link's. Returns the
   * bytes to pass on (null while incomplete). Anything that does not parse goes through untouched: the target
   * member judges it.
   */
  private rewriteInitial(chunk: Buffer): Buffer | null {
    const pending = Buffer.concat([this.initialBytes ?? Buffer.alloc(0), chunk])
    let read: ReturnType<typeof readInitialMessage>
    try {
      read = readInitialMessage(pending)
    } catch {
      this.initialBytes = null
      return pending
    }
    if (read.kind === 'incomplete') {
      this.initialBytes = pending
      return null
    }
    this.initialBytes = null
    const { message, bytesUsed } = read
    const sid = Number(message.sid)
    if (message.protocolVersion >= 0n || this.announceAddress === undefined || !Number.isSafeInteger(sid)) return pending
    const rewritten = encodeInitialMessage(sid, this.announceAddress, message.protocolVersion)
    return Buffer.concat([rewritten, pending.subarray(bytesUsed)])
  }
}
