import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { JuteWriter } from '../jute'
import { OPEN_ACL_UNSAFE } from '../proto/data-records'
import { OpCode } from '../proto/opcodes'
import type { LoggedTxn } from '../proto/txn'
import { DataTree } from '../tree/data-tree'
import { adler32 } from './adler32'
import { encodeSnapshot, encodeSnapshotInSteps } from './snapshot'
import { dataTreeCodec } from './tree-codec'
import { TxnLogWriter } from './txn-log'
import { writeLogEntry } from './txn-log-format'

/**
 * Storage micro-benchmarks (for `zoodesk bench storage` and for the numbers in reports). Never run as timed tests.
 * Every figure is measured on the given directory's file system (default: the OS temp dir).
 */

export interface StorageBenchResult {
  adler32MegabytesPerSecond: number
  /** CPU cost of serializing one 100-byte create into the log format, checksum included. */
  appendMicrosPerTxn: number
  /** One 100-byte pwrite + fdatasync on a preallocated file. */
  fsyncMillisP50: number
  fsyncMillisP99: number
  /** 10k × 100-byte creates, one commit (write + fdatasync) per txn, one at a time. */
  oneByOneTxnsPerSecond: number
  oneByOneCommitMillisMean: number
  /** The same with 100 concurrent appenders (group commit). */
  groupCommitTxnsPerSecond: number
  groupCommitFsyncs: number
  /** Event-loop delay while the group-commit run was going (the loop must stay responsive). */
  groupCommitLoopDelayMillisMax: number
  groupCommitLoopDelayMillisP99: number
  /** Synchronous snapshot serialization of 100k nodes × 100 bytes. */
  snapshotSyncMillis: number
  /** Longest single event-loop step while serializing the same tree in chunks. */
  snapshotLongestStepMillis: number
  snapshotBytes: number
}

function createTxn(zxid: bigint, payload: Buffer): LoggedTxn {
  return {
    header: { clientId: 0x100000000000001n, cxid: Number(zxid), zxid, time: 1_764_082_800_000, type: OpCode.create },
    body: { type: OpCode.create, txn: { path: `/bench/node-${zxid}`, data: payload, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: Number(zxid) } },
  }
}

function percentile(sortedValues: number[], fraction: number): number {
  return sortedValues[Math.min(sortedValues.length - 1, Math.floor(sortedValues.length * fraction))] ?? Number.NaN
}

async function benchFsync(dir: string, samples: number): Promise<{ p50: number; p99: number }> {
  const handle = await open(join(dir, 'fsync-probe'), 'w')
  try {
    await handle.write(Buffer.alloc(1), 0, 1, 64 * 1024 * 1024 - 1)
    const data = Buffer.alloc(100, 7)
    const times: number[] = []
    for (let i = 0; i < samples; i++) {
      const start = performance.now()
      await handle.write(data, 0, data.length, i * 100)
      await handle.datasync()
      times.push(performance.now() - start)
    }
    times.sort((a, b) => a - b)
    return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) }
  } finally {
    await handle.close()
  }
}

interface LogBench {
  txnsPerSecond: number
  fsyncs: number
  loopDelayMillisMax: number
  loopDelayMillisP99: number
}

async function benchLog(dir: string, txns: number, concurrency: number): Promise<LogBench> {
  const logDir = await mkdtemp(join(dir, 'log-'))
  const writer = new TxnLogWriter({ logDir })
  const loopDelay = monitorEventLoopDelay({ resolution: 1 })
  const payload = Buffer.alloc(100, 1)
  let nextZxid = 1n
  loopDelay.enable()
  const start = performance.now()
  const worker = async () => {
    while (nextZxid <= BigInt(txns)) {
      writer.append(createTxn(nextZxid++, payload))
      await writer.commit()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const elapsedMs = performance.now() - start
  loopDelay.disable()
  await writer.close()
  await rm(logDir, { recursive: true, force: true })
  return {
    txnsPerSecond: (txns / elapsedMs) * 1000,
    fsyncs: writer.stats.fsyncCount,
    loopDelayMillisMax: loopDelay.max / 1e6,
    loopDelayMillisP99: loopDelay.percentile(99) / 1e6,
  }
}

function bigTree(nodes: number): DataTree {
  const tree = new DataTree()
  const payload = Buffer.alloc(100, 3)
  tree.processTxn(createTxn(1n, payload).header, { type: OpCode.create, txn: { path: '/bench', data: null, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: 1 } })
  for (let i = 0; i < nodes; i++) {
    const txn = createTxn(BigInt(i + 2), payload)
    tree.processTxn(txn.header, txn.body)
  }
  return tree
}

async function benchSnapshot(nodes: number): Promise<{ syncMillis: number; longestStepMillis: number; bytes: number }> {
  const tree = bigTree(nodes)
  const codec = dataTreeCodec()
  const w = new JuteWriter(1 << 20)
  encodeSnapshot({ tree, sessions: new Map() }, codec, w) // warm-up and buffer growth
  const start = performance.now()
  const bytes = encodeSnapshot({ tree, sessions: new Map() }, codec, w).length
  const syncMillis = performance.now() - start
  let longestStepMillis = 0
  let stepStart = performance.now()
  await encodeSnapshotInSteps(
    { tree, sessions: new Map() },
    codec,
    async () => {
      longestStepMillis = Math.max(longestStepMillis, performance.now() - stepStart)
      await new Promise((resolve) => setImmediate(resolve))
      stepStart = performance.now()
    },
    bytes + 1024,
  )
  longestStepMillis = Math.max(longestStepMillis, performance.now() - stepStart)
  return { syncMillis, longestStepMillis, bytes }
}

export async function benchStorage(options: { dir?: string; txns?: number; snapshotNodes?: number } = {}): Promise<StorageBenchResult> {
  const dir = await mkdtemp(join(options.dir ?? tmpdir(), 'zoodesk-bench-'))
  try {
    const bytes = Buffer.alloc(16 * 1024 * 1024, 0xab)
    adler32(bytes)
    let start = performance.now()
    for (let i = 0; i < 8; i++) adler32(bytes)
    const adler32MegabytesPerSecond = (8 * 16) / ((performance.now() - start) / 1000)

    const w = new JuteWriter(1 << 20)
    const payload = Buffer.alloc(100, 1)
    const sample = Array.from({ length: 10_000 }, (_, i) => createTxn(BigInt(i + 1), payload))
    for (const txn of sample) writeLogEntry(w, txn)
    w.reset()
    start = performance.now()
    for (let round = 0; round < 5; round++) {
      w.reset()
      for (const txn of sample) writeLogEntry(w, txn)
    }
    const appendMicrosPerTxn = ((performance.now() - start) * 1000) / (5 * sample.length)

    const fsync = await benchFsync(dir, 500)
    const txns = options.txns ?? 10_000
    const oneByOne = await benchLog(dir, Math.min(txns, 2000), 1)
    const group = await benchLog(dir, txns, 100)
    const snapshot = await benchSnapshot(options.snapshotNodes ?? 100_000)
    return {
      adler32MegabytesPerSecond,
      appendMicrosPerTxn,
      fsyncMillisP50: fsync.p50,
      fsyncMillisP99: fsync.p99,
      oneByOneTxnsPerSecond: oneByOne.txnsPerSecond,
      oneByOneCommitMillisMean: 1000 / oneByOne.txnsPerSecond,
      groupCommitTxnsPerSecond: group.txnsPerSecond,
      groupCommitFsyncs: group.fsyncs,
      groupCommitLoopDelayMillisMax: group.loopDelayMillisMax,
      groupCommitLoopDelayMillisP99: group.loopDelayMillisP99,
      snapshotSyncMillis: snapshot.syncMillis,
      snapshotLongestStepMillis: snapshot.longestStepMillis,
      snapshotBytes: snapshot.bytes,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
