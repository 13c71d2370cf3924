// What the tree's menu, toolbar and keys do to nodes: select (with the unsaved-change guard), delete, delete
// recursively, export/import, watches, copy path. Shared by the menu and the shortcuts.
import type { UserWatchKind } from '../../../main/contract/model'
import { base64ToBytes } from '../../lib/bytes'
import { pickFile, readFileAsBase64, readFileAsText, saveFile } from '../../lib/download'
import { keeperCodeOf } from '../../lib/errors'
import { parentOf } from '../../lib/znode'
import { translate } from '../../i18n'
import { api } from '../../stores/api'
import { useAppStore } from '../../stores/app'
import { useDiffsStore } from '../../stores/diffs'
import { useEditorStore } from '../../stores/editor'
import { useOperationsStore } from '../../stores/operations'
import { useTreeStore } from '../../stores/tree'
import { useWatchesStore } from '../../stores/watches'

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
  } catch {
    // No clipboard permission (some browsers over http): the old way.
    const area = document.createElement('textarea')
    area.value = text
    document.body.appendChild(area)
    area.select()
    document.execCommand('copy')
    area.remove()
  }
}

export function useTreeActions(connectionId: string) {
  const app = useAppStore()
  const tree = useTreeStore()
  const editor = useEditorStore()
  const operations = useOperationsStore()
  const watches = useWatchesStore()
  const diffs = useDiffsStore()

  /** Selects a node and opens it in the editor, asking first when the editor has unsaved changes. */
  async function select(path: string): Promise<boolean> {
    if (editor.path === path && editor.connectionId === connectionId) {
      tree.select(connectionId, path)
      return true
    }
    if (editor.dirty) {
      const discard = await app.confirm({ title: 'editor.unsavedTitle', message: 'editor.unsavedMessage', confirmLabel: 'editor.discard', danger: true })
      if (!discard) return false
    }
    tree.select(connectionId, path)
    await editor.open(connectionId, path)
    return true
  }

  async function afterRemoval(path: string): Promise<void> {
    const parent = parentOf(path)
    await tree.reload(connectionId, parent).catch(() => {})
    if (editor.path !== null && (editor.path === path || editor.path.startsWith(`${path}/`))) {
      editor.close()
      await select(parent)
    }
  }

  async function remove(path: string): Promise<void> {
    if (path === '/') return
    const node = tree.node(connectionId, path)
    // A node known to have children cannot be deleted alone (NOTEMPTY): ask once, for the recursive delete, instead
    // of confirming a delete that is bound to fail.
    if ((node?.stat?.numChildren ?? 0) > 0) {
      await removeRecursive(path)
      return
    }
    const ok = await app.confirm({ title: 'tree.deleteTitle', message: translate('tree.deleteMessage', { path }), confirmLabel: 'common.delete', danger: true })
    if (!ok) return
    try {
      await api().znodes.delete({ connectionId, path, version: node?.stat?.version ?? -1 })
      app.notify('tree.deleted', path)
      await afterRemoval(path)
    } catch (error) {
      if (keeperCodeOf(error) === 'NOTEMPTY') {
        app.fail('tree.deleteNotEmpty', error)
        return
      }
      app.fail('errors.deleteFailed', error)
    }
  }

  async function removeRecursive(path: string): Promise<void> {
    if (path === '/') return
    const node = tree.node(connectionId, path)
    const children = node?.stat?.numChildren ?? 0
    const ok = await app.confirm({
      title: 'tree.deleteRecursiveTitle',
      message: translate('tree.deleteRecursiveMessage', { path, children }),
      confirmLabel: 'tree.deleteRecursive',
      danger: true,
    })
    if (!ok) return
    const outcome = await operations.run('operations.deleteRecursive', path, (operationId, confirm) =>
      api().znodes.deleteRecursive({ connectionId, path, operationId, ...(confirm === undefined ? {} : { confirm }) }),
    )
    if (outcome.status === 'done') {
      app.notify('tree.deletedRecursive', translate('tree.deletedCount', { count: outcome.result.deleted, path }))
      await afterRemoval(path)
    } else if (outcome.status === 'cancelled') {
      app.notify('operations.cancelled', path, 'info')
      await tree.reload(connectionId, parentOf(path)).catch(() => {})
    } else if (outcome.status === 'failed') {
      app.fail('errors.deleteFailed', outcome.error)
    }
  }

  async function exportSubtree(path: string, format: 'json' | 'zip'): Promise<void> {
    const outcome = await operations.run('operations.export', path, (operationId) => api().znodes.export({ connectionId, path, format, operationId }))
    if (outcome.status === 'done') {
      const { content, fileName, read } = outcome.result
      if (format === 'json') saveFile(fileName, content, 'application/json')
      else saveFile(fileName, base64ToBytes(content), 'application/zip')
      app.notify('tree.exported', translate('tree.exportedCount', { count: read, file: fileName }))
    } else if (outcome.status === 'failed') {
      app.fail('errors.exportFailed', outcome.error)
    }
  }

  /** Never straight in: the file is compared with the subtree first, and the Diff view previews and applies it. */
  async function importSubtree(path: string): Promise<void> {
    const file = await pickFile('.json,.zip,application/json,application/zip')
    if (file === null) return
    const format = file.name.toLowerCase().endsWith('.zip') ? 'zip' : 'json'
    const content = format === 'zip' ? await readFileAsBase64(file) : await readFileAsText(file)
    await diffs.compareImport({ connectionId, path }, { name: file.name, format, content })
    if (diffs.diff?.source.file === file.name) app.view = 'diffs'
  }

  async function watch(path: string, kind: UserWatchKind): Promise<void> {
    const added = await app.attempt('errors.watchFailed', () => watches.add(connectionId, path, kind))
    if (added !== undefined) app.notify('watches.added', `${translate(`watches.kind.${kind}`)} · ${path}`)
  }

  async function copyPath(path: string): Promise<void> {
    await copyText(path)
    app.notify('tree.pathCopied', path, 'info')
  }

  async function refresh(path: string): Promise<void> {
    await app.attempt('errors.refreshFailed', () => tree.reload(connectionId, path))
  }

  return { select, remove, removeRecursive, exportSubtree, importSubtree, watch, copyPath, refresh }
}
