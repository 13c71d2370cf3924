import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { StorageFigures } from '../server/server-core'
import type { TreeOptions } from '../tree/api'
import { DataTree } from '../tree/data-tree'
import type { LogEntry } from '../txn/txn-log-reader'
import { FileTxnSnapLog, type RestoreResult } from '../txn/file-txn-snap-log'
import { AutoPurger } from '../txn/purge'
import { dataTreeCodec } from '../txn/tree-codec'
import type { MemberConfig } from './config-types'
import type { Logger } from './log'

export interface OpenedStorage {
  storage: FileTxnSnapLog<DataTree>
  restored: RestoreResult<DataTree>
  treeOptions: TreeOptions
}

/**
 * Opens a member's dataDir/dataLogDir and restores its database (newest valid snapshot + the log after it).
 * `onReplayed` sees every replayed txn in order (an ensemble member keeps the recent ones for DIFF syncs).
 */
export async function openMemberStorage(config: MemberConfig, log: Logger, onReplayed?: (entry: LogEntry) => void): Promise<OpenedStorage> {
  const treeOptions: TreeOptions = {
    extendedTypesEnabled: config.extendedTypesEnabled,
    skipACL: config.skipACL,
    digestEnabled: config.digestEnabled,
    log: (level, message) => log[level](message),
  }
  const storage = new FileTxnSnapLog<DataTree>({
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
    codec: dataTreeCodec(treeOptions),
    snapCount: config.snapCount,
    snapSizeLimitBytes: config.snapSizeLimitBytes,
    preAllocSizeBytes: config.preAllocSizeBytes,
    forceSync: config.forceSync,
    onWarning: (message) => log.warn(message),
  })
  const restored = await storage.restore(
    () => new DataTree(treeOptions),
    (tree, entry) => {
      tree.processTxn(entry.header, entry.body, entry.digest)
      onReplayed?.(entry)
    },
  )
  log.info(
    `restored zxid 0x${restored.lastProcessedZxid.toString(16)} from ${restored.snapshotFile ?? 'an empty database'} ` +
      `(+${restored.txnsReplayed} txns), ${restored.sessions.size} sessions`,
  )
  return { storage, restored, treeOptions }
}

export function autoPurgerFor(config: MemberConfig): AutoPurger | undefined {
  if (config.autopurgePurgeIntervalHours <= 0) return undefined
  return new AutoPurger({
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
    snapRetainCount: config.autopurgeSnapRetainCount,
    purgeIntervalHours: config.autopurgePurgeIntervalHours,
  })
}

export function storageFigures(storage: FileTxnSnapLog<DataTree>): StorageFigures {
  return {
    dataDirPath: () => storage.snapDir,
    dataLogDirPath: () => storage.logDir,
    dataDirSizeBytes: () => directoryBytes(storage.snapDir),
    logDirSizeBytes: () => directoryBytes(storage.logDir),
    // Apache's SnapshotInfo: the zxid in the file's name and the file's modification time, in seconds.
    lastSnapshot: () => {
      const { lastSnapshotFile, lastSnapshotZxid } = storage.snapshotStats
      if (lastSnapshotFile === null) return undefined
      const modified = statSync(lastSnapshotFile, { throwIfNoEntry: false })
      return { zxid: lastSnapshotZxid, timestampSeconds: Math.floor((modified?.mtimeMs ?? Date.now()) / 1000) }
    },
  }
}

/** Sum of file sizes in one directory (Apache's `dirs` counts the version-2 folder, not recursively). */
function directoryBytes(dir: string): number {
  let total = 0
  try {
    for (const name of readdirSync(dir)) {
      const stat = statSync(join(dir, name), { throwIfNoEntry: false })
      if (stat?.isFile()) total += stat.size
    }
  } catch {
    return 0
  }
  return total
}
