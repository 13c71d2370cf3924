import { describe, expect, it } from 'vitest'
import { CreateRequest, EventType, OPEN_ACL_UNSAFE, OpCode, PathWatchRequest } from '../../../engine/proto'
import { sessionPassword } from '../../../engine/server/session-identity'
import type { MemoryTxnSink } from '../../../engine/server/txn-sink'
import { CoreHarness, connectFrame, eventOf, parseReply, requestFrame } from './fake-core'

const OPEN = [...OPEN_ACL_UNSAFE]

describe('sessions', () => {
  it('logs createSession (-10) before answering, with the negotiated timeout', async () => {
    const h = new CoreHarness()
    const { sessionId } = await h.session(6000)
    const logged = (h.sink as MemoryTxnSink).committed
    expect(logged).toHaveLength(1)
    expect(logged[0]!.header).toMatchObject({ clientId: sessionId, cxid: 0, zxid: 1n, type: OpCode.createSession })
    expect(logged[0]!.body).toEqual({ type: OpCode.createSession, txn: { timeOut: 6000 } })
    expect(h.tree.lastProcessedZxid).toBe(1n)
  })

  it('expires an idle session within (timeout, timeout + tick], deletes its ephemerals and closes its connection', async () => {
    const h = new CoreHarness({ tickTimeMs: 1000 })
    const owner = await h.session(4000)
    const watcher = await h.session(40000)
    await h.request(owner.cnx, 1, OpCode.create, CreateRequest, { path: '/e', data: null, acl: OPEN, flags: 1 })
    await h.request(watcher.cnx, 1, OpCode.exists, PathWatchRequest, { path: '/e', watch: true })
    owner.transport.takeFrames()
    watcher.transport.takeFrames()

    h.advance(3999)
    await h.settle()
    expect(h.core.sessions.get(owner.sessionId)?.closing).toBe(false)
    h.advance(2001) // past timeout + one tick
    await h.settle()
    expect(h.core.sessions.get(owner.sessionId)).toBeUndefined()
    expect(h.tree.getNode('/e')).toBeUndefined()
    expect(owner.transport.destroyed).toBe(true)
    const [event] = watcher.transport.takeFrames().map(parseReply)
    expect(event?.xid).toBe(-1)
    expect(eventOf(event!)).toEqual({ type: EventType.NodeDeleted, path: '/e' })
    const closeTxn = (h.sink as MemoryTxnSink).committed.at(-1)!
    expect(closeTxn.header.type).toBe(OpCode.closeSession)
    expect(closeTxn.body).toEqual({ type: OpCode.closeSession, txn: { paths2Delete: ['/e'] } })
  })

  it('keeps a session alive while it pings', async () => {
    const h = new CoreHarness({ tickTimeMs: 1000 })
    const s = await h.session(4000)
    for (let i = 0; i < 10; i++) {
      h.advance(2000)
      await h.request(s.cnx, -2, OpCode.ping)
    }
    expect(h.core.sessions.get(s.sessionId)?.closing).toBe(false)
    expect(s.transport.takeFrames().map(parseReply).every((reply) => reply.xid === -2)).toBe(true)
  })

  it('re-arms sessions restored from storage for a full timeout, and lets their owner back in', async () => {
    const restoredId = 0x100000012340000n
    const h = new CoreHarness({ tickTimeMs: 1000 }, { restoredSessions: new Map([[restoredId, 5000]]) })
    h.advance(4000)
    expect(h.core.sessions.get(restoredId)?.closing).toBe(false)
    const { cnx, transport } = h.accept()
    h.core.receive(cnx, connectFrame({ sessionId: restoredId, password: sessionPassword(restoredId), timeoutMs: 5000 }))
    await h.settle()
    const frame = transport.takeFrames()[0]!
    expect(frame.readBigInt64BE(8)).toBe(restoredId)
    h.advance(4000)
    expect(h.core.sessions.get(restoredId)?.closing).toBe(false)
    h.advance(3000)
    expect(h.core.sessions.get(restoredId)?.closing).toBe(true)
  })

  it('drops requests that arrive after closeSession without a reply', async () => {
    const h = new CoreHarness()
    const s = await h.session()
    h.core.receive(s.cnx, Buffer.concat([
      // closeSession then a getData in the same chunk
      requestFrame(1, OpCode.closeSession),
      requestFrame(2, OpCode.getData, PathWatchRequest, { path: '/', watch: false }),
    ]))
    await h.settle()
    const replies = s.transport.takeFrames().map(parseReply)
    expect(replies.map((r) => [r.xid, r.err])).toEqual([[1, 0]])
    expect(s.transport.ended).toBe(true)
  })

  it('answers a write already in the pipeline but drops what arrives after expiry marked the session closing', async () => {
    const h = new CoreHarness({ tickTimeMs: 1000 })
    const s = await h.session(4000)
    // A write keeps the commit pending; the read queues behind it; then the session expires.
    h.core.receive(s.cnx, requestFrame(1, OpCode.create, CreateRequest, { path: '/x', data: null, acl: OPEN, flags: 0 }))
    h.core.expireSession(s.sessionId)
    h.core.receive(s.cnx, requestFrame(2, OpCode.exists, PathWatchRequest, { path: '/', watch: false }))
    await h.settle()
    const replies = s.transport.takeFrames().map(parseReply)
    expect(replies.map((r) => [r.xid, r.err])).toEqual([[1, 0]])
    expect(h.tree.getNode('/x')).toBeDefined()
    expect(h.core.sessions.get(s.sessionId)).toBeUndefined()
  })
})
