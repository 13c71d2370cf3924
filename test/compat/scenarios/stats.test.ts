// Stat semantics (reference §4.1–§4.3): the initial tree, czxid/mzxid/pzxid, displayed cversion
// against the sequential suffix, numChildren, dataLength, ephemeralOwner per node type,
// aversion, and which operations consume a zxid. Zxids are normalized by rank, so where a gap
// matters (a failed write consumes a zxid) the scenario records the difference itself.
// The initial-tree scenario must run first: it looks at a server nothing has touched.
import { describe } from 'vitest'
import { Create2Response, CreateRequest, CreateTTLRequest, ExistsRequest, GetAllChildrenNumberResponse, PathRequest, SetDataRequest, StatResponse } from '../../../engine/proto'
import type { ACL } from '../../../engine/proto'
import { runKazoo } from '../harness/kazoo'
import { connectNzk } from '../harness/nzk'
import { pairTest, useServerPair } from '../harness/pair'
import { rawOp, rawSession } from '../harness/raw'
import { fourLetter } from '../harness/servers'
import { zkCliLines } from '../harness/zkcli'

const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]

describe('stat semantics', () => {
  const pair = useServerPair('stats', { systemProperties: { 'zookeeper.extendedTypesEnabled': true } })

  pairTest(pair, 'the initial tree: /, /zookeeper, /zookeeper/quota, /zookeeper/config (kazoo, zkCli.sh, 4lw)', async (server) => {
    const { conn } = await rawSession(server.connectString)
    const count = await rawOp(conn, 104, PathRequest, { path: '/' }, GetAllChildrenNumberResponse)
    await conn.closeSession()
    const srvr = await fourLetter(server.host, server.port, 'srvr')
    const mntr = await fourLetter(server.host, server.port, 'mntr')
    const mntrValue = (key: string): string | undefined => mntr.split('\n').find((l) => l.startsWith(`${key}\t`))?.split('\t')[1]
    return [
      ...(await runKazoo(server.connectString, `
        zk = connect()
        for path in ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']:
            op('get ' + path, zk.get, path)
            op('acl ' + path, zk.get_acls, path)
            op('children ' + path, lambda: sorted(zk.get_children(path)))
      `)),
      await zkCliLines(server.connectString, ['ls -s /', 'ls -R /', 'get -s /zookeeper/config', 'getAcl /zookeeper/config', 'getAcl /', 'stat /zookeeper']),
      { allChildrenOfRoot: count },
      { nodeCount: /^Node count: (\d+)$/m.exec(srvr)?.[1], znodeCount: mntrValue('zk_znode_count'), dataSize: mntrValue('zk_approximate_data_size') },
    ]
  })

  pairTest(pair, 'czxid, mzxid and pzxid through creates, sets and deletes (kazoo)', async (server) =>
    runKazoo(server.connectString, `
      zk = connect()
      op('parent', zk.create, '/st-zxid', b'p', include_data=True)
      op('child a', zk.create, '/st-zxid/a', b'a', include_data=True)
      op('parent after child', zk.exists, '/st-zxid')
      op('set child', zk.set, '/st-zxid/a', b'aa')
      op('parent unchanged by child set', zk.exists, '/st-zxid')
      op('set parent', zk.set, '/st-zxid', b'pp')
      op('child b', zk.create, '/st-zxid/b', include_data=True)
      op('delete a', zk.delete, '/st-zxid/a')
      op('parent after delete', zk.exists, '/st-zxid')
      op('grandchild', zk.create, '/st-zxid/b/c')
      op('parent unchanged by grandchild', zk.exists, '/st-zxid')
      op('b after grandchild', zk.exists, '/st-zxid/b')
      op('set same data again', zk.set, '/st-zxid/b', b'')
      op('set same data again 2', zk.set, '/st-zxid/b', b'')
    `))

  pairTest(pair, 'cversion shown against the sequential suffix after deletes (kazoo, zkCli.sh)', async (server) => [
    ...(await runKazoo(server.connectString, `
      zk = connect()
      zk.create('/st-seq')
      names = [zk.create('/st-seq/n-', sequence=True) for _ in range(4)]
      emit('created', names)
      op('stat 4 children', zk.exists, '/st-seq')
      zk.delete(names[0])
      zk.delete(names[2])
      op('stat after 2 deletes', zk.exists, '/st-seq')
      op('next sequential', zk.create, '/st-seq/n-', sequence=True)
      op('plain child', zk.create, '/st-seq/plain')
      op('next sequential after plain', zk.create, '/st-seq/other-', sequence=True)
      op('stat', zk.exists, '/st-seq')
      for name in sorted(zk.get_children('/st-seq')):
          zk.delete('/st-seq/' + name)
      op('stat emptied', zk.exists, '/st-seq')
      op('sequential after emptying', zk.create, '/st-seq/n-', sequence=True)
      t = zk.transaction()
      t.create('/st-seq/m-', sequence=True)
      t.create('/st-seq/m-', sequence=True)
      t.delete('/st-seq/n-0000000007')
      op('sequentials in one multi', t.commit)
      op('stat after multi', zk.exists, '/st-seq')
    `)),
    await zkCliLines(server.connectString, ['create -s /st-seq/z- d', 'stat /st-seq']),
  ])

  pairTest(pair, 'dataLength and data for null, empty, text and binary data (kazoo, node-zookeeper-client)', async (server) => {
    const kazoo = await runKazoo(server.connectString, `
      zk = connect()
      zk.create('/st-data')
      for name, value in [('null', None), ('empty', b''), ('ascii', b'hello'), ('utf8', 'żółw ☃'.encode('utf-8')), ('binary', bytes([0, 255, 128, 10]))]:
          zk.create('/st-data/' + name, value)
          op('get ' + name, zk.get, '/st-data/' + name)
      op('set to null', zk.set, '/st-data/ascii', None)
      op('get after set to null', zk.get, '/st-data/ascii')
      op('parent numChildren', zk.exists, '/st-data')
    `)
    const zk = await connectNzk(server.connectString)
    try {
      return [...kazoo, await zk.getData('/st-data/null'), await zk.getData('/st-data/empty'), await zk.getData('/st-data/binary')]
    } finally {
      await zk.close()
    }
  })

  pairTest(pair, 'ephemeralOwner: the session for ephemerals, 0 for persistent, container and TTL nodes (raw, kazoo, zkCli.sh)', async (server) => {
    const { conn, session } = await rawSession(server.connectString)
    const out: unknown[] = []
    out.push({ sessionId: session.sessionId.toString() })
    const create2 = async (path: string, type: number, flags: number): Promise<unknown> =>
      rawOp(conn, type, CreateRequest, { path, data: null, acl: OPEN, flags }, Create2Response)
    out.push(await create2('/st-owner', 15, 0))
    out.push(await create2('/st-owner/eph', 15, 1))
    out.push(await create2('/st-owner/eseq-', 15, 3))
    out.push(await create2('/st-owner/container', 19, 4))
    out.push(await rawOp(conn, 21, CreateTTLRequest, { path: '/st-owner/ttl', data: null, acl: OPEN, flags: 5, ttl: 3_600_000n }, Create2Response))
    out.push(await rawOp(conn, 21, CreateTTLRequest, { path: '/st-owner/ttlseq-', data: null, acl: OPEN, flags: 6, ttl: 7_200_000n }, Create2Response))
    out.push(
      ...(await runKazoo(server.connectString, `
        zk = connect()
        for name in ['eph', 'container', 'ttl']:
            emit('exists ' + name, None, ephemeralOwner=zk.exists('/st-owner/' + name).ephemeralOwner)
        op('own ephemeral', zk.create, '/st-owner/kazoo-eph', ephemeral=True, include_data=True)
        emit('own session', None, sessionId=zk.client_id[0])
      `)),
    )
    out.push(await zkCliLines(server.connectString, ['stat /st-owner/container', 'create -e /st-owner/cli-eph', 'stat /st-owner/cli-eph']))
    await conn.closeSession()
    return out
  })

  pairTest(pair, 'aversion and version: setACL and setData bump their own counters only (kazoo)', async (server) =>
    runKazoo(server.connectString, `
      zk = connect()
      op('create', zk.create, '/st-ver', b'v', include_data=True)
      op('set acl', zk.set_acls, '/st-ver', [ACL(31, Id('world', 'anyone'))])
      op('set acl again', zk.set_acls, '/st-ver', [ACL(31, Id('world', 'anyone'))], version=1)
      op('set acl stale version', zk.set_acls, '/st-ver', [ACL(31, Id('world', 'anyone'))], version=1)
      op('set data', zk.set, '/st-ver', b'w', version=0)
      op('set data stale version', zk.set, '/st-ver', b'x', version=0)
      op('stat', zk.exists, '/st-ver')
      op('acl stat', zk.get_acls, '/st-ver')
    `))

  pairTest(pair, 'zxids: failed writes consume one, reads none, a multi one for all its ops (kazoo, raw)', async (server) => {
    const kazoo = await runKazoo(server.connectString, `
      zk = connect()
      def czxid(path):
          return zk.exists(path).czxid
      zk.create('/st-gap')
      a = czxid('/st-gap')
      op('failed create', zk.create, '/st-gap')
      op('failed delete', zk.delete, '/st-gap/none')
      op('failed set', zk.set, '/st-gap', b'', version=9)
      zk.get('/st-gap')
      zk.get_children('/st-gap')
      zk.exists('/st-gap/none')
      zk.sync('/st-gap')
      zk.create('/st-gap/b')
      emit('czxid gap after 3 failed writes, 4 reads and a sync', czxid('/st-gap/b') - a)
      t = zk.transaction()
      t.create('/st-gap/m1')
      t.create('/st-gap/m2')
      t.set_data('/st-gap', b'm')
      op('multi', t.commit)
      s1, s2, p = zk.exists('/st-gap/m1'), zk.exists('/st-gap/m2'), zk.exists('/st-gap')
      emit('multi shares one zxid', [s1.czxid == s2.czxid == p.mzxid == p.pzxid, s1.czxid - czxid('/st-gap/b')])
      t = zk.transaction()
      t.create('/st-gap/m3')
      t.create('/st-gap/m1')
      op('failed multi', t.commit)
      zk.create('/st-gap/c')
      emit('gap after a failed multi', czxid('/st-gap/c') - s1.czxid)
    `)
    const { conn } = await rawSession(server.connectString)
    const write = await conn.call(1, CreateRequest, { path: '/st-gap/raw', data: null, acl: OPEN, flags: 0 })
    const failed = await conn.call(1, CreateRequest, { path: '/st-gap/raw', data: null, acl: OPEN, flags: 0 })
    const read = await conn.call(3, ExistsRequest, { path: '/st-gap/raw', watch: false })
    const set = await conn.call(5, SetDataRequest, { path: '/st-gap/raw', data: null, version: -1 })
    await conn.closeSession()
    const zx = (r: typeof write): bigint => (r === 'closed' ? -1n : r.zxid)
    return [
      ...kazoo,
      {
        failedWriteReplyZxid: Number(zx(failed) - zx(write)),
        readReplyZxidIsLastProcessed: Number(zx(read) - zx(failed)),
        nextWrite: Number(zx(set) - zx(read)),
        setStat: set === 'closed' ? null : await rawStat(set.body),
      },
    ]
  })
})

async function rawStat(body: Buffer): Promise<unknown> {
  const { decode } = await import('../../../engine/jute')
  const stat = decode(StatResponse, body).stat
  return { version: stat.version, dataLength: stat.dataLength }
}
