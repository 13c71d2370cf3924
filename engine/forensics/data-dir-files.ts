import { stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { listNames } from '../txn/data-dir'
import { DatadirError } from '../txn/errors'
import { LOG_FILE_PREFIX, SNAPSHOT_FILE_PREFIX, VERSION_DIR_NAME, type ZxidFile, sortZxidFiles } from '../txn/file-names'

/**
 * Finding the files of a data directory someone points at: Apache's `dataDir` (snapshots in `version-2/`), its
 * `dataLogDir` when separate, the `version-2` folder itself, or a folder holding a `data/` dataDir (how test
 * harnesses and our local cluster members lay them out). Nothing is opened for writing, nothing is created.
 */

export interface DataDirFile extends ZxidFile {
  sizeBytes: number
}

export interface DataDirFiles {
  /** The folder the snapshots were found in. */
  snapDir: string
  /** The folder the txn logs were found in (the same as snapDir unless a dataLogDir was given). */
  logDir: string
  /** Oldest first. */
  snapshots: DataDirFile[]
  /** Oldest first. */
  logs: DataDirFile[]
}

/** The version-2 folder under `dir`, or `dir` itself when it already holds snapshots or logs. */
async function zxidFolder(dir: string): Promise<string | null> {
  const candidates = basename(dir) === VERSION_DIR_NAME ? [dir] : [join(dir, VERSION_DIR_NAME), dir, join(dir, 'data', VERSION_DIR_NAME)]
  for (const candidate of candidates) {
    const names = await listNames(candidate)
    if (names.some((name) => name.startsWith(`${SNAPSHOT_FILE_PREFIX}.`) || name.startsWith(`${LOG_FILE_PREFIX}.`))) return candidate
  }
  return null
}

async function withSizes(files: ZxidFile[]): Promise<DataDirFile[]> {
  const out: DataDirFile[] = []
  for (const file of files) {
    const info = await stat(file.path)
    if (info.isFile()) out.push({ ...file, sizeBytes: info.size })
  }
  return out
}

/** Lists the snapshots and logs of a data directory (and of a separate log directory), oldest first. */
export async function findDataDirFiles(dataDir: string, dataLogDir?: string): Promise<DataDirFiles> {
  const dir = resolve(dataDir)
  try {
    if (!(await stat(dir)).isDirectory()) throw new DatadirError(`${dir} is not a directory`)
  } catch (error) {
    if (error instanceof DatadirError) throw error
    throw new DatadirError(`cannot read ${dir}: ${(error as Error).message}`)
  }
  const snapDir = await zxidFolder(dir)
  const logDir = dataLogDir === undefined ? snapDir : await zxidFolder(resolve(dataLogDir))
  if (snapDir === null && logDir === null) {
    throw new DatadirError(`no ZooKeeper snapshots or txn logs in ${dir} (looked in ${VERSION_DIR_NAME}/ and data/${VERSION_DIR_NAME}/ too)`)
  }
  const snapNames = snapDir === null ? [] : await listNames(snapDir)
  const logNames = logDir === null ? [] : await listNames(logDir)
  return {
    snapDir: snapDir ?? (logDir as string),
    logDir: logDir ?? (snapDir as string),
    snapshots: await withSizes(sortZxidFiles(snapDir ?? '', snapNames, SNAPSHOT_FILE_PREFIX, true)),
    logs: await withSizes(sortZxidFiles(logDir ?? '', logNames, LOG_FILE_PREFIX, true)),
  }
}
