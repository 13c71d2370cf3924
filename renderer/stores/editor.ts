// The node being edited: the bytes and stat as read (the version a save is conditioned on), the buffer in its view,
// the unsaved-change guard, and the conflict when the node changed meanwhile.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { AclEntry, DataView as NodeData, NodeKind, ZnodeStat } from '../../main/contract/model'
import { base64ToBytes, bytesEqual, bytesToBase64, MAX_ZNODE_BYTES } from '../lib/bytes'
import { rewrap, unwrap } from '../lib/codecs/pipeline'
import { codecs } from '../lib/codecs/registry'
import { type DecodedTreeNode, errorMessage, type LayerCodec } from '../lib/codecs/types'
import { ViewMemory } from '../lib/codecs/view-memory'
import { keeperCodeOf } from '../lib/errors'
import { api, apiClient } from './api'
import { useConnectionsStore } from './connections'

export interface Conflict {
  /** The node as it is now on the server. */
  theirs: Uint8Array
  theirStat: ZnodeStat
  /** What the user wanted to save. */
  mine: Uint8Array
}

/** Views whose read-only reason is "these bytes are not text" (the banner suggests Hex or Base64). */
const BINARY_NOTE_VIEWS: Record<string, true> = { text: true, json: true, xml: true, yaml: true, properties: true }

export const useEditorStore = defineStore('editor', () => {
  const connectionId = ref<string | null>(null)
  const path = ref<string | null>(null)
  const kind = ref<NodeKind | null>(null)
  const stat = ref<ZnodeStat | null>(null)
  const original = shallowRef<Uint8Array>(new Uint8Array(0))
  /** Whether the node's data was null (as opposed to empty). */
  const wasNull = ref(false)
  /** The view codec's name (renderer/lib/codecs): a built-in view, protobuf, msgpack or a plug-in. */
  const view = ref<string>('text')
  const text = ref('')
  /** Layers (gzip, zlib) undone before the view, outermost first; redone on save. */
  const layers = shallowRef<LayerCodec[]>([])
  /** The bytes under the layers, as read. */
  const inner = shallowRef<Uint8Array>(new Uint8Array(0))
  /** A layer that looked certain (gzip magic) but could not be undone. */
  const layerProblem = ref<string | null>(null)
  /** The view's tree when its codec decodes to one (protobuf raw fields); null for text views. */
  const tree = shallowRef<DecodedTreeNode[] | null>(null)
  const language = ref('plaintext')
  /** Why the view could not decode the bytes (they are shown nowhere then). */
  const decodeProblem = ref<string | null>(null)
  const memory = new ViewMemory()
  const loading = ref(false)
  const saving = ref(false)
  const loadError = ref<unknown>(null)
  const conflict = shallowRef<Conflict | null>(null)
  /** The server said the node changed since it was read (a data watch fired). */
  const changedOnServer = ref(false)
  const deletedOnServer = ref(false)
  const acl = ref<AclEntry[] | null>(null)
  let stopEvents: (() => void) | null = null

  const codec = computed(() => codecs.view(view.value) ?? codecs.detectView(inner.value))
  /**
   * Why the buffer cannot be saved in this view: 'binary' (a text view of non-text bytes), 'codec' (the codec has no
   * way back, or these bytes would not survive it — msgpack with binary values), or null when it can.
   */
  const readOnlyView = computed<'binary' | 'codec' | null>(() => {
    if (decodeProblem.value !== null || tree.value !== null) return 'codec'
    const one = codec.value
    if (one.encode === undefined) return 'codec'
    if (one.canEncode !== undefined && !one.canEncode(inner.value)) return one.name in BINARY_NOTE_VIEWS ? 'binary' : 'codec'
    return null
  })
  /** The buffer's bytes under the layers, or the reason the text is not valid for the view. */
  const currentInner = computed<{ bytes: Uint8Array; problem: null } | { bytes: null; problem: string }>(() => {
    const encode = codec.value.encode
    if (readOnlyView.value !== null || encode === undefined) return { bytes: inner.value, problem: null }
    try {
      return { bytes: encode(text.value), problem: null }
    } catch (error) {
      return { bytes: null, problem: errorMessage(error) }
    }
  })
  const dirty = computed(() => path.value !== null && (currentInner.value.bytes === null || !bytesEqual(currentInner.value.bytes, inner.value)))
  /** The buffer's bytes (under the layers: what the view encodes), or why the text is not valid for the view. */
  const current = currentInner
  /** The size under the layers (shown beside the stored size when there are layers). */
  const innerSize = computed(() => currentInner.value.bytes?.length ?? inner.value.length)
  /**
   * The stored size after compression. Compressing a large buffer on every keystroke would make typing lag (about
   * 100 ms for 700 KB of JSON here), so it is recomputed a moment after typing stops.
   */
  const compressedSize = ref(0)
  let compressTimer: ReturnType<typeof setTimeout> | undefined
  watch([currentInner, layers], () => {
    clearTimeout(compressTimer)
    const next = currentInner.value.bytes
    if (layers.value.length === 0 || next === null) return
    if (!dirty.value) {
      compressedSize.value = original.value.length
      return
    }
    compressTimer = setTimeout(() => {
      try {
        compressedSize.value = rewrap(next, layers.value).length
      } catch {
        // Shown again at save, where it is an error.
      }
    }, 250)
  })
  const size = computed(() => (layers.value.length === 0 ? innerSize.value : compressedSize.value))
  const tooLarge = computed(() => size.value > MAX_ZNODE_BYTES)
  const viewProblem = computed(() => {
    if (decodeProblem.value !== null) return decodeProblem.value
    if (current.value.problem !== null) return current.value.problem
    return readOnlyView.value === null ? (codec.value.validate?.(text.value) ?? null) : null
  })
  /** Views this data can be shown in without losing bytes. */
  const textSafe = computed(() => readOnlyView.value !== 'binary')
  /** "gzip → JSON". */
  const pipeline = computed(() => [...layers.value.map((layer) => layer.name), view.value])

  /** The remembered-view key's connection part: stable across app restarts, unlike the connection id. */
  function connectionKey(): string | null {
    const open = useConnectionsStore().connections.find((one) => one.connectionId === connectionId.value)
    return open === undefined ? connectionId.value : (open.profileId ?? open.connectString)
  }

  /** Undoes the layers of stored bytes. */
  function setOriginal(bytes: Uint8Array): void {
    original.value = bytes
    compressedSize.value = bytes.length
    const unwrapped = unwrap(bytes, codecs)
    layers.value = unwrapped.layers
    inner.value = unwrapped.inner
    layerProblem.value = unwrapped.problem
  }

  /** Decodes the inner bytes with the current view into the buffer (text) or the tree; a failure is shown, never thrown. */
  function decodeInto(bytes: Uint8Array): void {
    decodeProblem.value = null
    try {
      const decoded = codec.value.decode(bytes)
      if (decoded.kind === 'text') {
        text.value = decoded.text
        language.value = decoded.language
        tree.value = null
      } else {
        text.value = ''
        language.value = 'plaintext'
        tree.value = decoded.tree
      }
    } catch (error) {
      decodeProblem.value = `${view.value}: ${errorMessage(error)}`
      text.value = ''
      tree.value = null
    }
  }

  /** The text of other stored bytes (the conflict view) in the current view, through the same layers. */
  function viewText(bytes: Uint8Array): string {
    try {
      const decoded = codec.value.decode(unwrap(bytes, codecs).inner)
      return decoded.kind === 'text' ? decoded.text : JSON.stringify(decoded.tree, null, 2)
    } catch (error) {
      return errorMessage(error)
    }
  }

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
    setOriginal(base64ToBytes(data.data))
    wasNull.value = data.data === null
    stat.value = data.stat
    kind.value = data.kind
    if (!keepView) {
      const key = connectionKey()
      const remembered = key === null || path.value === null ? null : memory.get(key, path.value, data.stat.czxid)
      view.value = remembered !== null && codecs.view(remembered) !== undefined ? remembered : codecs.detectView(inner.value).name
    } else if (codecs.view(view.value) === undefined || readOnlyView.value === 'binary') {
      view.value = codecs.detectView(inner.value).name
    }
    decodeInto(inner.value)
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
      setOriginal(new Uint8Array(0))
      tree.value = null
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
    setOriginal(new Uint8Array(0))
    tree.value = null
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

  /** Shows the buffer in another view (edits so far carry over) and remembers the choice for this node. */
  function setView(next: string): void {
    if (codecs.view(next) === undefined) return
    const bytes = currentInner.value.bytes ?? inner.value
    view.value = next
    decodeInto(bytes)
    const key = connectionKey()
    if (key !== null && path.value !== null && stat.value !== null) memory.set(key, path.value, stat.value.czxid, next)
  }

  /**
   * The codecs changed (plug-ins loaded, reloaded or removed): the layers are undone again and the view chosen again
   * (the remembered one, else detected), unless there are unsaved edits; then only a view that went away is replaced.
   */
  function codecsChanged(): void {
    if (path.value === null || stat.value === null || conflict.value !== null) return
    if (dirty.value) {
      if (codecs.view(view.value) === undefined) setView(codecs.detectView(currentInner.value.bytes ?? inner.value).name)
      return
    }
    setOriginal(original.value)
    const key = connectionKey()
    const remembered = key === null ? null : memory.get(key, path.value, stat.value.czxid)
    view.value = remembered !== null && codecs.view(remembered) !== undefined ? remembered : codecs.detectView(inner.value).name
    decodeInto(inner.value)
  }

  /** Chooses the view from the (unwrapped) data itself. */
  function detect(): void {
    setView(codecs.detectView(currentInner.value.bytes ?? inner.value).name)
  }

  /** Pretty-prints the buffer; returns the parser's complaint when it cannot. */
  function format(): string | null {
    const formatter = codec.value.format
    if (formatter === undefined || readOnlyView.value !== null) return null
    try {
      text.value = formatter(text.value)
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
    const innerBytes = current.value.bytes
    if (connectionId.value === null || path.value === null || stat.value === null) throw new Error('no node is open')
    if (innerBytes === null) throw new Error(current.value.problem ?? 'invalid data')
    // The layers are redone only for changed content, so an unchanged node is not rewritten with different bytes.
    const bytes = layers.value.length === 0 ? innerBytes : !dirty.value ? original.value : rewrap(innerBytes, layers.value)
    if (bytes.length > MAX_ZNODE_BYTES) throw new Error(`${bytes.length} bytes (as stored) is over the 1 MB limit`)
    saving.value = true
    try {
      const result = await api().znodes.set({ connectionId: connectionId.value, path: path.value, data: bytesToBase64(bytes), version: stat.value.version })
      setOriginal(bytes)
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
    setOriginal(open.theirs)
    stat.value = open.theirStat
    text.value = merged
    return save()
  }

  /** Ends a conflict by taking theirs (local edits are dropped). */
  function takeTheirs(): void {
    const open = conflict.value
    if (open === null) return
    setOriginal(open.theirs)
    stat.value = open.theirStat
    decodeInto(inner.value)
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
    layers,
    inner,
    innerSize,
    layerProblem,
    tree,
    language,
    readOnlyView,
    pipeline,
    viewText,
    detect,
    codecsChanged,
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
