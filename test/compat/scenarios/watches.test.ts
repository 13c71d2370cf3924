// Watches (reference §4.8): one-shot data, exists and child watches and what fires them,
// one notification per connection, the event-before-reply ordering, persistent and
// persistent-recursive watches (addWatch), checkWatches/removeWatches, and re-registration
// after a reconnect with SetWatches/SetWatches2, including the events missed while away.
import { describe } from 'vitest'
import { AddWatchRequest, CreateRequest, DeleteRequest, ExistsRequest, GetDataRequest, SetDataRequest, SetWatches, SetWatches2, WatchesRequest } from '../../../engine/proto'
import type { ACL } from '../../../engine/proto'
import { runKazoo } from '../harness/kazoo'
import { connectNzk, outcome } from '../harness/nzk'
import { pairTest, useServerPair } from '../harness/pair'
import { startProxy } from '../harness/proxy'
import { rawOp, rawSession, replyObservation } from '../harness/raw'
import type { RawConnection } from '../harness/raw'

const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
const QUIET_MS = 150

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Small raw-frame verbs for watch scenarios; each returns the reply as an observation. */
function verbs(conn: RawConnection) {
  return {
    create: (path: string, flags = 0, data: string | null = null) =>
      rawOp(conn, 1, CreateRequest, { path, data: data === null ? null : Buffer.from(data), acl: OPEN, flags }),
    set: (path: string, data: string) => rawOp(conn, 5, SetDataRequest, { path, data: Buffer.from(data), version: -1 }),
    delete: (path: string) => rawOp(conn, 2, DeleteRequest, { path, version: -1 }),
    getData: (path: string, watch = true) => rawOp(conn, 4, GetDataRequest, { path, watch }),
    exists: (path: string, watch = true) => rawOp(conn, 3, ExistsRequest, { path, watch }),
    children: (path: string, watch = true) => rawOp(conn, 8, GetDataRequest, { path, watch }),
    addWatch: (path: string, mode: number) => rawOp(conn, 106, AddWatchRequest, { path, mode }),
    check: (path: string, type: number) => rawOp(conn, 17, WatchesRequest, { path, type }),
    remove: (path: string, type: number) => rawOp(conn, 18, WatchesRequest, { path, type }),
  }
}

/** Waits a quiet period, then returns the events received so far and forgets them. */
async function drain(conn: RawConnection, atLeast = 0): Promise<unknown[]> {
  await conn.waitEvents(atLeast, 3000)
  await sleep(QUIET_MS)
  return conn.events.splice(0).map((e) => `${e.type} ${e.state} ${e.path}`)
}

describe('watches', () => {
  const pair = useServerPair('watches')

  pairTest(pair, 'one-shot data, exists and child watches: what fires them, once (kazoo)', async (server) =>
    runKazoo(server.connectString, `
      zk = connect()
      other = connect()
      zk.create('/w-one')
      zk.create('/w-one/d', b'0')
      op('get watch', zk.get, '/w-one/d', watch=watcher('data'))
      other.set('/w-one/d', b'1')
      other.set('/w-one/d', b'2')
      wait_events('data', 1)
      op('exists watch on absent', zk.exists, '/w-one/new', watch=watcher('created'))
      other.create('/w-one/new')
      wait_events('created', 1)
      op('exists watch on present', zk.exists, '/w-one/new', watch=watcher('exists-set'))
      other.set('/w-one/new', b'x')
      wait_events('exists-set', 1)
      op('exists watch then delete', zk.exists, '/w-one/new', watch=watcher('exists-del'))
      other.delete('/w-one/new')
      wait_events('exists-del', 1)
      op('child watch', zk.get_children, '/w-one', watch=watcher('child'))
      other.set('/w-one', b'parent data is not a child change')
      other.create('/w-one/c')
      other.create('/w-one/c2')
      wait_events('child', 1)
      op('child watch with stat', zk.get_children, '/w-one', watch=watcher('child-del'), include_data=True)
      other.delete('/w-one/c')
      wait_events('child-del', 1)
      op('get watch on missing node is not set', zk.get, '/w-one/none', watch=watcher('none'))
      op('child watch on missing node is not set', zk.get_children, '/w-one/none', watch=watcher('none'))
      other.create('/w-one/none')
      op('setACL fires nothing', zk.get, '/w-one/none', watch=watcher('acl'))
      other.set_acls('/w-one/none', [ACL(31, Id('world', 'anyone'))])
      other.delete('/w-one/none')
      wait_events('none', 0, timeout=0.3)
      wait_events('acl', 1)
    `))

  pairTest(pair, 'deleting a node with data, exists and child watches sends one NodeDeleted per connection (raw frames)', async (server) => {
    const { conn: a } = await rawSession(server.connectString)
    const { conn: b } = await rawSession(server.connectString)
    const va = verbs(a)
    const vb = verbs(b)
    const out: unknown[] = [await vb.create('/w-del'), await vb.create('/w-del/n', 0, 'x')]
    out.push(await va.getData('/w-del/n'), await va.exists('/w-del/n'), await va.children('/w-del/n'), await va.children('/w-del'))
    out.push(await vb.getData('/w-del/n'))
    out.push(await vb.delete('/w-del/n'))
    out.push({ a: await drain(a, 2), b: await drain(b, 1) })
    a.destroy()
    b.destroy()
    return out
  })

  pairTest(pair, "a connection's own write: its watch event comes before the write's reply (raw frames)", async (server) => {
    const { conn } = await rawSession(server.connectString)
    const v = verbs(conn)
    await v.create('/w-order', 0, 'a')
    await v.create('/w-order/x')
    conn.arrivals.splice(0)
    await v.getData('/w-order')
    await v.children('/w-order')
    await v.exists('/w-order/y')
    await v.set('/w-order', 'b')
    await v.create('/w-order/y')
    await v.delete('/w-order/x')
    await sleep(QUIET_MS)
    const arrivals = [...conn.arrivals]
    conn.destroy()
    // Xids differ by nothing between the servers: they are ours.
    return [arrivals]
  })

  pairTest(pair, 'persistent watches (addWatch mode 0): every event on the path, never removed (raw frames)', async (server) => {
    const { conn: a } = await rawSession(server.connectString)
    const { conn: b } = await rawSession(server.connectString)
    const va = verbs(a)
    const vb = verbs(b)
    const out: unknown[] = [await va.addWatch('/w-pers', 0), await va.addWatch('/w-pers', 0)]
    for (const step of [
      () => vb.create('/w-pers', 0, 'a'),
      () => vb.set('/w-pers', 'b'),
      () => vb.create('/w-pers/c'),
      () => vb.set('/w-pers/c', 'c'),
      () => vb.create('/w-pers/c/g'),
      () => vb.delete('/w-pers/c/g'),
      () => vb.delete('/w-pers/c'),
      () => vb.delete('/w-pers'),
      () => vb.create('/w-pers'),
      () => vb.set('/w-pers', 'again'),
    ]) {
      out.push(await step())
      out.push(await drain(a))
    }
    out.push({ checkData: await va.check('/w-pers', 2), checkChildren: await va.check('/w-pers', 1), checkAny: await va.check('/w-pers', 3) })
    a.destroy()
    b.destroy()
    return out
  })

  pairTest(pair, 'persistent recursive watches (addWatch mode 1): the subtree, no NodeChildrenChanged (raw frames)', async (server) => {
    const { conn: a } = await rawSession(server.connectString)
    const { conn: b } = await rawSession(server.connectString)
    const va = verbs(a)
    const vb = verbs(b)
    const out: unknown[] = [await vb.create('/w-rec'), await va.addWatch('/w-rec', 1), await va.addWatch('/w-rec/deep/er', 1)]
    for (const step of [
      () => vb.set('/w-rec', 'r'),
      () => vb.create('/w-rec/a'),
      () => vb.set('/w-rec/a', 'a'),
      () => vb.create('/w-rec/a/b'),
      () => vb.create('/w-rec/deep'),
      () => vb.create('/w-rec/deep/er'),
      () => vb.create('/w-rec/deep/er/est'),
      () => vb.delete('/w-rec/deep/er/est'),
      () => vb.delete('/w-rec/a/b'),
      () => vb.create('/w-recX'),
      () => vb.delete('/w-recX'),
      () => vb.delete('/w-rec/a'),
    ]) {
      out.push(await step())
      out.push(await drain(a))
    }
    // A one-shot child watch beside it still fires NodeChildrenChanged.
    out.push(await va.children('/w-rec'))
    out.push(await vb.create('/w-rec/z'))
    out.push(await drain(a, 2))
    a.destroy()
    b.destroy()
    return out
  })

  pairTest(pair, 'checkWatches and removeWatches per watcher type, NoWatcher when none (raw frames)', async (server) => {
    const { conn: a } = await rawSession(server.connectString)
    const { conn: b } = await rawSession(server.connectString)
    const va = verbs(a)
    const vb = verbs(b)
    const out: unknown[] = [await vb.create('/w-rm'), await vb.create('/w-rm/n')]
    out.push({ nothingYet: [await va.check('/w-rm/n', 1), await va.check('/w-rm/n', 2), await va.check('/w-rm/n', 3), await va.remove('/w-rm/n', 3)] })
    out.push(await va.getData('/w-rm/n'), await va.children('/w-rm/n'))
    out.push({ both: [await va.check('/w-rm/n', 1), await va.check('/w-rm/n', 2), await va.check('/w-rm/n', 3)] })
    out.push({ removeChildren: await va.remove('/w-rm/n', 1), then: [await va.check('/w-rm/n', 1), await va.check('/w-rm/n', 2)] })
    out.push(await vb.create('/w-rm/n/c'))
    out.push({ noChildEvent: await drain(a) })
    out.push({ removeData: await va.remove('/w-rm/n', 2), again: await va.remove('/w-rm/n', 2) })
    out.push(await vb.set('/w-rm/n', 'x'))
    out.push({ noDataEvent: await drain(a) })
    out.push(await va.exists('/w-rm/absent'), { existsIsData: [await va.check('/w-rm/absent', 2), await va.check('/w-rm/absent', 1)] })
    out.push({ removeAny: await va.remove('/w-rm/absent', 3) })
    out.push(await va.addWatch('/w-rm/p', 0), { persistent: [await va.check('/w-rm/p', 1), await va.check('/w-rm/p', 2), await va.check('/w-rm/p', 3)] })
    out.push({ removePersistentData: await va.remove('/w-rm/p', 2), left: await va.check('/w-rm/p', 3) })
    out.push({ removePersistentAny: await va.remove('/w-rm/p', 3), left: await va.check('/w-rm/p', 3) })
    out.push(await va.addWatch('/w-rm/r', 1), { recursive: [await va.check('/w-rm/r', 1), await va.check('/w-rm/r', 2)], removeAny: await va.remove('/w-rm/r', 3) })
    out.push({ badType: await va.check('/w-rm/n', 7), badTypeRemove: await va.remove('/w-rm/n', 0) })
    out.push(await vb.create('/w-rm/p'), await vb.create('/w-rm/r'), await vb.delete('/w-rm/absent'))
    out.push({ nothingLeft: await drain(a) })
    a.destroy()
    b.destroy()
    return out
  })

  // ZooKeeper 3.8 keeps one watch mode per (connection, path): a one-shot watch set where the
  // connection holds a persistent one replaces it (fixed in 3.9 by ZOOKEEPER-4466).
  pairTest(pair, 'a one-shot watch on a path with a persistent watch of the same connection (raw frames)', async (server) => {
    const { conn: a } = await rawSession(server.connectString)
    const { conn: b } = await rawSession(server.connectString)
    const va = verbs(a)
    const vb = verbs(b)
    const out: unknown[] = [await vb.create('/w-mix', 0, 'a'), await va.addWatch('/w-mix', 0), await va.getData('/w-mix')]
    out.push(await vb.set('/w-mix', 'b'), await drain(a, 1))
    out.push(await vb.set('/w-mix', 'c'), await drain(a))
    out.push(await vb.create('/w-mix/c'), await drain(a))
    out.push({ check: await va.check('/w-mix', 3) })
    a.destroy()
    b.destroy()
    return out
  })

  pairTest(pair, 'SetWatches after a reconnect: catch-up events per list, then re-registered watches (raw frames)', async (server) => {
    const { conn: b } = await rawSession(server.connectString)
    const vb = verbs(b)
    const out: unknown[] = []
    for (const path of ['/w-sw', '/w-sw/changed', '/w-sw/same', '/w-sw/gone', '/w-sw/parent', '/w-sw/quiet-parent', '/w-sw/child-gone']) out.push(await vb.create(path))
    const marker = await b.call(1, CreateRequest, { path: '/w-sw/marker', data: null, acl: OPEN, flags: 0 })
    const relativeZxid = marker === 'closed' ? 0n : marker.zxid
    out.push(await vb.set('/w-sw/changed', 'x'), await vb.delete('/w-sw/gone'), await vb.create('/w-sw/new'), await vb.create('/w-sw/parent/kid'), await vb.delete('/w-sw/child-gone'))

    const { conn: a } = await rawSession(server.connectString)
    const va = verbs(a)
    const reply = await a.call(101, SetWatches, {
      relativeZxid,
      dataWatches: ['/w-sw/changed', '/w-sw/same', '/w-sw/gone', '/w-sw/never'],
      existWatches: ['/w-sw/new', '/w-sw/absent', '/w-sw/same'],
      childWatches: ['/w-sw/parent', '/w-sw/quiet-parent', '/w-sw/child-gone', '/w-sw/never2'],
    }, -8)
    out.push({ setWatches: replyObservation(reply), xid: reply === 'closed' ? null : reply.xid })
    out.push({ arrivals: a.arrivals.slice(), catchUp: await drain(a) })
    // What was re-registered (not fired) is live now.
    out.push(await vb.set('/w-sw/same', 's'), await vb.create('/w-sw/absent'), await vb.create('/w-sw/quiet-parent/k'), await vb.set('/w-sw/changed', 'y'))
    out.push({ afterwards: await drain(a, 2) })
    out.push({ check: [await va.check('/w-sw/changed', 2), await va.check('/w-sw/same', 2)] })
    a.destroy()
    b.destroy()
    return out
  })

  pairTest(pair, 'SetWatches2 re-registers persistent and recursive watches without catch-up events (raw frames)', async (server) => {
    const { conn: b } = await rawSession(server.connectString)
    const vb = verbs(b)
    const out: unknown[] = [await vb.create('/w-sw2'), await vb.create('/w-sw2/p'), await vb.create('/w-sw2/r')]
    const marker = await b.call(1, CreateRequest, { path: '/w-sw2/marker', data: null, acl: OPEN, flags: 0 })
    const relativeZxid = marker === 'closed' ? 0n : marker.zxid
    out.push(await vb.set('/w-sw2/p', 'changed'), await vb.create('/w-sw2/r/new'), await vb.set('/w-sw2/marker', 'm'))
    const { conn: a } = await rawSession(server.connectString)
    const reply = await a.call(105, SetWatches2, {
      relativeZxid,
      dataWatches: ['/w-sw2/marker'],
      existWatches: [],
      childWatches: [],
      persistentWatches: ['/w-sw2/p'],
      persistentRecursiveWatches: ['/w-sw2/r'],
    }, -8)
    out.push({ setWatches2: replyObservation(reply), catchUp: await drain(a) })
    out.push(await vb.set('/w-sw2/p', 'again'), await vb.create('/w-sw2/p/kid'), await vb.set('/w-sw2/r/new', 'n'), await vb.create('/w-sw2/r/new/deeper'))
    out.push({ afterwards: await drain(a, 4) })
    a.destroy()
    b.destroy()
    return out
  })

  // kazoo 2.8 sends no SetWatches: on a lost connection it fires a None/CONNECTING event at
  // every watcher and forgets them. node-zookeeper-client re-registers them, as Java does.
  pairTest(pair, 'node-zookeeper-client loses its connection, changes happen meanwhile, it reconnects and gets the missed events (through a proxy)', async (server) => {
    const proxy = await startProxy(server.connectString)
    const zk = await connectNzk(proxy.connectString)
    const other = await connectNzk(server.connectString)
    try {
      for (const path of ['/w-nz', '/w-nz/data', '/w-nz/deleted', '/w-nz/parent', '/w-nz/unchanged']) await other.create(path)
      const out: unknown[] = [
        await outcome(zk.getData('/w-nz/data', 'data')),
        await outcome(zk.getData('/w-nz/deleted', 'deleted')),
        await outcome(zk.exists('/w-nz/created', 'created')),
        await outcome(zk.getChildren('/w-nz/parent', 'parent')),
        await outcome(zk.getData('/w-nz/unchanged', 'unchanged')),
      ]
      const reconnected = new Promise<void>((resolve) => zk.raw.once('connected', () => resolve()))
      const disconnected = new Promise<void>((resolve) => zk.raw.once('disconnected', () => resolve()))
      proxy.pause()
      await disconnected
      out.push(await outcome(other.setData('/w-nz/data', 'changed while away')), await outcome(other.remove('/w-nz/deleted')))
      out.push(await outcome(other.create('/w-nz/created')), await outcome(other.create('/w-nz/parent/kid')))
      proxy.resume()
      await reconnected
      out.push({ missed: await zk.waitEvents(4, 8000) })
      zk.events.splice(0)
      out.push(await outcome(other.setData('/w-nz/unchanged', 'now')))
      out.push({ later: await zk.waitEvents(1) })
      return out
    } finally {
      await zk.close()
      await other.close()
      await proxy.close()
    }
  }, { timeoutMs: 30_000 })

  pairTest(pair, 'node-zookeeper-client watches: data, exists and child events', async (server) => {
    const zk = await connectNzk(server.connectString)
    const other = await connectNzk(server.connectString)
    try {
      const out: unknown[] = [await outcome(zk.create('/w-nzk', 'a'))]
      out.push(await outcome(zk.getData('/w-nzk', 'data')), await outcome(zk.exists('/w-nzk/x', 'exists')), await outcome(zk.getChildren('/w-nzk', 'child')))
      out.push(await outcome(other.setData('/w-nzk', 'b')), await outcome(other.create('/w-nzk/x')))
      out.push(await zk.waitEvents(3))
      return out
    } finally {
      await zk.close()
      await other.close()
    }
  })
})
