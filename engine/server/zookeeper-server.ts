import { type Server, type Socket, createServer } from 'node:net'
import type { MemberConfig } from '../node/config-types'
import type { AuthProvider, DataTreeApi } from '../tree/api'
import { treeAccessControl } from './access-control'
import { AdminServer } from './admin-server'
import type { ClientConnection } from './connection'
import { SocketTransport } from './net-transport'
import type { QuotaCheck } from './prep'
import { type ServerClock, ServerCore, type StorageFigures } from './server-core'
import type { TxnSink } from './txn-sink'

export interface ZooKeeperServerOptions {
  config: MemberConfig
  /** The tree, restored from storage by the caller. `quotaCheck` (DataTree has it) enables enforceQuota. */
  tree: DataTreeApi & { quotaCheck?: QuotaCheck }
  sink: TxnSink
  /** Sessions restored from storage (id → timeout); each gets a full timeout from now, as in Apache. */
  restoredSessions?: ReadonlyMap<bigint, number>
  clock?: ServerClock
  /** Called after every applied txn: the storage layer decides whether to roll the log and snapshot. */
  maybeSnapshot?: () => void
  storage?: StorageFigures
  /** Extra auth providers (sasl, x509); ip and digest are always there. */
  authProviders?: ReadonlyMap<string, AuthProvider>
  onFatalError?: (error: unknown) => void
  /** An ensemble member: serves clients only while its quorum role says so (ServerCoreOptions.quorum). */
  quorum?: boolean
}

/** Monotonic time for timeouts, wall time for txn stamps; whole milliseconds, as Apache's `Time` gives them. */
export const systemClock: ServerClock = {
  nowMs: () => Math.floor(performance.now()),
  wallMs: () => Date.now(),
}

/**
 * A standalone ZooKeeper server: the sans-IO core bound to a node:net listener (and the AdminServer on node:http).
 */
export class ZooKeeperServer {
  readonly core: ServerCore
  private readonly listener: Server
  private readonly sockets = new Set<Socket>()
  private admin: AdminServer | undefined
  private timer: NodeJS.Timeout | undefined
  private timerDueMs = Number.POSITIVE_INFINITY
  private closing: Promise<void> | undefined

  constructor(private readonly options: ZooKeeperServerOptions) {
    const quotaCheck = options.tree.quotaCheck?.bind(options.tree)
    this.core = new ServerCore({
      config: options.config,
      tree: options.tree,
      sink: options.sink,
      access: treeAccessControl({ skipACL: options.config.skipACL, ...(options.authProviders ? { providers: options.authProviders } : {}) }),
      clock: options.clock ?? systemClock,
      ...(options.restoredSessions ? { restoredSessions: options.restoredSessions } : {}),
      ...(options.maybeSnapshot ? { maybeSnapshot: options.maybeSnapshot } : {}),
      ...(options.storage ? { storage: options.storage } : {}),
      ...(options.onFatalError ? { onFatalError: options.onFatalError } : {}),
      ...(quotaCheck ? { quotaCheck } : {}),
      ...(options.quorum ? { quorum: true, onDeadlineChanged: () => this.scheduleTimer() } : {}),
    })
    this.listener = createServer({ noDelay: true, pauseOnConnect: false }, (socket) => this.onSocket(socket))
  }

  /** Starts listening on clientPortAddress:clientPort (0 = any free port) and the AdminServer when enabled. */
  async listen(): Promise<{ port: number; adminPort?: number }> {
    const { config } = this.options
    await new Promise<void>((resolve, reject) => {
      this.listener.once('error', reject)
      const backlog = config.clientPortListenBacklog > 0 ? config.clientPortListenBacklog : undefined
      this.listener.listen({ port: config.clientPort, host: config.clientPortAddress, ...(backlog ? { backlog } : {}) }, () => {
        this.listener.off('error', reject)
        resolve()
      })
    })
    const address = this.listener.address()
    const port = typeof address === 'object' && address !== null ? address.port : config.clientPort
    // conf / AdminServer report the port actually bound (it differs when clientPort was 0).
    this.core.config = { ...this.core.config, clientPort: port }
    this.scheduleTimer()
    if (!config.adminEnableServer) return { port }
    this.admin = new AdminServer(this.core, this.core.config)
    const adminPort = await this.admin.listen()
    return { port, adminPort }
  }

  /**
   * Stops listening, closes every connection and the AdminServer, and waits until every txn already appended is
   * committed and applied. The log itself is the caller's to close (after this resolves).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer !== undefined) clearTimeout(this.timer)
      this.timer = undefined
      this.core.shutdown()
      for (const socket of this.sockets) socket.destroy()
      await Promise.all([
        new Promise<void>((resolve) => this.listener.close(() => resolve())),
        this.admin?.close() ?? Promise.resolve(),
        this.core.flush(),
      ])
    })()
    return this.closing
  }

  private onSocket(socket: Socket): void {
    const cnx = this.core.accept(new SocketTransport(socket))
    if (cnx === undefined) {
      socket.destroy()
      return
    }
    this.sockets.add(socket)
    socket.on('data', (chunk: Buffer) => this.core.receive(cnx, chunk))
    socket.on('drain', () => this.core.drained(cnx))
    socket.on('error', () => socket.destroy())
    socket.on('close', () => {
      this.sockets.delete(socket)
      this.core.disconnected(cnx as ClientConnection)
    })
  }

  /** Live sessions and their timeouts, what a snapshot stores. */
  sessionsForSnapshot(): Map<bigint, number> {
    return this.core.sessions.sessionTimeouts()
  }

  /** One timer, set for the core's next deadline (session buckets are one tick apart at most). */
  private scheduleTimer(): void {
    if (this.closing !== undefined) return
    const dueMs = this.core.nextDeadlineMs()
    if (this.timer !== undefined && dueMs >= this.timerDueMs) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timerDueMs = dueMs
    const clock = this.options.clock ?? systemClock
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerDueMs = Number.POSITIVE_INFINITY
      this.core.onTimer()
      this.scheduleTimer()
    }, Math.max(0, dueMs - clock.nowMs()))
    this.timer.unref()
  }
}
