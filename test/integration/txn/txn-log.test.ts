import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OpCode } from '../../../engine/proto/opcodes'
import type { LoggedTxn, TxnBody } from '../../../engine/proto/txn'
import { TxnLogCorruptError } from '../../../engine/txn/errors'
import { TxnLogWriter } from '../../../engine/txn/txn-log'
import { type LogEntry, TxnLogIterator, lastLoggedZxid, listLogFiles, readAllTxns, truncateLog } from '../../../engine/txn/txn-log-reader'
import { sampleTxn, sampleTxns, txnAt, txnKey } from '../../unit/txn/txn-samples'
import { seededRandom } from '../../support/seeded-random'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zoodesk-txnlog-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Writes `txns` and closes (without fsync: these tests are about file contents, group commit tests cover fsync). */
async function writeLog(txns: LoggedTxn[], options: { preAllocSizeBytes?: number; rollEvery?: number } = {}): Promise<void> {
  const writer = new TxnLogWriter({ logDir: dir, preAllocSizeBytes: options.preAllocSizeBytes ?? 64 * 1024, forceSync: false })
  txns.forEach((txn, i) => {
    if (options.rollEvery && i > 0 && i % options.rollEvery === 0) writer.rollLog()
    writer.append(txn)
  })
  await writer.close()
}

describe('TxnLogWriter files', () => {
  it('round-trips txns through one preallocated file', async () => {
    const txns = sampleTxns(500)
    await writeLog(txns)
    expect(await readdir(dir)).toEqual(['log.1'])
    const back = await readAllTxns(dir)
    expect(back.map(txnKey)).toEqual(txns.map(txnKey))
  })

  it('preallocates as Apache: header + n × preAllocSize, extended when within 4 KiB of the end', async () => {
    const preAlloc = 16 * 1024
    const writer = new TxnLogWriter({ logDir: dir, preAllocSizeBytes: preAlloc, forceSync: false })
    const path = join(dir, 'log.1')
    let usedBytes = 16
    const sizes = new Set<number>()
    for (const txn of sampleTxns(200, 1n, 100)) {
      usedBytes += writer.append(txn)
      await writer.commit()
      const sizeBytes = (await stat(path)).size
      expect(sizeBytes).toBe(usedBytes + 4096 < 16 + preAlloc ? 16 + preAlloc : 16 + 2 * preAlloc)
      sizes.add(sizeBytes)
    }
    expect([...sizes]).toEqual([16 + preAlloc, 16 + 2 * preAlloc])
    await writer.close()
  })

  it('writes no padding when preAllocSize is 0', async () => {
    await writeLog(sampleTxns(10), { preAllocSizeBytes: 0 })
    const entries = await readAllTxns(dir)
    expect((await stat(join(dir, 'log.1'))).size).toBe(entries.at(-1)!.endOffset)
  })

  it('rolls to log.<hex zxid of the next txn> and reads across files from any zxid', async () => {
    const txns = sampleTxns(100)
    await writeLog(txns, { rollEvery: 30 })
    expect((await readdir(dir)).sort()).toEqual(['log.1', 'log.1f', 'log.3d', 'log.5b'])
    expect((await readAllTxns(dir)).map(txnKey)).toEqual(txns.map(txnKey))
    for (const from of [1n, 29n, 30n, 31n, 60n, 61n, 100n]) {
      expect((await readAllTxns(dir, from)).map((e) => e.header.zxid)).toEqual(txns.slice(Number(from) - 1).map((t) => t.header.zxid))
    }
    expect(await readAllTxns(dir, 101n)).toEqual([])
  })

  it('reads entries larger than the read chunk', async () => {
    const txns = sampleTxns(20, 1n, 30_000)
    await writeLog(txns, { preAllocSizeBytes: 0 })
    const iterator = await TxnLogIterator.open(dir, 0n, { chunkBytes: 1024 })
    const back: LogEntry[] = []
    for await (const entry of iterator) back.push(entry)
    expect(back.map(txnKey)).toEqual(txns.map(txnKey))
  })

  it('leaves nothing behind for a txn that cannot be serialized', async () => {
    const writer = new TxnLogWriter({ logDir: dir })
    const bad = txnAt(1n, { type: OpCode.create, txn: { path: '/x', data: null, acl: [null], ephemeral: false, parentCVersion: 1 } } as unknown as TxnBody)
    expect(() => writer.append(bad)).toThrow()
    const good = [sampleTxn(2n), sampleTxn(3n), sampleTxn(5n)]
    writer.append(good[0]!)
    expect(() => writer.append({ ...bad, header: { ...bad.header, zxid: 4n } })).toThrow()
    writer.append(good[1]!)
    // Larger than any reader accepts: refused here rather than silently ending the log on restore.
    expect(() => writer.append(sampleTxn(8n, 3 * 1024 * 1024))).toThrow(/entry limit/)
    writer.append(good[2]!)
    await writer.close()
    expect(await readdir(dir)).toEqual(['log.2'])
    expect((await readAllTxns(dir)).map(txnKey)).toEqual(good.map(txnKey))
  })

  it('commits what is pending on close, and refuses appends afterwards', async () => {
    const writer = new TxnLogWriter({ logDir: dir })
    writer.append(sampleTxns(1)[0]!)
    await writer.close()
    expect(await readAllTxns(dir)).toHaveLength(1)
    expect(() => writer.append(sampleTxns(1, 2n)[0]!)).toThrow(/closed/)
  })

  it('fails every waiting commit, and every later call, when the disk write fails', async () => {
    const writer = new TxnLogWriter({ logDir: join(dir, 'missing') })
    writer.append(sampleTxns(1)[0]!)
    const commits = [writer.commit(), writer.commit()]
    for (const commit of commits) await expect(commit).rejects.toThrow(/ENOENT/)
    expect(() => writer.append(sampleTxns(1, 2n)[0]!)).toThrow(/ENOENT/)
    await expect(writer.commit()).rejects.toThrow(/ENOENT/)
  })
})

describe('group commit', () => {
  it('makes 1000 concurrent appenders share a few fsyncs, each commit resolving after its own txn is written', async () => {
    const writer = new TxnLogWriter({ logDir: dir })
    let nextZxid = 1n
    const durableAtResolve: number[] = []
    await Promise.all(
      [...Array(1000)].map(async (_, i) => {
        // Spread the appends over event-loop turns, as requests arriving on many connections.
        for (let turn = 0; turn < i % 10; turn++) await new Promise((resolve) => setImmediate(resolve))
        writer.append(sampleTxn(nextZxid++))
        const appendedBefore = writer.stats.txnsAppended
        await writer.commit()
        expect(writer.stats.txnsDurable).toBeGreaterThanOrEqual(appendedBefore)
        durableAtResolve.push(writer.stats.txnsDurable)
      }),
    )
    expect(durableAtResolve).toHaveLength(1000)
    expect(writer.stats.txnsDurable).toBe(1000)
    expect(writer.stats.fsyncCount).toBeGreaterThan(0)
    expect(writer.stats.fsyncCount).toBeLessThanOrEqual(20)
    expect(writer.stats.commits).toBe(writer.stats.fsyncCount)
    await writer.close()
    expect((await readAllTxns(dir)).map((e) => e.header.zxid)).toEqual([...Array(1000)].map((_, i) => BigInt(i + 1)))
  })

  it('keeps the order of appends across batches and a roll inside a batch', async () => {
    const writer = new TxnLogWriter({ logDir: dir, preAllocSizeBytes: 4096 })
    const txns = sampleTxns(300)
    const commits: Promise<void>[] = []
    txns.forEach((txn, i) => {
      if (i === 150) writer.rollLog()
      writer.append(txn)
      if (i % 7 === 0) commits.push(writer.commit())
    })
    commits.push(writer.commit())
    await Promise.all(commits)
    expect(writer.stats.fsyncCount).toBeLessThan(10)
    await writer.close()
    expect((await readdir(dir)).sort()).toEqual(['log.1', 'log.97'])
    expect((await readAllTxns(dir)).map(txnKey)).toEqual(txns.map(txnKey))
  })
})

describe('torn tails and corruption', () => {
  /** Writes `bytes` as the only log file of a scratch directory and reads it back. */
  async function readDamaged(bytes: Buffer): Promise<LogEntry[] | TxnLogCorruptError> {
    const damagedDir = join(dir, 'damaged')
    await rm(damagedDir, { recursive: true, force: true })
    await mkdir(damagedDir)
    await writeFile(join(damagedDir, 'log.1'), bytes)
    try {
      return await readAllTxns(damagedDir)
    } catch (error) {
      if (error instanceof TxnLogCorruptError) return error
      throw error
    }
  }

  const zxidsOf = (result: LogEntry[] | TxnLogCorruptError) => (result instanceof Error ? result : result.map((e) => e.header.zxid))

  it('reads exactly the intact prefix after a cut at any offset, with or without zeros after it', async () => {
    await writeLog(sampleTxns(60), { preAllocSizeBytes: 8192 })
    const entries = await readAllTxns(dir)
    const fileBytes = (await stat(join(dir, 'log.1'))).size
    const random = seededRandom(7)
    const offsets = [0, 5, 16, 17, entries[3]!.offset, entries[3]!.endOffset - 1, entries[3]!.endOffset, entries.at(-1)!.endOffset]
    for (let i = 0; i < 60; i++) offsets.push(16 + Math.floor(random() * (entries.at(-1)!.endOffset - 16)))
    const original = await readFile(join(dir, 'log.1'))
    for (const cut of offsets) {
      const intact = entries.filter((e) => e.endOffset <= cut).map((e) => e.header.zxid)
      expect(zxidsOf(await readDamaged(original.subarray(0, cut))), `cut at ${cut}`).toEqual(intact)
      const zeroed = Buffer.alloc(fileBytes)
      original.copy(zeroed, 0, 0, cut)
      expect(zxidsOf(await readDamaged(zeroed)), `zeros from ${cut}`).toEqual(intact)
    }
  })

  it('reads the intact prefix after garbage at the tail, or reports corruption exactly where the garbage begins', async () => {
    await writeLog(sampleTxns(60), { preAllocSizeBytes: 0 })
    const entries = await readAllTxns(dir)
    const original = await readFile(join(dir, 'log.1'))
    const random = seededRandom(11)
    let corruptionReports = 0
    for (let i = 0; i < 200; i++) {
      const boundary = entries[Math.floor(random() * entries.length)]!.endOffset
      const cut = i % 10 === 0 ? boundary : 16 + Math.floor(random() * (entries.at(-1)!.endOffset - 16))
      const garbage = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 600) }, () => Math.floor(random() * 256)))
      // Now and then garbage at an entry boundary looks like a plausible entry, so the checksum path is exercised too.
      if (i % 10 === 0 && garbage.length > 40) {
        garbage.writeInt32BE(0, 0)
        garbage.writeInt32BE(20, 8)
        garbage[32] = 0x42
      }
      const result = await readDamaged(Buffer.concat([original.subarray(0, cut), garbage]))
      const intact = entries.filter((e) => e.endOffset <= cut)
      if (result instanceof TxnLogCorruptError) {
        corruptionReports++
        const firstDamaged = entries[intact.length]
        expect([firstDamaged?.offset, intact.at(-1)?.endOffset ?? 16]).toContain(result.offset)
        expect(result.file.endsWith('log.1')).toBe(true)
      } else {
        expect(result.map((e) => e.header.zxid), `garbage after ${cut}`).toEqual(intact.map((e) => e.header.zxid))
      }
    }
    expect(corruptionReports).toBeGreaterThan(0)
  })

  it('reports a flipped bit inside the log as corruption with the file and offset of the entry', async () => {
    await writeLog(sampleTxns(20))
    const entries = await readAllTxns(dir)
    const victim = entries[5]!
    const bytes = await readFile(join(dir, 'log.1'))
    bytes[victim.offset + 30]! ^= 0x10
    await writeFile(join(dir, 'log.1'), bytes)
    const error = await readAllTxns(dir).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TxnLogCorruptError)
    expect((error as TxnLogCorruptError).offset).toBe(victim.offset)
    expect((error as TxnLogCorruptError).file).toBe(join(dir, 'log.1'))
    expect((error as Error).message).toMatch(/CRC check failed/)
  })

  it('recovers from a torn tail: a restarted writer opens a new file and readers skip the torn bytes', async () => {
    await writeLog(sampleTxns(30), { preAllocSizeBytes: 8192 })
    const entries = await readAllTxns(dir)
    // Tear entry 21 (zxid 21) in half: the crash happened before its fsync, so zxids 21-30 were never acknowledged.
    const torn = entries[20]!
    const bytes = await readFile(join(dir, 'log.1'))
    bytes.fill(0, torn.offset + Math.floor((torn.endOffset - torn.offset) / 2))
    await writeFile(join(dir, 'log.1'), bytes)
    expect(await lastLoggedZxid(dir)).toBe(20n)
    const next = sampleTxns(5, 21n)
    await writeLog(next)
    expect((await readdir(dir)).sort()).toEqual(['log.1', 'log.15'])
    expect((await readAllTxns(dir)).map((e) => e.header.zxid)).toEqual([...Array(25)].map((_, i) => BigInt(i + 1)))
  })

  it('treats a log file shorter than its header as empty (crash right after a roll)', async () => {
    await writeLog(sampleTxns(10))
    await writeFile(join(dir, 'log.b'), Buffer.from([0x5a, 0x4b]))
    expect((await readAllTxns(dir)).map((e) => e.header.zxid)).toHaveLength(10)
    expect(await lastLoggedZxid(dir)).toBe(0xbn)
  })

  it('rejects a file with a wrong magic number', async () => {
    await writeLog(sampleTxns(3))
    const bytes = await readFile(join(dir, 'log.1'))
    bytes.write('ZKSN', 0, 'latin1')
    await writeFile(join(dir, 'log.1'), bytes)
    await expect(readAllTxns(dir)).rejects.toThrow(/invalid magic number/)
  })
})

describe('truncateLog and lastLoggedZxid', () => {
  it('keeps the txns up to the zxid, cuts the file holding it, and deletes later files', async () => {
    const txns = sampleTxns(90)
    await writeLog(txns, { rollEvery: 30 })
    expect(await lastLoggedZxid(dir)).toBe(90n)
    await truncateLog(dir, 45n)
    expect((await readdir(dir)).sort()).toEqual(['log.1', 'log.1f'])
    const entries = await readAllTxns(dir)
    expect(entries.map((e) => e.header.zxid)).toEqual(txns.slice(0, 45).map((t) => t.header.zxid))
    expect((await stat(join(dir, 'log.1f'))).size).toBe(entries.at(-1)!.endOffset)
    expect(await lastLoggedZxid(dir)).toBe(45n)
    // Learner catch-up after TRUNC: new txns go to a new file.
    await writeLog(sampleTxns(5, 46n))
    expect((await readAllTxns(dir)).map((e) => e.header.zxid)).toEqual([...Array(50)].map((_, i) => BigInt(i + 1)))
  })

  it('cuts at the last txn below a zxid that is not in the log, and to the header when nothing stays', async () => {
    const txns = sampleTxns(10).filter((t) => t.header.zxid !== 5n)
    await writeLog(txns)
    await truncateLog(dir, 5n)
    expect((await readAllTxns(dir)).map((e) => e.header.zxid)).toEqual([1n, 2n, 3n, 4n])
    await truncateLog(dir, 1n)
    expect((await readAllTxns(dir)).map((e) => e.header.zxid)).toEqual([1n])
  })

  it('refuses to truncate when no log holds the zxid', async () => {
    await writeLog(sampleTxns(5, 10n))
    await expect(truncateLog(dir, 3n)).rejects.toThrow(/No log files found to truncate/)
  })

  it('answers -1 without logs, and lists logs oldest first', async () => {
    expect(await lastLoggedZxid(dir)).toBe(-1n)
    await writeLog(sampleTxns(40), { rollEvery: 16 })
    expect((await listLogFiles(dir)).map((f) => f.name)).toEqual(['log.1', 'log.11', 'log.21'])
  })
})
