import { describe, expect, it } from 'vitest'
import { JuteWriter } from '../../../engine/jute'
import {
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  type LoggedTxn,
  OPEN_ACL_UNSAFE,
  OpCode,
  SetACLRequest,
  SetDataRequest,
} from '../../../engine/proto'
import { runFourLetterWord } from '../../../engine/server/four-letter-words'
import type { TxnSink } from '../../../engine/server/txn-sink'
import { DataTree } from '../../../engine/tree/data-tree'
import { digestToLong } from '../../../engine/tree/digest'
import { CoreHarness, requestFrame } from './fake-core'

const OPEN = [...OPEN_ACL_UNSAFE]
const CONFIG = { extendedTypesEnabled: true, containerCheckIntervalMs: 1000, fourLetterWordWhitelist: new Set(['*']) }

/** A log whose fsync the test releases by hand, so many writes are prepared before any is applied. */
class GatedSink implements TxnSink {
  readonly appended: LoggedTxn[] = []
  private gates: Array<() => void> = []
  append(txn: LoggedTxn): void {
    this.appended.push(txn)
  }
  commit(): Promise<void> {
    return new Promise((resolve) => this.gates.push(resolve))
  }
  release(): void {
    for (const gate of this.gates.splice(0)) gate()
  }
}

/** A multi request body: each op as MultiHeader(type, done=false, err=-1) + its record, then the end marker. */
function multiBody(ops: Array<{ type: number; write: (w: JuteWriter) => void }>): Buffer {
  const w = new JuteWriter()
  for (const op of ops) {
    w.int(op.type)
    w.bool(false)
    w.int(-1)
    op.write(w)
  }
  w.int(-1)
  w.bool(true)
  w.int(-1)
  return w.toBuffer()
}

function multiFrame(xid: number, body: Buffer): Buffer {
  const w = new JuteWriter()
  w.int(8 + body.length)
  w.int(xid)
  w.int(OpCode.multi)
  w.raw(body)
  return w.toBuffer()
}

async function started(): Promise<{ h: CoreHarness; sink: GatedSink; sessions: Array<Awaited<ReturnType<CoreHarness['session']>>> }> {
  const sink = new GatedSink()
  const h = new CoreHarness(CONFIG, { sink })
  const sessions = []
  for (let i = 0; i < 2; i++) {
    const pending = h.session()
    await h.settle()
    sink.release()
    sessions.push(await pending)
    await h.settle()
  }
  return { h, sink, sessions }
}

/** Replays what the server logged onto a fresh tree: each txn's digest must be that tree's after applying it. */
function replay(txns: readonly LoggedTxn[]): string[] {
  const tree = new DataTree({ extendedTypesEnabled: true })
  const problems: string[] = []
  for (const txn of txns) {
    tree.processTxn(txn.header, txn.body, txn.digest)
    const zxid = `0x${txn.header.zxid.toString(16)} (type ${txn.header.type})`
    if (txn.header.type === OpCode.error) {
      if (txn.digest !== null && txn.digest !== undefined) problems.push(`${zxid}: an error txn with a digest`)
    } else if (txn.digest?.treeDigest !== digestToLong(tree.treeDigest())) {
      problems.push(`${zxid}: logged ${txn.digest?.treeDigest}, tree ${digestToLong(tree.treeDigest())}`)
    }
  }
  if (tree.digestMismatchCount !== 0) problems.push(`${tree.digestMismatchCount} mismatches on replay`)
  return problems
}

describe('digests the prep attaches (PrepRequestProcessor.precalculateDigest)', () => {
  it('are the tree digest after each txn, even with many txns outstanding at once', async () => {
    const { h, sink, sessions } = await started()
    const [a, b] = sessions as [(typeof sessions)[0], (typeof sessions)[0]]
    const create = (xid: number, path: string, flags = 0, data: Buffer | null = Buffer.from(path)) =>
      h.core.receive(a.cnx, requestFrame(xid, OpCode.create, CreateRequest, { path, data, acl: OPEN, flags }))
    create(1, '/a')
    create(2, '/a/b', 0, Buffer.alloc(700, 1))
    create(3, '/a/s-', 2)
    create(4, '/a/s-', 2)
    h.core.receive(a.cnx, requestFrame(5, OpCode.setData, SetDataRequest, { path: '/a', data: Buffer.from('changed'), version: -1 }))
    h.core.receive(a.cnx, requestFrame(6, OpCode.setACL, SetACLRequest, { path: '/a/b', acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], version: 0 }))
    h.core.receive(b.cnx, requestFrame(1, OpCode.create, CreateRequest, { path: '/a/e', data: null, acl: OPEN, flags: 1 }))
    h.core.receive(b.cnx, requestFrame(2, OpCode.create, CreateRequest, { path: '/e2', data: Buffer.from('x'), acl: OPEN, flags: 3 }))
    h.core.receive(a.cnx, requestFrame(7, OpCode.delete, DeleteRequest, { path: '/a/s-0000000002', version: -1 }))
    create(8, '/a') // NODEEXISTS: an error txn
    h.core.receive(a.cnx, requestFrame(9, OpCode.delete, DeleteRequest, { path: '/a/b', version: 5 })) // BADVERSION
    const createOp = (path: string) => ({ type: OpCode.create, write: (w: JuteWriter) => CreateRequest.write(w, { path, data: null, acl: OPEN, flags: 0 }) })
    const setOp = (path: string, version: number) => ({ type: OpCode.setData, write: (w: JuteWriter) => SetDataRequest.write(w, { path, data: Buffer.from('m'), version }) })
    const deleteOp = (path: string) => ({ type: OpCode.delete, write: (w: JuteWriter) => DeleteRequest.write(w, { path, version: -1 }) })
    h.core.receive(a.cnx, multiFrame(11, multiBody([createOp('/m'), setOp('/a', -1), deleteOp('/a/s-0000000001'), createOp('/m/x')])))
    h.core.receive(a.cnx, multiFrame(12, multiBody([createOp('/m2'), setOp('/a', 99), createOp('/m3')]))) // fails: rolled back
    h.core.receive(a.cnx, requestFrame(13, OpCode.createContainer, CreateRequest, { path: '/c', data: null, acl: OPEN, flags: 4 }))
    create(14, '/c/k')
    h.core.receive(a.cnx, requestFrame(17, OpCode.create2, CreateRequest, { path: '/via-create2', data: Buffer.from('2'), acl: OPEN, flags: 0 }))

    h.core.receive(a.cnx, requestFrame(15, OpCode.createTTL, CreateTTLRequest, { path: '/ttl', data: null, acl: OPEN, flags: 5, ttl: 100n }))
    // B goes: its closeSession deletes /a/e and /e2… (under two parents) while all of the above is still outstanding.
    h.core.receive(b.cnx, requestFrame(3, OpCode.closeSession))
    await h.settle()
    expect(h.tree.getNode('/a')).toBeUndefined() // nothing applied yet: every digest came from outstanding changes
    sink.release()
    await h.settle()
    expect(h.tree.getNode('/e20000000001')).toBeUndefined()
    expect(h.tree.getNode('/m/x')).toBeDefined()

    // The root's data (nothing outstanding under it now: see the quirks below), then the reaper's deleteContainer
    // and the expired TTL node's delete.
    h.core.receive(a.cnx, requestFrame(10, OpCode.setData, SetDataRequest, { path: '/', data: Buffer.from('root'), version: -1 }))
    h.core.receive(a.cnx, requestFrame(16, OpCode.delete, DeleteRequest, { path: '/c/k', version: -1 }))
    await h.settle()
    sink.release()
    await h.settle()
    h.advance(1500)
    await h.settle()
    sink.release()
    await h.settle()
    h.advance(1500)
    await h.settle()
    sink.release()
    await h.settle()
    expect([h.tree.getNode('/c'), h.tree.getNode('/ttl')]).toEqual([undefined, undefined])

    const types = new Set(sink.appended.map((txn) => txn.header.type))
    for (const type of [OpCode.createSession, OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL, OpCode.setData,
      OpCode.setACL, OpCode.delete, OpCode.deleteContainer, OpCode.multi, OpCode.error, OpCode.closeSession]) {
      expect(types, `a txn of type ${type}`).toContain(type)
    }
    expect(replay(sink.appended)).toEqual([])
    expect([h.tree.digestMismatchCount, h.core.stats.digestMismatches]).toEqual([0, 0])
    expect(digestToLong(h.tree.treeDigest())).toBe(sink.appended[sink.appended.length - 1]!.digest?.treeDigest)
  })

  it('reproduces the mismatches Apache\'s own prep causes (checked against Apache 3.8.0 by hand)', async () => {
    const { h, sink, sessions } = await started()
    const a = sessions[0]!
    // 1. The root has two keys: creates under it update the record of "", a setData on "/" reads the committed
    //    node, so with a create outstanding its digest misses the create's change (Apache: zk_digest_mismatches_count
    //    5 after 5 pipelined create + set("/") pairs from kazoo).
    h.core.receive(a.cnx, requestFrame(1, OpCode.create, CreateRequest, { path: '/x', data: null, acl: OPEN, flags: 0 }))
    h.core.receive(a.cnx, requestFrame(2, OpCode.setData, SetDataRequest, { path: '/', data: Buffer.from('root'), version: -1 }))
    await h.settle()
    sink.release()
    await h.settle()
    expect(h.core.stats.digestMismatches).toBe(1)
    // 2. A plain create2 with the container flag makes an ordinary node, but the prep's record (and so the digest it
    //    logs) has the container owner (Apache: 1 mismatch, "First digest mismatch on txn" for it).
    h.core.receive(a.cnx, requestFrame(3, OpCode.create2, CreateRequest, { path: '/not-a-container', data: null, acl: OPEN, flags: 4 }))
    await h.settle()
    sink.release()
    await h.settle()
    expect(h.tree.getNode('/not-a-container')?.stat.ephemeralOwner).toBe(0n)
    expect([h.core.stats.digestMismatches, h.tree.digestMismatchCount]).toEqual([2, 2])
    // Nothing outstanding: the next txn starts from the tree's digest again.
    h.core.receive(a.cnx, requestFrame(4, OpCode.create, CreateRequest, { path: '/y', data: null, acl: OPEN, flags: 0 }))
    await h.settle()
    sink.release()
    await h.settle()
    expect(h.core.stats.digestMismatches).toBe(2)
  })

  it('a digest the tree does not reach is counted in mntr (and srst clears it), and the server goes on', async () => {
    const sink = new GatedSink()
    const h = new CoreHarness(CONFIG, { sink })
    const pending = h.session()
    await h.settle()
    sink.release()
    const s = await pending
    h.core.receive(s.cnx, requestFrame(1, OpCode.create, CreateRequest, { path: '/x', data: null, acl: OPEN, flags: 0 }))
    await h.settle()
    // What a follower of a leader with another tree would see: the logged digest is not ours.
    const logged = sink.appended[sink.appended.length - 1]!
    logged.digest = { version: 2, treeDigest: (logged.digest?.treeDigest ?? 0n) + 1n }
    sink.release()
    await h.settle()
    expect(h.tree.getNode('/x')).toBeDefined()
    const mntr = runFourLetterWord(h.core, 'mntr', Buffer.alloc(0)) ?? ''
    expect(/^zk_digest_mismatches_count\t(\d+)$/m.exec(mntr)?.[1]).toBe('1')
    runFourLetterWord(h.core, 'srst', Buffer.alloc(0))
    expect(/^zk_digest_mismatches_count\t(\d+)$/m.exec(runFourLetterWord(h.core, 'mntr', Buffer.alloc(0)) ?? '')?.[1]).toBe('0')
  })

  it('with digests disabled, no txn carries one', async () => {
    const sink = new GatedSink()
    const h = new CoreHarness({ ...CONFIG, digestEnabled: false }, { sink, tree: new DataTree({ digestEnabled: false }) })
    const pending = h.session()
    await h.settle()
    sink.release()
    const s = await pending
    h.core.receive(s.cnx, requestFrame(1, OpCode.create, CreateRequest, { path: '/x', data: null, acl: OPEN, flags: 0 }))
    await h.settle()
    sink.release()
    await h.settle()
    expect(sink.appended.map((txn) => txn.digest ?? null)).toEqual([null, null])
  })
})
