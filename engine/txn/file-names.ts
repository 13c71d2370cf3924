import { join } from 'node:path'

/**
 * File naming of Apache's persistence layer (`Util.makeLogName`, `makeSnapshotName`, `getZxidFromName`,
 * `FileTxnSnapLog.version`). Everything lives in a `version-2` subdirectory of dataDir / dataLogDir.
 */

export const VERSION_DIR_NAME = 'version-2'
export const LOG_FILE_PREFIX = 'log'
export const SNAPSHOT_FILE_PREFIX = 'snapshot'

export type SnapshotCompression = 'none' | 'gz' | 'snappy'

/** `<dir>/version-2`: where snapshots (dataDir) or logs (dataLogDir) actually live. */
export function versionDir(dir: string): string {
  return join(dir, VERSION_DIR_NAME)
}

/** Lowercase hex without padding, as Java's `Long.toHexString` (two's complement for negatives). */
export function zxidHex(zxid: bigint): string {
  return BigInt.asUintN(64, zxid).toString(16)
}

export function logFileName(firstZxid: bigint): string {
  return `${LOG_FILE_PREFIX}.${zxidHex(firstZxid)}`
}

export function snapshotFileName(zxid: bigint, compression: SnapshotCompression = 'none'): string {
  const extension = compression === 'none' ? '' : `.${compression}`
  return `${SNAPSHOT_FILE_PREFIX}.${zxidHex(zxid)}${extension}`
}

const HEX_LONG = /^[+-]?[0-9a-fA-F]+$/

/**
 * The zxid in `prefix.<hex>[.anything]`, or -1n when the name does not have that shape — the same answer as
 * Apache's `Util.getZxidFromName` (which uses `Long.parseLong(part, 16)`: signed, no overflow).
 */
export function zxidFromFileName(name: string, prefix: string): bigint {
  const parts = name.split('.')
  if (parts.length < 2 || parts[0] !== prefix) return -1n
  const hex = parts[1]!
  if (!HEX_LONG.test(hex)) return -1n
  const negative = hex.startsWith('-')
  const digits = hex.replace(/^[+-]/, '')
  const magnitude = BigInt(`0x${digits}`)
  const value = negative ? -magnitude : magnitude
  if (value > 0x7fff_ffff_ffff_ffffn || value < -0x8000_0000_0000_0000n) return -1n
  return value
}

/** The compression a snapshot file uses, from its last extension (Apache's `SnapStream.getStreamMode`). */
export function snapshotCompressionOf(name: string): SnapshotCompression {
  const parts = name.split('.')
  const last = parts.length > 1 ? parts[parts.length - 1]!.toLowerCase() : ''
  if (last === 'gz') return 'gz'
  if (last === 'snappy') return 'snappy'
  return 'none'
}

export interface ZxidFile {
  name: string
  path: string
  zxid: bigint
}

/**
 * Files of `dir` named `prefix.<hex>…`, sorted by zxid (Apache's `Util.sortDataDir`). Names that do not parse are
 * dropped here; Apache sorts them as -1 and then ignores them everywhere that matters.
 */
export function sortZxidFiles(dir: string, names: readonly string[], prefix: string, ascending: boolean): ZxidFile[] {
  const files: ZxidFile[] = []
  for (const name of names) {
    if (!name.startsWith(`${prefix}.`)) continue
    const zxid = zxidFromFileName(name, prefix)
    if (zxid === -1n) continue
    files.push({ name, path: join(dir, name), zxid })
  }
  files.sort((x, y) => (x.zxid < y.zxid ? -1 : x.zxid > y.zxid ? 1 : 0) * (ascending ? 1 : -1))
  return files
}
