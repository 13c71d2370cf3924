import { type Server, type Socket, createConnection, createServer } from 'node:net'
import {
  ELECTION_MESSAGE_MAX_BYTES,
  OBSERVER_ID,
  encodeInitialMessage,
  frameElectionMessage,
  type InitialMessage,
} from '../../quorum/wire/initial-message'
import { type Notification, decodeNotification, encodeNotification } from '../../quorum/wire/notification'
import type { Logger } from '../log'
import { IncomingHandshake, type HandshakeResult } from './election-handshake'
import { ElectionLink, type ElectionLinkEvents } from './election-link'
import { type SocketAddress, formatSocketAddress, parseSocketAddress } from './socket-address'

/** Apache's cnxTimeout is 5 s; members are on a LAN, and a short timeout frees the slot for the next attempt. */
export const DEFAULT_ELECTION_CONNECT_TIMEOUT_MS = 1000
/** How long an accepted connection may take to send its initial message. */
export const DEFAULT_ELECTION_HANDSHAKE_TIMEOUT_MS = 5000
/** After sending the initial message to a higher sid we close; a peer that never reads does not keep the socket. */
const DROP_GRACE_MS = 1000

export interface ElectionTransportOptions {
  myId: number
  bindHost: string
  /** 0 picks a free port (tests); `listen` resolves with the port bound. */
  bindPort: number
  /**
   * The election address we announce in the initial message (peers that accept a connection from a lower sid
   * connect back to it). Default: `bindHost` and the bound port. Set it when binding a wildcard address.
   */
  announcedAddress?: SocketAddress
  /**
   * Election addresses of the other voters and observers (`server.N` lines). Read on every connection attempt, so
   * a host may keep one Map and update it.
   */
  peers: ReadonlyMap<number, SocketAddress>
  /** A decoded notification from server `from` (the sid of the connection it came on). */
  onNotification(from: number, notification: Notification): void
  log: Logger
  connectTimeoutMs?: number
  handshakeTimeoutMs?: number
}

/** What we know about one remote server, connected or not (Apache keeps these per sid in several maps). */
interface Channel {
  readonly sid: number
  /** Apache's send queue of capacity 1: only the newest message waits. Kept while no connection exists. */
  queued: Buffer | null
  /** Apache's `lastMessageSent`: re-sent when a new connection forms and nothing newer waits. */
  lastSent: Buffer | null
  /** The one surviving connection (the one opened by the higher sid). */
  link: ElectionLink | null
  /** An outgoing connection attempt in progress (Apache's `inprogressConnections`): one at a time. */
  connecting: Socket | null
}

/**
 * The election port of one member (Apache's QuorumCnxManager) on node:net.
 *
 * Every connection starts with the initiator's initial message (protocol -65536, sid, election address). Only the
 * connection opened by the higher sid survives: a member that connects to a higher sid sends its initial message
 * and closes, and the higher sid, seeing a connection from a lower sid, closes it and connects back (to the address
 * the initial message announced). A newer connection from the same sid replaces the older one.
 *
 * `send` never blocks and never throws: without a connection it starts one (one attempt at a time per peer, with a
 * short timeout) and keeps only the newest message for that peer; a peer that is down or slow costs the others
 * nothing. The quorum machine re-sends on its own timeouts, so there is no retry timer here.
 *
 * Connections are accepted from sids outside `peers` too, as Apache 3.8 does (dynamic reconfiguration): a higher
 * one is kept and its notifications are delivered (the election decides what a non-voter's message means); a lower
 * one is connected back to at its announced address.
 */
export class ElectionTransport {
  private readonly myId: number
  private readonly log: Logger
  private readonly connectTimeoutMs: number
  private readonly handshakeTimeoutMs: number
  private readonly channels = new Map<number, Channel>()
  private readonly handshakes = new Set<IncomingHandshake>()
  private readonly droppedSockets = new Set<Socket>()
  private readonly server: Server
  private announced: string | null = null
  /** Apache's `observerCounter`: ids handed to peers that connect as OBSERVER_ID. */
  private nextObserverId = -1
  private stopped = false
  private readonly linkEvents: ElectionLinkEvents = {
    onMessage: (link, payload) => this.receive(link, payload),
    onWritable: (link) => this.flush(this.channels.get(link.sid)),
    onClosed: (link, reason, local) => this.linkClosed(link, reason, local),
  }

  constructor(private readonly options: ElectionTransportOptions) {
    this.myId = options.myId
    this.log = options.log
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_ELECTION_CONNECT_TIMEOUT_MS
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_ELECTION_HANDSHAKE_TIMEOUT_MS
    this.server = createServer((socket) => this.accept(socket))
    // Known before binding unless the port is chosen by the system; until then outgoing connections wait for it.
    const announced = options.announcedAddress ?? (options.bindPort !== 0 ? { host: options.bindHost, port: options.bindPort } : null)
    this.announced = announced === null ? null : formatSocketAddress(announced)
  }

  /** Binds the election port; resolves with the port bound. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => reject(error)
      this.server.once('error', failed)
      this.server.listen({ host: this.options.bindHost, port: this.options.bindPort }, () => {
        this.server.off('error', failed)
        this.server.on('error', (error) => this.log.error('election listener failed', error))
        const address = this.server.address()
        const port = address !== null && typeof address === 'object' ? address.port : this.options.bindPort
        this.announced = formatSocketAddress(this.options.announcedAddress ?? { host: this.options.bindHost, port })
        this.log.info(`${this.myId} is accepting connections now, my election bind port: ${this.options.bindHost}:${port}`)
        resolve(port)
      })
    })
  }

  /**
   * Sends a notification to server `to` (to ourselves: delivered back on a later microtask, as Apache's loopback).
   * Without a connection it opens one; until then only this newest message is kept for that server.
   */
  send(to: number, notification: Notification): void {
    if (this.stopped) return
    let frame: Buffer
    try {
      frame = frameElectionMessage(encodeNotification(notification))
    } catch (error) {
      this.log.error(`cannot encode a notification for server ${to}`, error)
      return
    }
    if (frame.length - 4 > ELECTION_MESSAGE_MAX_BYTES) {
      // Apache would send it and the receiver would drop the connection ("invalid packet"); we keep the connection.
      this.log.error(`not sending a ${frame.length - 4}-byte notification to server ${to}: over ${ELECTION_MESSAGE_MAX_BYTES} bytes`)
      return
    }
    if (to === this.myId) {
      queueMicrotask(() => {
        if (!this.stopped) this.options.onNotification(this.myId, decodeNotification(frame.subarray(4)))
      })
      return
    }
    const channel = this.channel(to)
    channel.queued = frame
    if (channel.link !== null) this.flush(channel)
    else this.connectOne(channel)
  }

  /** Sids with a live connection right now. */
  connectedPeers(): number[] {
    const sids: number[] = []
    for (const channel of this.channels.values()) if (channel.link !== null) sids.push(channel.sid)
    return sids.sort((a, b) => a - b)
  }

  /** Who opened the live connection to `sid` ('us' when we have the higher sid), or null when there is none. */
  connectionInitiator(sid: number): 'us' | 'them' | null {
    const link = this.channels.get(sid)?.link ?? null
    return link === null ? null : link.initiatedByUs ? 'us' : 'them'
  }

  /** Bytes waiting for `sid`: the socket's unsent bytes plus the queued message. Bounded by design. */
  pendingBytes(sid: number): number {
    const channel = this.channels.get(sid)
    if (channel === undefined) return 0
    return (channel.link?.pendingBytes ?? 0) + (channel.queued?.length ?? 0)
  }

  /** Stops listening and closes every connection. Idempotent; nothing is delivered afterwards. */
  async close(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true
      for (const handshake of this.handshakes) handshake.abort()
      this.handshakes.clear()
      for (const socket of this.droppedSockets) socket.destroy()
      this.droppedSockets.clear()
      for (const channel of this.channels.values()) {
        channel.connecting?.destroy()
        channel.connecting = null
        channel.link?.close('transport closed')
      }
    }
    if (!this.server.listening) return
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  // ---- sending --------------------------------------------------------------------------------------------------

  private channel(sid: number): Channel {
    let channel = this.channels.get(sid)
    if (channel === undefined) {
      channel = { sid, queued: null, lastSent: null, link: null, connecting: null }
      this.channels.set(sid, channel)
    }
    return channel
  }

  /** Writes the queued message if the connection takes it; otherwise it waits, replaced by any newer one. */
  private flush(channel: Channel | undefined): void {
    const link = channel?.link
    if (channel === undefined || link == null || channel.queued === null || !link.writable) return
    const frame = channel.queued
    channel.queued = null
    channel.lastSent = frame
    link.write(frame)
  }

  /** Apache's `connectOne(sid)`: the configured address, if there is one and no connection or attempt yet. */
  private connectOne(channel: Channel): void {
    if (channel.link !== null || channel.connecting !== null) return
    const address = this.options.peers.get(channel.sid)
    if (address === undefined) {
      this.log.warn(`Invalid server id: ${channel.sid}`)
      return
    }
    this.initiate(channel, address)
  }

  private initiate(channel: Channel, address: SocketAddress): void {
    const { sid } = channel
    const socket = createConnection({ host: address.host, port: address.port })
    socket.setNoDelay(true)
    channel.connecting = socket
    let connected = false
    const timer = setTimeout(() => socket.destroy(new Error(`connect timed out after ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs)
    socket.on('error', (error: Error) => {
      if (!connected) this.log.warn(`Cannot open channel to ${sid} at election address ${formatSocketAddress(address)}: ${error.message}`)
    })
    socket.once('close', () => {
      clearTimeout(timer)
      if (channel.connecting === socket) channel.connecting = null
    })
    socket.once('connect', () => {
      clearTimeout(timer)
      connected = true
      if (channel.connecting === socket) channel.connecting = null
      this.connected(channel, socket)
    })
  }

  /** Our attempt reached the peer: introduce ourselves, then keep the connection only if our sid is higher. */
  private connected(channel: Channel, socket: Socket): void {
    if (this.stopped || this.announced === null) {
      // Closed meanwhile, or sending before `listen` picked our port: there is no address to announce yet.
      socket.destroy()
      return
    }
    socket.write(encodeInitialMessage(this.myId, this.announced))
    if (channel.sid > this.myId) {
      this.log.info(`Have smaller server identifier, so dropping the connection: (myId:${this.myId} --> sid:${channel.sid})`)
      this.dropAfterFlush(socket)
      return
    }
    this.establish(channel, socket, true, EMPTY)
  }

  /** Half-closes after the initial message is out; destroys it if the peer does not finish closing soon. */
  private dropAfterFlush(socket: Socket): void {
    this.droppedSockets.add(socket)
    const timer = setTimeout(() => socket.destroy(), DROP_GRACE_MS)
    socket.once('close', () => {
      clearTimeout(timer)
      this.droppedSockets.delete(socket)
    })
    socket.resume() // read (and discard) until the peer closes its side
    socket.end()
  }

  // ---- accepting ------------------------------------------------------------------------------------------------

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy()
      return
    }
    socket.setNoDelay(true)
    this.log.info(`Received connection request from ${socket.remoteAddress}:${socket.remotePort}`)
    this.handshakes.add(new IncomingHandshake(socket, this.handshakeTimeoutMs, (handshake, result) => this.handshaken(handshake, result)))
  }

  private handshaken(handshake: IncomingHandshake, result: HandshakeResult): void {
    this.handshakes.delete(handshake)
    const { socket } = handshake
    const from = `${socket.remoteAddress}:${socket.remotePort}`
    if (result.kind === 'failed') {
      if (result.cause === 'parse') this.log.error(`Initial message parsing error! (from ${from}): ${result.reason}`)
      else this.log.warn(`Dropping election connection from ${from}: ${result.reason}`)
      return
    }
    const sid = this.sidOf(result.message)
    if (sid === null) {
      this.log.warn(`Dropping election connection from ${from}: server id ${result.message.sid} is out of range`)
      socket.destroy()
      return
    }
    if (sid < this.myId) {
      // We win the challenge: drop theirs, connect back (first to the address they announced, as Apache does).
      socket.destroy()
      this.connectBack(sid, announcedAddress(result.message))
    } else if (sid === this.myId) {
      // ZOOKEEPER-2164: a configuration error or a bug. Apache logs and leaves the socket open; we close it.
      this.log.warn(`We got a connection request from a server with our own ID (from ${from}). This should be either a configuration error, or a bug.`)
      socket.destroy()
    } else {
      this.establish(this.channel(sid), socket, false, result.rest)
    }
  }

  /** The sid as a number; OBSERVER_ID gets a fresh negative id (Apache's observerCounter). Null if unrepresentable. */
  private sidOf(message: InitialMessage): number | null {
    if (message.sid === OBSERVER_ID) {
      const sid = this.nextObserverId--
      this.log.info(`Setting arbitrary identifier to observer: ${sid}`)
      return sid
    }
    const sid = Number(message.sid)
    return Number.isSafeInteger(sid) ? sid : null
  }

  /** Apache's handleConnection for a lower sid: finish our old connection to it, then connect anew. */
  private connectBack(sid: number, announced: SocketAddress | null): void {
    const channel = this.channel(sid)
    channel.link?.close('the peer opened a new connection')
    this.log.debug(`Create new connection to server: ${sid}`)
    if (announced === null) {
      this.connectOne(channel)
      return
    }
    if (channel.connecting === null) this.initiate(channel, announced)
  }

  // ---- established connections ----------------------------------------------------------------------------------

  private establish(channel: Channel, socket: Socket, initiatedByUs: boolean, rest: Buffer): void {
    const link = new ElectionLink(channel.sid, initiatedByUs, socket, this.linkEvents)
    const previous = channel.link
    channel.link = link
    previous?.close('replaced by a newer connection')
    // SendWorker's start: the newest queued message, or else the last one sent (the peer may have missed it).
    if (channel.queued !== null) this.flush(channel)
    else if (channel.lastSent !== null) link.write(channel.lastSent)
    link.start(rest)
  }

  private receive(link: ElectionLink, payload: Buffer): void {
    let notification: Notification
    try {
      notification = decodeNotification(payload)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      this.log.warn(`Skipping the processing of a partial / malformed response message sent by sid=${link.sid} (message length: ${payload.length}): ${reason}`)
      return
    }
    if (!this.stopped) this.options.onNotification(link.sid, notification)
  }

  private linkClosed(link: ElectionLink, reason: string, local: boolean): void {
    const channel = this.channels.get(link.sid)
    if (channel === undefined || channel.link !== link) return
    channel.link = null
    if (!local && !this.stopped) this.log.warn(`Connection broken for id ${link.sid}, my id = ${this.myId}: ${reason}`)
    // Servers outside the configuration leave no state behind once their connection is gone.
    if (!this.options.peers.has(link.sid) && channel.connecting === null) this.channels.delete(link.sid)
  }
}

const EMPTY = Buffer.alloc(0)

function announcedAddress(message: InitialMessage): SocketAddress | null {
  const first = message.addresses[0]
  return first === undefined ? null : parseSocketAddress(first)
}
