import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ZooKeeperServer } from '../server/zookeeper-server'
import type { StorageFigures } from '../server/server-core'
import type { TxnSink } from '../server/txn-sink'
import type { TreeOptions } from '../tree/api'
import { DataTree } from '../tree/data-tree'
import { AutoPurger } from '../txn/purge'
import { FileTxnSnapLog } from '../txn/file-txn-snap-log'
import { dataTreeCodec } from '../txn/tree-codec'
import type { MemberConfig } from './config-types'
import { createLogger } from './log'

const log = createLogger('member')

/**
 * One running ensemble member (standalone or quorum), wired to real sockets and files: the composition root of
 * tree, storage, server and quorum. `zoodesk server` and the benchmark's local runs call this.
 */
export interface RunningMember {
  /** The client port actually bound (differs from config.clientPort when that is 0). */
  readonly clientPort: number
  /** The AdminServer's port, when it runs. */
  readonly adminPort?: number
  /** Stops serving, flushes and closes files; resolves when everything is released. */
  stop(): Promise<void>
}

/**
 * Starts a member. Rejects with the listener's error when the client port cannot be bound (an Error with
 * `code: 'EADDRINUSE'`, as Node reports it; the CLI turns that into "port N is already in use").
 */
export async function startMember(config: MemberConfig): Promise<RunningMember> {
  if (config.servers.filter((server) => server.role === 'participant').length > 1) {
    throw new Error('quorum mode (server.N lines with more than one voter) is not supported yet: run standalone')
  }
  const treeOptions: TreeOptions = { extendedTypesEnabled: config.extendedTypesEnabled, skipACL: config.skipACL }
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
    (tree, entry) => tree.processTxn(entry.header, entry.body),
  )
  log.info(
    `restored zxid 0x${restored.lastProcessedZxid.toString(16)} from ${restored.snapshotFile ?? 'an empty database'} ` +
      `(+${restored.txnsReplayed} txns), ${restored.sessions.size} sessions`,
  )
  const tree = restored.tree
  // As Apache's loadData: "make a clean snapshot" at every start, so the next start replays nothing twice.
  await storage.takeSnapshot(tree, restored.sessions)

  const sink: TxnSink = {
    append: (txn) => void storage.append(txn),
    commit: () => storage.commit(),
  }
  const server = new ZooKeeperServer({
    config,
    tree,
    sink,
    restoredSessions: restored.sessions,
    storage: storageFigures(storage),
    onFatalError: (error) => {
      log.error(`fatal: ${(error as Error).stack ?? String(error)}`)
      process.exitCode = 1
      void server.close()
    },
  })
  storage.setSnapshotSource(() => ({ tree, sessions: server.core.sessions.sessionTimeouts() }))

  const purger =
    config.autopurgePurgeIntervalHours > 0
      ? new AutoPurger({
          dataDir: config.dataDir,
          dataLogDir: config.dataLogDir,
          snapRetainCount: config.autopurgeSnapRetainCount,
          purgeIntervalHours: config.autopurgePurgeIntervalHours,
        })
      : undefined

  let bound: { port: number; adminPort?: number }
  try {
    bound = await server.listen()
  } catch (error) {
    await server.close().catch(() => undefined)
    await storage.close().catch(() => undefined)
    throw error
  }
  purger?.start()

  let stopping: Promise<void> | undefined
  return {
    clientPort: bound.port,
    ...(bound.adminPort !== undefined ? { adminPort: bound.adminPort } : {}),
    stop() {
      stopping ??= (async () => {
        purger?.stop()
        await server.close()
        await storage.close()
      })()
      return stopping
    },
  }
}

function storageFigures(storage: FileTxnSnapLog<DataTree>): StorageFigures {
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
