import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { JuteWriter } from '../../../engine/jute'
import { OpCode } from '../../../engine/proto/opcodes'
import { DataTree } from '../../../engine/tree/data-tree'
import { restore } from '../../../engine/txn/file-txn-snap-log'
import { purgeTxnLog } from '../../../engine/txn/purge'
import { rawTreeBodyCodec } from '../../../engine/txn/raw-tree-body'
import { encodeSnapshot, listSnapshotFiles, loadNewestSnapshot, readSnapshotFile } from '../../../engine/txn/snapshot'
import { dataTreeCodec } from '../../../engine/txn/tree-codec'
import { writeLogEntry } from '../../../engine/txn/txn-log-format'
import { lastLoggedZxid, listLogFiles, readAllTxns } from '../../../engine/txn/txn-log-reader'
import { type WorkloadOutput, dumpTree } from './tree-dump'

/** Apache-written files (test/fixtures/apache-datadir), read without Java: byte-exact codecs and full restore. */

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'apache-datadir')
const FIXTURE_V2 = join(FIXTURE, 'version-2')
const TREE_OPTIONS = { extendedTypesEnabled: true }

async function expected(): Promise<WorkloadOutput> {
  return JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')) as WorkloadOutput
}

const temps: string[] = []
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true })
})

/** A writable copy of the fixture, optionally without some files. */
async function fixtureCopy(without: string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zoodesk-fixture-'))
  temps.push(dir)
  await cp(FIXTURE_V2, join(dir, 'version-2'), { recursive: true })
  for (const name of without) await rm(join(dir, 'version-2', name))
  return dir
}

function restoreDataTree(dataDir: string) {
  return restore({
    dataDir,
    codec: dataTreeCodec(TREE_OPTIONS),
    createEmptyTree: () => new DataTree(TREE_OPTIONS),
    applyTxn: (tree, entry) => void tree.processTxn(entry.header, entry.body),
    autoCreateDirs: false,
  })
}

describe('Apache txn logs', () => {
  it('re-encodes every entry to exactly the bytes Apache wrote (checksum, length, digest, 0x42)', async () => {
    const entries = await readAllTxns(FIXTURE_V2)
    expect(entries.length).toBe(0x4b)
    const files = new Map<string, Buffer>()
    for (const log of await listLogFiles(FIXTURE_V2)) files.set(log.path, await readFile(log.path))
    const w = new JuteWriter()
    for (const entry of entries) {
      w.reset()
      writeLogEntry(w, entry, entry.digest)
      expect(w.toBuffer().equals(files.get(entry.file)!.subarray(entry.offset, entry.endOffset)), `zxid ${entry.header.zxid}`).toBe(true)
    }
  })

  it('reads digests where Apache wrote them and none on error txns', async () => {
    const entries = await readAllTxns(FIXTURE_V2)
    const errors = entries.filter((entry) => entry.header.type === OpCode.error)
    expect(errors.length).toBeGreaterThan(0)
    for (const entry of errors) expect(entry.digest).toBeNull()
    const creates = entries.filter((entry) => entry.header.type === OpCode.create)
    for (const entry of creates) expect(entry.digest?.version).toBe(2)
  })

  it('starts reading at a zxid in the middle of a file and finds the last logged zxid', async () => {
    const fromMiddle = await readAllTxns(FIXTURE_V2, 0x30n)
    expect(fromMiddle[0]!.header.zxid).toBe(0x30n)
    expect(fromMiddle[fromMiddle.length - 1]!.header.zxid).toBe(0x4bn)
    expect(await lastLoggedZxid(FIXTURE_V2)).toBe(0x4bn)
  })
})

describe('Apache snapshots', () => {
  it('re-encodes every snapshot (plain and gzip) to exactly the stream Apache wrote', async () => {
    const files = await listSnapshotFiles(FIXTURE_V2)
    expect(files.map((f) => f.name)).toEqual(['snapshot.4b.gz', 'snapshot.48', 'snapshot.3b', 'snapshot.2a', 'snapshot.1a', 'snapshot.a', 'snapshot.0'])
    for (const file of files) {
      const loaded = await readSnapshotFile(file, rawTreeBodyCodec)
      const raw = await readFile(file.path)
      const stream = file.name.endsWith('.gz') ? gunzipSync(raw) : raw
      expect(encodeSnapshot(loaded, rawTreeBodyCodec).equals(stream), file.name).toBe(true)
      // 3.8 always writes the digest section; zxid 0 until its tree has a digest, else at most the file's zxid.
      expect(loaded.digest?.digestVersion).toBe(2)
      expect(loaded.digest!.zxid).toBeLessThanOrEqual(file.zxid)
    }
  })

  it('loads the newest snapshot, the gzip one', async () => {
    const loaded = await loadNewestSnapshot(FIXTURE_V2, dataTreeCodec(TREE_OPTIONS))
    expect(loaded?.zxid).toBe(0x4bn)
    expect(loaded?.file.endsWith('snapshot.4b.gz')).toBe(true)
    const { sessions } = await expected()
    expect([...loaded!.sessions.keys()].map((id) => id.toString(16))).toContain(sessions.kept)
  })
})

describe('restore from Apache files', () => {
  it('rebuilds exactly the tree Apache served', async () => {
    const result = await restoreDataTree(await fixtureCopy())
    expect(result.snapshotZxid).toBe(0x4bn)
    expect(result.lastProcessedZxid).toBe(0x4bn)
    expect(dumpTree(result.tree)).toEqual((await expected()).nodes)
  })

  it('gets the same tree from an older fuzzy snapshot plus log replay', async () => {
    const result = await restoreDataTree(await fixtureCopy(['snapshot.4b.gz', 'snapshot.48']))
    expect(result.snapshotZxid).toBe(0x3bn)
    expect(result.txnsReplayed).toBe(0x4b - 0x3b)
    expect(dumpTree(result.tree)).toEqual((await expected()).nodes)
    const { sessions } = await expected()
    expect([...result.sessions.keys()].map((id) => id.toString(16)).sort()).toEqual([sessions.kept])
  })

  it('replays everything from snapshot.0 when it is the only snapshot', async () => {
    const older = (await readdir(FIXTURE_V2)).filter((name) => name.startsWith('snapshot.') && name !== 'snapshot.0')
    const result = await restoreDataTree(await fixtureCopy(older))
    expect(result.txnsReplayed).toBe(0x4b)
    expect(dumpTree(result.tree)).toEqual((await expected()).nodes)
  })
})

describe('purge on Apache files', () => {
  it('keeps the 3 newest snapshots and the logs needed to replay from the oldest of them', async () => {
    const dataDir = await fixtureCopy()
    await purgeTxnLog({ dataDir }, 3)
    expect((await readdir(join(dataDir, 'version-2'))).sort()).toEqual([
      'log.2c',
      'log.3d',
      'log.4a',
      'snapshot.3b',
      'snapshot.48',
      'snapshot.4b.gz',
    ])
    const result = await restoreDataTree(dataDir)
    expect(dumpTree(result.tree)).toEqual((await expected()).nodes)
  })
})
