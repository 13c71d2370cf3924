// Data-dir forensics: one opened data directory, the tree built as of a snapshot or zxid (browsed lazily, read-only),
// the txn list (a filter evaluated in main, pages fetched as they scroll into view), the selected node and txn.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { MethodArgs } from '../../main/contract/contract'
import type { ForensicDataDirView, ForensicNode, ForensicTreeTarget, ForensicTreeView, ForensicTxnDetail, ForensicTxnRow, ForensicTxnType, NodeKind } from '../../main/contract/model'
import { api } from './api'
import { useOperationsStore } from './operations'

export const TXN_PAGE = 200
/** Children listed per node; the rest are counted, not shown (a forensic look, not an editor). */
export const CHILDREN_LIMIT = 5000

export const FORENSIC_TXN_TYPES: readonly ForensicTxnType[] = [
  'create',
  'create2',
  'createContainer',
  'createTTL',
  'delete',
  'deleteContainer',
  'setData',
  'setACL',
  'check',
  'multi',
  'createSession',
  'closeSession',
  'error',
  'reconfig',
]

export interface TxnFilterForm {
  pathPrefix: string
  sessionId: string
  types: ForensicTxnType[]
  /** datetime-local values ('' = open). */
  from: string
  to: string
}

export interface ForensicTreeRow {
  path: string
  name: string
  depth: number
  kind: NodeKind
  numChildren: number
  expanded: boolean
}

type TxnFilterArgs = NonNullable<MethodArgs<'forensics.txns'>['filter']>

/** The filter as the contract wants it: empty fields left out, the session id normalised to 0x…. */
export function filterArgs(form: TxnFilterForm): TxnFilterArgs {
  const out: TxnFilterArgs = {}
  if (form.pathPrefix.trim() !== '') out.pathPrefix = form.pathPrefix.trim()
  const session = form.sessionId.trim().toLowerCase()
  if (session !== '') out.sessionId = session.startsWith('0x') ? session : `0x${session}`
  if (form.types.length > 0) out.types = [...form.types]
  const from = form.from === '' ? NaN : new Date(form.from).getTime()
  const to = form.to === '' ? NaN : new Date(form.to).getTime()
  if (!Number.isNaN(from)) out.fromTime = from
  // The whole minute (or second, when the value has seconds: a range dragged on the chart) the picker shows.
  if (!Number.isNaN(to)) out.toTime = to + (form.to.length > 16 ? 999 : 59_999)
  return out
}

/** A time as a datetime-local value with seconds (local time), as the time filter's inputs take it. */
export function localInputTime(ms: number): string {
  const date = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`
}

export const useForensicsStore = defineStore('forensics', () => {
  const pathInput = ref('')
  const dataDir = shallowRef<ForensicDataDirView | null>(null)
  const tree = shallowRef<ForensicTreeView | null>(null)
  const rows = ref<ForensicTreeRow[]>([])
  const selectedPath = ref<string | null>(null)
  const node = shallowRef<ForensicNode | null>(null)
  const filter = ref<TxnFilterForm>({ pathPrefix: '', sessionId: '', types: [], from: '', to: '' })
  const txnTotal = ref(0)
  /** The filter as last applied (what the list and the rate chart show), and a counter that moves with it. */
  const appliedFilter = shallowRef<TxnFilterArgs>({})
  const filterRevision = ref(0)
  const txnPages = shallowRef(new Map<number, ForensicTxnRow[]>())
  const selectedRow = ref<number | null>(null)
  const txn = shallowRef<ForensicTxnDetail | null>(null)
  const tab = ref<'tree' | 'txns'>('tree')
  let filterVersion = 0
  const loadingPages = new Set<number>()

  const dataDirId = computed(() => dataDir.value?.dataDirId ?? null)

  function requireId(): string {
    if (dataDirId.value === null) throw new Error('no data directory is open')
    return dataDirId.value
  }

  /** Opens `path` (or, without one, Electron's folder dialog). Returns false when the user cancelled. */
  async function open(path?: string): Promise<boolean> {
    const operations = useOperationsStore()
    const target = path?.trim() ?? ''
    const outcome = await operations.run('forensics.opening', target, (operationId) => api().forensics.open(target === '' ? { operationId } : { path: target, operationId }))
    if (outcome.status === 'failed') throw outcome.error
    if (outcome.status !== 'done' || outcome.result === null) return false
    if (dataDir.value !== null) await api().forensics.close({ dataDirId: dataDir.value.dataDirId }).catch(() => undefined)
    dataDir.value = outcome.result
    pathInput.value = outcome.result.path
    tree.value = null
    rows.value = []
    node.value = null
    selectedPath.value = null
    txn.value = null
    selectedRow.value = null
    tab.value = 'tree'
    filter.value = { pathPrefix: '', sessionId: '', types: [], from: '', to: '' }
    await applyFilter()
    const lastSnapshot = outcome.result.snapshots.filter((one) => one.valid).at(-1)
    if (outcome.result.lastZxid !== null) await buildTree({ kind: 'zxid', zxid: outcome.result.lastZxid })
    else if (lastSnapshot !== undefined) await buildTree({ kind: 'snapshot', zxid: lastSnapshot.zxid })
    return true
  }

  async function buildTree(at: ForensicTreeTarget): Promise<void> {
    const dataDirIdNow = requireId()
    const operations = useOperationsStore()
    const outcome = await operations.run('forensics.building', at.zxid, (operationId) => api().forensics.tree({ dataDirId: dataDirIdNow, at, operationId }))
    if (outcome.status === 'failed') throw outcome.error
    if (outcome.status !== 'done') return
    tree.value = outcome.result
    rows.value = [{ path: '/', name: '/', depth: 0, kind: 'persistent', numChildren: 0, expanded: false }]
    await toggle('/')
    await select(selectedPath.value !== null ? selectedPath.value : '/').catch(() => select('/'))
  }

  async function toggle(path: string): Promise<void> {
    const index = rows.value.findIndex((row) => row.path === path)
    const row = rows.value[index]
    if (row === undefined) return
    if (row.expanded) {
      let end = index + 1
      while (end < rows.value.length && rows.value[end]!.depth > row.depth) end++
      rows.value.splice(index + 1, end - index - 1)
      row.expanded = false
      return
    }
    const page = await api().forensics.children({ dataDirId: requireId(), path, limit: CHILDREN_LIMIT })
    const children = page.children.map((child) => ({ path: child.path, name: child.name, depth: row.depth + 1, kind: child.kind, numChildren: child.stat.numChildren, expanded: false }))
    rows.value.splice(index + 1, 0, ...children)
    row.expanded = true
    row.numChildren = page.total
  }

  async function select(path: string): Promise<void> {
    selectedPath.value = path
    node.value = await api().forensics.node({ dataDirId: requireId(), path })
  }

  async function applyFilter(): Promise<void> {
    const version = ++filterVersion
    loadingPages.clear()
    selectedRow.value = null
    txn.value = null
    const applied = filterArgs(filter.value)
    const page = await api().forensics.txns({ dataDirId: requireId(), filter: applied, offset: 0, limit: TXN_PAGE })
    if (version !== filterVersion) return
    txnTotal.value = page.total
    txnPages.value = new Map([[0, page.rows]])
    appliedFilter.value = applied
    filterRevision.value++
  }

  /** Loads the pages that rows [start, end) fall in. */
  async function loadRange(start: number, end: number): Promise<void> {
    const version = filterVersion
    for (let pageIndex = Math.floor(start / TXN_PAGE); pageIndex * TXN_PAGE < Math.min(end, txnTotal.value); pageIndex++) {
      if (txnPages.value.has(pageIndex) || loadingPages.has(pageIndex)) continue
      loadingPages.add(pageIndex)
      const page = await api().forensics.txns({ dataDirId: requireId(), filter: filterArgs(filter.value), offset: pageIndex * TXN_PAGE, limit: TXN_PAGE })
      loadingPages.delete(pageIndex)
      if (version !== filterVersion) return
      txnPages.value = new Map(txnPages.value).set(pageIndex, page.rows)
    }
  }

  function txnAt(index: number): ForensicTxnRow | undefined {
    return txnPages.value.get(Math.floor(index / TXN_PAGE))?.[index % TXN_PAGE]
  }

  async function selectTxn(row: number): Promise<void> {
    selectedRow.value = row
    txn.value = await api().forensics.txn({ dataDirId: requireId(), row })
  }

  function exportTree() {
    return api().forensics.export({ dataDirId: requireId(), what: 'tree', path: selectedPath.value ?? '/' })
  }

  async function exportTxns() {
    const dataDirIdNow = requireId()
    const outcome = await useOperationsStore().run('forensics.exporting', dataDir.value?.path ?? '', (operationId) =>
      api().forensics.export({ dataDirId: dataDirIdNow, what: 'txns', filter: filterArgs(filter.value), operationId }),
    )
    if (outcome.status === 'failed') throw outcome.error
    return outcome.status === 'done' ? outcome.result : null
  }

  function filterBySession(sessionId: string): Promise<void> {
    filter.value = { ...filter.value, sessionId }
    tab.value = 'txns'
    return applyFilter()
  }

  /** Narrows the time filter to [fromMs, toMs] (a range dragged on the rate chart), to the second. */
  function filterByTime(fromMs: number, toMs: number): Promise<void> {
    filter.value = { ...filter.value, from: localInputTime(fromMs), to: localInputTime(toMs) }
    return applyFilter()
  }

  function filterByPath(path: string): Promise<void> {
    filter.value = { ...filter.value, pathPrefix: path }
    tab.value = 'txns'
    return applyFilter()
  }

  return {
    pathInput,
    dataDir,
    tree,
    rows,
    selectedPath,
    node,
    filter,
    txnTotal,
    appliedFilter,
    filterRevision,
    txnPages,
    selectedRow,
    txn,
    tab,
    open,
    buildTree,
    toggle,
    select,
    applyFilter,
    loadRange,
    txnAt,
    selectTxn,
    exportTree,
    exportTxns,
    filterBySession,
    filterByPath,
    filterByTime,
  }
})
