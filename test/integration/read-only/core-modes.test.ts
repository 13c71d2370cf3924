// The server core's read-only mode and local sessions driven directly (no sockets, a manual clock, a recording
// QuorumLink): the paths the Apache differential runs do not reach deterministically, such as a learner's upgrade
// order, a leader accepting another member's local session, and local expiry timing.
import { describe, expect, it } from 'vitest'
import { JuteReader } from '../../../engine/jute'
import type { MemberConfig } from '../../../engine/node/config-types'
import { ConnectResponse, CreateRequest, ErrorCode, type LoggedTxn, OPEN_ACL_UNSAFE, OpCode, PathWatchRequest, SetDataRequest } from '../../../engine/proto'
import { treeAccessControl } from '../../../engine/server/access-control'
import { runAdminCommand } from '../../../engine/server/admin-commands'
import { runFourLetterWord } from '../../../engine/server/four-letter-words'
import type { ClientConnection } from '../../../engine/server/connection'
import type { QuorumLink } from '../../../engine/server/quorum-link'
import type { ServerRequest } from '../../../engine/server/request'
import { ServerCore } from '../../../engine/server/server-core'
import { MemoryTxnSink } from '../../../engine/server/txn-sink'
import { DataTree } from '../../../engine/tree/data-tree'
import { testConfig } from '../server/harness'
import { FakeTransport, connectFrame, parseReply, requestFrame } from '../../unit/server/fake-core'

const MY_ID = 2
const TICK_MS = 500
const OPEN = [...OPEN_ACL_UNSAFE]

class RecordingLink implements QuorumLink {
  readonly forwarded: ServerRequest[] = []
  readonly proposed: LoggedTxn[] = []
  readonly touched: bigint[] = []
  private zxid = 0x100000001n
  constructor(readonly mode: 'leader' | 'follower' | 'observer') {}
  nextZxid(): bigint {
    return this.zxid
  }
  propose(txn: LoggedTxn): void {
    this.proposed.push(txn)
    this.zxid = txn.header.zxid + 1n
  }
  forward(request: ServerRequest): void {
    this.forwarded.push(request)
  }
  touch(sessionId: bigint): void {
    this.touched.push(sessionId)
  }
  revalidate(): void {}
}

class Member {
  nowMs = 1_000_000
  wallMs = 1_795_000_000_000
  deadlineChanges = 0
  readonly core: ServerCore
  readonly tree = new DataTree({ extendedTypesEnabled: false })

  constructor(overrides: Partial<MemberConfig> = {}) {
    const config = testConfig({
      myId: MY_ID,
      tickTimeMs: TICK_MS,
      minSessionTimeoutMs: 2 * TICK_MS,
      maxSessionTimeoutMs: 20 * TICK_MS,
      servers: [1, 2, 3].map((id) => ({ id, host: '127.0.0.1', quorumPort: 1000 + id, electionPort: 2000 + id, role: 'participant' as const })),
      ...overrides,
    })
    this.core = new ServerCore({
      config,
      tree: this.tree,
      sink: new MemoryTxnSink(),
      access: treeAccessControl({ skipACL: false }),
      clock: { nowMs: () => this.nowMs, wallMs: () => this.wallMs },
      defer: (fn) => fn(),
      quorum: true,
      onDeadlineChanged: () => this.deadlineChanges++,
    })
  }

  connect(options: { readOnly?: boolean; sessionId?: bigint; password?: Buffer; timeoutMs?: number } = {}): { cnx: ClientConnection; transport: FakeTransport } {
    const transport = new FakeTransport()
    const cnx = this.core.accept(transport)!
    this.core.receive(cnx, connectFrame({ timeoutMs: 6000, ...options }))
    return { cnx, transport }
  }

  advance(ms: number): void {
    this.nowMs += ms
    this.wallMs += ms
    while (this.core.nextDeadlineMs() <= this.nowMs) this.core.onTimer()
  }
}

function connectResponse(transport: FakeTransport): { timeOut: number; sessionId: bigint; passwd: Buffer; readOnly: boolean | undefined } {
  const frame = transport.takeFrames()[0]!
  const response = ConnectResponse.read(new JuteReader(frame))
  return { timeOut: response.timeOut, sessionId: response.sessionId, passwd: response.passwd ?? Buffer.alloc(0), readOnly: frame.length > 36 ? frame[36] !== 0 : undefined }
}

const create = (path: string, flags: number): Buffer => requestFrame(1, OpCode.create, CreateRequest, { path, data: null, acl: OPEN, flags })

function committed(request: ServerRequest, zxid: bigint, body: LoggedTxn['body']): LoggedTxn {
  return { header: { clientId: request.sessionId, cxid: request.cxid, zxid, time: 0, type: body.type }, body }
}

describe('local sessions on a learner', () => {
  it('are made without the leader, and upgraded (createSession first) by an ephemeral create', () => {
    const member = new Member({ localSessionsEnabled: true, localSessionsUpgradingEnabled: true })
    const link = new RecordingLink('follower')
    member.core.startServing(link)
    expect(member.deadlineChanges).toBe(1)
    const { cnx, transport } = member.connect()
    const session = connectResponse(transport)
    expect(session.timeOut).toBe(6000)
    expect(Number(session.sessionId >> 56n)).toBe(MY_ID)
    expect(link.forwarded).toEqual([])
    expect(member.core.localSessionCount).toBe(1)

    // A read needs nobody; the session is not reported to the leader.
    member.core.receive(cnx, requestFrame(1, OpCode.exists, PathWatchRequest, { path: '/', watch: false }))
    expect(parseReply(transport.takeFrames()[0]!).err).toBe(0)
    expect(link.touched).toEqual([])

    member.core.receive(cnx, create('/e', 1))
    expect(link.forwarded.map((r) => [r.type, r.cxid])).toEqual([
      [OpCode.createSession, 0],
      [OpCode.create, 1],
    ])
    expect(link.forwarded[0]!.body.readInt32BE(0)).toBe(6000)
    expect(member.core.localSessionCount).toBe(0)
    // While upgrading, the session stays alive and is reported to the leader.
    member.core.receive(cnx, requestFrame(2, OpCode.ping))
    expect(link.touched).toEqual([session.sessionId])

    member.core.applyCommitted(committed(link.forwarded[0]!, 0x100000001n, { type: OpCode.createSession, txn: { timeOut: 6000 } }))
    member.core.applyCommitted(
      committed(link.forwarded[1]!, 0x100000002n, { type: OpCode.create, txn: { path: '/e', data: null, acl: OPEN, ephemeral: true, parentCVersion: 1 } }),
    )
    // The ping waited behind the create, as a session's requests are answered in order.
    const replies = transport.takeFrames().map(parseReply)
    expect(replies.map((r) => [r.xid, r.err])).toEqual([
      [1, 0],
      [-2, 0],
    ])
    expect(member.core.sessions.get(session.sessionId)?.timeoutMs).toBe(6000)
  })

  it('answer EPHEMERALONLOCALSESSION when upgrades are off, though the write still goes to the leader', () => {
    const member = new Member({ localSessionsEnabled: true })
    const link = new RecordingLink('observer')
    member.core.startServing(link)
    const { cnx, transport } = member.connect()
    connectResponse(transport)
    member.core.receive(cnx, create('/e', 1))
    expect(link.forwarded.map((r) => r.type)).toEqual([OpCode.create])
    // The leader does not know the session: its txn says SESSIONEXPIRED; the client hears the local verdict.
    member.core.applyCommitted(committed(link.forwarded[0]!, 0x100000001n, { type: OpCode.error, txn: { err: ErrorCode.SESSIONEXPIRED } }))
    const reply = parseReply(transport.takeFrames()[0]!)
    expect([reply.xid, reply.zxid, reply.err]).toEqual([1, 0x100000001n, ErrorCode.EPHEMERALONLOCALSESSION])
  })

  it('expire on their member within a tick of their timeout, and close without the leader', () => {
    const member = new Member({ localSessionsEnabled: true })
    const link = new RecordingLink('follower')
    member.core.startServing(link)
    const quiet = member.connect({ timeoutMs: 1000 })
    connectResponse(quiet.transport)
    const closing = member.connect()
    connectResponse(closing.transport)
    expect(member.core.localSessionCount).toBe(2)
    member.advance(900)
    expect(quiet.transport.closed).toBe(false)
    member.advance(TICK_MS + 100)
    expect(quiet.transport.destroyed).toBe(true)
    expect(member.core.localSessionCount).toBe(1)

    member.core.receive(closing.cnx, requestFrame(5, OpCode.closeSession))
    expect(parseReply(closing.transport.takeFrames()[0]!)).toMatchObject({ xid: 5, err: 0 })
    expect(closing.transport.ended).toBe(true)
    expect(member.core.localSessionCount).toBe(0)
    expect(link.forwarded).toEqual([])
  })

  it('are gone when the role ends', () => {
    const member = new Member({ localSessionsEnabled: true })
    member.core.startServing(new RecordingLink('follower'))
    const first = member.connect()
    const { sessionId, passwd } = connectResponse(first.transport)
    member.core.stopServing()
    member.core.startServing(new RecordingLink('follower'))
    const again = member.connect({ sessionId, password: passwd })
    // Not local any more: a learner asks the leader, whose answer decides (no answer here, so nothing yet).
    expect(again.transport.takeFrames()).toEqual([])
    expect(member.core.localSessionCount).toBe(0)
  })
})

describe('local sessions on the leader', () => {
  it("let another member's local session write, but not an unknown session of its own", () => {
    const member = new Member({ localSessionsEnabled: true })
    const link = new RecordingLink('leader')
    member.core.startServing(link)
    const write = (sessionId: bigint): LoggedTxn => {
      member.core.submitForwarded({ cnx: null, sessionId, cxid: 7, type: OpCode.setData, body: requestFrame(0, 0, SetDataRequest, { path: '/', data: null, version: -1 }).subarray(12), authIds: [], receivedMs: member.nowMs })
      return link.proposed[link.proposed.length - 1]!
    }
    expect(write((3n << 56n) | 1n).header.type).toBe(OpCode.setData)
    const own = write((BigInt(MY_ID) << 56n) | 1n)
    expect(own.header.type).toBe(OpCode.error)
    expect(own.body).toEqual({ type: OpCode.error, txn: { err: ErrorCode.SESSIONEXPIRED } })
  })

  it('refuse an ephemeral from its own local session when upgrades are off (an error txn)', () => {
    const member = new Member({ localSessionsEnabled: true })
    const link = new RecordingLink('leader')
    member.core.startServing(link)
    const { cnx, transport } = member.connect()
    connectResponse(transport)
    member.core.receive(cnx, create('/e', 1))
    expect(link.proposed.map((txn) => txn.body)).toEqual([{ type: OpCode.error, txn: { err: ErrorCode.EPHEMERALONLOCALSESSION } }])
  })

  it('upgrade a local session by proposing its createSession before the create', () => {
    const member = new Member({ localSessionsEnabled: true, localSessionsUpgradingEnabled: true })
    const link = new RecordingLink('leader')
    member.core.startServing(link)
    const { cnx, transport } = member.connect()
    const { sessionId } = connectResponse(transport)
    member.core.receive(cnx, create('/e', 1))
    expect(link.proposed.map((txn) => [txn.header.type, txn.header.clientId])).toEqual([
      [OpCode.createSession, sessionId],
      [OpCode.create, sessionId],
    ])
  })
})

describe('read-only mode in the core', () => {
  it('serves read-only clients only, refuses changes, and drops everyone when it ends', () => {
    const member = new Member({ localSessionsEnabled: true, readOnlyModeEnabled: true, fourLetterWordWhitelist: new Set(['srvr', 'isro']) })
    expect(member.core.serverMode).toBe('standalone')
    const early = member.connect({ readOnly: true })
    expect(early.transport.destroyed).toBe(true) // not serving yet (LOOKING)
    member.core.startReadOnly()
    expect(member.core.serverMode).toBe('read-only')

    expect(member.connect({ readOnly: false }).transport.destroyed).toBe(true)
    const { cnx, transport } = member.connect({ readOnly: true })
    const session = connectResponse(transport)
    expect(session.readOnly).toBe(true)
    expect(member.core.localSessionCount).toBe(1)

    member.core.receive(cnx, requestFrame(1, OpCode.setData, SetDataRequest, { path: '/', data: null, version: -1 }))
    member.core.receive(cnx, requestFrame(2, OpCode.getData, PathWatchRequest, { path: '/', watch: false }))
    member.core.receive(cnx, requestFrame(3, OpCode.sync, PathWatchRequest, { path: '/', watch: false }))
    expect(transport.takeFrames().map(parseReply).map((r) => [r.xid, r.err])).toEqual([
      [1, ErrorCode.NOTREADONLY],
      [2, 0],
      [3, ErrorCode.NOTREADONLY],
    ])

    // The AdminServer and the four-letter words say so too.
    expect(JSON.parse(runAdminCommand(member.core, 'is_read_only', new Map()))).toMatchObject({ read_only: true, error: null })
    expect(JSON.parse(runAdminCommand(member.core, 'srvr', new Map()))).toMatchObject({ read_only: true })
    expect(runFourLetterWord(member.core, 'isro', Buffer.alloc(0))).toBe('ro')

    member.core.stopReadOnly()
    expect(runFourLetterWord(member.core, 'isro', Buffer.alloc(0))).toBe('null')
    expect(transport.destroyed).toBe(true)
    expect(member.core.serverMode).toBe('standalone')
    expect(member.core.localSessionCount).toBe(0)
  })

  it('without local sessions, answers a new client with a bare NOTREADONLY header and keeps reading off', () => {
    const member = new Member({ readOnlyModeEnabled: true })
    member.core.startReadOnly()
    const { transport } = member.connect({ readOnly: true })
    const reply = parseReply(transport.takeFrames()[0]!)
    expect([reply.xid, reply.err, reply.body.length]).toEqual([0, ErrorCode.NOTREADONLY, 0])
    expect(transport.closed).toBe(false)
    expect(transport.reading).toBe(false)
  })
})
