import { mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type ZxidFile, sortZxidFiles } from './file-names'

/** File-system helpers shared by the log, snapshot and epoch code: listings and crash-safe replacement. */

/** Names in `dir`; a missing directory is an empty one. */
export async function listNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (error) {
    if (isNotFound(error)) return []
    throw error
  }
}

/** `prefix.<hex>` files of `dir`, sorted by zxid. */
export async function listZxidFiles(dir: string, prefix: string, ascending: boolean): Promise<ZxidFile[]> {
  return sortZxidFiles(dir, await listNames(dir), prefix, ascending)
}

/**
 * Makes a directory entry change (create, rename, unlink) durable. Without it a freshly created log file or a
 * renamed snapshot may vanish after a power loss even though its data was fsynced.
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Replaces `path` with `data` so that a crash leaves either the old file or the complete new one: write a temp file,
 * fsync it, rename over the target, fsync the directory (Apache's AtomicFileOutputStream, plus the directory sync).
 */
export async function writeFileAtomically(path: string, data: Uint8Array, tempPath = `${path}.tmp`): Promise<void> {
  const handle = await open(tempPath, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(tempPath, { force: true })
    throw error
  }
  await handle.close()
  await rename(tempPath, path)
  await fsyncDirectory(dirname(path))
}

export async function ensureDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true })
}

export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT'
}

export type { ZxidFile }
