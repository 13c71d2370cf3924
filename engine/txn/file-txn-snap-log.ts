import { access, constants, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { OpCode } from '../proto/opcodes'
import type { LoggedTxn } from '../proto/txn'
import type { TxnDigest } from '../proto/txn-records'
import { ensureDirectory, isNotFound, listNames } from './data-dir'
import { DatadirError } from './errors'
import { LOG_FILE_PREFIX, SNAPSHOT_FILE_PREFIX, VERSION_DIR_NAME, zxidHex } from './file-names'
import {
  type LoadedSnapshot,
  type SnapshotBodyCodec,
  type WriteSnapshotOptions,
  type ZxidDigest,
  encodeSnapshotInSteps,
  loadNewestSnapshot,
  nextLoopTurn,
  removeSnapshotTempFiles,
  writeSnapshot,
  writeSnapshotBytes,
} from './snapshot'
import { SnapshotPolicy } from './snapshot-policy'
import { TxnLogWriter } from './txn-log'
import { type LogEntry, type LogReadOptions, TxnLogIterator, lastLoggedZxid, truncateLog } from './txn-log-reader'

/**
 * The storage of one member (Apache's `FileTxnSnapLog` + the log/snapshot half of `SyncRequestProcessor`): restore
 * at startup, append + group commit while serving, log rolls and background snapshots on the randomised schedule,
 * TRUNC for the ensemble.
 */

/** What restore needs of a tree: the zxid its state reflects, and (optionally) Apache's snapshot digest check. */
export interface RestorableTree {
  lastProcessedZxid: bigint
  /** The loaded snapshot's stored digest, checked when replay reaches its zxid (DataTree.deserializeZxidDigest). */
  loadedSnapshotDigest?(digest: ZxidDigest | null, snapshotZxid: bigint): void
  /** A snapshot digest replay never reached, if any (Apache warns: the log does not cover it). */
  readonly pendingSnapshotDigest?: ZxidDigest | null
}

export interface StorageDirs {
  /** Configured dataDir; snapshots go to `<dataDir>/version-2`. */
  dataDir: string
  /** Configured dataLogDir (default: dataDir); logs go to `<dataLogDir>/version-2`. */
  dataLogDir?: string
}

export interface RestoreOptions<T extends RestorableTree> extends StorageDirs {
  codec: SnapshotBodyCodec<T>
  createEmptyTree: () => T
  /**
   * Applies one replayed txn (DataTree.processTxn, with `entry.digest` to compare as Apache's replay does). The
   * session table is kept by restore itself.
   */
  applyTxn: (tree: T, entry: LogEntry) => void
  /** zookeeper.snapshot.trust.empty (default false): start from logs alone when there is no snapshot. */
  trustEmptySnapshot?: boolean
  /** zookeeper.db.autocreate (default true): an empty dataDir gets snapshot.0 and zxid 0 (else -1). */
  autoCreateDb?: boolean
  /** zookeeper.datadir.autocreate (default true): create missing version-2 directories. */
  autoCreateDirs?: boolean
  onWarning?: (message: string) => void
  readOptions?: LogReadOptions
}

export interface RestoreResult<T> {
  tree: T
  /** Session id → timeout (ms): the snapshot's sessions, plus/minus the replayed createSession/closeSession. */
  sessions: Map<bigint, number>
  /** Highest zxid seen (snapshot or replayed txn); 0 for a fresh database, -1 when an empty one is not trusted. */
  lastProcessedZxid: bigint
  snapshotZxid: bigint | null
  snapshotFile: string | null
  snapshotDigest: ZxidDigest | null
  txnsReplayed: number
}

export function storagePaths(dirs: StorageDirs): { snapDir: string; logDir: string } {
  return {
    snapDir: join(dirs.dataDir, VERSION_DIR_NAME),
    logDir: join(dirs.dataLogDir ?? dirs.dataDir, VERSION_DIR_NAME),
  }
}

/**
 * Prepares the version-2 directories as Apache's FileTxnSnapLog constructor does: create them (unless disabled),
 * require them writable, and when dataDir ≠ dataLogDir refuse snapshots among the logs and logs among the snapshots.
 */
export async function openDataDirs(dirs: StorageDirs, autoCreateDirs = true): Promise<{ snapDir: string; logDir: string }> {
  const { snapDir, logDir } = storagePaths(dirs)
  for (const [dir, what] of [
    [logDir, 'data'],
    [snapDir, 'snap'],
  ] as const) {
    try {
      await access(dir, constants.W_OK)
    } catch (error) {
      if (!isNotFound(error)) throw new DatadirError(`Cannot write to ${what} directory ${dir}`)
      if (!autoCreateDirs) {
        throw new DatadirError(
          `Missing ${what} directory ${dir}, automatic data directory creation is disabled (zookeeper.datadir.autocreate is false).`,
        )
      }
      await ensureDirectory(dir)
    }
  }
  if (snapDir !== logDir) {
    if ((await listNames(logDir)).some((name) => name.startsWith(`${SNAPSHOT_FILE_PREFIX}.`))) {
      throw new DatadirError('Log directory has snapshot files. Check if dataLogDir and dataDir configuration is correct.')
    }
    if ((await listNames(snapDir)).some((name) => name.startsWith(`${LOG_FILE_PREFIX}.`))) {
      throw new DatadirError('Snapshot directory has log files. Check if dataLogDir and dataDir configuration is correct.')
    }
  }
  return { snapDir, logDir }
}

/**
 * Loads the newest valid snapshot and replays the logged txns after it (Apache's `FileTxnSnapLog.restore`).
 * Refuses to start when logs exist but no snapshot does (unless trustEmptySnapshot); writes snapshot.0 for a brand
 * new database.
 */
export async function restore<T extends RestorableTree>(options: RestoreOptions<T>): Promise<RestoreResult<T>> {
  const warn = options.onWarning ?? (() => undefined)
  const { snapDir, logDir } = await openDataDirs(options, options.autoCreateDirs ?? true)
  await removeSnapshotTempFiles(snapDir)
  const snapshot = await loadNewestSnapshot(snapDir, options.codec, {
    onInvalid: (error) => warn(`problem reading snap file ${error.message}`),
  })
  if (snapshot !== null) return replayOnto(snapshot, logDir, options, warn)

  const trustEmptyDb = (await consumeInitializeFile(options.dataLogDir ?? options.dataDir)) || (options.autoCreateDb ?? true)
  if ((await lastLoggedZxid(logDir, options.readOptions)) !== -1n) {
    if (!options.trustEmptySnapshot) {
      throw new DatadirError('No snapshot found, but there are log entries. Something is broken!')
    }
    warn('No snapshot found, but there are log entries. This should only be allowed during upgrading.')
    const tree = options.createEmptyTree()
    return replayOnto({ zxid: tree.lastProcessedZxid, file: '', tree, sessions: new Map(), digest: null }, logDir, options, warn, null)
  }
  const tree = options.createEmptyTree()
  const sessions = new Map<bigint, number>()
  if (!trustEmptyDb) {
    warn('Unexpected empty data tree, setting zxid to -1')
    tree.lastProcessedZxid = -1n
    return { tree, sessions, lastProcessedZxid: -1n, snapshotZxid: null, snapshotFile: null, snapshotDigest: null, txnsReplayed: 0 }
  }
  tree.lastProcessedZxid = 0n
  const written = await writeSnapshot(snapDir, 0n, { tree, sessions }, options.codec)
  return { tree, sessions, lastProcessedZxid: 0n, snapshotZxid: 0n, snapshotFile: written.path, snapshotDigest: null, txnsReplayed: 0 }
}

/** Apache's `<dataLogDir>/initialize` marker: deleted on sight, and makes an empty database trusted. */
async function consumeInitializeFile(dataLogDir: string): Promise<boolean> {
  try {
    await access(join(dataLogDir, 'initialize'))
  } catch {
    return false
  }
  await rm(join(dataLogDir, 'initialize'), { force: true })
  return true
}

async function replayOnto<T extends RestorableTree>(
  snapshot: LoadedSnapshot<T>,
  logDir: string,
  options: RestoreOptions<T>,
  warn: (message: string) => void,
  snapshotZxid: bigint | null = snapshot.zxid,
): Promise<RestoreResult<T>> {
  const { tree, sessions } = snapshot
  tree.lastProcessedZxid = snapshot.zxid
  if (snapshotZxid !== null) tree.loadedSnapshotDigest?.(snapshot.digest, snapshot.zxid)
  let highestZxid = snapshot.zxid
  let txnsReplayed = 0
  const iterator = await TxnLogIterator.open(logDir, snapshot.zxid + 1n, options.readOptions)
  try {
    for (let batch = await iterator.nextBatch(); batch !== null; batch = await iterator.nextBatch()) {
      for (const entry of batch) {
        const zxid = entry.header.zxid
        if (zxid < highestZxid && highestZxid !== 0n) {
          warn(`0x${zxidHex(highestZxid)}(highestZxid) > 0x${zxidHex(zxid)}(next log) for type ${entry.header.type}`)
        } else {
          highestZxid = zxid
        }
        trackSession(sessions, entry)
        options.applyTxn(tree, entry)
        txnsReplayed++
      }
    }
  } finally {
    await iterator.close()
  }
  if (tree.lastProcessedZxid < highestZxid) tree.lastProcessedZxid = highestZxid
  const uncovered = tree.pendingSnapshotDigest
  if (uncovered !== undefined && uncovered !== null) {
    warn(
      `Highest txn zxid 0x${zxidHex(highestZxid)} is not covering the snapshot digest zxid 0x${zxidHex(uncovered.zxid)}, ` +
        'which might lead to inconsistent state',
    )
  }
  return {
    tree,
    sessions,
    lastProcessedZxid: highestZxid,
    snapshotZxid,
    snapshotFile: snapshotZxid === null ? null : snapshot.file,
    snapshotDigest: snapshot.digest,
    txnsReplayed,
  }
}

function trackSession(sessions: Map<bigint, number>, entry: LoggedTxn): void {
  if (entry.body.type === OpCode.createSession) sessions.set(entry.header.clientId, entry.body.txn.timeOut)
  else if (entry.body.type === OpCode.closeSession) sessions.delete(entry.header.clientId)
}

export interface FileTxnSnapLogOptions<T extends RestorableTree> extends StorageDirs {
  codec: SnapshotBodyCodec<T>
  /** Apache snapCount (default 100000). */
  snapCount?: number
  /** zookeeper.snapSizeLimitInKb × 1024 (default 4 GiB; ≤ 0 disables). */
  snapSizeLimitBytes?: number
  preAllocSizeBytes?: number
  forceSync?: boolean
  /** Largest log entry written or read (jute.maxbuffer + extrasize; default 2 × 0xfffff). */
  maxEntryBytes?: number
  /** zookeeper.snapshot.compression.method: 'none' (default) or 'gz'. */
  snapshotCompression?: WriteSnapshotOptions['compression']
  /**
   * fsync each snapshot (and its directory) before it counts (default true). Apache does not, so after a power loss
   * its newest snapshot may be empty or partial; purge trusts the newest snapshots, so we make them durable.
   */
  fsyncSnapshots?: boolean
  random?: () => number
  onWarning?: (message: string) => void
  /** Lets other work run between chunks of a large snapshot (default: one setImmediate turn). */
  yieldToLoop?: () => Promise<void>
}

/** The live tree and session table, read when a snapshot starts. */
export interface SnapshotSource<T> {
  tree: T
  sessions: ReadonlyMap<bigint, number>
}

export interface SnapshotStats {
  snapshotsTaken: number
  snapshotsSkippedBusy: number
  lastSnapshotMs: number
  lastSnapshotZxid: bigint
  lastSnapshotFile: string | null
}

/**
 * Runtime storage: a TxnLogWriter, the SnapshotPolicy, and background snapshots (at most one at a time; a trigger
 * while one runs rolls the log but skips the snapshot, as Apache's "Too busy to snap, skipping").
 */
export class FileTxnSnapLog<T extends RestorableTree> {
  readonly snapDir: string
  readonly logDir: string
  readonly policy: SnapshotPolicy
  private log: TxnLogWriter
  private source: (() => SnapshotSource<T>) | null = null
  private inProgress: Promise<void> | null = null
  private lastSnapshotStreamBytes = 0
  private readonly warn: (message: string) => void
  readonly snapshotStats: SnapshotStats = {
    snapshotsTaken: 0,
    snapshotsSkippedBusy: 0,
    lastSnapshotMs: -1,
    lastSnapshotZxid: -1n,
    lastSnapshotFile: null,
  }

  constructor(private readonly options: FileTxnSnapLogOptions<T>) {
    const paths = storagePaths(options)
    this.snapDir = paths.snapDir
    this.logDir = paths.logDir
    this.warn = options.onWarning ?? (() => undefined)
    this.policy = new SnapshotPolicy({
      snapCount: options.snapCount ?? 100_000,
      snapSizeLimitBytes: options.snapSizeLimitBytes ?? 4 * 1024 * 1024 * 1024,
      random: options.random,
    })
    this.log = this.newWriter()
  }

  private newWriter(): TxnLogWriter {
    return new TxnLogWriter({
      logDir: this.logDir,
      preAllocSizeBytes: this.options.preAllocSizeBytes,
      forceSync: this.options.forceSync,
      maxEntryBytes: this.options.maxEntryBytes,
      onWarning: this.options.onWarning,
    })
  }

  /** Restores the database (see `restore`). */
  restore(createEmptyTree: () => T, applyTxn: (tree: T, entry: LogEntry) => void, extra: Partial<RestoreOptions<T>> = {}): Promise<RestoreResult<T>> {
    const readOptions = { maxEntryBytes: this.options.maxEntryBytes }
    return restore({ ...this.options, createEmptyTree, applyTxn, readOptions, ...extra })
  }

  /** Where background snapshots read the live state from. Until set, triggers only roll the log. */
  setSnapshotSource(source: () => SnapshotSource<T>): void {
    this.source = source
  }

  get txnLog(): TxnLogWriter {
    return this.log
  }

  /**
   * Appends a txn (buffered until `commit`). When the policy says so, rolls the log and starts a background snapshot.
   * Returns true when it rolled.
   */
  append(txn: LoggedTxn, digest: TxnDigest | null = txn.digest ?? null): boolean {
    const bytes = this.log.append(txn, digest)
    if (!this.policy.txnLogged(bytes)) return false
    this.log.rollLog()
    if (this.source === null) return true
    if (this.inProgress !== null) {
      this.snapshotStats.snapshotsSkippedBusy++
      this.warn('Too busy to snap, skipping')
      return true
    }
    const source = this.source()
    void this.takeSnapshot(source.tree, source.sessions).catch((error: unknown) =>
      this.warn(`Unexpected exception taking a snapshot: ${(error as Error).message}`),
    )
    return true
  }

  commit(): Promise<void> {
    return this.log.commit()
  }

  rollLog(): void {
    this.log.rollLog()
  }

  /**
   * Writes `snapshot.<tree.lastProcessedZxid as it is now>` from the live tree, letting the loop turn between chunks
   * (fuzzy; replay from that zxid repairs it). Resolves with the file. Only one at a time: a second call waits for
   * the first, then takes its own.
   */
  async takeSnapshot(tree: T, sessions: ReadonlyMap<bigint, number>, digest?: ZxidDigest | null): Promise<string> {
    while (this.inProgress !== null) await this.inProgress
    let done!: () => void
    this.inProgress = new Promise<void>((resolve) => (done = resolve))
    try {
      const startMs = performance.now()
      const zxid = tree.lastProcessedZxid
      // Sized from the previous snapshot, so a large tree is not copied over and over while the buffer grows.
      const initialBytes = Math.max(1 << 20, Math.ceil(this.lastSnapshotStreamBytes * 1.25))
      const stream = await encodeSnapshotInSteps({ tree, sessions, digest }, this.options.codec, this.options.yieldToLoop ?? nextLoopTurn, initialBytes)
      this.lastSnapshotStreamBytes = stream.length
      const written = await writeSnapshotBytes(this.snapDir, zxid, stream, {
        compression: this.options.snapshotCompression,
        fsync: this.options.fsyncSnapshots ?? true,
      })
      this.snapshotStats.snapshotsTaken++
      this.snapshotStats.lastSnapshotMs = performance.now() - startMs
      this.snapshotStats.lastSnapshotZxid = zxid
      this.snapshotStats.lastSnapshotFile = written.path
      return written.path
    } finally {
      this.inProgress = null
      done()
    }
  }

  /** Resolves when no snapshot is being written. */
  async snapshotIdle(): Promise<void> {
    while (this.inProgress !== null) await this.inProgress
  }

  /**
   * TRUNC from the leader: closes the log, cuts it after `zxid`, and reopens a fresh writer (the next append starts a
   * new file). The caller reloads the database afterwards, as Apache does.
   */
  async truncateLog(zxid: bigint, ifNoneHolds: 'fail' | 'dropLater' = 'fail'): Promise<void> {
    await this.log.close()
    try {
      await truncateLog(this.logDir, zxid, { maxEntryBytes: this.options.maxEntryBytes }, ifNoneHolds)
    } finally {
      this.log = this.newWriter()
      this.policy.reset()
    }
  }

  async close(): Promise<void> {
    await this.snapshotIdle()
    await this.log.close()
  }
}
