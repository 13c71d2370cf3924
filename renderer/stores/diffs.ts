// Subtree diffs: the two endpoints being compared, the compared diff (entries loaded page by page), the picked
// entries, the selected entry's data, the previewed plan and the last apply's report.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { DiffApplyResult, DiffEntry, DiffEntryData, DiffPlan, DiffStatus, DiffView } from '../../main/contract/model'
import { api } from './api'
import { useAppStore } from './app'
import { type OperationOutcome, useOperationsStore } from './operations'

export const DIFF_PAGE = 500

export interface DiffEndpointInput {
  connectionId: string
  path: string
}

export const useDiffsStore = defineStore('diffs', () => {
  const source = ref<DiffEndpointInput>({ connectionId: '', path: '/' })
  const target = ref<DiffEndpointInput>({ connectionId: '', path: '/' })
  const diff = ref<DiffView | null>(null)
  const entries = ref<DiffEntry[]>([])
  const total = ref(0)
  /** Statuses shown in the table (unchanged hidden at first: they are usually most of a tree). */
  const shown = ref<DiffStatus[]>(['added', 'changed', 'removed'])
  const picked = ref<Set<string>>(new Set())
  const selected = ref<DiffEntry | null>(null)
  const selectedData = ref<DiffEntryData | null>(null)
  const plan = ref<DiffPlan | null>(null)
  /** What the plan is for: every difference (mirror) or the picked entries. */
  const planFor = ref<'all' | string[]>('all')
  const report = ref<DiffApplyResult | null>(null)

  const hasMore = computed(() => entries.value.length < total.value)

  async function loadEntries(reset: boolean): Promise<void> {
    if (diff.value === null) return
    const page = await api().diffs.entries({ diffId: diff.value.diffId, statuses: shown.value, offset: reset ? 0 : entries.value.length, limit: DIFF_PAGE })
    entries.value = reset ? page.entries : [...entries.value, ...page.entries]
    total.value = page.total
  }

  async function compare(): Promise<void> {
    const outcome = await useOperationsStore().run('diffs.comparing', source.value.path, (operationId) =>
      api().diffs.compare({ source: { ...source.value }, target: { ...target.value }, operationId }),
    )
    await adopt(outcome)
  }

  /** An export file against a subtree, before importing it: the diff previews the import and applies it. */
  async function compareImport(into: DiffEndpointInput, file: { name: string; format: 'json' | 'zip'; content: string }): Promise<void> {
    target.value = { ...into }
    const outcome = await useOperationsStore().run('diffs.comparing', into.path, (operationId) =>
      api().diffs.compareImport({ target: { ...into }, fileName: file.name, format: file.format, content: file.content, operationId }),
    )
    await adopt(outcome)
  }

  async function adopt(outcome: OperationOutcome<DiffView>): Promise<void> {
    const app = useAppStore()
    if (outcome.status === 'failed') return app.fail('diffs.compareFailed', outcome.error)
    if (outcome.status !== 'done') return
    if (diff.value !== null) void api().diffs.close({ diffId: diff.value.diffId }).catch(() => {})
    diff.value = outcome.result
    picked.value = new Set()
    selected.value = null
    selectedData.value = null
    plan.value = null
    report.value = null
    await app.attempt('diffs.compareFailed', () => loadEntries(true))
  }

  async function setShown(statuses: DiffStatus[]): Promise<void> {
    shown.value = statuses
    await useAppStore().attempt('diffs.compareFailed', () => loadEntries(true))
  }

  async function select(entry: DiffEntry): Promise<void> {
    if (diff.value === null) return
    selected.value = entry
    selectedData.value = null
    const diffId = diff.value.diffId
    const data = await useAppStore().attempt('diffs.compareFailed', () => api().diffs.entryData({ diffId, path: entry.path }))
    if (data !== undefined && selected.value?.path === entry.path) selectedData.value = data
  }

  function togglePick(path: string): void {
    const next = new Set(picked.value)
    if (next.has(path)) next.delete(path)
    else next.add(path)
    picked.value = next
  }

  async function preview(which: 'all' | 'picked'): Promise<void> {
    if (diff.value === null) return
    const diffId = diff.value.diffId
    const chosen = which === 'all' ? 'all' : [...picked.value]
    if (chosen !== 'all' && chosen.length === 0) return
    const result = await useAppStore().attempt('diffs.previewFailed', () => api().diffs.preview({ diffId, entries: chosen }))
    if (result === undefined) return
    planFor.value = chosen
    plan.value = result
  }

  async function apply(): Promise<void> {
    if (diff.value === null || plan.value === null) return
    const app = useAppStore()
    const diffId = diff.value.diffId
    const chosen = planFor.value
    const outcome = await useOperationsStore().run('diffs.applying', diff.value.target.path, (operationId) => api().diffs.apply({ diffId, entries: chosen, operationId }))
    plan.value = null
    if (outcome.status === 'failed') return app.fail('diffs.applyFailed', outcome.error)
    if (outcome.status !== 'done') return
    report.value = outcome.result
    diff.value = { ...diff.value, appliedAt: Date.now() }
  }

  return { source, target, diff, entries, total, shown, picked, selected, selectedData, plan, planFor, report, hasMore, compare, compareImport, loadEntries, setShown, select, togglePick, preview, apply }
})
