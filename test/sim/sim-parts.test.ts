import { describe, expect, it } from 'vitest'
import { encode } from '../../engine/jute'
import { CreateMode, CreateRequest, ErrorCode, type LoggedTxn, OPEN_ACL_UNSAFE, OpCode, SetDataRequest } from '../../engine/proto'
import type { ForwardedRequest } from '../../engine/quorum/wire/learner-payloads'
import { decodeProposalData } from '../../engine/quorum/wire/proposal-data'
import { LeaderHost } from './leader-host'
import { SimClock } from './sim-clock'
import { SimTree, type TreeEntry } from './sim-tree'

describe('SimClock', () => {
  it('leaps ahead, stands still and drifts, staying monotonic', () => {
    let trueMs = 1_000
    const clock = new SimClock(() => trueMs)
    expect(clock.now()).toBe(1_000)
    clock.leap(500)
    expect(clock.now()).toBe(1_500)
    expect(clock.trueTimeOf(1_600)).toBe(1_100)
    clock.standStill(300)
    trueMs = 1_200
    expect(clock.now()).toBe(1_500)
    expect(clock.trueTimeOf(1_600)).toBe(1_400)
    trueMs = 1_400
    expect(clock.now()).toBe(1_600)
    clock.setRate(2)
    trueMs = 1_500
    expect(clock.now()).toBe(1_800)
    expect(clock.trueTimeOf(1_900)).toBe(1_550)
    const generation = clock.generation
    clock.resync()
    expect(clock.generation).toBeGreaterThan(generation)
    trueMs = 1_600
    expect(clock.now()).toBe(1_900)
  })
})

let nextId = 0
function entry(counter: number, clientId: bigint, body: LoggedTxn['body']): TreeEntry {
  const zxid = (1n << 32n) | BigInt(counter)
  return { zxid, id: ++nextId, txn: { header: { clientId, cxid: counter, zxid, time: nextId, type: body.type }, body } }
}

describe('SimTree', () => {
  it("applies sessions, ephemerals and a closeSession that also removes ephemerals it did not list, as Apache's does", () => {
    const tree = new SimTree()
    expect(tree.apply(entry(1, 5n, { type: OpCode.createSession, txn: { timeOut: 4_000 } }))).toBe(ErrorCode.OK)
    expect(tree.apply(entry(2, 5n, { type: OpCode.create, txn: { path: '/lock0', data: Buffer.from('x'), acl: [], ephemeral: true, parentCVersion: -1 } }))).toBe(ErrorCode.OK)
    expect(tree.apply(entry(3, 5n, { type: OpCode.create, txn: { path: '/lock1', data: null, acl: [], ephemeral: true, parentCVersion: -1 } }))).toBe(ErrorCode.OK)
    expect(tree.apply(entry(4, 5n, { type: OpCode.setData, txn: { path: '/lock0', data: Buffer.from('y'), version: 1 } }))).toBe(ErrorCode.OK)
    expect(tree.nodes.get('/lock0')).toMatchObject({ data: 'y', version: 1, ephemeralOwner: 5n })
    expect([...tree.ephemeralsOf(5n)]).toEqual(['/lock0', '/lock1'])
    expect(tree.apply(entry(5, 5n, { type: OpCode.closeSession, txn: { paths2Delete: ['/lock0'] } }))).toBe(ErrorCode.OK)
    expect(tree.nodes.has('/lock0') || tree.nodes.has('/lock1')).toBe(false)
    expect(tree.sessions.size).toBe(0)
    expect(tree.apply(entry(6, 5n, { type: OpCode.delete, txn: { path: '/lock0' } }))).toBe(ErrorCode.NONODE)
    expect(tree.truncatedTo(tree.entries[2]!.zxid).nodes.has('/lock1')).toBe(true)
  })
})

describe('LeaderHost (the leader host: prep and sessions)', () => {
  function harness() {
    const tree = new SimTree()
    let zxid = (2n << 32n) + 1n
    const proposed: LoggedTxn[] = []
    const prepared: number[] = []
    const host = new LeaderHost(
      {
        id: 1,
        tree,
        nextZxid: () => zxid,
        propose: (proposal) => {
          const { txn } = decodeProposalData(proposal.data)
          proposed.push(txn)
          zxid++
        },
        note: () => {},
      },
      { tickTimeMs: 200, sabotage: null, nextTxnId: () => ++nextId, closeSessionPrepared: (id) => prepared.push(id) },
      0,
    )
    const request = (sessionId: bigint, cxid: number, type: number, body: Buffer): ForwardedRequest => ({ sessionId, cxid, type, body, authinfo: null })
    const timeout = Buffer.alloc(4)
    timeout.writeInt32BE(1_000, 0)
    return { host, proposed, prepared, request, timeout, tree }
  }
  const createBody = (path: string, flags: number) => encode(CreateRequest, { path, data: Buffer.from('d'), acl: [...OPEN_ACL_UNSAFE], flags })

  it('prepares txns against the tree plus what is in flight; failures become error txns', () => {
    const { host, proposed, request, timeout } = harness()
    host.prepare(request(7n, 0, OpCode.createSession, timeout), 0)
    host.prepare(request(7n, 1, OpCode.create, createBody('/seq/n-', CreateMode.PERSISTENT_SEQUENTIAL)), 0)
    host.prepare(request(7n, 2, OpCode.create, createBody('/seq/n-', CreateMode.PERSISTENT_SEQUENTIAL)), 0)
    host.prepare(request(7n, 3, OpCode.create, createBody('/k', CreateMode.PERSISTENT)), 0)
    host.prepare(request(7n, 4, OpCode.create, createBody('/k', CreateMode.PERSISTENT)), 0)
    host.prepare(request(7n, 5, OpCode.setData, encode(SetDataRequest, { path: '/k', data: null, version: 3 })), 0)
    host.prepare(request(7n, 6, OpCode.setData, encode(SetDataRequest, { path: '/k', data: null, version: 0 })), 0)
    host.prepare(request(8n, 1, OpCode.setData, encode(SetDataRequest, { path: '/k', data: null, version: -1 })), 0)
    expect(proposed.map((txn) => txn.body)).toEqual([
      { type: OpCode.createSession, txn: { timeOut: 1_000 } },
      { type: OpCode.create, txn: expect.objectContaining({ path: '/seq/n-0000000000', parentCVersion: 1 }) },
      { type: OpCode.create, txn: expect.objectContaining({ path: '/seq/n-0000000001', parentCVersion: 2 }) },
      { type: OpCode.create, txn: expect.objectContaining({ path: '/k', ephemeral: false }) },
      { type: OpCode.error, txn: { err: ErrorCode.NODEEXISTS } },
      { type: OpCode.error, txn: { err: ErrorCode.BADVERSION } },
      { type: OpCode.setData, txn: { path: '/k', data: null, version: 1 } },
      { type: OpCode.error, txn: { err: ErrorCode.SESSIONEXPIRED } },
    ])
  })

  it('expires an untouched session with a closeSession listing its ephemerals, in flight ones included', () => {
    const { host, proposed, prepared, request, timeout, tree } = harness()
    host.prepare(request(7n, 0, OpCode.createSession, timeout), 0)
    const createSession = proposed[0]!
    tree.apply({ zxid: createSession.header.zxid, id: createSession.header.time, txn: createSession })
    host.applied(createSession.header.zxid, createSession.body, 7n)
    host.prepare(request(7n, 1, OpCode.create, createBody('/lock0', CreateMode.EPHEMERAL)), 0)
    host.tick(900)
    expect(proposed.length).toBe(2)
    expect(host.touch(7n, 1_000, 900)).toBe(true)
    host.tick(1_850)
    expect(proposed.length).toBe(2)
    host.tick(2_200)
    expect(proposed[2]!.body).toEqual({ type: OpCode.closeSession, txn: { paths2Delete: ['/lock0'] } })
    expect(prepared).toEqual([proposed[2]!.header.time])
    // Closing: its requests fail, and touches no longer keep it alive.
    expect(host.touch(7n, 1_000, 2_200)).toBe(false)
    host.prepare(request(7n, 2, OpCode.create, createBody('/lock1', CreateMode.EPHEMERAL)), 2_200)
    expect(proposed[3]!.body).toEqual({ type: OpCode.error, txn: { err: ErrorCode.SESSIONEXPIRED } })
  })
})
