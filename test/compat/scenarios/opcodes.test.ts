// Every client opcode of ZooKeeper 3.8, through clients nobody here wrote (kazoo,
// node-zookeeper-client, zkCli.sh) and, where none of them can send it, raw frames: the same
// scenario runs on Apache ZooKeeper 3.8.0 and on ZooDesk and must observe the same thing.
// One pair of servers for the file (TTL nodes enabled); each scenario has its own znode prefix.
import { describe } from 'vitest'
import {
  AuthPacket,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  GetAllChildrenNumberResponse,
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  PathRequest,
  GetSASLRequest,
  ReconfigRequest,
  SetSASLResponse,
  SyncResponse,
  WhoAmIResponse,
} from '../../../engine/proto'
import type { ACL } from '../../../engine/proto'
import { runKazoo } from '../harness/kazoo'
import { connectNzk, outcome } from '../harness/nzk'
import { pairTest, useServerPair, versionDifferenceTest } from '../harness/pair'
import { decodeMultiResponse, encodeMulti, rawOp, rawSession, replyObservation } from '../harness/raw'
import type { MultiOp, RawReply } from '../harness/raw'
import { zkCliLines } from '../harness/zkcli'

const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]

function multiObservation(reply: RawReply | 'closed'): unknown {
  if (reply === 'closed') return { closed: true }
  return { err: reply.err, zxid: reply.zxid.toString(), results: reply.err === 0 ? decodeMultiResponse(reply.body) : null }
}

describe('client opcodes', () => {
  const pair = useServerPair('opcodes', { systemProperties: { 'zookeeper.extendedTypesEnabled': true } })

  pairTest(pair, 'create and create2 in every create mode (kazoo)', async (server) =>
    runKazoo(server.connectString, `
      zk = connect()
      op('create', zk.create, '/op-create', b'root')
      op('create2', zk.create, '/op-create/c2', b'two', include_data=True)
      op('null data', zk.create, '/op-create/null', None, include_data=True)
      op('get null data', zk.get, '/op-create/null')
      op('empty data', zk.create, '/op-create/empty', b'', include_data=True)
      op('get empty data', zk.get, '/op-create/empty')
      op('ephemeral', zk.create, '/op-create/eph', b'e', ephemeral=True, include_data=True)
      op('sequential 1', zk.create, '/op-create/seq-', b's', sequence=True)
      op('sequential 2', zk.create, '/op-create/seq-', b's', sequence=True, include_data=True)
      op('ephemeral sequential', zk.create, '/op-create/eseq-', b'es', ephemeral=True, sequence=True, include_data=True)
      op('sequential with trailing slash', zk.create, '/op-create/', b'', sequence=True)
      op('makepath', zk.create, '/op-create/deep/er/node', b'd', makepath=True)
      op('exists again', zk.create, '/op-create', b'again')
      op('missing parent', zk.create, '/op-create/missing/child')
      op('child of ephemeral', zk.create, '/op-create/eph/child')
      op('children', lambda: sorted(zk.get_children('/op-create')))
      op('parent stat', zk.exists, '/op-create')
    `))

  pairTest(pair, 'createContainer and createTTL through zkCli.sh', async (server) => [
    await zkCliLines(server.connectString, [
        'create /op-ct',
        'create -c /op-ct/container cdata',
        'stat /op-ct/container',
        'create -t 600000 /op-ct/ttl tdata',
        'stat /op-ct/ttl',
        'create -s -t 600000 /op-ct/ttlseq- x',
        'create -c /op-ct/container again',
        'create -t 600000 /op-ct/missing/ttl',
        'ls -s /op-ct',
      ])
    ,
  ])

  pairTest(pair, 'create opcodes and flags as raw frames (1, 15, 19, 21)', async (server) => {
    const { conn } = await rawSession(server.connectString)
    const out: unknown[] = []
    const create = async (label: string, type: number, path: string, flags: number): Promise<void> => {
      out.push({ label, reply: await rawOp(conn, type, CreateRequest, { path, data: Buffer.from(label), acl: OPEN, flags }, type === 1 ? CreateResponse : Create2Response) })
    }
    const createTTL = async (label: string, type: number, path: string, flags: number, ttl: bigint): Promise<void> => {
      out.push({ label, reply: await rawOp(conn, type, CreateTTLRequest, { path, data: Buffer.from(label), acl: OPEN, flags, ttl }, Create2Response) })
    }
    await create('create persistent', 1, '/op-raw', 0)
    await create('create ephemeral', 1, '/op-raw/e1', 1)
    await create('create seq', 1, '/op-raw/s-', 2)
    await create('create ephemeral seq', 1, '/op-raw/es-', 3)
    await create('create with container flag', 1, '/op-raw/c1', 4)
    await create('create with ttl flag', 1, '/op-raw/t1', 5)
    await create('create with flag 7', 1, '/op-raw/bad7', 7)
    await create('create with flag -1', 1, '/op-raw/badm1', -1)
    await create('create2 persistent', 15, '/op-raw/p2', 0)
    await create('create2 ephemeral', 15, '/op-raw/e2', 1)
    await create('create2 with container flag', 15, '/op-raw/c2', 4)
    await create('create2 with ttl flag', 15, '/op-raw/t2', 5)
    await create('createContainer', 19, '/op-raw/c3', 4)
    await create('createContainer with flag 0', 19, '/op-raw/c4', 0)
    await create('createContainer with flag 1', 19, '/op-raw/c5', 1)
    await createTTL('createTTL', 21, '/op-raw/t3', 5, 60_000n)
    await createTTL('createTTL sequential', 21, '/op-raw/t4-', 6, 60_000n)
    await createTTL('createTTL ttl 0', 21, '/op-raw/t5', 5, 0n)
    await createTTL('createTTL ttl -1', 21, '/op-raw/t6', 5, -1n)
    await createTTL('createTTL max ttl', 21, '/op-raw/t7', 5, 0xff_ffff_ffffn)
    await createTTL('createTTL max ttl + 1', 21, '/op-raw/t8', 5, 0x100_0000_0000n)
    await createTTL('createTTL with flag 0', 21, '/op-raw/t9', 0, 60_000n)
    await createTTL('createTTL with flag 1', 21, '/op-raw/t10', 1, 60_000n)
    await createTTL('createTTL with container flag', 21, '/op-raw/t11', 4, 60_000n)
    await createTTL('createTTL under missing parent', 21, '/op-raw/none/t', 5, 60_000n)
    conn.destroy()
    return out
  })

  pairTest(pair, 'delete, exists, getData and setData (node-zookeeper-client)', async (server) => {
    const zk = await connectNzk(server.connectString)
    try {
      return [
        await outcome(zk.create('/op-rw', 'v0')),
        await outcome(zk.create('/op-rw/child', null)),
        await outcome(zk.exists('/op-rw')),
        await outcome(zk.exists('/op-rw/absent')),
        await outcome(zk.getData('/op-rw')),
        await outcome(zk.getData('/op-rw/child')),
        await outcome(zk.getData('/op-rw/absent')),
        await outcome(zk.setData('/op-rw', 'v1')),
        await outcome(zk.setData('/op-rw', 'v2', 1)),
        await outcome(zk.setData('/op-rw', 'v3', 1)),
        await outcome(zk.setData('/op-rw', '')),
        await outcome(zk.getData('/op-rw')),
        await outcome(zk.setData('/op-rw/absent', 'x')),
        await outcome(zk.remove('/op-rw')),
        await outcome(zk.remove('/op-rw/child', 5)),
        await outcome(zk.remove('/op-rw/child', 0)),
        await outcome(zk.remove('/op-rw/child')),
        await outcome(zk.exists('/op-rw')),
        await outcome(zk.remove('/op-rw', -1)),
        await outcome(zk.exists('/op-rw')),
      ]
    } finally {
      await zk.close()
    }
  })

  pairTest(pair, 'getACL and setACL with versions (kazoo)', async (server) =>
    runKazoo(server.connectString, `
      from kazoo.security import OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, CREATOR_ALL_ACL
      zk = connect()
      op('create', zk.create, '/op-acl', b'a')
      op('get acl', zk.get_acls, '/op-acl')
      op('set acl read', zk.set_acls, '/op-acl', READ_ACL_UNSAFE)
      op('get acl after', zk.get_acls, '/op-acl')
      op('set acl wrong version', zk.set_acls, '/op-acl', OPEN_ACL_UNSAFE, 0)
      op('set acl version 1', zk.set_acls, '/op-acl', [ACL(31, Id('world', 'anyone')), ACL(1, Id('ip', '127.0.0.1'))], 1)
      op('get acl two entries', zk.get_acls, '/op-acl')
      op('set acl duplicates', zk.set_acls, '/op-acl', [ACL(31, Id('world', 'anyone')), ACL(31, Id('world', 'anyone'))])
      op('get acl dedup', zk.get_acls, '/op-acl')
      op('get acl missing', zk.get_acls, '/op-acl/missing')
      op('set acl missing', zk.set_acls, '/op-acl/missing', OPEN_ACL_UNSAFE)
      op('stat keeps version and mzxid', zk.exists, '/op-acl')
    `))

  pairTest(pair, 'getChildren and getChildren2 (kazoo and node-zookeeper-client)', async (server) => {
    const kazoo = await runKazoo(server.connectString, `
      zk = connect()
      zk.create('/op-ls')
      for name in ['b', 'a', 'c']:
          zk.create('/op-ls/' + name)
      zk.create('/op-ls/a/deeper')
      op('getChildren', lambda: sorted(zk.get_children('/op-ls')))
      children, stat = zk.get_children('/op-ls', include_data=True)
      emit('getChildren2', sorted(children), stat=stat)
      op('getChildren leaf', zk.get_children, '/op-ls/c')
      op('getChildren missing', zk.get_children, '/op-ls/missing')
      op('getChildren2 missing', zk.get_children, '/op-ls/missing', include_data=True)
    `)
    const zk = await connectNzk(server.connectString)
    try {
      const listing = await zk.getChildren('/op-ls')
      return [...kazoo, { nzk: { children: [...listing.children].sort(), stat: listing.stat } }, await outcome(zk.getChildren('/op-ls/none'))]
    } finally {
      await zk.close()
    }
  })

  pairTest(pair, 'sync echoes its path and ping answers with xid -2 (kazoo, raw)', async (server) => {
    const kazoo = await runKazoo(server.connectString, `
      zk = connect()
      zk.create('/op-sync')
      op('sync', zk.sync, '/op-sync')
      op('sync missing node', zk.sync, '/op-sync/absent')
    `)
    const { conn } = await rawSession(server.connectString)
    const write = await conn.call(1, CreateRequest, { path: '/op-sync/raw', data: null, acl: OPEN, flags: 0 })
    const ping = await conn.request(11, Buffer.alloc(0), -2)
    const sync = await conn.call(9, PathRequest, { path: 'not even a path' })
    const out = [
      ...kazoo,
      { write: replyObservation(write, CreateResponse) },
      { ping: replyObservation(ping), pingXid: ping === 'closed' ? null : ping.xid, pingZxidIsLastWrite: ping !== 'closed' && write !== 'closed' && ping.zxid === write.zxid },
      { sync: replyObservation(sync, SyncResponse) },
    ]
    conn.destroy()
    return out
  })

  pairTest(pair, 'multi: success and failure result shapes (kazoo)', async (server) =>
    runKazoo(server.connectString, `
      zk = connect()
      zk.create('/op-multi', b'm')
      t = zk.transaction()
      t.create('/op-multi/a', b'1')
      t.create('/op-multi/s-', b'2', sequence=True)
      t.set_data('/op-multi', b'changed')
      t.check('/op-multi', 1)
      t.delete('/op-multi/a')
      op('commit ok', t.commit)
      op('after ok', zk.get, '/op-multi')
      op('children after ok', lambda: sorted(zk.get_children('/op-multi')))
      t = zk.transaction()
      t.create('/op-multi/b', b'1')
      t.check('/op-multi', 7)
      t.set_data('/op-multi', b'never')
      op('commit bad version', t.commit)
      op('b absent', zk.exists, '/op-multi/b')
      t = zk.transaction()
      t.delete('/op-multi/absent')
      t.create('/op-multi/c')
      op('commit first fails', t.commit)
      t = zk.transaction()
      t.create('/op-multi/d')
      t.create('/op-multi/d')
      op('commit node exists', t.commit)
      t = zk.transaction()
      t.create('/op-multi/e')
      t.create('/op-multi/e/f', ephemeral=True)
      t.create('/op-multi/e/f/g')
      op('commit child of ephemeral created in the same multi', t.commit)
      op('e absent', zk.exists, '/op-multi/e')
      t = zk.transaction()
      t.delete('/op-multi')
      op('commit not empty', t.commit)
      op('final stat', zk.exists, '/op-multi')
    `))

  pairTest(pair, 'multi result records as raw frames, including createTTL and createContainer', async (server) => {
    const { conn } = await rawSession(server.connectString)
    const multi = async (ops: MultiOp[]): Promise<unknown> => multiObservation(await conn.request(14, encodeMulti(ops)))
    const out = [
      await multi([
        { type: 1, path: '/op-rmulti', data: Buffer.from('x') },
        { type: 19, path: '/op-rmulti/cont' },
        { type: 21, path: '/op-rmulti/ttl', ttl: 60_000n },
        { type: 1, path: '/op-rmulti/seq-', flags: 2 },
        { type: 1, path: '/op-rmulti/eph', flags: 1 },
        { type: 5, path: '/op-rmulti', data: Buffer.from('y'), version: 0 },
        { type: 13, path: '/op-rmulti', version: 1 },
        { type: 2, path: '/op-rmulti/seq-0000000003', version: 0 },
      ]),
      await multi([
        { type: 5, path: '/op-rmulti', data: Buffer.from('z') },
        { type: 13, path: '/op-rmulti', version: 1 },
        { type: 2, path: '/op-rmulti/none' },
        { type: 1, path: '/op-rmulti/never' },
      ]),
      await multi([]),
      await multi([{ type: 21, path: '/op-rmulti/ttl0', ttl: 0n }]),
      await multi([{ type: 1, path: '/op-rmulti/bad/' }]),
      await multi([{ type: 1, path: '/op-rmulti/eph/child' }]),
      await multi([{ type: 13, path: '/op-rmulti/none', version: 0 }]),
      await multi([{ type: 2, path: '/op-rmulti' }]),
      await multi([{ type: 4, path: '/op-rmulti' }]),
    ]
    conn.destroy()
    return out
  })

  // ZOOKEEPER-4026 (3.8.2) made create2 inside a multi answer with Create2Response (type 15 +
  // stat) instead of a plain CreateResponse, and made an invalid create flag inside a multi a
  // decode failure (MarshallingError in the reply header, zxid consumed) instead of a
  // BadArguments result for that op.
  const stat = { czxid: 'Z1', mzxid: 'Z1', ctime: '<time>', mtime: '<time>', version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0, dataLength: 0, numChildren: 0, pzxid: 'Z1' }
  versionDifferenceTest(
    pair,
    'multi with create2 and with an invalid create flag (raw frames)',
    async (server) => {
      const { conn } = await rawSession(server.connectString)
      const multi = async (ops: MultiOp[]): Promise<unknown> => multiObservation(await conn.request(14, encodeMulti(ops)))
      const out = [
        await multi([{ type: 15, path: '/op-rmulti2' }, { type: 15, path: '/op-rmulti2/s-', flags: 2 }]),
        await multi([{ type: 1, path: '/op-rmulti2/bad', flags: 9 }]),
      ]
      conn.destroy()
      return out
    },
    {
      change: 'ZOOKEEPER-4026 create2 in multi',
      apache380: [
        { err: 0, zxid: 'Z1', results: [{ type: 1, err: 0, path: '/op-rmulti2' }, { type: 1, err: 0, path: '/op-rmulti2/s-0000000000' }] },
        { err: 0, zxid: 'Z2', results: [{ type: -1, err: -8, errBody: -8 }] },
      ],
      zoodesk386: [
        {
          err: 0,
          zxid: 'Z1',
          results: [
            // The stat as the node was when its op was applied, before the next op's child.
            { type: 15, err: 0, path: '/op-rmulti2', stat },
            { type: 15, err: 0, path: '/op-rmulti2/s-0000000000', stat },
          ],
        },
        { err: -5, zxid: 'Z2', results: null },
      ],
    },
  )

  pairTest(pair, 'multiRead: independent reads with per-op errors (raw frames)', async (server) => {
    const { conn } = await rawSession(server.connectString)
    await conn.request(14, encodeMulti([
      { type: 1, path: '/op-mread', data: Buffer.from('top') },
      { type: 1, path: '/op-mread/a', data: Buffer.from('A') },
      { type: 1, path: '/op-mread/b', data: null },
    ]))
    const multiRead = async (ops: MultiOp[]): Promise<unknown> => multiObservation(await conn.request(22, encodeMulti(ops)))
    const out = [
      await multiRead([
        { type: 4, path: '/op-mread' },
        { type: 8, path: '/op-mread/a' },
        { type: 4, path: '/op-mread/missing' },
        { type: 8, path: '/op-mread/missing' },
        { type: 4, path: '/op-mread/b' },
      ]),
      await multiRead([]),
      await multiRead([{ type: 4, path: '/op-mread' }, { type: 2, path: '/op-mread/a' }]),
      await multiRead([{ type: 13, path: '/op-mread', version: 0 }]),
    ]
    // Children come back in hash order on Apache: sort them before comparing.
    conn.destroy()
    return JSON.parse(JSON.stringify(out, (_k, v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...(v as string[])].sort() : v))) as unknown[]
  })

  pairTest(pair, 'auth packets: digest accumulates ids, an unknown scheme fails and closes (raw, kazoo)', async (server) => {
    const kazoo = await runKazoo(server.connectString, `
      zk = connect()
      op('add digest', zk.add_auth, 'digest', 'alice:secret')
      op('create with auth acl', zk.create, '/op-auth', b'', acl=[ACL(31, Id('auth', ''))])
      op('acl expanded', zk.get_acls, '/op-auth')
    `)
    const { conn } = await rawSession(server.connectString)
    const auth = (scheme: string, credential: string): Promise<RawReply | 'closed'> =>
      conn.call(100, AuthPacket, { type: 0, scheme, auth: Buffer.from(credential) }, -4)
    const whoAmI = async (): Promise<unknown> => replyObservation(await conn.request(107), WhoAmIResponse)
    const out: unknown[] = [...kazoo]
    out.push({ whoAmI: await whoAmI() })
    out.push({ digest: replyObservation(await auth('digest', 'alice:secret')) })
    out.push({ digestAgain: replyObservation(await auth('digest', 'alice:secret')) })
    out.push({ digestNoColon: replyObservation(await auth('digest', 'nocolon')) })
    out.push({ whoAmI: await whoAmI() })
    out.push({ unknownScheme: replyObservation(await auth('kerberos', 'x')) })
    out.push({ closedAfterAuthFailure: await conn.waitClosed() })
    conn.destroy()
    return out
  })

  pairTest(pair, 'getEphemerals, getAllChildrenNumber and whoAmI (zkCli.sh and raw frames)', async (server) => {
    const cli = await zkCliLines(server.connectString, [
      'create /op-info',
      'create /op-info/a',
      'create /op-info/a/b',
      'create -e /op-info/e1',
      'create -e /op-info/a/e2',
      'create -e /op-infoX',
      'getEphemerals',
      'getEphemerals /op-info',
      'getEphemerals /op-info/a',
      'getEphemerals /none',
      'getAllChildrenNumber /op-info',
      'getAllChildrenNumber /op-info/a/b',
      'getAllChildrenNumber /none',
      'whoami',
      'addauth digest bob:pw',
      'whoami',
      'delete /op-infoX',
    ])
    const { conn } = await rawSession(server.connectString)
    await conn.call(1, CreateRequest, { path: '/op-info/r1', data: null, acl: OPEN, flags: 1 })
    await conn.call(1, CreateRequest, { path: '/op-info/a/r2', data: null, acl: OPEN, flags: 1 })
    await conn.call(1, CreateRequest, { path: '/op-infoR', data: null, acl: OPEN, flags: 1 })
    const eph = async (prefixPath: string): Promise<unknown> => {
      const reply = await conn.call(103, GetEphemeralsRequest, { prefixPath })
      const o = replyObservation(reply, GetEphemeralsResponse) as { body?: { ephemerals: string[] } }
      o.body?.ephemerals.sort()
      return { prefixPath, o }
    }
    const out: unknown[] = [cli]
    for (const prefix of ['', '/', ' ', '/op-info', '/op-info/', '/op-info/a', '/op-inf', 'op-info', '/none']) out.push(await eph(prefix))
    for (const path of ['/op-info', '/op-info/a', '/op-info/r1', '/none', 'bad path']) {
      out.push({ path, count: await rawOp(conn, 104, PathRequest, { path }, GetAllChildrenNumberResponse) })
    }
    out.push({ whoAmI: replyObservation(await conn.request(107), WhoAmIResponse) })
    conn.destroy()
    return out
  })

  pairTest(pair, 'closeSession: reply, close, ephemerals gone (raw frames, kazoo)', async (server) => {
    const { conn } = await rawSession(server.connectString)
    const out: unknown[] = []
    out.push(await rawOp(conn, 1, CreateRequest, { path: '/op-close', data: null, acl: OPEN, flags: 0 }, CreateResponse))
    out.push(await rawOp(conn, 1, CreateRequest, { path: '/op-close/eph', data: null, acl: OPEN, flags: 1 }, CreateResponse))
    const close = await conn.request(-11)
    out.push({ close: replyObservation(close) })
    out.push({ closedByServer: await conn.waitClosed() })
    out.push(
      ...(await runKazoo(server.connectString, `
        zk = connect()
        op('ephemeral gone', zk.exists, '/op-close/eph')
        op('parent', zk.exists, '/op-close')
      `)),
    )
    return out
  })

  // kazoo 2.8 does not know error -123 (ReconfigDisabled): its connection loop dies on it.
  pairTest(pair, 'reconfig with reconfig disabled (zkCli.sh, raw)', async (server) => {
    const cli = await zkCliLines(server.connectString, ['reconfig -add server.2=127.0.0.1:2888:3888:participant;127.0.0.1:2182', 'reconfig -remove 1', 'config'])
    const { conn } = await rawSession(server.connectString)
    const raw = await rawOp(conn, 16, ReconfigRequest, { joiningServers: null, leavingServers: null, newMembers: null, curConfigId: -1n })
    conn.destroy()
    return [cli, raw]
  })

  pairTest(pair, 'sasl (opcode 102) with no SASL configured: an OK reply with a null token (raw frames)', async (server) => {
    const { conn } = await rawSession(server.connectString)
    const out = [
      await rawOp(conn, 102, GetSASLRequest, { token: Buffer.from('not a sasl token') }, SetSASLResponse),
      await rawOp(conn, 102, GetSASLRequest, { token: null }, SetSASLResponse),
      { whoAmI: replyObservation(await conn.request(107), WhoAmIResponse) },
    ]
    conn.destroy()
    return out
  })

  pairTest(pair, 'session timeouts are clamped to 2 and 20 ticks by default (raw handshakes)', async (server) => {
    const out: unknown[] = []
    for (const timeOut of [1, 3999, 4000, 25_000, 40_000, 40_001, 1_000_000]) {
      const { conn, session } = await rawSession(server.connectString, { timeOut })
      out.push({ requested: timeOut, negotiated: session.timeOut })
      await conn.request(-11)
      conn.destroy()
    }
    return out
  })
})
