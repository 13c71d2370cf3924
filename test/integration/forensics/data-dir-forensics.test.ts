// Data-dir forensics on directories written by real servers: Apache ZooKeeper 3.8 (Debian) and ZooDesk, each run with
// a tiny snapCount so that the workload leaves several snapshots and logs. The tree as of the last zxid and as of a
// zxid half-way must equal what a client read from the server at those points; filters must return exactly the txns
// a naive pass over engine/txn's reader finds; damaged copies (bytes flipped mid-log, a log cut mid-record, a
// snapshot with a flipped byte) must say where reading stopped and keep what was readable.
import { cpSync, mkdtempSync, openSync, readSync, rmSync, truncateSync, writeSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ForensicDataDir, type TxnFilter, pathMatchesPrefix, pathsOfTxn } from '../../../engine/forensics'
import { OpCode } from '../../../engine/proto/opcodes'
import type { DataTree } from '../../../engine/tree/data-tree'
import { type LogEntry, readAllTxns } from '../../../engine/txn'
import { type TestServer, startApache, startZooDesk } from '../../compat/harness/servers'
import { type ReadNode, type WorkloadResult, lowFreePort, runWorkload } from './workload'

/** The tree as a client would read it, from an offline DataTree. */
function treeAsRead(tree: DataTree): Map<string, ReadNode> {
  const out = new Map<string, ReadNode>()
  const walk = (path: string) => {
    const node = tree.getNode(path)!
    const stat = tree.statOf(node)
    out.set(path, {
      data: node.data === null ? null : node.data.toString('hex'),
      czxid: stat.czxid,
      mzxid: stat.mzxid,
      pzxid: stat.pzxid,
      ctime: stat.ctime,
      mtime: stat.mtime,
      version: stat.version,
      cversion: stat.cversion,
      aversion: stat.aversion,
      dataLength: stat.dataLength,
      numChildren: stat.numChildren,
      acl: tree
        .aclOf(node)
        .map((entry) => `${entry.perms}:${entry.id.scheme}:${entry.id.id}`)
        .sort(),
    })
    for (const child of [...node.children].sort()) walk(path === '/' ? `/${child}` : `${path}/${child}`)
  }
  walk('/')
  return out
}

function flipBytes(file: string, offset: number, count: number): void {
  const fd = openSync(file, 'r+')
  try {
    const buf = Buffer.alloc(count)
    readSync(fd, buf, 0, count, offset)
    for (let i = 0; i < count; i++) buf[i] = buf[i]! ^ 0xff
    writeSync(fd, buf, 0, count, offset)
  } finally {
    closeSync(fd)
  }
}

function naiveFilter(entries: readonly LogEntry[], filter: TxnFilter): bigint[] {
  return entries
    .filter((entry) => {
      if (filter.fromZxid != null && entry.header.zxid < filter.fromZxid) return false
      if (filter.toZxid != null && entry.header.zxid > filter.toZxid) return false
      if (filter.sessionId != null && entry.header.clientId !== filter.sessionId) return false
      if (filter.types != null && filter.types.length > 0 && !filter.types.includes(entry.header.type)) return false
      if (filter.fromTimeMs != null && entry.header.time < filter.fromTimeMs) return false
      if (filter.toTimeMs != null && entry.header.time > filter.toTimeMs) return false
      if (filter.pathPrefix != null && !pathsOfTxn(entry.body).some((path) => pathMatchesPrefix(path, filter.pathPrefix!))) return false
      return true
    })
    .map((entry) => entry.header.zxid)
}

const workDirs: string[] = []
afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true })
})

/** Runs the workload on a fresh server, kills it (every txn is fsynced before its reply) and copies its dataDir. */
async function produceDataDir(start: () => Promise<TestServer>): Promise<{ dir: string; workload: WorkloadResult }> {
  const server = await start()
  try {
    const workload = await runWorkload(server.connectString)
    await server.kill9()
    await workload.close()
    const dir = mkdtempSync(join(tmpdir(), `zoodesk-forensics-${server.kind}-`))
    workDirs.push(dir)
    cpSync(server.dataDir, join(dir, 'data'), { recursive: true })
    return { dir: join(dir, 'data'), workload }
  } finally {
    await server.stop()
  }
}

function copyOf(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'zoodesk-forensics-damaged-'))
  workDirs.push(copy)
  cpSync(dir, copy, { recursive: true })
  return copy
}

const serverOptions = async (name: string) => ({
  name,
  port: await lowFreePort(),
  config: { snapCount: 8 },
  systemProperties: { 'zookeeper.extendedTypesEnabled': true, 'zookeeper.snapCount': 8 },
})

for (const kind of ['apache', 'zoodesk'] as const) {
  describe(`forensics on a ${kind === 'apache' ? 'Apache ZooKeeper 3.8' : 'ZooDesk'} data dir`, () => {
    let dir = ''
    let workload: WorkloadResult
    let opened: ForensicDataDir
    let all: LogEntry[] = []

    beforeAll(async () => {
      const options = await serverOptions(`forensics-${kind}`)
      ;({ dir, workload } = await produceDataDir(() => (kind === 'apache' ? startApache(options) : startZooDesk(options))))
      opened = await ForensicDataDir.open(dir)
      all = await readAllTxns(opened.files.logDir)
    }, 120_000)

    afterAll(async () => {
      await opened?.close()
    })

    it('lists at least two snapshots and several logs, all readable, and indexes every txn', () => {
      console.log(
        `${kind}: ${opened.snapshots.length} snapshots, ${opened.logs.length} logs, ${opened.summary.txnCount} txns, ` +
          `zxids 0x${opened.summary.firstZxid?.toString(16)}…0x${opened.summary.lastZxid?.toString(16)}`,
      )
      expect(opened.snapshots.length).toBeGreaterThanOrEqual(2)
      expect(opened.logs.length).toBeGreaterThanOrEqual(2)
      expect(opened.problems()).toEqual([])
      expect(opened.snapshots.every((one) => one.valid)).toBe(true)
      expect(opened.summary.txnCount).toBe(all.length)
      expect(opened.summary.lastZxid).toBe(workload.end.zxid)
      const types = new Set(all.map((entry) => entry.header.type))
      for (const type of [OpCode.createSession, OpCode.closeSession, OpCode.setData, OpCode.setACL, OpCode.delete, OpCode.multi, OpCode.createContainer, OpCode.createTTL]) {
        expect(types, `txn type ${type}`).toContain(type)
      }
      expect(types.has(OpCode.create) || types.has(OpCode.create2)).toBe(true)
    })

    it('builds the tree as of the last zxid: what a client read before the server stopped', async () => {
      const built = await opened.tree({ kind: 'zxid', zxid: workload.end.zxid })
      expect(built.reachedZxid).toBe(workload.end.zxid)
      expect(built.problems).toEqual([])
      expect(built.snapshotZxid).not.toBeNull()
      expect(treeAsRead(built.tree)).toEqual(workload.end.tree)
      expect([...built.sessions.keys()]).toContain(workload.openSessionId)
      expect([...built.sessions.keys()]).not.toContain(workload.closedSessionId)
    })

    it('builds the tree as of a zxid half-way: what a client read at that point', async () => {
      const built = await opened.tree({ kind: 'zxid', zxid: workload.middle.zxid })
      expect(built.reachedZxid).toBe(workload.middle.zxid)
      expect(treeAsRead(built.tree)).toEqual(workload.middle.tree)
      expect([...built.sessions.keys()]).toContain(workload.closedSessionId)
    })

    it('opens the tree of each snapshot as stored', async () => {
      for (const snapshot of opened.snapshots) {
        const built = await opened.tree({ kind: 'snapshot', zxid: snapshot.file.zxid })
        expect(built.txnsReplayed).toBe(0)
        expect(built.tree.nodeCount - 1).toBe(snapshot.nodeCount) // DataTree counts "/" twice ("" and "/")
      }
    })

    it('filters by path prefix, session, type and time exactly as a naive pass over every txn does', async () => {
      const filters: TxnFilter[] = [
        { pathPrefix: '/f/data' },
        { pathPrefix: '/f/eph' },
        { pathPrefix: '/f' },
        { sessionId: workload.closedSessionId },
        { types: [OpCode.closeSession, OpCode.createSession] },
        { types: [OpCode.multi] },
        { fromTimeMs: workload.middle.timeMs, toTimeMs: workload.end.timeMs, pathPrefix: '/f/data' },
        { fromZxid: workload.middle.zxid, types: [OpCode.setData] },
      ]
      for (const filter of filters) {
        const rows = [...opened.filter(filter)]
        expect(rows.map((row) => opened.index.zxid[row]!), JSON.stringify(filter, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v))).toEqual(naiveFilter(all, filter))
      }
      const dataTxns = [...opened.filter({ pathPrefix: '/f/data', types: [OpCode.setData, OpCode.multi] })]
      expect(dataTxns.length).toBe(workload.dataWrites)
      const closeRows = [...opened.filter({ sessionId: workload.closedSessionId, types: [OpCode.closeSession] })]
      expect(closeRows.length).toBe(1)
      const closeTxn = await opened.txnAt(closeRows[0]!)
      expect(closeTxn.body.type).toBe(OpCode.closeSession)
      // Apache 3.6+ logs the ephemerals a closeSession removes: both of that session's.
      const removed = opened.index.pathsOf(closeRows[0]!).sort()
      expect(removed).toHaveLength(2)
      expect(removed[0]).toBe('/f/eph')
      expect(removed[1]).toMatch(/^\/f\/eph-\d{10}$/)
    })

    it('reads any txn back by row, decoded as the log holds it', async () => {
      for (const row of [0, Math.floor(opened.index.count / 2), opened.index.count - 1]) {
        const entry = await opened.txnAt(row)
        expect(entry.header.zxid).toBe(all[row]!.header.zxid)
        expect(entry.body).toEqual(all[row]!.body)
      }
    })

    it('a log with bytes flipped mid-file: names the file, the offset and the last good zxid, and keeps what came before', async () => {
      const damaged = copyOf(dir)
      // The biggest log that is not the last, so that later files exist to be indexed past the damage.
      const byStart = [...opened.logs].sort((x, y) => (BigInt(`0x${x.file.name.slice(4)}`) < BigInt(`0x${y.file.name.slice(4)}`) ? -1 : 1))
      const biggest = byStart.slice(0, -1).sort((x, y) => y.txnCount - x.txnCount)[0]!
      const rows = [...opened.filter({})].filter((row) => opened.index.fileIndex[row] === biggest.fileIndex)
      const victim = rows[Math.floor(rows.length / 2)]!
      const offset = opened.index.offset[victim]!
      const file = join(damaged, 'version-2', biggest.file.name)
      flipBytes(file, offset + 20, 4)
      const broken = await ForensicDataDir.open(damaged)
      try {
        const report = broken.logs.find((one) => one.file.name === biggest.file.name)!
        expect(report.problem).toMatchObject({ kind: 'corrupt', file, offset, lastGoodZxid: opened.index.zxid[victim - 1], readable: rows.indexOf(victim) })
        console.log(`${kind} flipped bytes: ${report.problem?.message} at ${report.problem?.offset}`)
        // The later files are still indexed.
        expect(broken.summary.lastZxid).toBe(workload.end.zxid)
        expect(broken.index.count).toBe(opened.index.count - (rows.length - rows.indexOf(victim)))
        // Replaying through the damage stops at the last good txn and says so.
        const built = await broken.tree({ kind: 'zxid', zxid: workload.end.zxid })
        if (built.snapshotZxid !== null && built.snapshotZxid < opened.index.zxid[victim]!) {
          expect(built.reachedZxid).toBe(opened.index.zxid[victim - 1])
          expect(built.problems[0]).toMatchObject({ kind: 'corrupt', file, offset })
        }
      } finally {
        await broken.close()
      }
    })

    it('a log cut mid-record: says the file ends inside a txn, where, and after which zxid', async () => {
      const damaged = copyOf(dir)
      const last = opened.logs.at(-1)!
      const lastRow = opened.index.count - 1
      expect(opened.index.fileIndex[lastRow]).toBe(last.fileIndex)
      const offset = opened.index.offset[lastRow]!
      const file = join(damaged, 'version-2', last.file.name)
      truncateSync(file, offset + 25)
      const broken = await ForensicDataDir.open(damaged)
      try {
        const report = broken.logs.at(-1)!
        expect(report.problem).toMatchObject({ kind: 'truncated', file, offset, lastGoodZxid: opened.index.zxid[lastRow - 1], readable: last.txnCount - 1 })
        console.log(`${kind} cut: ${report.problem?.message}`)
        expect(broken.summary.lastZxid).toBe(opened.index.zxid[lastRow - 1])
      } finally {
        await broken.close()
      }
    })

    it('a snapshot with a flipped byte: named with where decoding stopped; the tree comes from an older one', async () => {
      const damaged = copyOf(dir)
      const newest = opened.snapshots.at(-1)!
      const file = join(damaged, 'version-2', newest.file.name)
      flipBytes(file, Math.floor(newest.file.sizeBytes / 2), 1)
      const broken = await ForensicDataDir.open(damaged)
      try {
        const report = broken.snapshots.at(-1)!
        expect(report.valid).toBe(false)
        expect(report.problem).toMatchObject({ kind: 'invalidSnapshot', file })
        expect(report.problem?.offset).toBeGreaterThan(0)
        console.log(`${kind} snapshot: ${report.problem?.message} at ${report.problem?.offset}, ${report.problem?.readable} nodes readable, last ${report.problem?.lastGoodPath}`)
        const built = await broken.tree({ kind: 'zxid', zxid: workload.end.zxid })
        expect(built.snapshotZxid).toBe(opened.snapshots.at(-2)!.file.zxid)
        expect(treeAsRead(built.tree)).toEqual(workload.end.tree)
      } finally {
        await broken.close()
      }
    })
  })
}
