import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OpCode } from '../../../engine/proto/opcodes'
import type { LoggedTxn } from '../../../engine/proto/txn'
import type { JuteWriter } from '../../../engine/jute'
import { DataTree } from '../../../engine/tree/data-tree'
import { serializeTreeSteps } from '../../../engine/tree/serialize'
import { DatadirError, SnapshotInvalidError } from '../../../engine/txn/errors'
import { FileTxnSnapLog, restore } from '../../../engine/txn/file-txn-snap-log'
import { AutoPurger, purgeTxnLog } from '../../../engine/txn/purge'
import { encodeSnapshot, loadNewestSnapshot, writeSnapshot } from '../../../engine/txn/snapshot'
import { dataTreeCodec } from '../../../engine/txn/tree-codec'
import { TxnLogWriter } from '../../../engine/txn/txn-log'
import { readAllTxns } from '../../../engine/txn/txn-log-reader'
import { SESSION_ID, createBody, txnAt } from '../../unit/txn/txn-samples'
import { seededRandom } from '../../support/seeded-random'
import { dumpTree } from './tree-dump'

let dataDir: string
let v2: string
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zoodesk-storage-'))
  v2 = join(dataDir, 'version-2')
})
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

const codec = dataTreeCodec()
const applyTxn = (tree: DataTree, entry: LoggedTxn) => void tree.processTxn(entry.header, entry.body)

function restoreTree(extra: { trustEmptySnapshot?: boolean; autoCreateDb?: boolean; dataLogDir?: string } = {}) {
  return restore({ dataDir, codec, createEmptyTree: () => new DataTree(), applyTxn, ...extra })
}

/** Txns 1..n: a session, then creates of /n<i> (every 5th sets data on an earlier node, every 7th deletes one). */
function workload(count: number, first = 1): LoggedTxn[] {
  const txns: LoggedTxn[] = []
  for (let i = first; i < first + count; i++) {
    const zxid = BigInt(i)
    if (i === 1) txns.push(txnAt(zxid, { type: OpCode.createSession, txn: { timeOut: 12000 } }))
    else if (i % 7 === 0) txns.push(txnAt(zxid, { type: OpCode.delete, txn: { path: `/n${i - 1}` } }))
    else if (i % 5 === 0) txns.push(txnAt(zxid, { type: OpCode.setData, txn: { path: `/n${i - 2}`, data: Buffer.from(`v${i}`), version: 1 } }))
    else txns.push(txnAt(zxid, createBody(`/n${i}`, Buffer.from(`d${i}`), i)))
  }
  return txns
}

function applyAll(tree: DataTree, txns: LoggedTxn[]): DataTree {
  for (const txn of txns) tree.processTxn(txn.header, txn.body)
  return tree
}

describe('restore', () => {
  it('writes snapshot.0 for a brand new database and starts at zxid 0', async () => {
    const result = await restoreTree()
    expect(result.lastProcessedZxid).toBe(0n)
    expect(await readdir(v2)).toEqual(['snapshot.0'])
    expect(dumpTree(result.tree)).toEqual(dumpTree(new DataTree()))
  })

  it('starts at -1 without writing anything when autocreate is off', async () => {
    const result = await restoreTree({ autoCreateDb: false })
    expect(result.lastProcessedZxid).toBe(-1n)
    expect(await readdir(v2)).toEqual([])
  })

  it('trusts an empty database when the initialize file is there, and deletes the file', async () => {
    await writeFile(join(dataDir, 'initialize'), '')
    const result = await restoreTree({ autoCreateDb: false })
    expect(result.lastProcessedZxid).toBe(0n)
    expect(await readdir(dataDir)).toEqual(['version-2'])
  })

  it('replays the logs after the newest snapshot, keeping the session table', async () => {
    await mkdir(v2)
    const txns = workload(120)
    const writer = new TxnLogWriter({ logDir: v2 })
    for (const txn of txns.slice(0, 80)) writer.append(txn)
    await writer.commit()
    const treeAt80 = applyAll(new DataTree(), txns.slice(0, 80))
    await writeSnapshot(v2, 80n, { tree: treeAt80, sessions: new Map([[SESSION_ID, 12000]]) }, codec)
    writer.rollLog()
    for (const txn of txns.slice(80)) writer.append(txn)
    writer.append(txnAt(121n, { type: OpCode.closeSession, txn: { paths2Delete: [] } }))
    await writer.close()

    const result = await restoreTree()
    expect(result.snapshotZxid).toBe(80n)
    expect(result.txnsReplayed).toBe(41)
    expect(result.lastProcessedZxid).toBe(121n)
    expect(result.tree.lastProcessedZxid).toBe(121n)
    expect(result.sessions.size).toBe(0)
    expect(dumpTree(result.tree)).toEqual(dumpTree(applyAll(new DataTree(), txns)))
  })

  it('refuses logs without a snapshot, unless trustEmptySnapshot', async () => {
    await mkdir(v2)
    const writer = new TxnLogWriter({ logDir: v2 })
    for (const txn of workload(10)) writer.append(txn)
    await writer.close()
    await expect(restoreTree()).rejects.toThrow(/No snapshot found, but there are log entries/)
    const result = await restoreTree({ trustEmptySnapshot: true })
    expect(result.lastProcessedZxid).toBe(10n)
    expect(result.sessions.get(SESSION_ID)).toBe(12000)
    expect(dumpTree(result.tree)).toEqual(dumpTree(applyAll(new DataTree(), workload(10))))
  })

  it('skips a corrupt or half-written newest snapshot and uses the previous one', async () => {
    await mkdir(v2)
    const txns = workload(30)
    const writer = new TxnLogWriter({ logDir: v2 })
    for (const txn of txns) writer.append(txn)
    await writer.close()
    await writeSnapshot(v2, 10n, { tree: applyAll(new DataTree(), txns.slice(0, 10)), sessions: new Map() }, codec)
    await writeSnapshot(v2, 20n, { tree: applyAll(new DataTree(), txns.slice(0, 20)), sessions: new Map() }, codec)
    await writeSnapshot(v2, 25n, { tree: applyAll(new DataTree(), txns.slice(0, 25)), sessions: new Map() }, codec)
    // snapshot.19 (0x19 = 25) loses its tail; snapshot.14 (20) gets a flipped byte but keeps a valid-looking tail.
    await truncate(join(v2, 'snapshot.19'), 200)
    const bytes = await readFile(join(v2, 'snapshot.14'))
    bytes[100]! ^= 0xff
    await writeFile(join(v2, 'snapshot.14'), bytes)
    const invalid: string[] = []
    const loaded = await loadNewestSnapshot(v2, codec, { onInvalid: (error) => invalid.push(error.file) })
    expect(loaded?.zxid).toBe(10n)
    expect(invalid).toEqual([join(v2, 'snapshot.14')])
    const result = await restoreTree()
    expect(result.snapshotZxid).toBe(10n)
    expect(dumpTree(result.tree)).toEqual(dumpTree(applyAll(new DataTree(), txns)))
  })

  it('fails when snapshots exist but none is valid', async () => {
    await mkdir(v2)
    await writeSnapshot(v2, 0n, { tree: new DataTree(), sessions: new Map() }, codec)
    const bytes = await readFile(join(v2, 'snapshot.0'))
    bytes[40]! ^= 0xff
    await writeFile(join(v2, 'snapshot.0'), bytes)
    await expect(restoreTree()).rejects.toThrow(SnapshotInvalidError)
  })

  it('removes an in-progress snapshot left by a crash, which never counted as a snapshot', async () => {
    await mkdir(v2)
    await writeSnapshot(v2, 0n, { tree: new DataTree(), sessions: new Map() }, codec)
    const full = encodeSnapshot({ tree: applyAll(new DataTree(), workload(5)), sessions: new Map() }, codec)
    await writeFile(join(v2, 'tmp.snapshot.5'), full.subarray(0, full.length - 3))
    const result = await restoreTree()
    expect(result.snapshotZxid).toBe(0n)
    expect(await readdir(v2)).toEqual(['snapshot.0'])
  })

  it('reads and writes gzip snapshots', async () => {
    await mkdir(v2)
    const tree = applyAll(new DataTree(), workload(40))
    const written = await writeSnapshot(v2, 40n, { tree, sessions: new Map([[SESSION_ID, 12000]]) }, codec, { compression: 'gz' })
    expect(written.path.endsWith('snapshot.28.gz')).toBe(true)
    const stream = gunzipSync(await readFile(written.path))
    expect(stream.readInt32BE(0)).toBe(0x5a4b534e)
    const result = await restoreTree()
    expect(result.snapshotZxid).toBe(40n)
    expect(result.sessions.get(SESSION_ID)).toBe(12000)
    expect(dumpTree(result.tree)).toEqual(dumpTree(tree))
  })

  it('keeps snapshots and logs apart when dataLogDir differs, and refuses mixed directories', async () => {
    const logRoot = join(dataDir, 'logs')
    const first = await restoreTree({ dataLogDir: logRoot })
    expect(first.lastProcessedZxid).toBe(0n)
    expect(await readdir(join(logRoot, 'version-2'))).toEqual([])
    await writeFile(join(logRoot, 'version-2', 'snapshot.7'), 'x')
    await expect(restoreTree({ dataLogDir: logRoot })).rejects.toThrow(DatadirError)
  })
})

describe('FileTxnSnapLog at runtime', () => {
  it('rolls and snapshots on the randomised schedule while txns keep coming, and restores to the same tree', async () => {
    const storage = new FileTxnSnapLog<DataTree>({ dataDir, codec, snapCount: 40, random: seededRandom(5), preAllocSizeBytes: 8192 })
    const { tree, sessions } = await storage.restore(() => new DataTree(), applyTxn)
    storage.setSnapshotSource(() => ({ tree, sessions }))
    let rolls = 0
    for (const txn of workload(300)) {
      if (storage.append(txn)) rolls++
      tree.processTxn(txn.header, txn.body)
      if (txn.body.type === OpCode.createSession) sessions.set(txn.header.clientId, txn.body.txn.timeOut)
      if (Number(txn.header.zxid) % 10 === 0) await storage.commit()
    }
    await storage.close()
    expect(rolls).toBeGreaterThanOrEqual(300 / 40)
    expect(rolls).toBeLessThanOrEqual(300 / 20 + 1)
    const names = await readdir(v2)
    expect(names.filter((n) => n.startsWith('log.')).length).toBe(rolls + 1)
    expect(storage.snapshotStats.snapshotsTaken + storage.snapshotStats.snapshotsSkippedBusy).toBe(rolls)
    expect(storage.snapshotStats.snapshotsTaken).toBeGreaterThan(0)

    const restored = await restoreTree()
    expect(restored.lastProcessedZxid).toBe(300n)
    expect(restored.snapshotZxid).toBe(storage.snapshotStats.lastSnapshotZxid)
    expect(dumpTree(restored.tree)).toEqual(dumpTree(tree))
    expect(restored.sessions).toEqual(sessions)
  })

  it('takes a fuzzy snapshot while txns are applied between its steps; replay repairs it', async () => {
    // Small steps, so the walk is interleaved with many txns.
    const steppedCodec = { ...codec, serializeTreeSteps: (tree: DataTree, w: JuteWriter) => serializeTreeSteps(tree, w, 64) }
    const storage = new FileTxnSnapLog<DataTree>({ dataDir, codec: steppedCodec })
    const { tree, sessions } = await storage.restore(() => new DataTree(), applyTxn)
    const txns = workload(1000)
    for (const txn of txns) {
      storage.append(txn)
      tree.processTxn(txn.header, txn.body)
    }
    await storage.commit()
    const existing = [...tree.getNode('/')!.children].filter((name) => name.startsWith('n')).map((name) => `/${name}`)
    const atSnapshot = dumpTree(tree)
    // Txns 1001-1400 change nodes all over the tree while the snapshot of zxid 1000 is being written.
    // From the last child backwards: the walk reaches those nodes late, after some of these changes.
    const later = existing.slice(-400).reverse().map((path, i) => {
      const zxid = BigInt(1001 + i)
      return i % 3 === 0
        ? txnAt(zxid, { type: OpCode.delete, txn: { path } })
        : i % 3 === 1
          ? txnAt(zxid, { type: OpCode.setData, txn: { path, data: Buffer.from(`late-${zxid}`), version: 2 } })
          : txnAt(zxid, createBody(`${path}/late`, Buffer.from('x'), 1))
    })
    const snapshotDone = storage.takeSnapshot(tree, sessions)
    for (const txn of later) {
      storage.append(txn)
      tree.processTxn(txn.header, txn.body)
      if (Number(txn.header.zxid) % 10 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await snapshotDone).toBe(join(v2, 'snapshot.3e8'))
    await storage.close()
    const fuzzy = await loadNewestSnapshot(v2, steppedCodec)
    expect(fuzzy?.zxid).toBe(1000n)
    const fuzzyDump = dumpTree(fuzzy!.tree)
    expect(fuzzyDump).not.toEqual(atSnapshot)
    expect(fuzzyDump).not.toEqual(dumpTree(tree))
    const restored = await restore({ dataDir, codec: steppedCodec, createEmptyTree: () => new DataTree(), applyTxn })
    expect(restored.snapshotZxid).toBe(1000n)
    expect(restored.txnsReplayed).toBe(400)
    expect(dumpTree(restored.tree)).toEqual(dumpTree(tree))
  })

  it('truncates for TRUNC and appends afterwards to a fresh file', async () => {
    const storage = new FileTxnSnapLog<DataTree>({ dataDir, codec })
    await storage.restore(() => new DataTree(), applyTxn)
    for (const txn of workload(50)) storage.append(txn)
    await storage.commit()
    await storage.truncateLog(30n)
    for (const txn of workload(5, 31)) storage.append(txn)
    await storage.close()
    expect((await readAllTxns(v2)).map((e) => Number(e.header.zxid))).toEqual([...Array(35)].map((_, i) => i + 1))
    expect((await readdir(v2)).filter((n) => n.startsWith('log.')).sort()).toEqual(['log.1', 'log.1f'])
  })
})

describe('purge', () => {
  async function storageWithSnapshots(count: number): Promise<void> {
    const storage = new FileTxnSnapLog<DataTree>({ dataDir, codec, snapCount: 1e9 })
    const { tree, sessions } = await storage.restore(() => new DataTree(), applyTxn)
    for (const txn of workload(count * 10)) {
      storage.append(txn)
      tree.processTxn(txn.header, txn.body)
      if (Number(txn.header.zxid) % 10 === 0) {
        storage.rollLog()
        await storage.takeSnapshot(tree, sessions)
      }
    }
    await storage.close()
  }

  it('keeps retainCount snapshots and what replay from the oldest needs, and the result still restores', async () => {
    await storageWithSnapshots(6)
    const before = await restoreTree()
    const deleted = await purgeTxnLog({ dataDir }, 3)
    expect(deleted.map((p) => p.slice(v2.length + 1)).sort()).toEqual(['log.1', 'log.15', 'log.b', 'snapshot.0', 'snapshot.14', 'snapshot.a', 'snapshot.1e'].sort())
    expect((await readdir(v2)).sort()).toEqual(['log.1f', 'log.29', 'log.33', 'snapshot.28', 'snapshot.32', 'snapshot.3c'].sort())
    expect(dumpTree((await restoreTree()).tree)).toEqual(dumpTree(before.tree))
    await expect(purgeTxnLog({ dataDir }, 2)).rejects.toThrow(/greater than or equal to 3/)
  })

  it('AutoPurger purges right away, then on its interval, and stops', async () => {
    await storageWithSnapshots(5)
    const runs: string[][] = []
    const purger = new AutoPurger({ dataDir, purgeIntervalHours: 1, intervalMs: 20, onPurged: (deleted) => runs.push(deleted) })
    expect(purger.start()).toBe(true)
    await purger.runOnce()
    await new Promise((resolve) => setTimeout(resolve, 80))
    await purger.stop()
    expect(runs.length).toBeGreaterThanOrEqual(2)
    expect(runs[0]!.length).toBeGreaterThan(0)
    expect(runs.at(-1)).toEqual([])
    expect(new AutoPurger({ dataDir, purgeIntervalHours: 0 }).start()).toBe(false)
  })
})
