import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { JuteDecodeError, JuteReader, JuteWriter } from '../../../engine/jute'
import { Perms, READ_ACL_UNSAFE } from '../../../engine/proto/data-records'
import { OpCode } from '../../../engine/proto/opcodes'
import { digestOf } from '../../../engine/tree/acl'
import { DataTree } from '../../../engine/tree/data-tree'
import { deserializeTree, serializeTree, serializeTreeSteps } from '../../../engine/tree/serialize'
import { TxnDriver } from './helpers'

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'tree')

/**
 * A snapshot written by Apache ZooKeeper 3.8 (Debian package) after the writes in make-apache-snapshot.py/.sh:
 * FileHeader, sessions, then the tree body we own, then Apache's seal (adler32, "/") and digest section.
 */
function loadApacheSnapshot() {
  const bytes = readFileSync(join(FIXTURES, 'apache-3.8-snapshot.bin'))
  const r = new JuteReader(bytes)
  const header = { magic: r.int(), version: r.int(), dbid: r.long() }
  const sessions = new Map<bigint, number>()
  const sessionCount = r.int()
  for (let i = 0; i < sessionCount; i++) sessions.set(r.long(), r.int())
  const treeStart = r.offset
  const tree = deserializeTree(r, { extendedTypesEnabled: true })
  const treeEnd = r.offset
  const seal = { checksum: r.long(), marker: r.ustring() }
  const ephemeralSession = BigInt(readFileSync(join(FIXTURES, 'apache-3.8-snapshot.session'), 'utf8').trim())
  return { bytes, header, sessions, tree, treeStart, treeEnd, seal, ephemeralSession }
}

function adler32(bytes: Buffer): bigint {
  let a = 1
  let b = 0
  for (const byte of bytes) {
    a = (a + byte) % 65521
    b = (b + a) % 65521
  }
  return BigInt(((b << 16) | a) >>> 0)
}

function serialized(tree: DataTree): Buffer {
  const w = new JuteWriter(1024)
  serializeTree(tree, w)
  return w.toBuffer()
}

describe('an Apache 3.8 snapshot', () => {
  it('frames as Apache writes it: header, sessions, our tree body, then the adler32 seal', () => {
    const snap = loadApacheSnapshot()
    expect(snap.header).toEqual({ magic: 0x5a4b534e, version: 2, dbid: -1n })
    expect(snap.sessions.get(snap.ephemeralSession)).toBe(600_000)
    expect(snap.seal.marker).toBe('/')
    expect(snap.seal.checksum).toBe(adler32(snap.bytes.subarray(0, snap.treeEnd)))
  })

  it('loads every node with Apache stat, data and ACL', () => {
    const { tree } = loadApacheSnapshot()
    expect(tree.nodeCount).toBe(26)
    expect(tree.getChildren('/').children.sort()).toEqual(
      ['app', 'cont', 'mixed', 'nulldata', 'quota-root', 'readonly', 'secret', 'ttl', 'unicode', 'zookeeper'],
    )
    const app = tree.getData('/app')
    expect(app.data?.toString()).toBe('hello 3')
    expect(app.stat).toMatchObject({ czxid: 2n, version: 2, aversion: 1, numChildren: 5, cversion: 7 })
    expect(tree.getNode('/app')!.stat.cversion).toBe(6)
    expect(tree.getChildren('/app').children.sort()).toEqual(['child1', 'eph', 'eseq-0000000005', 'seq-0000000001', 'seq-0000000003'])
    expect(tree.getData('/app/child1').data).toEqual(Buffer.from([0, 1, 2, 255]))
    expect(tree.getData('/nulldata').data).toBeNull()
    expect(tree.getData('/zookeeper').data).toEqual(Buffer.alloc(0))
    expect(tree.getData('/unicode/节点').data?.toString()).toBe('数据')
    expect(tree.getACL('/secret').acl).toEqual([{ perms: Perms.ALL, id: { scheme: 'digest', id: digestOf('alice', 'pw') } }])
    expect(tree.getACL('/mixed').acl).toEqual([
      { perms: 15, id: { scheme: 'digest', id: digestOf('bob', 'pw2') } },
      { perms: 1, id: { scheme: 'ip', id: '127.0.0.1' } },
      { perms: 17, id: { scheme: 'ip', id: '10.0.0.0/8' } },
    ])
    expect(tree.getACL('/readonly').acl).toEqual(READ_ACL_UNSAFE)
    expect(tree.getACL('/zookeeper/config')).toMatchObject({ acl: READ_ACL_UNSAFE, stat: { aversion: -1 } })
    expect(tree.getNode('/')!.aclId).toBe(-1)
    expect(tree.exists('/')?.cversion).toBe(8)
  })

  it('rebuilds ephemerals, containers, TTL nodes and quota tracking', () => {
    const { tree, ephemeralSession } = loadApacheSnapshot()
    expect([...tree.ephemeralsOf(ephemeralSession)].sort()).toEqual(['/app/eph', '/app/eseq-0000000005'])
    expect(tree.exists('/app/eph')?.ephemeralOwner).toBe(ephemeralSession)
    expect([...tree.containers()]).toEqual(['/cont'])
    expect([...tree.ttlNodes()]).toEqual(['/ttl'])
    expect(tree.getNode('/ttl')!.stat.ephemeralOwner).toBe(-0x100000000000000n | 100_000n)
    expect(tree.exists('/ttl')?.ephemeralOwner).toBe(0n)
    expect(tree.getData('/zookeeper/quota/quota-root/zookeeper_limits').data?.toString()).toBe('count=10,bytes=-1=;byteHardLimit=-1;countHardLimit=-1')
    expect(tree.getData('/zookeeper/quota/quota-root/zookeeper_stats').data?.toString()).toBe('count=3,bytes=8')
    const sizeBefore = tree.approximateDataSize()
    expect(sizeBefore).toBe(tree.computeApproximateDataSize())
    const driver = new TxnDriver(tree)
    driver.zxid = tree.lastProcessedZxid = 0x25n
    driver.create('/quota-root/c', '1234')
    expect(tree.getData('/zookeeper/quota/quota-root/zookeeper_stats').data?.toString()).toBe('count=4,bytes=12')
    // Apache's cached size counts the new node but not the stats node rewrite ("count=3,bytes=8" grew by one).
    expect(tree.approximateDataSize()).toBe(sizeBefore + '/quota-root/c'.length + 4)
    expect(tree.computeApproximateDataSize()).toBe(sizeBefore + '/quota-root/c'.length + 4 + 1)
  })

  it('reads TTL owners as sessions when extended types are off (Apache default)', () => {
    const bytes = readFileSync(join(FIXTURES, 'apache-3.8-snapshot.bin'))
    const r = new JuteReader(bytes, 16)
    const sessionCount = r.int()
    r.offset += sessionCount * 12
    const tree = deserializeTree(r)
    expect(tree.ttlNodes().size).toBe(0)
    expect([...tree.ephemeralsOf(-0x100000000000000n | 100_000n)]).toEqual(['/ttl'])
  })

  it('lists children in the order Apache wrote them (its HashSet order, which a reload keeps)', () => {
    const { tree } = loadApacheSnapshot()
    // The order the nodes appear in the file.
    expect(tree.getChildren('/').children).toEqual(
      ['app', 'zookeeper', 'readonly', 'nulldata', 'unicode', 'mixed', 'secret', 'quota-root', 'cont', 'ttl'],
    )
    expect(tree.getChildren('/app').children).toEqual(['seq-0000000003', 'eseq-0000000005', 'eph', 'seq-0000000001', 'child1'])
  })

  it('re-serializes to exactly the bytes Apache wrote', () => {
    const snap = loadApacheSnapshot()
    expect(serialized(snap.tree).equals(snap.bytes.subarray(snap.treeStart, snap.treeEnd))).toBe(true)
  })
})

describe('serialize round trip', () => {
  function buildTree(): DataTree {
    const tree = new DataTree({ extendedTypesEnabled: true })
    const driver = new TxnDriver(tree)
    const digest = [{ perms: Perms.ALL, id: { scheme: 'digest', id: digestOf('u', 'p') } }]
    driver.create('/a', 'alpha')
    driver.create('/a/b', null, { acl: digest })
    driver.create('/a/b/c', 'x'.repeat(300))
    driver.create('/e', '', { ephemeral: true, sessionId: 0x77n })
    driver.apply({ type: OpCode.createContainer, txn: { path: '/c', data: null, acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], parentCVersion: -1 } })
    driver.apply({ type: OpCode.createTTL, txn: { path: '/t', data: null, acl: [...READ_ACL_UNSAFE], parentCVersion: -1, ttl: 60_000n } })
    driver.create('/zookeeper/quota/a')
    driver.create('/zookeeper/quota/a/zookeeper_limits', 'count=5,bytes=-1')
    driver.create('/zookeeper/quota/a/zookeeper_stats', '')
    driver.setData('/a', 'beta')
    driver.delete('/a/b/c')
    driver.create('/a/b/d')
    return tree
  }

  it('gives back the same tree and the same bytes', () => {
    const original = buildTree()
    const bytes = serialized(original)
    const copy = deserializeTree(new JuteReader(bytes), { extendedTypesEnabled: true })
    expect(serialized(copy).equals(bytes)).toBe(true)
    expect(copy.nodeCount).toBe(original.nodeCount)
    expect(copy.approximateDataSize()).toBe(original.computeApproximateDataSize())
    for (const path of ['/', '/a', '/a/b', '/a/b/d', '/e', '/c', '/t', '/zookeeper/config']) {
      expect(copy.getData(path)).toEqual(original.getData(path))
      expect(copy.getACL(path).acl).toEqual(original.getACL(path).acl)
      expect(copy.getNode(path)!.aclId).toBe(original.getNode(path)!.aclId)
    }
    expect([...copy.ephemeralsOf(0x77n)]).toEqual(['/e'])
    expect([...copy.containers()]).toEqual(['/c'])
    expect([...copy.ttlNodes()]).toEqual(['/t'])
    expect(copy.getData('/zookeeper/quota/a/zookeeper_stats').data?.toString()).toBe('count=3,bytes=4')
    expect(copy.aclCacheSize).toBe(original.aclCacheSize)
  })

  it('writes the ACL map, the root under "" first, and "/" last', () => {
    const bytes = serialized(new DataTree())
    const r = new JuteReader(bytes)
    expect(r.int()).toBe(1)
    expect(r.long()).toBe(1n)
    expect(r.int()).toBe(1)
    expect([r.int(), r.ustring(), r.ustring()]).toEqual([1, 'world', 'anyone'])
    expect(r.ustring()).toBe('')
    expect(r.buffer()).toEqual(Buffer.alloc(0))
    expect(r.long()).toBe(-1n)
    r.offset += 60
    expect(r.ustring()).toBe('/zookeeper')
    expect(bytes.subarray(bytes.length - 5)).toEqual(Buffer.from([0, 0, 0, 1, 0x2f]))
  })

  it('can be written in steps while txns apply in between (fuzzy, like Apache)', () => {
    const tree = buildTree()
    const w = new JuteWriter(1024)
    const steps = serializeTreeSteps(tree, w, 2)
    steps.next()
    const driver = new TxnDriver(tree)
    driver.zxid = tree.lastProcessedZxid
    driver.delete('/e')
    driver.create('/late')
    let yields = 0
    while (!steps.next().done) yields++
    expect(yields).toBeGreaterThan(3)
    const copy = deserializeTree(new JuteReader(w.toBuffer()))
    expect(copy.getNode('/e')).toBeUndefined()
    expect(copy.getNode('/a/b/d')).toBeDefined()
  })

  it('rejects a node whose parent was not seen, and truncated input', () => {
    const w = new JuteWriter()
    w.int(0)
    w.ustring('')
    w.buffer(null)
    w.long(-1n)
    for (let i = 0; i < 60; i++) w.byte(0)
    w.ustring('/orphan/child')
    w.buffer(null)
    w.long(-1n)
    for (let i = 0; i < 60; i++) w.byte(0)
    w.ustring('/')
    expect(() => deserializeTree(new JuteReader(w.toBuffer()))).toThrow(JuteDecodeError)
    const good = serialized(new DataTree())
    expect(() => deserializeTree(new JuteReader(good.subarray(0, good.length - 3)))).toThrow(JuteDecodeError)
  })
})
