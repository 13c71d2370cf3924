// The node being edited: the bytes and stat as read (the version a save is conditioned on), the buffer in its view,
// the unsaved-change guard, and the conflict when the node changed meanwhile.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { AclEntry, DataView as NodeData, NodeKind, ZnodeStat } from '../../main/contract/model'
import { base64ToBytes, bytesEqual, bytesToBase64, MAX_ZNODE_BYTES } from '../lib/bytes'
import { type DataViewKind, bytesToView, detectView, formatView, isTextSafe, isTextView, validateView, viewToBytes } from '../lib/data-format'
import { keeperCodeOf } from '../lib/errors'
import { api, apiClient } from './api'

export interface Conflict {
  /** The node as it is now on the server. */
  theirs: Uint8Array
  theirStat: ZnodeStat
  /** What the user wanted to save. */
  mine: Uint8Array
}

export const useEditorStore = defineStore('editor', () => {
  const connectionId = ref<string | null>(null)
  const path = ref<string | null>(null)
  const kind = ref<NodeKind | null>(null)
  const stat = ref<ZnodeStat | null>(null)
  const original = shallowRef<Uint8Array>(new Uint8Array(0))
  /** Whether the node's data was null (as opposed to empty). */
  const wasNull = ref(false)
  const view = ref<DataViewKind>('text')
  const text = ref('')
  const loading = ref(false)
  const saving = ref(false)
  const loadError = ref<unknown>(null)
  const conflict = shallowRef<Conflict | null>(null)
  /** The server said the node changed since it was read (a data watch fired). */
  const changedOnServer = ref(false)
  const deletedOnServer = ref(false)
  const acl = ref<AclEntry[] | null>(null)
  let stopEvents: (() => void) | null = null

  /** The buffer's bytes, or the reason the text is not valid for the view. */
  const current = computed<{ bytes: Uint8Array; problem: null } | { bytes: null; problem: string }>(() => {
    try {
      return { bytes: viewToBytes(text.value, view.value), problem: null }
    } catch (error) {
      return { bytes: null, problem: error instanceof Error ? error.message : String(error) }
    }
  })
  const dirty = computed(() => path.value !== null && (current.value.bytes === null || !bytesEqual(current.value.bytes, original.value)))
  const size = computed(() => current.value.bytes?.length ?? original.value.length)
  const tooLarge = computed(() => size.value > MAX_ZNODE_BYTES)
  const viewProblem = computed(() => (current.value.problem !== null ? current.value.problem : validateView(text.value, view.value)))
  /** Views this data can be shown in without losing bytes. */
  const textSafe = computed(() => isTextSafe(original.value))

  function listen(): void {
    stopEvents ??= apiClient().on('watches.event', (event) => {
      if (event.connectionId !== connectionId.value || event.path !== path.value || event.watchKind !== 'tree-data') return
      // Our own save fires the data watch too (before its answer arrives): not a change by someone else.
      if (saving.value) return
      if (event.type === 'NodeDataChanged') changedOnServer.value = true
      if (event.type === 'NodeDeleted') deletedOnServer.value = true
    })
  }

  function show(data: NodeData, keepView: boolean): void {
    const bytes = base64ToBytes(data.data)
    original.value = bytes
    wasNull.value = data.data === null
    stat.value = data.stat
    kind.value = data.kind
    if (!keepView || (isTextView(view.value) && !isTextSafe(bytes))) view.value = detectView(bytes)
    text.value = bytesToView(bytes, view.value)
    changedOnServer.value = false
    deletedOnServer.value = false
  }

  /** Opens a node (the caller has checked the unsaved-change guard). */
  async function open(connection: string, nodePath: string): Promise<void> {
    listen()
    connectionId.value = connection
    path.value = nodePath
    conflict.value = null
    loadError.value = null
    loading.value = true
    acl.value = null
    try {
      const data = await api().znodes.get({ connectionId: connection, path: nodePath, watch: true })
      if (path.value !== nodePath || connectionId.value !== connection) return
      show(data, false)
    } catch (error) {
      loadError.value = error
      original.value = new Uint8Array(0)
      text.value = ''
      stat.value = null
    } finally {
      loading.value = false
    }
  }

  function close(): void {
    connectionId.value = null
    path.value = null
    stat.value = null
    text.value = ''
    original.value = new Uint8Array(0)
    conflict.value = null
  }

  /** Sets the data watch again after our own write fired it; a newer version means someone else wrote since. */
  async function rearm(savedVersion: number): Promise<void> {
    if (connectionId.value === null || path.value === null) return
    const now = await api().znodes.get({ connectionId: connectionId.value, path: path.value, watch: true }).catch(() => null)
    if (now !== null && now.stat.version > savedVersion) changedOnServer.value = true
  }

  /** Reads the node again, dropping local edits. */
  async function reload(): Promise<void> {
    if (connectionId.value === null || path.value === null) return
    const data = await api().znodes.get({ connectionId: connectionId.value, path: path.value, watch: true })
    show(data, true)
    conflict.value = null
  }

  function setView(next: DataViewKind): void {
    const bytes = current.value.bytes ?? original.value
    view.value = next
    text.value = bytesToView(bytes, next)
  }

  /** Pretty-prints the buffer; returns the parser's complaint when it cannot. */
  function format(): string | null {
    try {
      text.value = formatView(text.value, view.value)
      return null
    } catch (error) {
      return error instanceof Error ? error.message : String(error)
    }
  }

  /**
   * setData with the version that was read. BADVERSION (someone else wrote meanwhile) opens the conflict view
   * instead of failing; other errors are thrown for the caller to show.
   */
  async function save(): Promise<'saved' | 'conflict'> {
    const bytes = current.value.bytes
    if (connectionId.value === null || path.value === null || stat.value === null) throw new Error('no node is open')
    if (bytes === null) throw new Error(current.value.problem ?? 'invalid data')
    saving.value = true
    try {
      const result = await api().znodes.set({ connectionId: connectionId.value, path: path.value, data: bytesToBase64(bytes), version: stat.value.version })
      original.value = bytes
      wasNull.value = false
      stat.value = result.stat
      changedOnServer.value = false
      conflict.value = null
      void rearm(result.stat.version)
      return 'saved'
    } catch (error) {
      if (keeperCodeOf(error) !== 'BADVERSION') throw error
      const theirs = await api().znodes.get({ connectionId: connectionId.value, path: path.value, watch: true })
      conflict.value = { theirs: base64ToBytes(theirs.data), theirStat: theirs.stat, mine: bytes }
      return 'conflict'
    } finally {
      saving.value = false
    }
  }

  /**
   * Ends a conflict: `merged` (the text of the diff's editable side, in the current view) is written over their
   * version, conditioned on it; a third writer meanwhile opens a new conflict.
   */
  async function resolveConflict(merged: string): Promise<'saved' | 'conflict'> {
    const open = conflict.value
    if (open === null) throw new Error('there is no conflict')
    original.value = open.theirs
    stat.value = open.theirStat
    text.value = merged
    return save()
  }

  /** Ends a conflict by taking theirs (local edits are dropped). */
  function takeTheirs(): void {
    const open = conflict.value
    if (open === null) return
    original.value = open.theirs
    stat.value = open.theirStat
    text.value = bytesToView(open.theirs, view.value)
    conflict.value = null
    changedOnServer.value = false
  }

  async function loadAcl(): Promise<void> {
    if (connectionId.value === null || path.value === null) return
    const result = await api().znodes.getAcl({ connectionId: connectionId.value, path: path.value })
    acl.value = result.acl
    if (stat.value !== null) stat.value = { ...stat.value, aversion: result.stat.aversion }
  }

  async function saveAcl(entries: AclEntry[]): Promise<void> {
    if (connectionId.value === null || path.value === null || stat.value === null) return
    const result = await api().znodes.setAcl({ connectionId: connectionId.value, path: path.value, acl: entries, version: stat.value.aversion })
    stat.value = result.stat
    acl.value = entries
  }

  return {
    connectionId,
    path,
    kind,
    stat,
    original,
    wasNull,
    view,
    text,
    loading,
    saving,
    loadError,
    conflict,
    changedOnServer,
    deletedOnServer,
    acl,
    current,
    dirty,
    size,
    tooLarge,
    viewProblem,
    textSafe,
    open,
    close,
    reload,
    setView,
    format,
    save,
    resolveConflict,
    takeTheirs,
    loadAcl,
    saveAcl,
  }
})
