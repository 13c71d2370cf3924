import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  CREATOR_ALL_ACL,
  CreateMode,
  ErrorCode,
  KeeperException,
  OPEN_ACL_UNSAFE,
  Op,
  Perms,
  READ_ACL_UNSAFE,
  ZooKeeperClient,
  isBadVersion,
  isNoNode,
  isNodeExists,
} from '../../../engine/client'
import { ClientPool, uniquePath } from './support/helpers'
import { serverFactories } from './support/factories'
import type { TestEnsemble } from './support/server-factory'

/** The code a promise rejects with (fails the test if it resolves). */
async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise
  } catch (error) {
    if (error instanceof KeeperException) return error.code
    throw error
  }
  throw new Error('expected a KeeperException')
}

describe.each(serverFactories)('operations against $name', (factory) => {
  let server: TestEnsemble
  const pool = new ClientPool()
  let zk: ZooKeeperClient

  beforeAll(async () => {
    server = await factory.start()
    zk = await pool.connect(server.connectString())
  })
  afterAll(async () => {
    await pool.closeAll()
    await server?.close()
  })

  describe('create', () => {
    it('creates persistent nodes, keeping null and empty data distinct', async () => {
      const root = uniquePath('create')
      expect(await zk.create(root)).toBe(root)
      expect((await zk.getData(root)).data).toBeNull()
      await zk.create(`${root}/empty`, Buffer.alloc(0))
      const empty = await zk.getData(`${root}/empty`)
      expect(empty.data).toEqual(Buffer.alloc(0))
      expect(empty.stat.dataLength).toBe(0)
    })

    it('returns the Stat with create2, including ephemeralOwner for ephemerals', async () => {
      const root = uniquePath('create2')
      await zk.create(root)
      const created = await zk.create2(`${root}/e`, 'x', { mode: CreateMode.EPHEMERAL })
      expect(created.path).toBe(`${root}/e`)
      expect(created.stat.ephemeralOwner).toBe(zk.sessionId)
      expect(created.stat.dataLength).toBe(1)
      expect(created.stat.czxid).toBe(created.stat.mzxid)
      expect(zk.lastZxidSeen).toBeGreaterThanOrEqual(created.stat.czxid)
    })

    it('numbers sequential nodes from the parent counter, also with a trailing slash', async () => {
      const root = uniquePath('seq')
      await zk.create(root)
      expect(await zk.create(`${root}/n-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL })).toBe(`${root}/n-0000000000`)
      expect(await zk.create(`${root}/n-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL })).toBe(`${root}/n-0000000001`)
      expect(await zk.create(`${root}/`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL })).toBe(`${root}/0000000002`)
    })

    it('creates containers (opcode 19) and TTL nodes (opcode 21)', async () => {
      const root = uniquePath('kinds')
      await zk.create(root)
      expect(await zk.create(`${root}/c`, null, { mode: CreateMode.CONTAINER })).toBe(`${root}/c`)
      const container = await zk.create2(`${root}/c2`, null, { mode: CreateMode.CONTAINER })
      expect(container.stat.ephemeralOwner).toBe(0n)
      const ttl = await zk.create2(`${root}/t`, 'v', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 60_000 })
      expect(ttl.stat.ephemeralOwner).toBe(0n)
      expect(await zk.create(`${root}/ts-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttlMs: 1000 })).toBe(
        `${root}/ts-0000000003`,
      )
    })

    it('reports NodeExists, NoNode, NoChildrenForEphemerals and InvalidACL with typed codes', async () => {
      const root = uniquePath('create-errors')
      await zk.create(root)
      const exists = zk.create(root).catch((e: unknown) => e)
      const error = await exists
      expect(isNodeExists(error)).toBe(true)
      expect(error).toMatchObject({ code: ErrorCode.NODEEXISTS, codeName: 'NODEEXISTS', path: root })
      expect(await codeOf(zk.create(`${root}/missing/child`))).toBe(ErrorCode.NONODE)
      await zk.create(`${root}/eph`, null, { mode: CreateMode.EPHEMERAL })
      expect(await codeOf(zk.create(`${root}/eph/child`))).toBe(ErrorCode.NOCHILDRENFOREPHEMERALS)
      // auth: ACL without any authenticated id on the connection.
      expect(await codeOf(zk.create(`${root}/auth`, null, { acl: CREATOR_ALL_ACL }))).toBe(ErrorCode.INVALIDACL)
      expect(await codeOf(zk.create(`${root}/e`, null, { acl: [] }))).toBe(ErrorCode.INVALIDACL)
    })

    it('validates arguments on the client like Java', async () => {
      expect(await codeOf(zk.create('no-slash'))).toBe(ErrorCode.BADARGUMENTS)
      expect(await codeOf(zk.create('/a/'))).toBe(ErrorCode.BADARGUMENTS)
      expect(await codeOf(zk.getData('/a//b'))).toBe(ErrorCode.BADARGUMENTS)
      expect(await codeOf(zk.create('/ttl', null, { mode: CreateMode.PERSISTENT_WITH_TTL }))).toBe(ErrorCode.BADARGUMENTS)
      expect(await codeOf(zk.create('/ttl', null, { ttlMs: 10 }))).toBe(ErrorCode.BADARGUMENTS)
      expect(await codeOf(zk.create('/m', null, { mode: 9 }))).toBe(ErrorCode.BADARGUMENTS)
    })
  })

  describe('delete / setData / exists / getData', () => {
    it('checks versions and emptiness', async () => {
      const root = uniquePath('delete')
      await zk.create(root, 'a')
      await zk.create(`${root}/child`)
      expect(await codeOf(zk.delete(root))).toBe(ErrorCode.NOTEMPTY)
      expect(await codeOf(zk.delete(`${root}/child`, 5))).toBe(ErrorCode.BADVERSION)
      await zk.delete(`${root}/child`, 0)
      expect(await codeOf(zk.delete(`${root}/child`))).toBe(ErrorCode.NONODE)
      const stat = await zk.setData(root, 'b', 0)
      expect(stat.version).toBe(1)
      const badVersion = await zk.setData(root, 'c', 0).catch((e: unknown) => e)
      expect(isBadVersion(badVersion)).toBe(true)
      expect((await zk.getData(root)).data?.toString()).toBe('b')
      await zk.delete(root, -1)
      expect(await zk.exists(root)).toBeNull()
      expect(isNoNode(await zk.getData(root).catch((e: unknown) => e))).toBe(true)
      expect(await codeOf(zk.setData(root, 'x'))).toBe(ErrorCode.NONODE)
    })

    it('returns exists Stat matching getData Stat', async () => {
      const root = uniquePath('exists')
      await zk.create(root, 'abc')
      const stat = await zk.exists(root)
      const { stat: dataStat } = await zk.getData(root)
      expect(stat).toEqual(dataStat)
      expect(stat?.dataLength).toBe(3)
    })
  })

  describe('children', () => {
    it('lists children with and without the parent Stat, and counts all descendants', async () => {
      const root = uniquePath('children')
      await zk.create(root)
      await Promise.all(['a', 'b', 'c'].map((name) => zk.create(`${root}/${name}`)))
      await zk.create(`${root}/a/deep`)
      expect((await zk.getChildren(root)).sort()).toEqual(['a', 'b', 'c'])
      const withStat = await zk.getChildren2(root)
      expect(withStat.children.sort()).toEqual(['a', 'b', 'c'])
      expect(withStat.stat.numChildren).toBe(3)
      expect(withStat.stat.cversion).toBe(3)
      expect(await zk.getAllChildrenNumber(root)).toBe(4)
      expect(await codeOf(zk.getChildren(`${root}/none`))).toBe(ErrorCode.NONODE)
      expect(await codeOf(zk.getAllChildrenNumber(`${root}/none`))).toBe(ErrorCode.NONODE)
    })
  })

  describe('ACLs and auth', () => {
    it('sets and reads ACLs, enforces them, and reports identities with whoAmI', async () => {
      const root = uniquePath('acl')
      const owner = await pool.connect(server.connectString())
      const stranger = await pool.connect(server.connectString())
      await owner.addAuth('digest', 'alice:secret')
      await owner.create(root, 'private', { acl: CREATOR_ALL_ACL })
      const { acl, stat } = await owner.getACL(root)
      expect(acl).toHaveLength(1)
      expect(acl[0]).toMatchObject({ perms: Perms.ALL, id: { scheme: 'digest' } })
      expect(acl[0]!.id.id.startsWith('alice:')).toBe(true)
      expect(stat.aversion).toBe(0)
      expect(await codeOf(stranger.getData(root))).toBe(ErrorCode.NOAUTH)
      expect(await codeOf(stranger.setData(root, 'x'))).toBe(ErrorCode.NOAUTH)
      expect(await codeOf(owner.setACL(root, READ_ACL_UNSAFE, 7))).toBe(ErrorCode.BADVERSION)
      const after = await owner.setACL(root, READ_ACL_UNSAFE, 0)
      expect(after.aversion).toBe(1)
      expect((await stranger.getData(root)).data?.toString()).toBe('private')
      expect(await codeOf(stranger.setData(root, 'x'))).toBe(ErrorCode.NOAUTH)
      expect(await owner.whoAmI()).toEqual(
        expect.arrayContaining([
          { authScheme: 'ip', user: '127.0.0.1' },
          { authScheme: 'digest', user: 'alice' },
        ]),
      )
      expect(await stranger.whoAmI()).toEqual([{ authScheme: 'ip', user: '127.0.0.1' }])
      expect((await stranger.getACL('/')).acl).toEqual([...OPEN_ACL_UNSAFE])
    })
  })

  describe('multi and multiRead', () => {
    it('applies all ops atomically and returns typed per-op results', async () => {
      const root = uniquePath('multi')
      await zk.create(root)
      const results = await zk.multi([
        Op.create(`${root}/a`, 'x'),
        Op.create(`${root}/s-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL }),
        Op.setData(`${root}/a`, 'y', 0),
        Op.check(`${root}/a`, 1),
        Op.create(`${root}/c`, null, { mode: CreateMode.CONTAINER }),
        Op.delete(`${root}/c`),
      ])
      expect(results.map((r) => r.kind)).toEqual(['create', 'create', 'setData', 'check', 'create', 'delete'])
      expect(results[0].path).toBe(`${root}/a`)
      expect(results[1].path).toBe(`${root}/s-0000000001`)
      expect(results[2].stat.version).toBe(1)
      expect(results[4].stat).not.toBeNull()
    })

    it('applies nothing on failure and throws with every op result', async () => {
      const root = uniquePath('multi-fail')
      await zk.create(root)
      const error = await zk
        .multi([Op.create(`${root}/a`), Op.check(`${root}/a`, 3), Op.create(`${root}/b`)])
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(KeeperException)
      const failure = error as KeeperException
      expect(failure.code).toBe(ErrorCode.BADVERSION)
      expect(failure.path).toBe(`${root}/a`)
      expect(failure.results?.map((r) => (r.kind === 'error' ? r.code : r.kind))).toEqual([0, -103, -2])
      expect(await zk.exists(`${root}/a`)).toBeNull()
    })

    it('reads independently with multiRead', async () => {
      const root = uniquePath('multiread')
      await zk.create(root, 'r')
      await zk.create(`${root}/k`)
      const [data, children, missing] = await zk.multiRead([
        Op.getData(root),
        Op.getChildren(root),
        Op.getData(`${root}/none`),
      ])
      expect(data.kind === 'getData' && data.data?.toString()).toBe('r')
      expect(children.kind === 'getChildren' && children.children).toEqual(['k'])
      expect(missing).toEqual({ kind: 'error', code: ErrorCode.NONODE, codeName: 'NONODE' })
    })
  })

  describe('session-scoped reads and admin operations', () => {
    it('lists this session’s ephemerals by prefix', async () => {
      const root = uniquePath('ephemerals')
      const client = await pool.connect(server.connectString())
      await client.create(root)
      await client.create(`${root}/e1`, null, { mode: CreateMode.EPHEMERAL })
      await client.create(`${root}/e2`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL })
      expect((await client.getEphemerals(root)).sort()).toEqual([`${root}/e1`, `${root}/e20000000001`])
      expect((await client.getEphemerals()).length).toBe(2)
      expect(await zk.getEphemerals(root)).toEqual([])
    })

    it('syncs, reads the config node, and reports reconfig as disabled', async () => {
      expect(await zk.sync('/')).toBe('/')
      const config = await zk.getConfig()
      expect(config.stat.aversion).toBe(-1)
      expect(await codeOf(zk.reconfig({ joining: 'server.9=127.0.0.1:1:2;3' }))).toBe(ErrorCode.RECONFIGDISABLED)
    })
  })

  describe('chroot', () => {
    it('prepends the chroot to requests and strips it from every answer', async () => {
      const chroot = uniquePath('chroot')
      await zk.create(chroot)
      const rooted = await pool.connect(server.connectString(chroot))
      expect(rooted.chroot).toBe(chroot)
      expect(await rooted.create('/a', 'x')).toBe('/a')
      expect(await rooted.create('/s-', null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL })).toBe('/s-0000000001')
      expect((await zk.getData(`${chroot}/a`)).data?.toString()).toBe('x')
      expect((await rooted.getChildren('/')).sort()).toEqual(['a', 's-0000000001'])
      expect(await rooted.sync('/a')).toBe('/a')
      expect(await rooted.getEphemerals('/')).toEqual(['/s-0000000001'])
      const [created] = await rooted.multi([Op.create('/m', null)])
      expect(created.path).toBe('/m')
      expect((await rooted.create2('/c2')).path).toBe('/c2')
      expect(await codeOf(rooted.getData('/none'))).toBe(ErrorCode.NONODE)
      const error = (await rooted.getData('/none').catch((e: unknown) => e)) as KeeperException
      expect(error.path).toBe('/none')
      // The config node lives outside any chroot.
      expect((await rooted.getConfig()).stat.aversion).toBe(-1)
    })
  })
})
