// The audit log of every change the app made: pages from main, live additions, filter, export.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { AuditEntry } from '../../main/contract/model'
import { api, apiClient } from './api'

export interface AuditFilter {
  text: string
  connectionId: string
  operation: string
}

export function matchesAudit(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.connectionId !== '' && entry.connectionId !== filter.connectionId) return false
  if (filter.operation !== '' && !entry.operation.startsWith(filter.operation)) return false
  const needle = filter.text.trim().toLowerCase()
  if (needle === '') return true
  return [entry.path, entry.operation, entry.detail, entry.connectionName].some((field) => (field ?? '').toLowerCase().includes(needle))
}

export const useAuditStore = defineStore('audit', () => {
  const entries = ref<AuditEntry[]>([])
  const total = ref(0)
  const filter = ref<AuditFilter>({ text: '', connectionId: '', operation: '' })
  const loading = ref(false)
  let stop: (() => void) | null = null

  const visible = computed(() => entries.value.filter((entry) => matchesAudit(entry, filter.value)))
  const operations = computed(() => [...new Set(entries.value.map((entry) => entry.operation.split(' ')[0] ?? entry.operation))].sort())

  async function load(): Promise<void> {
    stop ??= apiClient().on('audit.entry', (entry) => {
      if (entries.value.some((one) => one.seq === entry.seq)) return
      entries.value = [entry, ...entries.value]
      total.value++
    })
    loading.value = true
    try {
      const page = await api().audit.list({ offset: 0, limit: 1000 })
      entries.value = page.entries
      total.value = page.total
    } finally {
      loading.value = false
    }
  }

  async function loadMore(): Promise<void> {
    const page = await api().audit.list({ offset: entries.value.length, limit: 1000 })
    entries.value = entries.value.concat(page.entries.filter((entry) => !entries.value.some((one) => one.seq === entry.seq)))
    total.value = page.total
  }

  function exportLog(format: 'csv' | 'json') {
    return api().audit.export({ format })
  }

  return { entries, total, filter, loading, visible, operations, load, loadMore, exportLog }
})
