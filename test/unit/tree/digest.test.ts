import * as zlib from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { JuteReader, JuteWriter } from '../../../engine/jute'
import { CONTAINER_EPHEMERAL_OWNER } from '../../../engine/proto/enums'
import type { StatPersisted } from '../../../engine/proto/data-records'
import { OpCode } from '../../../engine/proto/opcodes'
import type { TxnBody } from '../../../engine/proto/txn'
import { DataTree } from '../../../engine/tree/data-tree'
import {
  AdHash,
  DIGEST_VERSION,
  digestFromLong,
  digestToLong,
  nodeDigest,
  replaceInDigest,
  tableCrc32,
} from '../../../engine/tree/digest'
import { DIGEST_LOG_LIMIT } from '../../../engine/tree/digest-history'
import { ttlOwner } from '../../../engine/tree/ephemeral-type'
import { deserializeTree, serializeTree } from '../../../engine/tree/serialize'
import { decodeSnapshot, encodeSnapshot } from '../../../engine/txn/snapshot'
import { dataTreeCodec } from '../../../engine/txn/tree-codec'
import { TxnDriver } from './helpers'

/** mulberry32: a small seeded PRNG, so a failure replays. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** DigestCalculator.calculateDigest written out the slow, obvious way: CRC32 of path + data + the 60 stat bytes. */
function referenceDigest(path: string, data: Buffer | null, stat: StatPersisted): number {
  if (path.startsWith('/zookeeper/')) return 0
  const b = Buffer.alloc(60)
  b.writeBigInt64BE(stat.czxid, 0)
  b.writeBigInt64BE(stat.mzxid, 8)
  b.writeBigInt64BE(stat.pzxid, 16)
  b.writeBigInt64BE(BigInt(stat.ctime), 24)
  b.writeBigInt64BE(BigInt(stat.mtime), 32)
  b.writeInt32BE(stat.version, 40)
  b.writeInt32BE(stat.cversion, 44)
  b.writeInt32BE(stat.aversion, 48)
  b.writeBigInt64BE(stat.ephemeralOwner, 52)
  const bytes = Buffer.concat([Buffer.from(path === '/' ? '' : path, 'utf8'), data ?? Buffer.alloc(0), b])
  return zlib.crc32(bytes)
}

function randomStat(random: () => number): StatPersisted {
  const long = (): bigint => BigInt.asIntN(64, (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32)))
  const int = (): number => Math.floor(random() * 2 ** 32) | 0
  const time = (): number => Math.floor((random() - 0.3) * 2 ** 52)
  const owners = [0n, 0x1000155efe10000n, CONTAINER_EPHEMERAL_OWNER, ttlOwner(500n), -1n, long()]
  return {
    czxid: long(),
    mzxid: long(),
    pzxid: long(),
    ctime: time(),
    mtime: time(),
    version: int(),
    cversion: int(),
    aversion: int(),
    ephemeralOwner: owners[Math.floor(random() * owners.length)]!,
  }
}

describe('the node digest (DigestCalculator)', () => {
  it('is the CRC32 of path, data and the 60 stat bytes, for any path, data size and stat', () => {
    const random = seeded(7)
    const paths = ['', '/', '/a', '/zookeeper', '/zookeeperx', '/app/config', '/ü-名前', '/emoji-😀/x', '/ab', '/abc', '/abcd', '/abcde']
    for (let i = 0; i < 400; i++) {
      const path = paths[i % paths.length]!
      const size = [0, 1, 3, 4, 5, 100, 255, 256, 257, 1000, 70_000][i % 11]!
      const data = i % 13 === 0 ? null : Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)))
      const stat = randomStat(random)
      expect(nodeDigest(path, data, stat), `${path} with ${size} bytes`).toBe(referenceDigest(path, data, stat))
    }
  })

  it('leaves out everything under /zookeeper/, but not /zookeeper itself, and hashes / as the empty path', () => {
    const stat = randomStat(seeded(1))
    expect(nodeDigest('/zookeeper/quota', null, stat)).toBe(0)
    expect(nodeDigest('/zookeeper/config', Buffer.from('server.1=…'), stat)).toBe(0)
    expect(nodeDigest('/zookeeper', null, stat)).not.toBe(0)
    expect(nodeDigest('/', Buffer.from('x'), stat)).toBe(nodeDigest('', Buffer.from('x'), stat))
  })

  it('the table CRC32 is java.util.zip.CRC32 (zlib) from any starting value', () => {
    const random = seeded(3)
    for (const size of [0, 1, 2, 3, 4, 7, 8, 63, 1024]) {
      const bytes = Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)))
      const initial = Math.floor(random() * 2 ** 32)
      expect(tableCrc32(bytes, initial)).toBe(zlib.crc32(bytes, initial))
    }
  })
})

describe('the 64-bit tree digest (AdHash)', () => {
  it('adds and removes unsigned 32-bit digests modulo 2^64, as a Java long', () => {
    const hash = new AdHash()
    hash.remove(1)
    expect(digestToLong(hash.value())).toBe(-1n)
    hash.add(0xffff_ffff)
    hash.add(2)
    expect(digestToLong(hash.value())).toBe(0x1_0000_0000n)
    for (let i = 0; i < 100_000; i++) hash.add(0xffff_ffff)
    expect(digestToLong(hash.value())).toBe(0x1_0000_0000n + 100_000n * 0xffff_ffffn)
    expect(digestToLong(replaceInDigest(digestFromLong(0x7fff_ffff_ffff_ffffn), 0, 1))).toBe(-0x8000_0000_0000_0000n)
    expect(digestToLong(replaceInDigest(digestFromLong(-0x8000_0000_0000_0000n), 1, 0))).toBe(0x7fff_ffff_ffff_ffffn)
    for (const value of [0n, 1n, -1n, 123456789012345n, -98765432109876n]) expect(digestToLong(digestFromLong(value))).toBe(value)
  })
})

describe('DataTree digest', () => {
  it('starts where Apache 3.8 starts: the root (as "") and /zookeeper, each with an empty stat', () => {
    const tree = new DataTree()
    const empty = { czxid: 0n, mzxid: 0n, pzxid: 0n, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n }
    expect(digestToLong(tree.treeDigest())).toBe(BigInt(nodeDigest('', null, empty) + nodeDigest('/zookeeper', null, empty)))
    // What Apache's snapshot.0 of a fresh server holds (test/fixtures/apache-datadir), summed by Apache's rules.
    expect(digestToLong(tree.treeDigest())).toBe(1371985504n)
  })

  it('kept incrementally, equals the digest recomputed from scratch after any sequence of txns', () => {
    const random = seeded(11)
    const tree = new DataTree({ extendedTypesEnabled: true })
    const driver = new TxnDriver(tree, 0x5000n)
    const live = new Set<string>()
    for (let step = 0; step < 2000; step++) {
      const pick = (): string | undefined => [...live][Math.floor(random() * live.size)]
      const roll = random()
      if (roll < 0.35 || live.size < 3) {
        const parent = random() < 0.5 ? '' : (pick() ?? '')
        const path = `${parent}/n${step}`
        if (tree.getNode(parent === '' ? '/' : parent)?.stat.ephemeralOwner !== 0n) continue
        const ephemeral = random() < 0.2
        driver.create(path, 'x'.repeat(Math.floor(random() * 300)), { ephemeral, sessionId: ephemeral ? 0x5000n + BigInt(step % 3) : 0x5000n })
        live.add(path)
      } else if (roll < 0.6) {
        const path = pick()!
        driver.setData(path, 'y'.repeat(Math.floor(random() * 600)))
      } else if (roll < 0.7) {
        const path = pick()!
        driver.apply({ type: OpCode.setACL, txn: { path, acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], version: 1 } })
      } else if (roll < 0.72) {
        driver.apply({ type: OpCode.setData, txn: { path: '/', data: Buffer.from(`root ${step}`), version: step } })
      } else if (roll < 0.74) {
        const sessionId = 0x5000n + BigInt(step % 3)
        driver.closeSession(sessionId)
        for (const path of [...live]) if (tree.getNode(path) === undefined) live.delete(path)
      } else {
        const path = pick()!
        if ((tree.getNode(path)?.children.size ?? 1) > 0) continue
        driver.delete(path)
        live.delete(path)
      }
    }
    const w = new JuteWriter()
    serializeTree(tree, w)
    const reloaded = deserializeTree(new JuteReader(w.toBuffer()), { extendedTypesEnabled: true })
    expect(digestToLong(tree.treeDigest())).toBe(digestToLong(reloaded.treeDigest()))
  })

  it('ignores changes under /zookeeper/ (quota nodes) but not to /zookeeper itself', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    const before = digestToLong(tree.treeDigest())
    driver.apply({ type: OpCode.setData, txn: { path: '/zookeeper/quota', data: Buffer.from('q'), version: 1 } })
    expect(digestToLong(tree.treeDigest())).toBe(before)
    driver.create('/zookeeper/quota/a', '')
    expect(digestToLong(tree.treeDigest())).toBe(before)
    driver.create('/zookeeper/mine', 'z')
    expect(digestToLong(tree.treeDigest())).not.toBe(before)
  })

  it('logs the digest after every txn whose zxid is a multiple of 128, keeping the last 1024', () => {
    const tree = new DataTree()
    const driver = new TxnDriver(tree)
    const expected: Array<[bigint, bigint]> = []
    for (let i = 1; i <= 300; i++) {
      driver.create(`/n${i}`, `${i}`)
      if (driver.zxid % 128n === 0n) expected.push([driver.zxid, digestToLong(tree.treeDigest())])
    }
    expect(tree.digestLog().map((record) => [record.zxid, record.digest])).toEqual(expected)
    expect(tree.digestLog().every((record) => record.digestVersion === DIGEST_VERSION)).toBe(true)
    expect(tree.lastProcessedZxidDigest()).toEqual({ zxid: 300n, digestVersion: 2, digest: digestToLong(tree.treeDigest()) })

    const jumping = new DataTree()
    for (let k = 1; k <= DIGEST_LOG_LIMIT + 10; k++) {
      jumping.processTxn({ clientId: 1n, cxid: k, zxid: BigInt(k) * 128n, time: k, type: OpCode.createSession }, { type: OpCode.createSession, txn: { timeOut: 5000 } })
    }
    expect(jumping.digestLog().length).toBe(DIGEST_LOG_LIMIT)
    expect(jumping.digestLog()[0]!.zxid).toBe(11n * 128n)
  })

  it('compares a txn\'s logged digest after applying it: a mismatch is counted, reported and logged, never fatal', () => {
    const logged: string[] = []
    const tree = new DataTree({ log: (level, message) => logged.push(`${level} ${message}`) })
    const reported: bigint[] = []
    tree.onDigestMismatch = (zxid) => reported.push(zxid)
    const driver = new TxnDriver(tree)
    const header = () => driver.header(OpCode.create)
    const create = (path: string): TxnBody => ({ type: OpCode.create, txn: { path, data: null, acl: [], ephemeral: false, parentCVersion: -1 } })

    // The right digest: what the tree will have after the create.
    const probe = new DataTree()
    probe.processTxn({ clientId: 0x1000n, cxid: 1, zxid: 1n, time: driver.timeMs + 10, type: OpCode.create }, create('/a'))
    tree.processTxn(header(), create('/a'), { version: 2, treeDigest: digestToLong(probe.treeDigest()) })
    expect(tree.digestMismatchCount).toBe(0)

    tree.processTxn(header(), create('/b'), { version: 2, treeDigest: 42n })
    tree.processTxn(header(), create('/c'), { version: 2, treeDigest: 43n })
    // Another digest version is not compared (Apache only rate-logs it).
    tree.processTxn(header(), create('/d'), { version: 1, treeDigest: 44n })
    expect(tree.digestMismatchCount).toBe(2)
    expect(reported).toEqual([2n, 3n])
    expect(tree.getNode('/c')).toBeDefined()
    expect(logged[0]).toBe('warn Message:Digests are not matching. Value is Zxid. Value:2')
    expect(logged[1]).toMatch(/^error First digest mismatch on txn: zxid 0x2 .*expected digest is 42, actual digest is -?\d+/)
    expect(logged.filter((line) => line.startsWith('error'))).toHaveLength(1)
  })

  it('checks a snapshot\'s stored digest when replay reaches its zxid, and neither logs nor compares before', () => {
    const source = new DataTree()
    const driver = new TxnDriver(source)
    for (let i = 1; i <= 5; i++) driver.create(`/n${i}`, `${i}`)
    const atFive = digestToLong(source.treeDigest())

    const w = new JuteWriter()
    serializeTree(source, w)
    const snapshotAtFive = w.toBuffer()
    const load = (): DataTree => {
      const tree = deserializeTree(new JuteReader(snapshotAtFive))
      tree.lastProcessedZxid = 5n
      return tree
    }
    // The snapshot's own zxid: compared at once.
    const exact = load()
    exact.loadedSnapshotDigest({ zxid: 5n, digestVersion: 2, digest: atFive }, 5n)
    expect([exact.digestMismatchCount, exact.pendingSnapshotDigest]).toEqual([0, null])
    const wrong = load()
    wrong.loadedSnapshotDigest({ zxid: 5n, digestVersion: 2, digest: atFive + 1n }, 5n)
    expect(wrong.digestMismatchCount).toBe(1)
    // Empty (zxid 0) and older-than-the-snapshot digests are ignored.
    for (const digest of [{ zxid: 0n, digestVersion: 2, digest: 0n }, { zxid: 4n, digestVersion: 2, digest: 1n }]) {
      const ignored = load()
      ignored.loadedSnapshotDigest(digest, 5n)
      expect([ignored.digestMismatchCount, ignored.pendingSnapshotDigest]).toEqual([0, null])
    }

    // A later zxid (a fuzzy snapshot): nothing is logged or compared until replay gets there.
    const later = new TxnDriver(source)
    later.zxid = 5n
    later.timeMs = driver.timeMs
    const bodies = [6, 7].map((i) => {
      const body: TxnBody = { type: OpCode.create, txn: { path: `/n${i}`, data: null, acl: [], ephemeral: false, parentCVersion: -1 } }
      return { header: later.header(OpCode.create), body }
    })
    for (const { header, body } of bodies) source.processTxn(header, body)
    const atSeven = digestToLong(source.treeDigest())
    const fuzzy = load()
    fuzzy.loadedSnapshotDigest({ zxid: 7n, digestVersion: 2, digest: atSeven }, 5n)
    fuzzy.processTxn(bodies[0]!.header, bodies[0]!.body, { version: 2, treeDigest: 1n })
    expect([fuzzy.digestMismatchCount, fuzzy.lastProcessedZxidDigest()]).toEqual([0, null])
    expect(fuzzy.pendingSnapshotDigest?.zxid).toBe(7n)
    fuzzy.processTxn(bodies[1]!.header, bodies[1]!.body)
    expect([fuzzy.digestMismatchCount, fuzzy.pendingSnapshotDigest]).toEqual([0, null])
    expect(fuzzy.lastProcessedZxidDigest()).toBeNull()
  })

  it('snapshots end with the digest after the last txn, or the empty one before any; none with digests off', () => {
    const codec = dataTreeCodec()
    const fresh = new DataTree()
    expect(decodeSnapshot(encodeSnapshot({ tree: fresh, sessions: new Map() }, codec), codec).digest).toEqual({ zxid: 0n, digestVersion: 2, digest: 0n })
    new TxnDriver(fresh).create('/a', 'b')
    const decoded = decodeSnapshot(encodeSnapshot({ tree: fresh, sessions: new Map() }, codec), codec)
    expect(decoded.digest).toEqual({ zxid: 1n, digestVersion: 2, digest: digestToLong(fresh.treeDigest()) })
    expect(digestToLong(decoded.tree.treeDigest())).toBe(digestToLong(fresh.treeDigest()))

    const off = new DataTree({ digestEnabled: false })
    const driver = new TxnDriver(off)
    driver.create('/a', 'b')
    off.processTxn(driver.header(OpCode.create), { type: OpCode.create, txn: { path: '/b', data: null, acl: [], ephemeral: false, parentCVersion: -1 } }, { version: 2, treeDigest: 5n })
    // Apache still records the (zero) digest after each txn, but writes no digest section.
    expect([digestToLong(off.treeDigest()), off.digestMismatchCount, off.lastProcessedZxidDigest()]).toEqual([0n, 0, { zxid: 2n, digestVersion: 2, digest: 0n }])
    const offCodec = dataTreeCodec({ digestEnabled: false })
    expect(decodeSnapshot(encodeSnapshot({ tree: off, sessions: new Map() }, offCodec), offCodec).digest).toBeNull()
  })
})
