import { describe, expect, it } from 'vitest'
import {
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  ErrorCode,
  type LoggedTxn,
  OPEN_ACL_UNSAFE,
  OpCode,
  PathWatchRequest,
  SetDataRequest,
} from '../../../engine/proto'
import type { MemoryTxnSink, TxnSink } from '../../../engine/server/txn-sink'
import { CoreHarness, FakeTransport, parseReply, requestFrame } from './fake-core'

const OPEN = [...OPEN_ACL_UNSAFE]

/** A log whose fsync the test releases by hand. */
class GatedSink implements TxnSink {
  readonly appended: LoggedTxn[] = []
  commits = 0
  private gates: Array<() => void> = []
  append(txn: LoggedTxn): void {
    this.appended.push(txn)
  }
  commit(): Promise<void> {
    this.commits++
    return new Promise((resolve) => this.gates.push(resolve))
  }
  release(): void {
    for (const gate of this.gates.splice(0)) gate()
  }
}

describe('pipeline ordering', () => {
  it('answers other sessions\' reads at once while a write waits for its fsync; own reads wait behind it', async () => {
    const sink = new GatedSink()
    const h = new CoreHarness({}, { sink })
    const sessionA = h.session()
    await h.settle()
    sink.release()
    const a = await sessionA
    const sessionB = h.session()
    await h.settle()
    sink.release()
    const b = await sessionB
    a.transport.takeFrames()
    b.transport.takeFrames()

    h.core.receive(a.cnx, requestFrame(1, OpCode.create, CreateRequest, { path: '/w', data: null, acl: OPEN, flags: 0 }))
    h.core.receive(a.cnx, requestFrame(2, OpCode.exists, PathWatchRequest, { path: '/w', watch: false }))
    h.core.receive(b.cnx, requestFrame(1, OpCode.exists, PathWatchRequest, { path: '/w', watch: false }))
    await h.settle()
    expect(b.transport.takeFrames().map(parseReply).map((r) => [r.xid, r.err])).toEqual([[1, ErrorCode.NONODE]])
    expect(a.transport.takeFrames()).toEqual([])

    sink.release()
    await h.settle()
    expect(a.transport.takeFrames().map(parseReply).map((r) => [r.xid, r.err])).toEqual([
      [1, 0],
      [2, 0],
    ])
  })

  it('validates against outstanding changes: a second create of the same path fails before the first is applied', async () => {
    const sink = new GatedSink()
    const h = new CoreHarness({}, { sink })
    const pending = h.session()
    await h.settle()
    sink.release()
    const s = await pending
    s.transport.takeFrames()
    h.core.receive(s.cnx, requestFrame(1, OpCode.create, CreateRequest, { path: '/q', data: null, acl: OPEN, flags: 0 }))
    h.core.receive(s.cnx, requestFrame(2, OpCode.create, CreateRequest, { path: '/q', data: null, acl: OPEN, flags: 0 }))
    h.core.receive(s.cnx, requestFrame(3, OpCode.create, CreateRequest, { path: '/q/s-', data: null, acl: OPEN, flags: 2 }))
    h.core.receive(s.cnx, requestFrame(4, OpCode.create, CreateRequest, { path: '/q/s-', data: null, acl: OPEN, flags: 2 }))
    await h.settle()
    // The four writes arrived in one turn: one commit (one fsync) covers them all.
    sink.release()
    await h.settle()
    const replies = s.transport.takeFrames().map(parseReply)
    expect(replies.map((r) => [r.xid, r.err])).toEqual([
      [1, 0],
      [2, ErrorCode.NODEEXISTS],
      [3, 0],
      [4, 0],
    ])
    expect(replies[3]!.body.toString('utf8', 4)).toBe('/q/s-0000000001')
    // Failed writes consume a zxid: four txns, four zxids, one of them an error txn.
    const txns = sink.appended.slice(-4)
    expect(txns.map((t) => t.header.type)).toEqual([OpCode.create, OpCode.error, OpCode.create, OpCode.create])
    expect(txns.map((t) => t.header.zxid)).toEqual([2n, 3n, 4n, 5n])
    expect(replies[1]!.zxid).toBe(3n)
    expect(sink.commits).toBe(2)
  })

  it('replies to each connection strictly in arrival order across writes and reads', async () => {
    const h = new CoreHarness()
    const s = await h.session()
    s.transport.takeFrames()
    const frames: Buffer[] = []
    for (let i = 1; i <= 40; i++) {
      frames.push(
        i % 3 === 0
          ? requestFrame(i, OpCode.create, CreateRequest, { path: `/n${i}`, data: null, acl: OPEN, flags: 0 })
          : requestFrame(i, OpCode.exists, PathWatchRequest, { path: `/n${i - 1}`, watch: false }),
      )
    }
    h.core.receive(s.cnx, Buffer.concat(frames))
    await h.settle()
    const replies = s.transport.takeFrames().map(parseReply)
    expect(replies.map((r) => r.xid)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    // exists(/n{i-1}) right after create(/n{i-1}) sees it.
    expect(replies.filter((r) => r.xid % 3 === 1 && r.xid > 1).every((r) => r.err === 0)).toBe(true)
  })
})

describe('limits', () => {
  it('refuses connections beyond maxClientCnxns from one address', () => {
    const h = new CoreHarness({ maxClientCnxns: 2 })
    h.accept(new FakeTransport('10.0.0.1'))
    h.accept(new FakeTransport('10.0.0.1'))
    expect(h.core.accept(new FakeTransport('10.0.0.1'))).toBeUndefined()
    expect(h.core.accept(new FakeTransport('10.0.0.2'))).toBeDefined()
  })

  it('stops reading connections with requests in flight once globalOutstandingLimit is passed', async () => {
    const sink = new GatedSink()
    const h = new CoreHarness({ globalOutstandingLimit: 3 }, { sink })
    const pending = h.session()
    await h.settle()
    sink.release()
    const s = await pending
    const frames = Array.from({ length: 10 }, (_, i) => requestFrame(i + 1, OpCode.create, CreateRequest, { path: `/t${i}`, data: null, acl: OPEN, flags: 0 }))
    h.core.receive(s.cnx, Buffer.concat(frames))
    await h.settle()
    expect(s.transport.reading).toBe(false)
    expect(sink.appended.length).toBe(1 + 5) // the session, then requests until one finds the limit passed (it still goes in)
    for (let round = 0; round < 5; round++) {
      sink.release()
      await h.settle()
    }
    expect(s.transport.reading).toBe(true)
    expect(sink.appended.length).toBe(11)
  })

  it('stops reading from a client whose unread output passes the pause mark', async () => {
    const h = new CoreHarness()
    const s = await h.session()
    s.transport.pendingWriteBytes = 5 * 1024 * 1024
    await h.request(s.cnx, 1, OpCode.exists, PathWatchRequest, { path: '/', watch: false })
    expect(s.transport.reading).toBe(false)
    s.transport.pendingWriteBytes = 0
    h.core.drained(s.cnx)
    expect(s.transport.reading).toBe(true)
  })

  it('closes a connection that sends a truncated RequestHeader, and only that one', async () => {
    const h = new CoreHarness()
    const bad = await h.session()
    const good = await h.session()
    h.core.receive(bad.cnx, Buffer.from([0, 0, 0, 3, 1, 2, 3]))
    await h.request(good.cnx, 1, OpCode.exists, PathWatchRequest, { path: '/', watch: false })
    expect(bad.transport.destroyed).toBe(true)
    expect(good.transport.closed).toBe(false)
  })

  it('answers a garbled read body with MARSHALLINGERROR and keeps the connection', async () => {
    const h = new CoreHarness()
    const s = await h.session()
    s.transport.takeFrames()
    h.core.receive(s.cnx, requestFrame(1, OpCode.getData, undefined, undefined))
    await h.settle()
    h.core.receive(s.cnx, requestFrame(2, OpCode.setData, undefined, undefined))
    await h.settle()
    const replies = s.transport.takeFrames().map(parseReply)
    expect(replies.map((r) => [r.xid, r.err, r.zxid])).toEqual([
      [1, ErrorCode.MARSHALLINGERROR, 1n],
      [2, ErrorCode.MARSHALLINGERROR, 2n], // a write that does not decode still becomes an error txn
    ])
    expect(s.transport.closed).toBe(false)
  })
})

describe('containers and TTL nodes', () => {
  it('reaps an emptied container and an expired TTL node on the check interval, via deleteContainer txns', async () => {
    const h = new CoreHarness({ extendedTypesEnabled: true, containerCheckIntervalMs: 1000, containerMaxPerMinute: 60000 })
    const s = await h.session()
    await h.request(s.cnx, 1, OpCode.createContainer, CreateRequest, { path: '/c', data: null, acl: OPEN, flags: 4 })
    await h.request(s.cnx, 2, OpCode.createContainer, CreateRequest, { path: '/unused', data: null, acl: OPEN, flags: 4 })
    await h.request(s.cnx, 3, OpCode.create, CreateRequest, { path: '/c/child', data: null, acl: OPEN, flags: 0 })
    await h.request(s.cnx, 4, OpCode.delete, DeleteRequest, { path: '/c/child', version: -1 })
    await h.request(s.cnx, 5, OpCode.createTTL, CreateTTLRequest, { path: '/ttl', data: null, acl: OPEN, flags: 5, ttl: 1500n })
    h.advance(1000)
    await h.settle()
    h.advance(10)
    await h.settle()
    expect(h.tree.getNode('/c')).toBeUndefined()
    expect(h.tree.getNode('/unused')).toBeDefined() // never had a child
    expect(h.tree.getNode('/ttl')).toBeDefined() // 1010 ms old, ttl 1500
    await h.request(s.cnx, 6, OpCode.setData, SetDataRequest, { path: '/ttl', data: null, version: -1 })
    h.advance(1000)
    await h.settle()
    expect(h.tree.getNode('/ttl')).toBeDefined() // setData reset its clock
    h.advance(1000)
    await h.settle()
    h.advance(10)
    await h.settle()
    expect(h.tree.getNode('/ttl')).toBeUndefined()
    const deletes = (h.sink as MemoryTxnSink).committed.filter((t) => t.header.type === OpCode.deleteContainer)
    expect(deletes.map((t) => [t.header.clientId, t.body])).toEqual([
      [0n, { type: OpCode.deleteContainer, txn: { path: '/c' } }],
      [0n, { type: OpCode.deleteContainer, txn: { path: '/ttl' } }],
    ])
  })

  it('answers a client-sent deleteContainer with BADARGUMENTS, as Apache does', async () => {
    const h = new CoreHarness()
    const s = await h.session()
    s.transport.takeFrames()
    const payload = Buffer.concat([requestFrame(1, OpCode.deleteContainer).subarray(4), Buffer.from('/c')])
    const length = Buffer.alloc(4)
    length.writeInt32BE(payload.length, 0)
    h.core.receive(s.cnx, Buffer.concat([length, payload]))
    await h.settle()
    const [reply] = s.transport.takeFrames().map(parseReply)
    expect(reply?.err).toBe(ErrorCode.BADARGUMENTS)
  })
})
