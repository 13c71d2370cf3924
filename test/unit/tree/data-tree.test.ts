import { describe, expect, it } from 'vitest'
import { JuteReader, JuteWriter } from '../../../engine/jute'
import { OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE } from '../../../engine/proto/data-records'
import { CONTAINER_EPHEMERAL_OWNER } from '../../../engine/proto/enums'
import { ErrorCode, KeeperError } from '../../../engine/proto/errors'
import { OpCode } from '../../../engine/proto/opcodes'
import type { TxnBody } from '../../../engine/proto/txn'
import { NO_CHILDREN, sequentialSuffix } from '../../../engine/tree/data-node'
import { DataTree } from '../../../engine/tree/data-tree'
import { deserializeTree, serializeTree } from '../../../engine/tree/serialize'
import { GetChildrenResponse } from '../../../engine/proto/records'
import { RecordingWatcher, TxnDriver, createBody } from './helpers'

describe('initial tree', () => {
  it('has /, its "" alias, /zookeeper, /zookeeper/quota and /zookeeper/config', () => {
    const tree = new DataTree()
    expect(tree.nodeCount).toBe(5)
    expect(tree.getNode('')).toBe(tree.getNode('/'))
    expect(tree.getChildren('/').children).toEqual(['zookeeper'])
    expect(tree.getChildren('/zookeeper').children.sort()).toEqual(['config', 'quota'])
    expect(tree.getAllChildrenNumber('/')).toBe(3)
    expect(tree.approximateDataSize()).toBe(0 + 1 + 10 + 16 + 17)
    expect(tree.computeApproximateDataSize()).toBe(44)
    expect(tree.lastProcessedZxid).toBe(0n)
  })

  it('shows displayed cversions -1 and -2 and an all-zero root stat', () => {
    const tree = new DataTree()
    expect(tree.exists('/')).toEqual({
      czxid: 0n, mzxid: 0n, ctime: 0, mtime: 0, version: 0, cversion: -1, aversion: 0,
      ephemeralOwner: 0n, dataLength: 0, numChildren: 1, pzxid: 0n,
    })
    expect(tree.exists('/zookeeper')?.cversion).toBe(-2)
    expect(tree.exists('/zookeeper/quota')?.cversion).toBe(0)
  })

  it('protects /zookeeper/config with READ_ACL_UNSAFE, aversion -1 and ACL id 1', () => {
    const tree = new DataTree({ configData: Buffer.from('server.1=a:1:2') })
    const config = tree.getNode('/zookeeper/config')!
    expect(config.aclId).toBe(1)
    expect(tree.aclOf(config)).toEqual(READ_ACL_UNSAFE)
    expect(tree.exists('/zookeeper/config')?.aversion).toBe(-1)
    expect(tree.getData('/zookeeper/config').data?.toString()).toBe('server.1=a:1:2')
    expect(tree.approximateDataSize()).toBe(44 + 14)
    expect(tree.aclOf(tree.getNode('/')!)).toEqual(OPEN_ACL_UNSAFE)
  })

  it('initConfigNode sets the membership as Apache does in quorum mode (version -1, mzxid = config version)', () => {
    const tree = new DataTree()
    tree.initConfigNode(Buffer.from('server.1=h:2888:3888:participant\nversion=100000000'), 0x100000000n, 1234)
    const stat = tree.exists('/zookeeper/config')!
    expect(stat.version).toBe(-1)
    expect(stat.mzxid).toBe(0x100000000n)
    expect(stat.mtime).toBe(1234)
    expect(stat.czxid).toBe(0n)
    expect(tree.lastProcessedZxid).toBe(0n)
  })
})

describe('reads', () => {
  it('throws NoNode for getData/getChildren of a missing node and registers no watch', () => {
    const tree = new DataTree()
    const watcher = new RecordingWatcher()
    expect(() => tree.getData('/nope', watcher)).toThrow(KeeperError)
    expect(() => tree.getChildren('/nope', watcher)).toThrow(expect.objectContaining({ code: ErrorCode.NONODE }))
    expect(tree.watchCount()).toBe(0)
    expect(tree.exists('/nope', watcher)).toBeNull()
    expect(tree.watchCount()).toBe(1)
  })

  it('never validates read paths: a malformed one is just absent', () => {
    const tree = new DataTree()
    expect(tree.exists('no/slash')).toBeNull()
    expect(tree.exists('/zookeeper/')).toBeNull()
  })
})

describe('stat maintenance (Apache §4.2)', () => {
  it('create sets czxid = mzxid = pzxid, times, zero versions; the parent gets cversion+1 and pzxid', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    const result = driver.create('/a', 'hello')
    expect(result).toEqual({ clientId: 0x1000n, cxid: 1, zxid: 1n, type: OpCode.create, err: 0, path: '/a' })
    expect(tree.exists('/a')).toEqual({
      czxid: 1n, mzxid: 1n, ctime: 1_000_010, mtime: 1_000_010, version: 0, cversion: 0, aversion: 0,
      ephemeralOwner: 0n, dataLength: 5, numChildren: 0, pzxid: 1n,
    })
    expect(tree.getNode('/')!.stat.cversion).toBe(1)
    expect(tree.exists('/')).toMatchObject({ cversion: 0, numChildren: 2, pzxid: 1n })
    expect(tree.lastProcessedZxid).toBe(1n)
  })

  it('create2, createTTL and createContainer return the new stat; create does not', () => {
    const tree = new DataTree({ extendedTypesEnabled: true })
    const driver = new TxnDriver(tree)
    expect(driver.create('/a').stat).toBeUndefined()
    const created2 = driver.create('/b', 'xy', { type: OpCode.create2 })
    expect(created2.stat).toMatchObject({ czxid: 2n, dataLength: 2, version: 0 })
    const ttl = driver.apply({ type: OpCode.createTTL, txn: { path: '/t', data: null, acl: [...OPEN_ACL_UNSAFE], parentCVersion: -1, ttl: 5000n } })
    expect(ttl.stat).toMatchObject({ czxid: 3n, ephemeralOwner: 0n, dataLength: 0 })
    const container = driver.apply({ type: OpCode.createContainer, txn: { path: '/c', data: Buffer.from('c'), acl: [...OPEN_ACL_UNSAFE], parentCVersion: -1 } })
    expect(container.stat).toMatchObject({ czxid: 4n, ephemeralOwner: 0n })
    expect(tree.getNode('/t')!.stat.ephemeralOwner).toBe(-0x100000000000000n | 5000n)
    expect(tree.getNode('/c')!.stat.ephemeralOwner).toBe(CONTAINER_EPHEMERAL_OWNER)
    expect([...tree.ttlNodes()]).toEqual(['/t'])
    expect([...tree.containers()]).toEqual(['/c'])
    expect(tree.ephemeralSessions().size).toBe(0)
  })

  it('delete moves the parent pzxid but not its stored cversion; the displayed cversion counts both', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/p')
    driver.create('/p/a')
    driver.create('/p/b')
    expect(tree.exists('/p')).toMatchObject({ cversion: 2, numChildren: 2, pzxid: 3n })
    expect(driver.delete('/p/a').err).toBe(0)
    expect(tree.getNode('/p')!.stat.cversion).toBe(2)
    expect(tree.exists('/p')).toMatchObject({ cversion: 3, numChildren: 1, pzxid: 4n })
    driver.delete('/p/b')
    expect(tree.exists('/p')).toMatchObject({ cversion: 4, numChildren: 0, pzxid: 5n })
  })

  it('sequential suffix is the stored cversion before the increment, deletes included', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/q')
    const parent = tree.getNode('/q')!
    const names: string[] = []
    for (let i = 0; i < 3; i++) {
      const name = `/q/n-${sequentialSuffix(parent)}`
      names.push(name)
      driver.create(name)
    }
    expect(names).toEqual(['/q/n-0000000000', '/q/n-0000000001', '/q/n-0000000002'])
    driver.delete('/q/n-0000000001')
    driver.delete('/q/n-0000000002')
    expect(sequentialSuffix(parent)).toBe('0000000003')
    expect(tree.exists('/q')?.cversion).toBe(5)
  })

  it('formats the suffix as Java %010d of a signed int, overflow included', () => {
    const tree = new DataTree()
    const node = tree.getNode('/')!
    node.stat.cversion = 2147483647
    expect(sequentialSuffix(node)).toBe('2147483647')
    node.stat.cversion = -2147483648
    expect(sequentialSuffix(node)).toBe('-2147483648')
    node.stat.cversion = -7
    expect(sequentialSuffix(node)).toBe('-000000007')
    // The displayed cversion wraps as a Java int too.
    node.stat.cversion = 2147483647
    expect(tree.exists('/')?.cversion).toBe(-3)
  })

  it('setData sets data, version (from the txn), mzxid and mtime, and returns the stat', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/a', 'one')
    const result = driver.setData('/a', 'three')
    expect(result.stat).toMatchObject({ version: 1, mzxid: 2n, czxid: 1n, mtime: 1_000_020, ctime: 1_000_010, dataLength: 5 })
    expect(tree.getData('/a').data?.toString()).toBe('three')
    const missing = driver.apply({ type: OpCode.setData, txn: { path: '/b', data: null, version: 1 } })
    expect(missing).toMatchObject({ err: ErrorCode.NONODE, path: '/b' })
    expect(missing.stat).toBeUndefined()
  })

  it('setACL sets the list and aversion (from the txn) but not mzxid', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/a')
    const acl = [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }]
    const result = driver.apply({ type: OpCode.setACL, txn: { path: '/a', acl, version: 1 } })
    expect(result.stat).toMatchObject({ aversion: 1, mzxid: 1n, version: 0 })
    expect(tree.getACL('/a').acl).toEqual(acl)
  })

  it('tracks approximateDataSize through create, setData and delete', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/abc', '12345')
    expect(tree.approximateDataSize()).toBe(44 + 4 + 5)
    driver.setData('/abc', '1')
    expect(tree.approximateDataSize()).toBe(44 + 4 + 1)
    driver.create('/abc/n', null)
    expect(tree.approximateDataSize()).toBe(44 + 4 + 1 + 6)
    driver.delete('/abc/n')
    driver.delete('/abc')
    expect(tree.approximateDataSize()).toBe(44)
    expect(tree.computeApproximateDataSize()).toBe(44)
  })

  it('counts descendants for getAllChildrenNumber', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    for (const path of ['/a', '/a/b', '/a/b/c', '/a/d', '/ab']) driver.create(path)
    expect(tree.getAllChildrenNumber('/a')).toBe(3)
    expect(tree.getAllChildrenNumber('/a/b/c')).toBe(0)
    expect(tree.getAllChildrenNumber('/')).toBe(8)
    expect(tree.getAllChildrenNumber('/zookeeper')).toBe(2)
  })
})

describe('processTxn results and odd txns', () => {
  it('an error txn reports its code and still advances lastProcessedZxid', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    const result = driver.apply({ type: OpCode.error, txn: { err: ErrorCode.NODEEXISTS } })
    expect(result).toEqual({ clientId: 0x1000n, cxid: 1, zxid: 1n, type: OpCode.error, err: ErrorCode.NODEEXISTS, path: '' })
    expect(tree.lastProcessedZxid).toBe(1n)
  })

  it('check and createSession change nothing', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    expect(driver.apply({ type: OpCode.check, txn: { path: '/x', version: 3 } })).toMatchObject({ err: 0, path: '/x' })
    expect(driver.apply({ type: OpCode.createSession, txn: { timeOut: 30000 } })).toMatchObject({ err: 0, path: '' })
    expect(tree.nodeCount).toBe(5)
    expect(tree.lastProcessedZxid).toBe(2n)
  })

  it('never moves lastProcessedZxid backwards', () => {
    const tree = new DataTree()
    tree.processTxn({ clientId: 1n, cxid: 1, zxid: 10n, time: 1, type: OpCode.error }, { type: OpCode.error, txn: { err: 0 } })
    tree.processTxn({ clientId: 1n, cxid: 1, zxid: 5n, time: 1, type: OpCode.error }, { type: OpCode.error, txn: { err: 0 } })
    expect(tree.lastProcessedZxid).toBe(10n)
  })

  it('reconfig applies like setData on /zookeeper/config', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    const result = driver.apply({ type: OpCode.reconfig, txn: { path: '/zookeeper/config', data: Buffer.from('v=2'), version: -1 } })
    expect(result).toMatchObject({ type: OpCode.reconfig, err: 0, path: '/zookeeper/config', stat: { version: -1, mzxid: 1n } })
  })
})

describe('multi', () => {
  it('applies every op with one zxid and returns one result per op', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/m', 'x')
    const body: TxnBody = {
      type: OpCode.multi,
      txns: [
        createBody(tree, '/m/a', 'a'),
        { type: OpCode.create2, txn: { path: '/m/b', data: null, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: 2 } },
        { type: OpCode.setData, txn: { path: '/m', data: Buffer.from('y'), version: 1 } },
        { type: OpCode.check, txn: { path: '/m', version: 1 } },
        { type: OpCode.delete, txn: { path: '/m/a' } },
      ],
    }
    const result = driver.apply(body)
    expect(result.err).toBe(0)
    expect(result.type).toBe(OpCode.multi)
    expect(result.multiResult?.map((sub) => [sub.type, sub.err, sub.path, sub.zxid])).toEqual([
      [OpCode.create, 0, '/m/a', 2n],
      [OpCode.create2, 0, '/m/b', 2n],
      [OpCode.setData, 0, '/m', 2n],
      [OpCode.check, 0, '/m', 2n],
      [OpCode.delete, 0, '/m/a', 2n],
    ])
    expect(result.multiResult?.[1]?.stat).toMatchObject({ czxid: 2n })
    expect(result.multiResult?.[2]?.stat).toMatchObject({ version: 1, mzxid: 2n })
    expect(tree.getChildren('/m').children).toEqual(['b'])
    expect(tree.exists('/m')).toMatchObject({ cversion: 3, pzxid: 2n })
    expect(tree.lastProcessedZxid).toBe(2n)
  })

  it('a failed multi changes nothing: ops before the failure report 0, after it -2', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    const body: TxnBody = {
      type: OpCode.multi,
      txns: [
        createBody(tree, '/x'),
        { type: OpCode.error, txn: { err: ErrorCode.NONODE } },
        { type: OpCode.setData, txn: { path: '/zookeeper', data: null, version: 1 } },
      ],
    }
    const result = driver.apply(body)
    expect(result.err).toBe(ErrorCode.NONODE)
    expect(result.multiResult?.map((sub) => [sub.type, sub.err, sub.path])).toEqual([
      [OpCode.error, 0, ''],
      [OpCode.error, ErrorCode.NONODE, ''],
      [OpCode.error, ErrorCode.RUNTIMEINCONSISTENCY, ''],
    ])
    expect(tree.exists('/x')).toBeNull()
    expect(tree.exists('/zookeeper')?.version).toBe(0)
    expect(tree.lastProcessedZxid).toBe(1n)
  })
})

describe('idempotent replay (fuzzy snapshots)', () => {
  it('a replayed create over an existing node answers NodeExists and still brings the parent forward', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/p')
    driver.create('/p/a')
    // The snapshot caught /p/a but not the parent's later state: cversion 5 came from creates we replay now.
    const replay: TxnBody = { type: OpCode.create, txn: { path: '/p/a', data: null, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: 5 } }
    const result = driver.apply(replay)
    expect(result.err).toBe(ErrorCode.NODEEXISTS)
    expect(tree.getNode('/p')!.stat).toMatchObject({ cversion: 5, pzxid: 3n })
    // A lower cversion never moves it back.
    const older: TxnBody = { type: OpCode.create, txn: { path: '/p/a', data: null, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: 4 } }
    driver.apply(older)
    expect(tree.getNode('/p')!.stat).toMatchObject({ cversion: 5, pzxid: 3n })
  })

  it('create2 over an existing node does not touch the parent (Apache fixes opcode create only)', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/p')
    driver.create('/p/a')
    const replay: TxnBody = { type: OpCode.create2, txn: { path: '/p/a', data: null, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: 9 } }
    expect(driver.apply(replay).err).toBe(ErrorCode.NODEEXISTS)
    expect(tree.getNode('/p')!.stat.cversion).toBe(1)
  })

  it('a replayed create re-points the existing node at the txn ACL', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/a')
    const acl = [{ perms: Perms.READ, id: { scheme: 'digest', id: 'u:x' } }]
    driver.apply({ type: OpCode.create, txn: { path: '/a', data: null, acl, ephemeral: false, parentCVersion: -1 } })
    expect(tree.getACL('/a').acl).toEqual(acl)
    expect(tree.aclCacheSize).toBe(2)
  })

  it('a create older than the parent state adds the node but keeps the parent cversion', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/p')
    tree.getNode('/p')!.stat.cversion = 7
    const result = driver.apply({ type: OpCode.create, txn: { path: '/p/x', data: null, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: 3 } })
    expect(result.err).toBe(0)
    expect(tree.getNode('/p')!.stat).toMatchObject({ cversion: 7, pzxid: 1n })
    expect(tree.getNode('/p/x')).toBeDefined()
  })

  it('a replayed delete of a missing node answers NoNode but moves the parent pzxid forward', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/p')
    const result = driver.delete('/p/gone')
    expect(result).toMatchObject({ err: ErrorCode.NONODE, path: '/p/gone' })
    expect(tree.getNode('/p')!.stat.pzxid).toBe(2n)
    expect(driver.delete('/nope/gone').err).toBe(ErrorCode.NONODE)
  })

  it('parentCVersion -1 (pre-3.3 logs) means "increment"', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.apply({ type: OpCode.create, txn: { path: '/a', data: null, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: -1 } })
    expect(tree.getNode('/')!.stat.cversion).toBe(1)
  })
})

describe('ephemerals and sessions', () => {
  it('tracks ephemerals per owner and reports the owner in the stat', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/e1', '', { ephemeral: true, sessionId: 0xaan })
    driver.create('/e2', '', { ephemeral: true, sessionId: 0xaan })
    driver.create('/f', '', { ephemeral: true, sessionId: 0xbbn })
    expect([...tree.ephemeralsOf(0xaan)]).toEqual(['/e1', '/e2'])
    expect(tree.exists('/e1')?.ephemeralOwner).toBe(0xaan)
    expect(tree.ephemeralsCount()).toBe(3)
    expect(tree.ephemeralsOf(0xccn).size).toBe(0)
    // A deleted ephemeral leaves its session's (now smaller) set in place until the session closes, as in Apache.
    driver.delete('/f')
    expect(tree.ephemeralSessions().has(0xbbn)).toBe(true)
    expect(tree.ephemeralsOf(0xbbn).size).toBe(0)
  })

  it('closeSession deletes the listed paths and any ephemeral the list missed, firing watches', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/dir')
    driver.create('/dir/e1', '', { ephemeral: true, sessionId: 0xaan })
    driver.create('/dir/e2', '', { ephemeral: true, sessionId: 0xaan })
    driver.create('/other', '', { ephemeral: true, sessionId: 0xbbn })
    const watcher = new RecordingWatcher()
    tree.getChildren('/dir', watcher)
    tree.exists('/dir/e2', watcher)
    const result = driver.closeSession(0xaan, ['/dir/e1', '/dir/missing'])
    expect(result).toMatchObject({ type: OpCode.closeSession, err: 0, zxid: 5n })
    expect(tree.getChildren('/dir').children).toEqual([])
    expect(tree.ephemeralSessions().has(0xaan)).toBe(false)
    expect(tree.exists('/other')).not.toBeNull()
    expect(watcher.take()).toEqual(['children /dir', 'deleted /dir/e2'])
    // Every deletion carries the closeSession zxid.
    expect(tree.getNode('/dir')!.stat.pzxid).toBe(5n)
  })

  it('treats a TTL-shaped owner as a session when extended types are disabled (Apache default)', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.apply({ type: OpCode.createTTL, txn: { path: '/t', data: null, acl: [...OPEN_ACL_UNSAFE], parentCVersion: -1, ttl: 100n } })
    const owner = -0x100000000000000n | 100n
    expect(tree.ttlNodes().size).toBe(0)
    expect([...tree.ephemeralsOf(owner)]).toEqual(['/t'])
    expect(tree.exists('/t')?.ephemeralOwner).toBe(owner)
  })

  it('removes containers and TTL nodes from their sets on delete', () => {
    const tree = new DataTree({ extendedTypesEnabled: true })
    const driver = new TxnDriver(tree)
    driver.apply({ type: OpCode.createContainer, txn: { path: '/c', data: null, acl: [...OPEN_ACL_UNSAFE], parentCVersion: -1 } })
    driver.apply({ type: OpCode.createTTL, txn: { path: '/t', data: null, acl: [...OPEN_ACL_UNSAFE], parentCVersion: -1, ttl: 100n } })
    driver.apply({ type: OpCode.deleteContainer, txn: { path: '/c' } })
    driver.delete('/t')
    expect(tree.containers().size).toBe(0)
    expect(tree.ttlNodes().size).toBe(0)
  })
})

describe('ACL cache ids', () => {
  it('gives each distinct list the next id and frees a list with its last user', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    const digest = [{ perms: Perms.ALL, id: { scheme: 'digest', id: 'a:b' } }]
    driver.create('/a', '', { acl: digest })
    driver.create('/b', '', { acl: digest })
    driver.create('/c')
    expect(tree.getNode('/a')!.aclId).toBe(2)
    expect(tree.getNode('/b')!.aclId).toBe(2)
    expect(tree.getNode('/c')!.aclId).toBe(3)
    expect(tree.aclCacheSize).toBe(3)
    driver.delete('/a')
    expect(tree.aclCacheSize).toBe(3)
    driver.delete('/b')
    expect(tree.aclCacheSize).toBe(2)
    driver.create('/d', '', { acl: digest })
    expect(tree.getNode('/d')!.aclId).toBe(4)
  })

  it('setACL to the same list on its only user releases then re-allocates (a fresh id), as Apache', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    const digest = [{ perms: Perms.ALL, id: { scheme: 'digest', id: 'a:b' } }]
    driver.create('/a', '', { acl: digest })
    expect(tree.getNode('/a')!.aclId).toBe(2)
    driver.apply({ type: OpCode.setACL, txn: { path: '/a', acl: digest, version: 1 } })
    expect(tree.getNode('/a')!.aclId).toBe(3)
    expect(tree.aclCacheSize).toBe(2)
  })
})

describe('storage', () => {
  it('keeps its own copy of the data, so the txn buffer may be reused', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    const body = createBody(tree, '/a', 'original')
    driver.apply(body)
    if (body.type === OpCode.create) body.txn.data?.fill(0x21)
    expect(tree.getData('/a').data?.toString()).toBe('original')
    const big = Buffer.alloc(5000, 0x62)
    driver.apply({ type: OpCode.setData, txn: { path: '/a', data: big, version: 1 } })
    expect(tree.getData('/a').data).toEqual(Buffer.alloc(5000, 0x62))
  })

  // Expected orders as java.util.HashSet<String>(8) gives them (test/integration/server/fixtures/HashSetOrder.java).
  it('lists children in the iteration order of Apache\'s HashSet, not insertion order', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    for (const name of ['app', 'data', 'locks', 'services', 'config', 'x']) driver.create(`/${name}`)
    expect(tree.getChildren('/').children).toEqual(['app', 'zookeeper', 'data', 'x', 'services', 'locks', 'config'])
    for (const name of ['app', 'data', 'locks', 'services', 'config']) driver.delete(`/${name}`)
    driver.create('/app')
    expect(tree.getChildren('/').children).toEqual(['app', 'zookeeper', 'x'])
  })

  it('keeps a shrunken set\'s table, so its order differs from a fresh set\'s until a snapshot reload', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/s')
    const names = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango'
    for (const name of names.split(' ')) driver.create(`/s/${name}`)
    for (const name of names.split(' ')) if (!['alpha', 'kilo', 'tango', 'golf'].includes(name)) driver.delete(`/s/${name}`)
    expect(tree.getChildren('/s').children).toEqual(['golf', 'kilo', 'alpha', 'tango'])
    const w = new JuteWriter(1024)
    serializeTree(tree, w)
    const reloaded = deserializeTree(new JuteReader(w.toBuffer()))
    expect(reloaded.getChildren('/s').children).toEqual(['tango', 'golf', 'kilo', 'alpha'])
  })

  it('gives getChildrenVector the encoded getChildren list, cached until the children change', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/p')
    const names = Array.from({ length: 40 }, (_, i) => `c${i}-节点`)
    for (const name of names) driver.create(`/p/${name}`)
    const first = tree.getChildrenVector('/p')
    expect(GetChildrenResponse.read(new JuteReader(first.vector)).children).toEqual(tree.getChildren('/p').children)
    expect(first.stat).toEqual(tree.exists('/p'))
    expect(tree.getChildrenVector('/p').vector).toBe(first.vector)
    driver.delete('/p/c7-节点')
    const second = tree.getChildrenVector('/p').vector
    expect(second).not.toBe(first.vector)
    expect(GetChildrenResponse.read(new JuteReader(second)).children).toEqual(tree.getChildren('/p').children)
    expect(tree.getChildrenVector('/').vector.length).toBeGreaterThan(4)
    expect([...tree.getChildrenVector('/p/c1-节点').vector]).toEqual([0, 0, 0, 0])
  })

  it('shares one immutable children set among leaves and gives a node its own on the first child', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    driver.create('/a')
    driver.create('/b')
    expect(tree.getNode('/a')!.children).toBe(NO_CHILDREN)
    expect(() => tree.getNode('/a')!.children.add('x')).toThrow()
    driver.create('/a/kid')
    expect(tree.getNode('/a')!.children).not.toBe(NO_CHILDREN)
    expect(tree.getNode('/b')!.children.size).toBe(0)
    expect(NO_CHILDREN.size).toBe(0)
  })
})
