import { copyFile, mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OPEN_ACL_UNSAFE, Perms } from '../../../engine/proto/data-records'
import { OpCode } from '../../../engine/proto/opcodes'
import type { LoggedTxn, TxnBody } from '../../../engine/proto/txn'
import { DataTree } from '../../../engine/tree/data-tree'
import { restore } from '../../../engine/txn/file-txn-snap-log'
import { listSnapshotFiles, readSnapshotFile, writeSnapshot } from '../../../engine/txn/snapshot'
import { dataTreeCodec } from '../../../engine/txn/tree-codec'
import { TxnLogWriter } from '../../../engine/txn/txn-log'
import { listLogFiles, readAllTxns } from '../../../engine/txn/txn-log-reader'
import { type ApacheServer, runKazoo, startApache } from './apache-zk'
import { type WorkloadOutput, dumpTree, parseWorkloadOutput } from './tree-dump'

/**
 * The proof of format compatibility, against the Debian Apache ZooKeeper 3.8.0 server:
 * (a) Apache writes, we read: every logged txn and, after restore, every node with its stat and ACL;
 * (b) we write, Apache reads: a dataDir made only by our writers serves the data we put in it.
 *
 * `REGENERATE_APACHE_FIXTURE=1` also refreshes test/fixtures/apache-datadir from run (a).
 */

const FIXTURE_DIR = join(__dirname, '..', '..', 'fixtures', 'apache-datadir')
const WORKLOAD = join(__dirname, 'apache-workload.py')
const DUMP = join(__dirname, 'dump-tree.py')
const TREE_OPTIONS = { extendedTypesEnabled: true }

const APACHE_CONFIG = { snapCount: 20, preAllocSize: 16 } // preAllocSize is in KiB
const APACHE_PROPERTIES = { 'zookeeper.extendedTypesEnabled': 'true' }

const temps: string[] = []
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  temps.push(dir)
  return dir
}
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true })
})

async function restoreTree(dataDir: string) {
  return restore({
    dataDir,
    codec: dataTreeCodec(TREE_OPTIONS),
    createEmptyTree: () => new DataTree(TREE_OPTIONS),
    applyTxn: (tree, entry) => void tree.processTxn(entry.header, entry.body),
    autoCreateDirs: false,
  })
}

describe('Apache writes, ZooDesk reads', () => {
  let dataDir: string
  let output: WorkloadOutput
  beforeAll(async () => {
    dataDir = await tempDir('zoodesk-apache-data-')
    const server = await startApache({ dataDir, config: APACHE_CONFIG, systemProperties: APACHE_PROPERTIES })
    try {
      const { sessions } = parseWorkloadOutput(await runKazoo(server.port, WORKLOAD))
      output = { sessions, nodes: parseWorkloadOutput(await runKazoo(server.port, DUMP)).nodes }
    } finally {
      await server.stop()
    }
  })

  it('reads every txn Apache logged, across rolled files, with contiguous zxids', async () => {
    const logDir = join(dataDir, 'version-2')
    expect((await listLogFiles(logDir)).length).toBeGreaterThan(1)
    const txns = await readAllTxns(logDir)
    expect(txns.map((t) => t.header.zxid)).toEqual(txns.map((_, i) => BigInt(i + 1)))
    const types = new Set(txns.map((t) => t.header.type))
    for (const type of [OpCode.createSession, OpCode.closeSession, OpCode.create, OpCode.setData, OpCode.delete, OpCode.setACL, OpCode.multi, OpCode.error, OpCode.createContainer, OpCode.createTTL]) {
      expect(types, `txn type ${type}`).toContain(type)
    }
    // Apache 3.8 appends a TxnDigest to tree-changing txns; we read it.
    expect(txns.some((t) => t.digest !== null)).toBe(true)
    const closeB = txns.find((t) => t.body.type === OpCode.closeSession && t.header.clientId === BigInt(`0x${output.sessions.b}`))
    expect(closeB?.body).toEqual({ type: OpCode.closeSession, txn: { paths2Delete: ['/eph-b'] } })
  })

  it('validates every snapshot Apache wrote and restores exactly the tree Apache serves', async () => {
    const snapshots = await listSnapshotFiles(join(dataDir, 'version-2'))
    expect(snapshots.length).toBeGreaterThan(1)
    for (const file of snapshots) await readSnapshotFile(file, dataTreeCodec(TREE_OPTIONS))
    const restored = await restoreTree(dataDir)
    expect(restored.snapshotZxid).toBe(snapshots[0]!.zxid)
    expect(dumpTree(restored.tree)).toEqual(output.nodes)
    expect([...restored.sessions.keys()].map((id) => id.toString(16))).toContain(output.sessions.kept)
    expect(restored.sessions.has(BigInt(`0x${output.sessions.b}`))).toBe(false)
    if (process.env.REGENERATE_APACHE_FIXTURE) await regenerateFixture(dataDir, output)
  })
})

/** Copies Apache's files into the fixture, logs cut to their used length (Apache reads them without padding). */
async function regenerateFixture(dataDir: string, output: WorkloadOutput): Promise<void> {
  await rm(FIXTURE_DIR, { recursive: true, force: true })
  await mkdir(join(FIXTURE_DIR, 'version-2'), { recursive: true })
  const source = join(dataDir, 'version-2')
  for (const name of await readdir(source)) await copyFile(join(source, name), join(FIXTURE_DIR, 'version-2', name))
  for (const log of await listLogFiles(join(FIXTURE_DIR, 'version-2'))) {
    const entries = await readAllTxns(join(FIXTURE_DIR, 'version-2'), log.zxid)
    const own = entries.filter((entry) => entry.file === log.path)
    await truncate(log.path, own.length === 0 ? 16 : own[own.length - 1]!.endOffset)
  }
  // Restart Apache on the cut files with gzip snapshots: it must load them, and its startup snapshot adds a .gz one.
  const server = await startApache({
    dataDir: FIXTURE_DIR,
    config: APACHE_CONFIG,
    systemProperties: { ...APACHE_PROPERTIES, 'zookeeper.snapshot.compression.method': 'gz' },
  })
  try {
    const reread = parseWorkloadOutput(await runKazoo(server.port, DUMP))
    expect(reread.nodes).toEqual(output.nodes)
  } finally {
    await server.stop()
  }
  // The dump session's own createSession/closeSession went into a new log: drop it, the fixture ends at the .gz.
  for (const log of await listLogFiles(join(FIXTURE_DIR, 'version-2'))) {
    const snapshots = await listSnapshotFiles(join(FIXTURE_DIR, 'version-2'))
    if (log.zxid > snapshots[0]!.zxid) await rm(log.path)
  }
  await writeFile(join(FIXTURE_DIR, 'expected.json'), JSON.stringify(output, null, 1) + '\n')
}

// ------------------------------------------------------------------------------------------------------------

const SESSION = 0x2000000c0ffee01n
const T0 = 1_764_082_800_000

/** A txn with the header Apache's leader would give it. */
function txn(zxid: number, body: TxnBody, clientId = SESSION): LoggedTxn {
  return { header: { clientId, cxid: zxid, zxid: BigInt(zxid), time: T0 + zxid * 1000, type: body.type }, body }
}

function create(path: string, data: string, parentCVersion: number, ephemeral = false): TxnBody {
  return { type: OpCode.create, txn: { path, data: Buffer.from(data), acl: [...OPEN_ACL_UNSAFE], ephemeral, parentCVersion } }
}

/** Our txns: a session, creates, setData, deletes, a multi, an ACL change and an ephemeral of a live session. */
function ourTxns(): LoggedTxn[] {
  return [
    txn(1, { type: OpCode.createSession, txn: { timeOut: 30000 } }),
    txn(2, create('/ours', 'one', 1)),
    txn(3, create('/ours/child', 'c', 1)),
    txn(4, { type: OpCode.setData, txn: { path: '/ours', data: Buffer.from('two'), version: 1 } }),
    txn(5, create('/gone', '', 2)),
    txn(6, { type: OpCode.delete, txn: { path: '/gone' } }),
    txn(7, {
      type: OpCode.multi,
      txns: [create('/multi', 'm', 3), { type: OpCode.setData, txn: { path: '/ours/child', data: Buffer.from('cc'), version: 1 } }],
    }),
    txn(8, { type: OpCode.setACL, txn: { path: '/multi', acl: [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }], version: 1 } }),
    txn(9, create('/eph', 'e', 4, true)),
    txn(10, { type: OpCode.error, txn: { err: -110 } }),
    txn(11, create('/last', 'l', 5)),
  ]
}

describe('ZooDesk writes, Apache reads', () => {
  let server: ApacheServer | null = null
  afterAll(async () => {
    await server?.stop()
  })

  it('serves the data of a dataDir written by our snapshot and log writers', async () => {
    const dataDir = await tempDir('zoodesk-our-data-')
    const snapDir = join(dataDir, 'version-2')
    await mkdir(snapDir, { recursive: true })
    const codec = dataTreeCodec(TREE_OPTIONS)
    const tree = new DataTree(TREE_OPTIONS)
    const sessions = new Map<bigint, number>()
    await writeSnapshot(snapDir, 0n, { tree, sessions }, codec)

    // log.1 holds txns 1-6; a snapshot at 6; log.7 holds the rest. Apache must take snapshot.6 and replay log.7.
    const writer = new TxnLogWriter({ logDir: snapDir, preAllocSizeBytes: 16 * 1024 })
    const all = ourTxns()
    for (const t of all) {
      if (t.header.zxid === 7n) {
        await writer.commit()
        writer.rollLog()
        await writeSnapshot(snapDir, tree.lastProcessedZxid, { tree, sessions }, codec)
      }
      writer.append(t)
      tree.processTxn(t.header, t.body)
      if (t.body.type === OpCode.createSession) sessions.set(t.header.clientId, t.body.txn.timeOut)
    }
    await writer.close()
    expect((await readdir(snapDir)).sort()).toEqual(['log.1', 'log.7', 'snapshot.0', 'snapshot.6'])

    server = await startApache({ dataDir, config: APACHE_CONFIG, systemProperties: APACHE_PROPERTIES })
    const seen = parseWorkloadOutput(await runKazoo(server.port, DUMP))
    await server.stop()
    server = null
    expect(seen.nodes).toEqual(dumpTree(tree))
    expect(seen.nodes['/eph']!.stat[7]).toBe(Number(SESSION))

    // Apache snapshots what it loaded at startup; that file reads back to the same tree on our side.
    const newest = (await listSnapshotFiles(snapDir))[0]!
    expect(newest.zxid).toBeGreaterThanOrEqual(11n)
    const loaded = await readSnapshotFile(newest, codec)
    expect(dumpTree(loaded.tree)).toEqual(dumpTree(tree))
    expect(loaded.sessions.get(SESSION)).toBe(30000)
  })
})
