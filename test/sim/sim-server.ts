import { encode } from '../../engine/jute'
import { CreateRequest, DeleteRequest, ErrorCode, OPEN_ACL_UNSAFE, OpCode, SetDataRequest, SyncRequest } from '../../engine/proto'
import type { PeerInput } from '../../engine/quorum/peer/inputs'
import type { ForwardedRequest } from '../../engine/quorum/wire/learner-payloads'
import type { ClientConnection, ClientOp, ClientReply, CloseReason, ConnectAsk } from './client-protocol'
import type { EventQueue } from './event-queue'
import { type LeaderHost, createFlags } from './leader-host'
import type { SimTree, TreeEntry } from './sim-tree'

/** What the client side of a member needs of the member. */
export interface ServerMember {
  readonly id: number
  readonly tree: SimTree
  /** Set while this member is the established leader. */
  readonly leaderHost: LeaderHost | null
  /** The established leader of the newest epoch (its syncs are as fresh as ZooKeeper's get). */
  readonly isNewestLeader: boolean
  localNowMs(): number
  input(input: PeerInput): void
  note(line: string): void
}

/**
 * Deliberate bugs, to prove the checks catch a broken ensemble (test/sim/sabotage.test.ts):
 * - staleSync: a learner answers a sync at once instead of asking the leader;
 * - forgetEphemerals: the leader's prep lists none of the session's ephemerals in a closeSession txn (members then
 *   delete what they know of, as Apache does, but the txn no longer says what the session owned).
 */
export type Sabotage = 'staleSync' | 'forgetEphemerals'

export interface ServerWorld {
  readonly sabotage: Sabotage | null
  readonly queue: EventQueue
  readonly tickTimeMs: number
  /** One-way delay between a client and a member. */
  clientDelayMs(): number
  /** A new session id, made by the member the client connected to (its myid in the top byte, as Apache does). */
  newSessionId(memberId: number): bigint
}

/**
 * The client port of one member process, as Apache's ZooKeeperServer + FollowerZooKeeperServer behave towards
 * clients: connections are accepted only while serving, and refused from a client that has seen a newer zxid than
 * ours; new sessions go through the leader as createSession txns, reconnecting sessions are revalidated by the
 * leader; reads are answered from our tree at once; writes and syncs go to the leader (forwarded, or straight into
 * prep on the leader) and are answered when we apply their txn / get the SYNC; every request touches its session.
 * When the member stops serving, every connection is closed.
 */
export class SimServer {
  private readonly connections = new Set<ClientConnection>()
  /** Writes in flight, by `sessionId:cxid`: answered when their txn is applied here. */
  private readonly pendingRequests = new Map<string, ClientConnection>()
  /** Sessions being created or revalidated, by session id. */
  private readonly pendingSessions = new Map<bigint, ClientConnection>()
  /** Syncs forwarded to the leader, oldest first (Apache's `pendingSyncs`). */
  private pendingSyncs: { connection: ClientConnection; cxid: number }[] = []
  private serving = false

  constructor(
    private readonly member: ServerMember,
    private readonly world: ServerWorld,
  ) {}

  startServing(): void {
    this.serving = true
  }

  /** Not serving any more (lost the leader, stepped down, crashed): every client is disconnected. */
  stopServing(reason: CloseReason): void {
    this.serving = false
    for (const connection of [...this.connections]) this.close(connection, reason)
    this.pendingRequests.clear()
    this.pendingSessions.clear()
    this.pendingSyncs = []
  }

  // ---- from clients (already on the member's thread: the caller went through whenRunning) ---------------------

  connect(connection: ClientConnection, ask: ConnectAsk): void {
    if (!this.serving) return this.close(connection, 'refused')
    const tree = this.member.tree
    if (ask.lastZxidSeen > tree.lastZxid) {
      this.member.note(`refusing a client that has seen zxid 0x${ask.lastZxidSeen.toString(16)}: ours is 0x${tree.lastZxid.toString(16)}`)
      return this.close(connection, 'refused')
    }
    this.connections.add(connection)
    const tickMs = this.world.tickTimeMs
    connection.timeoutMs = Math.min(Math.max(ask.timeoutMs, 2 * tickMs), 20 * tickMs)
    if (ask.sessionId === null) {
      const sessionId = this.world.newSessionId(this.member.id)
      connection.sessionId = sessionId
      this.pendingSessions.set(sessionId, connection)
      const body = Buffer.alloc(4)
      body.writeInt32BE(connection.timeoutMs, 0)
      this.toLeader({ sessionId, cxid: 0, type: OpCode.createSession, body, authinfo: null })
      return
    }
    connection.sessionId = ask.sessionId
    const leaderHost = this.member.leaderHost
    if (leaderHost !== null) return this.finishSession(connection, leaderHost.touch(ask.sessionId, connection.timeoutMs, this.member.localNowMs()))
    this.pendingSessions.set(ask.sessionId, connection)
    this.member.input({ kind: 'revalidateSession', sessionId: ask.sessionId, timeoutMs: connection.timeoutMs })
  }

  /** The client hung up (or gave up on us). */
  disconnect(connection: ClientConnection): void {
    connection.open = false
    this.connections.delete(connection)
  }

  request(connection: ClientConnection, cxid: number, op: ClientOp): void {
    if (!connection.open || !connection.established || !this.serving) return
    const sessionId = connection.sessionId!
    const leaderHost = this.member.leaderHost
    if (leaderHost !== null) leaderHost.touch(sessionId, connection.timeoutMs, this.member.localNowMs())
    else this.touchOnLearner(connection)
    const tree = this.member.tree
    switch (op.type) {
      case 'getData': {
        const node = tree.nodes.get(op.path)
        const reply: ClientReply =
          node === undefined ? { cxid, zxid: tree.lastZxid, err: ErrorCode.NONODE } : { cxid, zxid: tree.lastZxid, err: ErrorCode.OK, data: node.data, version: node.version }
        return this.send(connection, reply)
      }
      case 'sync':
        // On the leader a sync just keeps its place in the session's order; a learner asks the leader.
        if (leaderHost !== null) return this.send(connection, { cxid, zxid: tree.lastZxid, err: ErrorCode.OK, syncByNewestLeader: this.member.isNewestLeader })
        if (this.world.sabotage === 'staleSync') return this.send(connection, { cxid, zxid: tree.lastZxid, err: ErrorCode.OK, syncByNewestLeader: true })
        this.pendingSyncs.push({ connection, cxid })
        this.member.input({ kind: 'forwardRequest', request: { sessionId, cxid, type: OpCode.sync, body: encode(SyncRequest, { path: op.path }), authinfo: null } })
        return
      default:
        this.pendingRequests.set(`${sessionId}:${cxid}`, connection)
        this.toLeader(writeRequest(sessionId, cxid, op))
    }
  }

  // ---- from the member ----------------------------------------------------------------------------------------

  /** A txn was applied here while serving: answer its client if it is ours, close sessions that ended. */
  applied(entry: TreeEntry, result: number): void {
    if (!this.serving) return
    const { header, body } = entry.txn
    if (body.type === OpCode.createSession) {
      const connection = this.pendingSessions.get(header.clientId)
      if (connection === undefined) return
      this.pendingSessions.delete(header.clientId)
      return this.finishSession(connection, true)
    }
    const key = `${header.clientId}:${header.cxid}`
    const asker = this.pendingRequests.get(key)
    if (asker !== undefined) {
      this.pendingRequests.delete(key)
      this.send(asker, replyFor(entry, result))
    }
    if (body.type === OpCode.closeSession) {
      for (const connection of [...this.connections]) if (connection.sessionId === header.clientId) this.close(connection, 'sessionExpired')
    }
  }

  /** The leader's SYNC for our oldest pending sync arrived (we have applied everything before it). */
  syncDone(byNewestLeader: boolean): void {
    const next = this.pendingSyncs.shift()
    if (next === undefined) return
    this.send(next.connection, { cxid: next.cxid, zxid: this.member.tree.lastZxid, err: ErrorCode.OK, syncByNewestLeader: byNewestLeader })
  }

  /** The leader's answer to a reconnecting session. */
  revalidated(sessionId: bigint, valid: boolean): void {
    const connection = this.pendingSessions.get(sessionId)
    if (connection === undefined) return
    this.pendingSessions.delete(sessionId)
    this.finishSession(connection, valid)
  }

  // ---- plumbing -----------------------------------------------------------------------------------------------

  /**
   * A learner reports touches with its next PING reply (every tickTime/2); one touch per connection per
   * tickTime/4 carries the same news to the leader without stepping the machine on every request.
   */
  private touchOnLearner(connection: ClientConnection): void {
    const nowMs = this.world.queue.nowMs
    if (nowMs - connection.touchedAtMs < this.world.tickTimeMs / 4) return
    connection.touchedAtMs = nowMs
    this.member.input({ kind: 'touchSession', sessionId: connection.sessionId!, timeoutMs: connection.timeoutMs })
  }

  private toLeader(request: ForwardedRequest): void {
    const leaderHost = this.member.leaderHost
    if (leaderHost !== null) leaderHost.prepare(request, this.member.localNowMs())
    else this.member.input({ kind: 'forwardRequest', request })
  }

  private finishSession(connection: ClientConnection, valid: boolean): void {
    if (!connection.open) return
    if (!valid) return this.close(connection, 'sessionExpired')
    connection.established = true
    const { sessionId, timeoutMs } = connection
    this.deliver(connection, () => connection.end.connected(sessionId!, timeoutMs))
  }

  private send(connection: ClientConnection, reply: ClientReply): void {
    if (connection.open) this.deliver(connection, () => connection.end.reply(reply))
  }

  private close(connection: ClientConnection, reason: CloseReason): void {
    if (!connection.open) return
    this.disconnect(connection)
    this.deliver(connection, () => connection.end.closed(reason))
  }

  /** Server → client, FIFO (a close arrives after the replies sent before it). */
  private deliver(connection: ClientConnection, action: () => void): void {
    const atMs = Math.max(this.world.queue.nowMs + this.world.clientDelayMs(), connection.lastToClientMs)
    connection.lastToClientMs = atMs
    this.world.queue.at(atMs, action)
  }
}

function writeRequest(sessionId: bigint, cxid: number, op: ClientOp): ForwardedRequest {
  const request = (type: number, body: Buffer): ForwardedRequest => ({ sessionId, cxid, type, body, authinfo: null })
  switch (op.type) {
    case 'setData':
      return request(OpCode.setData, encode(SetDataRequest, { path: op.path, data: Buffer.from(op.data), version: op.version }))
    case 'create':
      return request(OpCode.create, encode(CreateRequest, { path: op.path, data: Buffer.from(op.data), acl: [...OPEN_ACL_UNSAFE], flags: createFlags(op.ephemeral, op.sequential) }))
    case 'delete':
      return request(OpCode.delete, encode(DeleteRequest, { path: op.path, version: op.version }))
    case 'closeSession':
      return request(OpCode.closeSession, Buffer.alloc(0))
    default:
      throw new Error(`${op.type} is not a write`)
  }
}

function replyFor(entry: TreeEntry, result: number): ClientReply {
  const { header, body } = entry.txn
  const reply: ClientReply = { cxid: header.cxid, zxid: entry.zxid, err: result }
  if (result !== ErrorCode.OK) return reply
  if (body.type === OpCode.setData) reply.version = body.txn.version
  else if (body.type === OpCode.create || body.type === OpCode.create2) reply.path = body.txn.path
  return reply
}
