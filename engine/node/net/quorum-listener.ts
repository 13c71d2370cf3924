import { type Server, type Socket, createServer } from 'node:net'
import type { QuorumPacket } from '../../quorum/wire/quorum-packet'
import type { Logger } from '../log'
import { QuorumConnection, type QuorumConnectionClosed, type QuorumConnectionEvents } from './quorum-connection'

export interface QuorumListenerOptions {
  bindHost: string
  /** 0 picks a free port (tests). */
  bindPort: number
  log: Logger
  /** A learner connected (`learnerConnected` for the peer, with `connection.id`). */
  onLearnerConnected(connection: QuorumConnection): void
  onPacket(connection: QuorumConnection, packet: QuorumPacket): void
  /** Once per connection. A cause other than `local` is the peer's `learnerDisconnected`. */
  onClose(connection: QuorumConnection, closed: QuorumConnectionClosed): void
  maxPacketBytes?: number
  highWaterBytes?: number
}

/**
 * The leader's quorum port (Apache's LearnerCnxAcceptor): accepts learner connections and frames their packets.
 * The host listens while the member leads and closes the listener when it stops leading (Apache binds the socket in
 * the Leader and closes it at shutdown). Bytes that are not a QuorumPacket close only that connection.
 */
export class QuorumListener {
  private readonly server: Server
  private readonly live = new Map<number, QuorumConnection>()
  private stopped = false
  private readonly events: QuorumConnectionEvents<never>

  constructor(private readonly options: QuorumListenerOptions) {
    this.events = {
      onPacket: (connection, packet) => options.onPacket(connection, packet),
      onClose: (connection, closed) => {
        this.live.delete(connection.id)
        if (closed.cause === 'error') options.log.warn(`Closing learner connection ${connection.id} (${connection.remoteAddress}): ${closed.reason}`)
        options.onClose(connection, closed)
      },
    }
    this.server = createServer((socket) => this.accept(socket))
  }

  /** Binds the quorum port; resolves with the port bound. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => reject(error)
      this.server.once('error', failed)
      this.server.listen({ host: this.options.bindHost, port: this.options.bindPort }, () => {
        this.server.off('error', failed)
        this.server.on('error', (error) => this.options.log.error('quorum listener failed', error))
        const address = this.server.address()
        const port = address !== null && typeof address === 'object' ? address.port : this.options.bindPort
        this.options.log.info(`Leader listening for learners on ${this.options.bindHost}:${port}`)
        resolve(port)
      })
    })
  }

  /** A live connection by id, for the peer's `sendToLearner` / `closeLearnerConnection` effects. */
  connection(id: number): QuorumConnection | undefined {
    return this.live.get(id)
  }

  get connectionCount(): number {
    return this.live.size
  }

  /** Stops accepting and closes every learner connection (each reports `onClose` with cause `local`). */
  async close(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true
      for (const connection of this.live.values()) connection.close('leader stopped listening')
    }
    if (!this.server.listening) return
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy()
      return
    }
    const connection = new QuorumConnection<never>(socket, true, this.events, {
      maxPacketBytes: this.options.maxPacketBytes,
      highWaterBytes: this.options.highWaterBytes,
    })
    this.live.set(connection.id, connection)
    this.options.log.info(`Learner connection ${connection.id} from ${connection.remoteAddress}`)
    this.options.onLearnerConnected(connection)
  }
}
