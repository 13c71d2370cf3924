import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { OpCode } from '../proto/opcodes'
import type { LoggedTxn } from '../proto/txn'
import { VERSION_DIR_NAME } from '../txn/file-names'
import { TxnLogWriter } from '../txn/txn-log'
import { ForensicDataDir } from './forensic-data-dir'

/**
 * How fast a large txn log is indexed, and what the index costs in memory: writes a log of `targetBytes` with
 * ZooDesk's own TxnLogWriter (Apache's format, 64 MiB preallocation, a TxnDigest per txn as Apache 3.8 writes),
 * then opens the directory as the Data dir view does. The workload is a busy ensemble's: 85% setData of 100-byte
 * values on 1,000 hot paths, 10% creates of new paths, 5% session opens and closes.
 */

export interface IndexBenchResult {
  logBytes: number
  txns: number
  generateMs: number
  indexMs: number
  megabytesPerSecond: number
  indexBytes: number
  distinctPaths: number
  heapUsedBeforeBytes: number
  heapUsedAfterBytes: number
  rssAfterBytes: number
}

const VALUE = Buffer.alloc(100, 0x61)
const OPEN_ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]

function txnNumber(i: number, zxid: bigint): LoggedTxn {
  const header = { clientId: 0x1000000000000n + BigInt(i % 50), cxid: i, zxid, time: 1_700_000_000_000 + i, type: OpCode.setData }
  const pick = i % 20
  if (pick < 2) {
    return { header: { ...header, type: OpCode.create }, body: { type: OpCode.create, txn: { path: `/bench/new/n${i}`, data: VALUE, acl: OPEN_ACL, ephemeral: false, parentCVersion: i } } }
  }
  if (pick === 2) return { header: { ...header, type: OpCode.createSession }, body: { type: OpCode.createSession, txn: { timeOut: 30_000 } } }
  if (pick === 3) return { header: { ...header, type: OpCode.closeSession }, body: { type: OpCode.closeSession, txn: { paths2Delete: [] } } }
  return { header, body: { type: OpCode.setData, txn: { path: `/bench/hot/h${i % 1000}`, data: VALUE, version: i } } }
}

export async function generateLog(dataDir: string, targetBytes: number): Promise<{ txns: number; ms: number }> {
  const startMs = performance.now()
  const logDir = join(dataDir, VERSION_DIR_NAME)
  await mkdir(logDir, { recursive: true })
  const writer = new TxnLogWriter({ logDir, forceSync: false })
  let txns = 0
  let bytes = 16
  while (bytes < targetBytes) {
    for (let batch = 0; batch < 10_000; batch++) {
      txns++
      bytes += writer.append(txnNumber(txns, BigInt(txns)), { version: 2, treeDigest: BigInt(txns) * 7919n })
    }
    await writer.commit()
  }
  await writer.close()
  return { txns, ms: performance.now() - startMs }
}

export async function benchIndex(dataDir: string, targetBytes: number): Promise<IndexBenchResult> {
  const generated = await generateLog(dataDir, targetBytes)
  globalThis.gc?.()
  const heapUsedBeforeBytes = process.memoryUsage().heapUsed
  const opened = await ForensicDataDir.open(dataDir)
  globalThis.gc?.()
  const memory = process.memoryUsage()
  const result: IndexBenchResult = {
    logBytes: opened.summary.logBytes,
    txns: opened.summary.txnCount,
    generateMs: generated.ms,
    indexMs: opened.summary.indexMs,
    megabytesPerSecond: opened.summary.logBytes / 1024 / 1024 / (opened.summary.indexMs / 1000),
    indexBytes: opened.summary.indexBytes,
    distinctPaths: opened.index.paths.size,
    heapUsedBeforeBytes,
    heapUsedAfterBytes: memory.heapUsed,
    rssAfterBytes: memory.rss,
  }
  await opened.close()
  return result
}
