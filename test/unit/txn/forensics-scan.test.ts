// Scan mode (engine/txn/txn-log-scan.ts) against the full reader (txn-log-reader.ts): on the same files, intact and
// damaged, both must see the same entries (header, place, paths) and stop at the same place with the same error. And
// the compact index built from a scan (engine/forensics) must give back exactly what was put in.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PackedColumn, TxnIndex, pathsOfTxn } from '../../../engine/forensics'
import { JuteWriter } from '../../../engine/jute'
import { OPEN_ACL_UNSAFE } from '../../../engine/proto/data-records'
import { OpCode } from '../../../engine/proto/opcodes'
import type { LoggedTxn } from '../../../engine/proto/txn'
import { TxnHeader } from '../../../engine/proto/txn-records'
import { adler32 } from '../../../engine/txn/adler32'
import { TxnLogCorruptError } from '../../../engine/txn/errors'
import { TXNLOG_MAGIC, writeLogEntry } from '../../../engine/txn/txn-log-format'
import { type LogEntry, TxnLogIterator } from '../../../engine/txn/txn-log-reader'
import { type ScannedTxn, scanLogFile } from '../../../engine/txn/txn-log-scan'
import { sampleTxns, txnAt } from './txn-samples'

const dir = mkdtempSync(join(tmpdir(), 'zoodesk-scan-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The txn kinds sampleTxns lacks: every path-carrying record of readTxnBody. */
function extraTxns(firstZxid: bigint): LoggedTxn[] {
  const data = Buffer.from('d')
  const bodies = [
    { type: OpCode.closeSession, txn: { paths2Delete: ['/eph-1', '/eph-2/x'] } },
    { type: OpCode.createTTL, txn: { path: '/ttl', data, acl: [...OPEN_ACL_UNSAFE], parentCVersion: 3, ttl: 60_000n } },
    { type: OpCode.createContainer, txn: { path: '/box', data: null, acl: [...OPEN_ACL_UNSAFE], parentCVersion: 4 } },
    { type: OpCode.deleteContainer, txn: { path: '/box' } },
    { type: OpCode.setACL, txn: { path: '/ttl', acl: [...OPEN_ACL_UNSAFE, { perms: 1, id: { scheme: 'digest', id: 'u:x' } }], version: 1 } },
    { type: OpCode.check, txn: { path: '/ttl', version: 1 } },
    { type: OpCode.setData, txn: { path: '/名前/ü', data, version: 2 } },
    { type: OpCode.multi, txns: [{ type: OpCode.check, txn: { path: '/a', version: 0 } }, { type: OpCode.error, txn: { err: -101 } }, { type: OpCode.delete, txn: { path: '/b' } }] },
  ] as const
  return bodies.map((body, i) => txnAt(firstZxid + BigInt(i), body as LoggedTxn['body']))
}

/** Bytes of a log file: the header, then each entry (a LoggedTxn, or raw entry bytes framed with a right checksum). */
function logBytes(entries: readonly (LoggedTxn | Buffer)[]): Buffer {
  const w = new JuteWriter(1024)
  w.int(TXNLOG_MAGIC)
  w.int(2)
  w.long(0n)
  for (const entry of entries) {
    if (Buffer.isBuffer(entry)) {
      w.int(0)
      w.int(adler32(entry) | 0)
      w.int(entry.length)
      for (const byte of entry) w.byte((byte << 24) >> 24)
      w.byte(0x42)
    } else {
      writeLogEntry(w, entry, { version: 2, treeDigest: 77n })
    }
  }
  return w.toBuffer()
}

let fileNumber = 0
function writeLog(bytes: Buffer): string {
  const path = join(dir, `log.${(++fileNumber).toString(16)}`)
  writeFileSync(path, bytes)
  return path
}

interface Outcome {
  entries: { zxid: bigint; session: bigint; cxid: number; time: number; type: number; offset: number; endOffset: number; paths: string[] }[]
  error: { offset: number; message: string } | null
}

/** The full decoder says where in its read buffer a field ran short (scan mode: where in the entry): not compared. */
function sameWhereverBuffered(message: string): string {
  return message.replace(/bytes at offset \d+/, 'bytes at offset _')
}

async function fullRead(file: string): Promise<Outcome> {
  const entries: LogEntry[] = []
  let error: Outcome['error'] = null
  const iterator = TxnLogIterator.overFiles([{ path: file, zxid: 0n, name: 'log' } as never], -(1n << 63n), { chunkBytes: 4096 })
  try {
    for (let batch = await iterator.nextBatch(); batch !== null; batch = await iterator.nextBatch()) entries.push(...batch)
  } catch (caught) {
    if (!(caught instanceof TxnLogCorruptError)) throw caught
    error = { offset: caught.offset, message: sameWhereverBuffered(caught.message) }
  } finally {
    await iterator.close()
  }
  // The iterator drops the chunk holding a bad entry; scan mode delivers the good ones before it. Compare those
  // with what the full reader reads of them one by one: every entry ending at or before the bad offset.
  const all = error === null ? entries : await entriesBefore(file, error.offset)
  return {
    entries: all.map((entry) => ({
      zxid: entry.header.zxid,
      session: entry.header.clientId,
      cxid: entry.header.cxid,
      time: entry.header.time,
      type: entry.header.type,
      offset: entry.offset,
      endOffset: entry.endOffset,
      paths: pathsOfTxn(entry.body),
    })),
    error,
  }
}

/** Entries before `badOffset`, read with a full reader over a copy of the file cut there. */
async function entriesBefore(file: string, badOffset: number): Promise<LogEntry[]> {
  const cut = writeLog(readFileSync(file).subarray(0, badOffset))
  const entries: LogEntry[] = []
  const iterator = TxnLogIterator.overFiles([{ path: cut, zxid: 0n, name: 'log' } as never], -(1n << 63n))
  for await (const entry of iterator) entries.push(entry)
  return entries
}

async function scanned(file: string, chunkBytes: number): Promise<Outcome> {
  const entries: Outcome['entries'] = []
  let error: Outcome['error'] = null
  const take = (txn: ScannedTxn) => {
    entries.push({
      zxid: txn.zxid,
      session: txn.sessionId,
      cxid: txn.cxid,
      time: txn.timeMs,
      type: txn.type,
      offset: txn.offset,
      endOffset: txn.endOffset,
      paths: Array.from({ length: txn.pathCount }, (_unused, i) => txn.path(i)),
    })
  }
  try {
    const result = await scanLogFile(file, take, { chunkBytes })
    expect(result.entries).toBe(entries.length)
    if (entries.length > 0) expect(result.validEndOffset).toBe(entries.at(-1)!.endOffset)
  } catch (caught) {
    if (!(caught instanceof TxnLogCorruptError)) throw caught
    error = { offset: caught.offset, message: sameWhereverBuffered(caught.message) }
  }
  return { entries, error }
}

async function expectSameAsFullReader(file: string): Promise<Outcome> {
  const expected = await fullRead(file)
  for (const chunkBytes of [64, 4096, 1 << 20]) expect(await scanned(file, chunkBytes)).toEqual(expected)
  return expected
}

const txns = [...sampleTxns(700), ...extraTxns(701n)]

describe('txn log scan mode', () => {
  it('sees every entry as the full reader does: header, offsets, paths of every record kind', async () => {
    const outcome = await expectSameAsFullReader(writeLog(logBytes(txns)))
    expect(outcome.entries).toHaveLength(txns.length)
    expect(outcome.entries.at(-2)!.paths).toEqual(['/名前/ü'])
    expect(outcome.entries.at(-8)!.paths).toEqual(['/eph-1', '/eph-2/x'])
  })

  it('stops where the full reader stops on damaged files, with the same error', async () => {
    const intact = logBytes(txns)
    const middle = (await fullRead(writeLog(intact))).entries[350]!
    const flipped = Buffer.from(intact)
    flipped[middle.offset + 30] = flipped[middle.offset + 30]! ^ 0xff
    const corrupt = await expectSameAsFullReader(writeLog(flipped))
    expect(corrupt.error).toMatchObject({ offset: middle.offset })
    expect(corrupt.entries).toHaveLength(350)
    // Cut inside an entry, cut inside a framing, preallocated zeros after the data, a bad magic, a zero header.
    expect((await expectSameAsFullReader(writeLog(intact.subarray(0, middle.offset + 20)))).entries).toHaveLength(350)
    expect((await expectSameAsFullReader(writeLog(intact.subarray(0, middle.offset + 5)))).entries).toHaveLength(350)
    expect((await expectSameAsFullReader(writeLog(Buffer.concat([intact, Buffer.alloc(10_000)])))).entries).toHaveLength(txns.length)
    const badMagic = Buffer.from(intact)
    badMagic[0] = 0
    expect((await expectSameAsFullReader(writeLog(badMagic))).error).toMatchObject({ offset: 0 })
    expect((await expectSameAsFullReader(writeLog(Buffer.alloc(4096)))).entries).toHaveLength(0)
    expect((await expectSameAsFullReader(writeLog(intact.subarray(0, 10)))).entries).toHaveLength(0)
  })

  it('calls an entry with a right checksum but an undecodable record undecodable, at the same offset', async () => {
    const header = (type: number) => {
      const w = new JuteWriter(64)
      TxnHeader.write(w, { clientId: 5n, cxid: 1, zxid: 801n, time: 1, type })
      return w.toBuffer()
    }
    const shortSetData = Buffer.concat([header(OpCode.setData), Buffer.from([0, 0, 0, 40, 0x2f])])
    const unknownType = Buffer.concat([header(99), Buffer.alloc(8)])
    const hugeAcl = Buffer.concat([header(OpCode.setACL), Buffer.from([0, 0, 0, 1, 0x2f, 0x7f, 0xff, 0xff, 0xff])])
    const badMultiPart = (() => {
      const w = new JuteWriter(64)
      w.int(1) // one sub-txn
      w.int(OpCode.delete)
      w.int(3) // 3 bytes of record: too short for a path length
      w.byte(0)
      w.byte(0)
      w.byte(1)
      return Buffer.concat([header(OpCode.multi), w.toBuffer()])
    })()
    for (const bad of [shortSetData, unknownType, hugeAcl, badMultiPart]) {
      const outcome = await expectSameAsFullReader(writeLog(logBytes([...txns.slice(0, 20), bad, ...txns.slice(20, 30)])))
      expect(outcome.entries).toHaveLength(20)
      expect(outcome.error?.message).toContain('undecodable entry')
    }
  })
})

describe('compact txn index', () => {
  it('packs numbers of any spread and gives them back', () => {
    const column = new PackedColumn()
    const values: number[] = []
    let time = 1_764_082_800_000
    for (let i = 0; i < 5_000; i++) {
      // Runs of equal values, small spreads, negatives, and jumps wider than 32 bits.
      time += i % 1000 === 999 ? 90 * 86_400_000 : i % 3
      const value = i < 300 ? 7 : i < 1200 ? (i % 17) - 11 : i < 2000 ? (i * 7919) % 1_000_003 : time
      values.push(value)
      column.push(value)
    }
    const check = () => {
      values.forEach((value, row) => expect(column.get(row)).toBe(value))
      const out = new Float64Array(128)
      for (let block = 0; block * 128 < values.length; block++) {
        const rows = column.decodeBlock(block, out)
        expect(Array.from(out.subarray(0, rows))).toEqual(values.slice(block * 128, block * 128 + rows))
      }
    }
    check()
    column.seal()
    check()
  })

  it('gives back zxid, offset, file, time, session and paths of every row, and finds rows by zxid', async () => {
    const index = new TxnIndex()
    const files = [writeLog(logBytes(txns.slice(0, 333))), writeLog(logBytes([])), writeLog(logBytes(txns.slice(333)))]
    // zxids with gaps (a new epoch, a missing txn) are runs of their own.
    const zxids = txns.map((_txn, i) => (i < 500 ? BigInt(i + 1) : i < 600 ? (5n << 32n) + BigInt(i) : (5n << 32n) + BigInt(i + 3)))
    const rows: { zxid: bigint; file: number; offset: number; time: number; session: bigint; paths: string[] }[] = []
    for (const [fileIndex, file] of files.entries()) {
      index.addFile(file)
      await scanLogFile(file, (txn) => {
        const zxid = zxids[rows.length]!
        txn.zxidHigh = Number(zxid >> 32n)
        txn.zxidLow = Number(zxid & 0xffffffffn)
        index.addScanned(txn)
        rows.push({ zxid, file: fileIndex, offset: txn.offset, time: txn.timeMs, session: txn.sessionId, paths: Array.from({ length: txn.pathCount }, (_u, i) => txn.path(i)) })
      })
    }
    index.trim()
    expect(index.count).toBe(txns.length)
    rows.forEach((row, i) => {
      expect({ zxid: index.zxidAt(i), file: index.fileIndexAt(i), offset: index.offsetAt(i), time: index.timeAt(i), session: index.sessionOf(i), paths: index.pathsOf(i) }).toEqual(row)
    })
    expect([index.zxid[5], index.offset[400], index.fileIndex[400]]).toEqual([rows[5]!.zxid, rows[400]!.offset, 2])
    for (const probe of [0n, 1n, 250n, 500n, 501n, (5n << 32n) + 500n, (5n << 32n) + 599n, (5n << 32n) + 600n, (5n << 32n) + 603n, 1n << 40n]) {
      const naive = rows.findIndex((row) => row.zxid >= probe)
      expect(index.lowerBound(probe), probe.toString(16)).toBe(naive === -1 ? rows.length : naive)
    }
    expect(index.paths.idOf('/名前/ü')).toBe(index.pathIdsOf(txns.length - 2)[0])
  })
})
