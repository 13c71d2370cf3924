// The codec plug-in folder (`<userData>/codecs/`) and the one safe way to read a file from it. Both transports serve
// plug-ins from here under the page's own origin (browser mode: `/<token>/codec-plugins/<file>`; Electron:
// `app://zoodesk/codec-plugins/<file>`), so the renderer can import them under `script-src 'self'`. Only a plain
// file directly in the folder is served: no sub-folders, no `..`, no absolute paths, no symlink that leads out.
import { mkdirSync } from 'node:fs'
import { open, realpath } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** The URL segment under the page's base where plug-ins are served. */
export const CODEC_PLUGIN_ROUTE = 'codec-plugins'
/** A plug-in file name: a module, directly in the folder. */
export const PLUGIN_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.m?js$/
/** A decoder larger than this is not a decoder. */
export const MAX_PLUGIN_BYTES = 4 * 1024 * 1024

export function codecPluginFolder(userDataDir: string): string {
  return join(userDataDir, 'codecs')
}

/** Creates the folder when missing (the app shows and opens it). */
export function ensurePluginFolder(folder: string): void {
  mkdirSync(folder, { recursive: true })
}

export type PluginRead = { ok: true; body: Buffer } | { ok: false; status: 400 | 403 | 404 | 413; reason: string }

/**
 * Reads `<folder>/<name>` when `name` (the URL segment, still %-encoded) names a plug-in module that really lives in
 * the folder. The check is done on the resolved path (symlinks followed) and on the opened file, so a link that
 * leads out of the folder or a folder named like a module is refused.
 */
export async function readPluginFile(folder: string, name: string): Promise<PluginRead> {
  let decoded: string
  try {
    decoded = decodeURIComponent(name)
  } catch {
    return { ok: false, status: 400, reason: 'malformed file name' }
  }
  if (!PLUGIN_FILE_NAME.test(decoded)) return { ok: false, status: 403, reason: 'not a plug-in file name' }
  let real: string
  let realFolder: string
  try {
    realFolder = await realpath(folder)
    real = await realpath(join(folder, decoded))
  } catch {
    return { ok: false, status: 404, reason: 'no such plug-in' }
  }
  if (dirname(real) !== realFolder) return { ok: false, status: 403, reason: 'outside the plug-in folder' }
  const handle = await open(real, 'r').catch(() => null)
  if (handle === null) return { ok: false, status: 404, reason: 'no such plug-in' }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) return { ok: false, status: 403, reason: 'not a file' }
    if (stat.size > MAX_PLUGIN_BYTES) return { ok: false, status: 413, reason: 'too large' }
    return { ok: true, body: await handle.readFile() }
  } finally {
    await handle.close()
  }
}
