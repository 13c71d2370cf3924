// ACLs and authentication (reference §4.12): world, auth, digest, ip and super (superDigest),
// getACL masking of digest ids for callers without ADMIN, whoAmI; and the two 3.8.4 changes
// that ZooDesk follows: ZOOKEEPER-4799 (watch events are not delivered to connections without
// READ on the znode), which Debian's 3.8.0 also carries as a security patch, so both must
// agree; and ZOOKEEPER-2590 (exists checks READ on an existing node), which Debian's 3.8.0
// lacks, stated as a difference between 3.8.0 and 3.8.6.
import { describe } from 'vitest'
import { AddWatchRequest, AuthPacket, CreateRequest, DeleteRequest, ExistsRequest, GetDataRequest, SetACLRequest, SetDataRequest, StatResponse, WhoAmIResponse } from '../../../engine/proto'
import type { ACL } from '../../../engine/proto'
import { runKazoo } from '../harness/kazoo'
import { connectNzk, outcome } from '../harness/nzk'
import { pairTest, useServerPair, versionDifferenceTest } from '../harness/pair'
import { rawOp, rawSession, replyObservation } from '../harness/raw'
import type { RawConnection } from '../harness/raw'
import type { TestServer } from '../harness/servers'
import { zkCliLines } from '../harness/zkcli'

/** base64(sha1("super:secret")), base64(sha1("alice:apw")). */
const SUPER_DIGEST = 'super:lK75jTNcA+U9vtVEw5vB51mj/w4='
const ALICE = 'alice:l+tY9T55txG8G/8vAjsjlr4obeM='
const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
const ALICE_ONLY: ACL[] = [{ perms: 31, id: { scheme: 'digest', id: ALICE } }]
const ALICE_AND_WORLD_READ: ACL[] = [...ALICE_ONLY, { perms: 1, id: { scheme: 'world', id: 'anyone' } }]

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function session(server: TestServer, credential?: string): Promise<RawConnection> {
  const { conn } = await rawSession(server.connectString)
  if (credential !== undefined) await conn.call(100, AuthPacket, { type: 0, scheme: 'digest', auth: Buffer.from(credential) }, -4)
  return conn
}

/** Events received so far as `type path` strings, after a quiet period; clears them. */
async function drain(conn: RawConnection): Promise<string[]> {
  await sleep(200)
  return conn.events.splice(0).map((e) => `${e.type} ${e.path}`)
}

describe('ACLs and authentication', () => {
  const pair = useServerPair('acl', { systemProperties: { 'zookeeper.DigestAuthenticationProvider.superDigest': SUPER_DIGEST } })

  pairTest(pair, 'digest and auth ACLs: denied without the credential, allowed with it (kazoo)', async (server) =>
    runKazoo(server.connectString, `
      from kazoo.security import make_digest_acl
      alice = connect(auth_data=[('digest', 'alice:apw')])
      anon = connect()
      op('create digest node', alice.create, '/acl-dig', b'secret', acl=[make_digest_acl('alice', 'apw', all=True)])
      op('create auth node', alice.create, '/acl-dig/auth', b'mine', acl=[ACL(31, Id('auth', ''))])
      op('auth expanded', alice.get_acls, '/acl-dig/auth')
      op('anon get', anon.get, '/acl-dig')
      op('anon set', anon.set, '/acl-dig', b'x')
      op('anon children', anon.get_children, '/acl-dig')
      op('anon create child', anon.create, '/acl-dig/x')
      op('anon delete child', anon.delete, '/acl-dig/auth')
      op('anon get_acls (no READ, no ADMIN)', anon.get_acls, '/acl-dig')
      op('anon add wrong password', anon.add_auth, 'digest', 'alice:wrong')
      op('still denied', anon.get, '/acl-dig')
      op('anon add right password', anon.add_auth, 'digest', 'alice:apw')
      op('now allowed', anon.get, '/acl-dig')
      op('create with two digest ids', alice.create, '/acl-dig/two', acl=[make_digest_acl('alice', 'apw', read=True), make_digest_acl('bob', 'bpw', all=True)])
      bob = connect(auth_data=[('digest', 'bob:bpw')])
      op('bob sets', bob.set, '/acl-dig/two', b'bob')
      op('alice reads', alice.get, '/acl-dig/two')
      op('alice cannot set', alice.set, '/acl-dig/two', b'alice')
      bob.create('/acl-dig2')
      op('auth acl with one credential', bob.create, '/acl-dig2/one', acl=[ACL(5, Id('auth', ''))])
      bob.add_auth('digest', 'carol:cpw')
      op('auth expands to every digest id', bob.create, '/acl-dig2/two', acl=[ACL(5, Id('auth', ''))])
      op('expanded', lambda: sorted((a.id.id, a.perms) for a in bob.get_acls('/acl-dig2/two')[0]))
      op('auth with a digest user also expands', bob.create, '/acl-dig2/mixed', acl=[ACL(1, Id('auth', '')), ACL(31, Id('world', 'anyone'))])
      op('mixed', bob.get_acls, '/acl-dig2/mixed')
    `))

  pairTest(pair, 'getACL masks digest ids for callers without ADMIN (kazoo, node-zookeeper-client)', async (server) => {
    const kazoo = await runKazoo(server.connectString, `
      from kazoo.security import make_digest_acl
      alice = connect(auth_data=[('digest', 'alice:apw')])
      anon = connect()
      acl = [make_digest_acl('alice', 'apw', all=True), make_digest_acl('bob', 'bpw', read=True), ACL(1, Id('world', 'anyone')), ACL(1, Id('ip', '127.0.0.1'))]
      alice.create('/acl-mask', acl=acl)
      op('owner with ADMIN sees digests', alice.get_acls, '/acl-mask')
      op('reader without ADMIN sees masked ids', anon.get_acls, '/acl-mask')
      alice.create('/acl-mask/admin-only', acl=[make_digest_acl('alice', 'apw', all=True), ACL(16, Id('world', 'anyone'))])
      op('ADMIN without READ still sees digests', anon.get_acls, '/acl-mask/admin-only')
    `)
    const zk = await connectNzk(server.connectString)
    try {
      return [...kazoo, await outcome(zk.getACL('/acl-mask'))]
    } finally {
      await zk.close()
    }
  })

  pairTest(pair, 'ip ACLs: address, network, and a network that does not match (kazoo)', async (server) =>
    runKazoo(server.connectString, `
      zk = connect()
      zk.create('/acl-ip')
      for name, ip in [('exact', '127.0.0.1'), ('net8', '127.0.0.0/8'), ('net32', '127.0.0.1/32'), ('net0', '0.0.0.0/0'), ('other', '10.1.2.3'), ('othernet', '10.0.0.0/8'), ('net24', '127.0.1.0/24')]:
          op('create ' + name, zk.create, '/acl-ip/' + name, b'v', acl=[ACL(1, Id('ip', ip)), ACL(30, Id('world', 'anyone'))])
          op('read ' + name, zk.get, '/acl-ip/' + name)
    `))

  pairTest(pair, 'super (superDigest) passes every ACL; whoAmI lists the ids (kazoo, zkCli.sh, raw)', async (server) => {
    const kazoo = await runKazoo(server.connectString, `
      alice = connect(auth_data=[('digest', 'alice:apw')])
      root = connect(auth_data=[('digest', 'super:secret')])
      wrong = connect(auth_data=[('digest', 'super:wrong')])
      alice.create('/acl-super', b'locked', acl=[ACL(31, Id('digest', '${ALICE}'))])
      alice.create('/acl-super/none', b'nothing', acl=[ACL(0, Id('world', 'anyone'))])
      op('super reads', root.get, '/acl-super')
      op('super reads a node with no permissions at all', root.get, '/acl-super/none')
      op('super sets', root.set, '/acl-super', b'by super')
      op('super sees digests unmasked', root.get_acls, '/acl-super')
      op('super creates under it', root.create, '/acl-super/child')
      op('super sets the acl', root.set_acls, '/acl-super/none', [ACL(31, Id('world', 'anyone'))])
      op('wrong super password is just another digest user', wrong.get, '/acl-super')
      op('super may not appear in an ACL', root.create, '/acl-super/bad', acl=[ACL(31, Id('super', 'x'))])
    `)
    const cli = await zkCliLines(server.connectString, ['whoami', 'addauth digest super:secret', 'whoami', 'get /acl-super', 'addauth digest alice:apw', 'whoami', 'getAcl /acl-super'])
    const conn = await session(server, 'super:secret')
    await conn.call(100, AuthPacket, { type: 0, scheme: 'digest', auth: Buffer.from('alice:apw') }, -4)
    const who = replyObservation(await conn.request(107), WhoAmIResponse)
    conn.destroy()
    return [...kazoo, cli, who]
  })

  pairTest(pair, 'the /zookeeper nodes: config is read-only except for super (raw frames)', async (server) => {
    const anon = await session(server)
    const root = await session(server, 'super:secret')
    const out = [
      await rawOp(anon, 5, SetDataRequest, { path: '/zookeeper/config', data: Buffer.from('x'), version: -1 }),
      await rawOp(anon, 7, SetACLRequest, { path: '/zookeeper/config', acl: OPEN, version: -1 }),
      await rawOp(anon, 1, CreateRequest, { path: '/zookeeper/config/child', data: null, acl: OPEN, flags: 0 }),
      await rawOp(anon, 1, CreateRequest, { path: '/zookeeper/acl-mine', data: null, acl: OPEN, flags: 0 }),
      await rawOp(anon, 2, DeleteRequest, { path: '/zookeeper/acl-mine', version: -1 }),
      await rawOp(root, 1, CreateRequest, { path: '/zookeeper/config/child', data: null, acl: OPEN, flags: 0 }),
      await rawOp(root, 2, DeleteRequest, { path: '/zookeeper/config/child', version: -1 }),
      await rawOp(root, 2, DeleteRequest, { path: '/zookeeper/config', version: -1 }),
      await rawOp(root, 2, DeleteRequest, { path: '/zookeeper/quota', version: -1 }),
    ]
    anon.destroy()
    root.destroy()
    return out
  })

  pairTest(pair, 'super and world-READ watchers get every event, whatever the ACL (raw frames)', async (server) => {
    const owner = await session(server, 'alice:apw')
    const root = await session(server, 'super:secret')
    const reader = await session(server)
    const out: unknown[] = []
    out.push(await rawOp(owner, 1, CreateRequest, { path: '/acl-ev', data: null, acl: ALICE_AND_WORLD_READ, flags: 0 }))
    out.push(await rawOp(owner, 1, CreateRequest, { path: '/acl-ev/n', data: null, acl: ALICE_AND_WORLD_READ, flags: 0 }))
    for (const conn of [root, reader]) {
      await conn.call(4, GetDataRequest, { path: '/acl-ev/n', watch: true })
      await conn.call(8, GetDataRequest, { path: '/acl-ev', watch: true })
      await conn.call(3, ExistsRequest, { path: '/acl-ev/new', watch: true })
    }
    out.push(await rawOp(owner, 5, SetDataRequest, { path: '/acl-ev/n', data: Buffer.from('x'), version: -1 }))
    out.push(await rawOp(owner, 1, CreateRequest, { path: '/acl-ev/new', data: null, acl: ALICE_AND_WORLD_READ, flags: 0 }))
    out.push({ root: await drain(root), reader: await drain(reader) })
    for (const conn of [owner, root, reader]) conn.destroy()
    return out
  })

  // ZOOKEEPER-4799 (3.8.4, CVE-2024-23944): a notification is delivered only if the receiving
  // connection has READ on the znode's ACL at the time of the change (the parent's for
  // NodeChildrenChanged), for one-shot and persistent watches alike. Debian's 3.8.0
  // (3.8.0-11+deb12u2) carries this fix as a security patch, so both servers must agree.
  pairTest(pair, 'watch events are not delivered without READ on the znode (raw frames)', async (server) => {
    const owner = await session(server, 'alice:apw')
    const anon = await session(server)
    const owned = (path: string, acl: ACL[]): Promise<unknown> => rawOp(owner, 1, CreateRequest, { path, data: null, acl, flags: 0 })
    const setAcl = (path: string, acl: ACL[]): Promise<unknown> => rawOp(owner, 7, SetACLRequest, { path, acl, version: -1 })
    const out: unknown[] = []
    await owned('/acl-ev-read', OPEN)
    out.push({ existsAbsent: await rawOp(anon, 3, ExistsRequest, { path: '/acl-ev-read/absent', watch: true }) })
    await owned('/acl-ev-read/absent', ALICE_ONLY)
    out.push({ createdWithoutRead: await drain(anon) })
    await owned('/acl-ev-read/data', ALICE_AND_WORLD_READ)
    await anon.call(4, GetDataRequest, { path: '/acl-ev-read/data', watch: true })
    await setAcl('/acl-ev-read/data', ALICE_ONLY)
    await rawOp(owner, 5, SetDataRequest, { path: '/acl-ev-read/data', data: Buffer.from('x'), version: -1 })
    out.push({ dataChangedAfterReadRevoked: await drain(anon) })
    await owned('/acl-ev-read/parent', ALICE_AND_WORLD_READ)
    await anon.call(8, GetDataRequest, { path: '/acl-ev-read/parent', watch: true })
    await setAcl('/acl-ev-read/parent', ALICE_ONLY)
    await owned('/acl-ev-read/parent/kid', OPEN)
    out.push({ childrenChangedWithoutReadOnParent: await drain(anon) })
    await owned('/acl-ev-read/gone', ALICE_AND_WORLD_READ)
    await anon.call(4, GetDataRequest, { path: '/acl-ev-read/gone', watch: true })
    await setAcl('/acl-ev-read/gone', ALICE_ONLY)
    await rawOp(owner, 2, DeleteRequest, { path: '/acl-ev-read/gone', version: -1 })
    out.push({ deletedWithoutRead: await drain(anon) })
    await anon.call(106, AddWatchRequest, { path: '/acl-ev-read/tree', mode: 1 })
    await owned('/acl-ev-read/tree', OPEN)
    await owned('/acl-ev-read/tree/secret', ALICE_ONLY)
    await owned('/acl-ev-read/tree/open', OPEN)
    out.push({ recursive: await drain(anon) })
    owner.destroy()
    anon.destroy()
    return out
  })

  // ZOOKEEPER-2590 (3.8.4): exists on an existing node needs READ on it; 3.8.0 (Debian's too)
  // answers with the stat. On an absent node both answer NoNode (and set the watch).
  versionDifferenceTest(
    pair,
    'exists on a node without READ (raw frames)',
    async (server) => {
      const owner = await session(server, 'alice:apw')
      const anon = await session(server)
      await rawOp(owner, 1, CreateRequest, { path: '/acl-read', data: null, acl: OPEN, flags: 0 })
      await rawOp(owner, 1, CreateRequest, { path: '/acl-read/secret', data: null, acl: ALICE_ONLY, flags: 0 })
      const root = await session(server, 'super:secret')
      const out = [
        { existsWithoutRead: await rawOp(anon, 3, ExistsRequest, { path: '/acl-read/secret', watch: false }, StatResponse) },
        { existsWithoutReadWithWatch: await rawOp(anon, 3, ExistsRequest, { path: '/acl-read/secret', watch: true }) },
        { existsAsSuper: await rawOp(root, 3, ExistsRequest, { path: '/acl-read/secret', watch: false }) },
        { existsAbsent: await rawOp(anon, 3, ExistsRequest, { path: '/acl-read/absent', watch: false }) },
      ]
      for (const conn of [owner, anon, root]) conn.destroy()
      return out
    },
    {
      change: 'ZOOKEEPER-2590 exists checks READ',
      apache380: [
        // Z1: the node's creation; Z2: the last txn (the super session's createSession).
        { existsWithoutRead: { err: 0, zxid: 'Z2', body: { stat: { czxid: 'Z1', mzxid: 'Z1', ctime: '<time>', mtime: '<time>', version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0, dataLength: 0, numChildren: 0, pzxid: 'Z1' } } } },
        { existsWithoutReadWithWatch: { err: 0, zxid: 'Z2', bodyBytes: 68 } },
        { existsAsSuper: { err: 0, zxid: 'Z2', bodyBytes: 68 } },
        { existsAbsent: { err: -101, zxid: 'Z2', bodyBytes: 0 } },
      ],
      // No stat is observed here, so the last txn's zxid is the only (Z1) one.
      zoodesk386: [
        { existsWithoutRead: { err: -102, zxid: 'Z1', bodyBytes: 0 } },
        { existsWithoutReadWithWatch: { err: -102, zxid: 'Z1', bodyBytes: 0 } },
        { existsAsSuper: { err: 0, zxid: 'Z1', bodyBytes: 68 } },
        { existsAbsent: { err: -101, zxid: 'Z1', bodyBytes: 0 } },
      ],
    },
  )
})
