import { rm } from 'node:fs/promises'
import { LOG_FILE_PREFIX, SNAPSHOT_FILE_PREFIX, type ZxidFile } from './file-names'
import { listZxidFiles } from './data-dir'
import { type StorageDirs, storagePaths } from './file-txn-snap-log'
import { findValidSnapshots } from './snapshot'
import { logFilesFrom } from './txn-log-reader'

/**
 * Apache's PurgeTxnLog (zkCleanup.sh) and DatadirCleanupManager (autopurge): keep the newest `retainCount` (≥ 3)
 * snapshots that look valid, plus every log file needed to replay from the oldest of them; delete older snapshots
 * and logs.
 */

export const MIN_RETAIN_COUNT = 3

export interface PurgePlan {
  /** zxid of the oldest retained snapshot; nothing is deleted when there is no snapshot. */
  leastZxidRetained: bigint | null
  deleteLogs: ZxidFile[]
  deleteSnapshots: ZxidFile[]
}

/**
 * What to delete, given the directory listings (pure). `retainedSnapshots` = the newest valid snapshots, newest first.
 * A log is kept if replay from the oldest retained snapshot needs it (the log holding that zxid and all later ones);
 * of the rest, files whose name zxid is below that snapshot's go.
 */
export function planPurge(logs: readonly ZxidFile[], snapshots: readonly ZxidFile[], retainedSnapshots: readonly ZxidFile[]): PurgePlan {
  const oldestRetained = retainedSnapshots[retainedSnapshots.length - 1]
  if (oldestRetained === undefined) return { leastZxidRetained: null, deleteLogs: [], deleteSnapshots: [] }
  const least = oldestRetained.zxid
  const ascendingLogs = [...logs].sort((x, y) => (x.zxid < y.zxid ? -1 : x.zxid > y.zxid ? 1 : 0))
  const neededLogs = new Set(logFilesFrom(ascendingLogs, least).map((file) => file.path))
  return {
    leastZxidRetained: least,
    deleteLogs: logs.filter((file) => !neededLogs.has(file.path) && file.zxid < least),
    deleteSnapshots: snapshots.filter((file) => file.zxid < least),
  }
}

/** Purges `dataDir`/`dataLogDir` (their version-2 directories), keeping `retainCount` snapshots. Returns the deleted paths. */
export async function purgeTxnLog(dirs: StorageDirs, retainCount: number): Promise<string[]> {
  if (!Number.isInteger(retainCount) || retainCount < MIN_RETAIN_COUNT) {
    throw new RangeError('count should be greater than or equal to 3')
  }
  const { snapDir, logDir } = storagePaths(dirs)
  const retained = await findValidSnapshots(snapDir, retainCount)
  const plan = planPurge(
    await listZxidFiles(logDir, LOG_FILE_PREFIX, true),
    await listZxidFiles(snapDir, SNAPSHOT_FILE_PREFIX, true),
    retained,
  )
  const deleted: string[] = []
  for (const file of [...plan.deleteLogs, ...plan.deleteSnapshots]) {
    await rm(file.path, { force: true })
    deleted.push(file.path)
  }
  return deleted
}

export interface AutoPurgerOptions extends StorageDirs {
  /** autopurge.snapRetainCount (default 3, at least 3). */
  snapRetainCount?: number
  /** autopurge.purgeInterval in hours; 0 (Apache's default) disables. */
  purgeIntervalHours: number
  /** Overrides the interval (tests). */
  intervalMs?: number
  onPurged?: (deleted: string[]) => void
  onError?: (error: Error) => void
}

/**
 * Timer adapter around purgeTxnLog, as Apache's DatadirCleanupManager: first run right away, then every interval;
 * runs never overlap; the timer does not keep the process alive.
 */
export class AutoPurger {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private readonly retainCount: number

  constructor(private readonly options: AutoPurgerOptions) {
    this.retainCount = Math.max(MIN_RETAIN_COUNT, options.snapRetainCount ?? MIN_RETAIN_COUNT)
  }

  get intervalMs(): number {
    return this.options.intervalMs ?? this.options.purgeIntervalHours * 3_600_000
  }

  /** False when the interval is ≤ 0 (purging disabled, as Apache's "Purge task is not scheduled."). */
  start(): boolean {
    if (this.timer !== null) return true
    if (this.intervalMs <= 0) return false
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs)
    this.timer.unref()
    void this.runOnce()
    return true
  }

  /** One purge now (skipped when one is already running). */
  runOnce(): Promise<void> {
    if (this.running !== null) return this.running
    this.running = purgeTxnLog(this.options, this.retainCount)
      .then((deleted) => this.options.onPurged?.(deleted))
      .catch((error: unknown) => this.options.onError?.(error instanceof Error ? error : new Error(String(error))))
      .finally(() => {
        this.running = null
      })
    return this.running
  }

  /** Stops the timer and waits for a running purge. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    if (this.running !== null) await this.running
  }
}
