// Codec plug-ins: ES modules a person drops into `<userData>/codecs/`. Main lists them (with what is wrong with a file
// before the renderer even tries it), serves their source (plugin-files.ts), watches the folder and says when it
// changed, and opens it in the file manager (Electron). Loading, validating and running them is the renderer's job
// (renderer/lib/codecs/plugins.ts): decoders work on bytes the renderer already has.
import { type FSWatcher, readdirSync, realpathSync, statSync, watch } from 'node:fs'
import { dirname, join } from 'node:path'
import type { CodecPluginFile, CodecPluginList } from '../../contract/model'
import type { EventBus } from '../../rpc/event-bus'
import { MAX_PLUGIN_BYTES, PLUGIN_FILE_NAME, ensurePluginFolder } from './plugin-files'

/** Editors write a file in several steps (truncate, write, rename): one change event after they settle. */
const SETTLE_MS = 300

function describe(folder: string, realFolder: string, name: string): CodecPluginFile {
  const entry: CodecPluginFile = { file: name, sizeBytes: 0, modifiedMs: 0, problem: null }
  if (!PLUGIN_FILE_NAME.test(name)) return { ...entry, problem: 'the file name may only use letters, digits, ".", "_" and "-"' }
  try {
    const path = join(folder, name)
    if (dirname(realpathSync(path)) !== realFolder) return { ...entry, problem: 'a link that leads out of the plug-in folder' }
    const stat = statSync(path)
    if (!stat.isFile()) return { ...entry, problem: 'not a file' }
    const described = { ...entry, sizeBytes: stat.size, modifiedMs: Math.floor(stat.mtimeMs) }
    return stat.size > MAX_PLUGIN_BYTES ? { ...described, problem: `larger than ${MAX_PLUGIN_BYTES / 1024 / 1024} MB` } : described
  } catch (error) {
    return { ...entry, problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }
  }
}

export class CodecPlugins {
  private watcher: FSWatcher | null = null
  /** The inode watched: a folder deleted and made again is a new one, and needs a new watcher. */
  private watchedInode = 0
  private settleTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    readonly folder: string,
    private readonly bus: EventBus,
    /** Electron's shell.openPath (answers '' or an error message); absent in browser mode. */
    private readonly openPath?: (path: string) => Promise<string>,
  ) {}

  /** The modules in the folder (created when missing), sorted by name; watching starts with the first call. */
  list(): CodecPluginList {
    ensurePluginFolder(this.folder)
    this.startWatching()
    const realFolder = realpathSync(this.folder)
    const names = readdirSync(this.folder)
      .filter((name) => !name.startsWith('.') && /\.m?js$/.test(name))
      .sort()
    return { folder: this.folder, plugins: names.map((name) => describe(this.folder, realFolder, name)) }
  }

  /** Opens the folder in the file manager where the app can (Electron); otherwise the UI shows the path. */
  async openFolder(): Promise<{ folder: string; opened: boolean; problem: string | null }> {
    ensurePluginFolder(this.folder)
    if (this.openPath === undefined) return { folder: this.folder, opened: false, problem: null }
    const problem = await this.openPath(this.folder)
    return { folder: this.folder, opened: problem === '', problem: problem === '' ? null : problem }
  }

  private startWatching(): void {
    if (this.watcher !== null) return
    try {
      this.watchedInode = statSync(this.folder).ino
      this.watcher = watch(this.folder, () => {
        clearTimeout(this.settleTimer)
        this.settleTimer = setTimeout(() => this.announce(), SETTLE_MS)
      })
      // The folder went away (or the platform gave up watching): the next list() starts again.
      this.watcher.on('error', () => this.stopWatching())
    } catch {
      this.watcher = null
    }
  }

  private announce(): void {
    try {
      if (statSync(this.folder, { throwIfNoEntry: false })?.ino !== this.watchedInode) this.stopWatching()
      this.bus.emit('codecs.pluginsChanged', this.list())
    } catch {
      // The folder is gone; the next list() recreates it.
    }
  }

  stopWatching(): void {
    clearTimeout(this.settleTimer)
    this.watcher?.close()
    this.watcher = null
  }
}
