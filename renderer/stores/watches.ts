// The watch log: every watch event of every connection, live; pause, clear, filter, export; the user's watches.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef } from 'vue'
import type { WatchEventPayload } from '../../main/contract/contract'
import type { UserWatchKind, WatchView } from '../../main/contract/model'
import { toCsv } from '../lib/csv'
import { formatTimestamp } from '../lib/time'
import { api, apiClient } from './api'

/** Events kept (oldest dropped first). */
export const WATCH_LOG_LIMIT = 10_000

export interface WatchFilter {
  path: string
  type: string
  connectionId: string
  /** Include the tree's own watches (the UI's live updates). */
  treeWatches: boolean
}

export function matchesFilter(event: WatchEventPayload, filter: WatchFilter): boolean {
  if (!filter.treeWatches && event.watchKind.startsWith('tree-')) return false
  if (filter.type !== '' && event.type !== filter.type) return false
  if (filter.connectionId !== '' && event.connectionId !== filter.connectionId) return false
  if (filter.path !== '' && !(event.path ?? '').toLowerCase().includes(filter.path.toLowerCase())) return false
  return true
}

export function eventsToCsv(events: readonly WatchEventPayload[], connectionName: (id: string) => string): string {
  return toCsv(events, [
    { header: 'time', value: (event) => formatTimestamp(event.time) },
    { header: 'connection', value: (event) => connectionName(event.connectionId) },
    { header: 'path', value: (event) => event.path },
    { header: 'type', value: (event) => event.type },
    { header: 'watch', value: (event) => event.watchKind },
    { header: 'state', value: (event) => event.state },
  ])
}

export const useWatchesStore = defineStore('watches', () => {
  /** Oldest first; a plain array behind a shallow ref (thousands of events, no deep reactivity). */
  const events = shallowRef<WatchEventPayload[]>([])
  const paused = ref(false)
  /** Events that arrived while paused; shown on resume. */
  const held = ref(0)
  const filter = ref<WatchFilter>({ path: '', type: '', connectionId: '', treeWatches: false })
  const watches = ref<WatchView[]>([])
  const countsByPath = shallowRef(new Map<string, number>())
  let buffer: WatchEventPayload[] = []
  let stop: (() => void) | null = null
  let flushScheduled = false

  const visible = computed(() => events.value.filter((event) => matchesFilter(event, filter.value)))

  function flush(): void {
    flushScheduled = false
    if (paused.value || buffer.length === 0) return
    const next = events.value.concat(buffer)
    buffer = []
    held.value = 0
    events.value = next.length > WATCH_LOG_LIMIT ? next.slice(next.length - WATCH_LOG_LIMIT) : next
  }

  function onEvent(event: WatchEventPayload): void {
    buffer.push(event)
    if (event.path !== null) countsByPath.value.set(event.path, (countsByPath.value.get(event.path) ?? 0) + 1)
    triggerRef(countsByPath)
    if (event.watchId !== null) {
      const watch = watches.value.find((one) => one.watchId === event.watchId)
      if (watch !== undefined) {
        watch.eventCount++
        if (watch.kind === 'data' || watch.kind === 'exists' || watch.kind === 'children') watch.active = false
      }
    }
    if (paused.value) {
      held.value = buffer.length
      return
    }
    // One update per frame however fast events come.
    if (!flushScheduled) {
      flushScheduled = true
      setTimeout(flush, 50)
    }
  }

  async function load(): Promise<void> {
    stop ??= apiClient().on('watches.event', onEvent)
    watches.value = await api().watches.list({})
  }

  function pause(): void {
    paused.value = true
  }

  function resume(): void {
    paused.value = false
    flush()
  }

  function clear(): void {
    events.value = []
    buffer = []
    held.value = 0
    countsByPath.value = new Map()
  }

  async function add(connectionId: string, path: string, kind: UserWatchKind): Promise<WatchView> {
    const view = await api().watches.add({ connectionId, path, kind })
    watches.value = [...watches.value, view]
    return view
  }

  async function remove(watchId: string): Promise<void> {
    await api().watches.remove({ watchId })
    watches.value = watches.value.filter((watch) => watch.watchId !== watchId)
  }

  return { events, visible, paused, held, filter, watches, countsByPath, load, pause, resume, clear, add, remove, onEvent }
})
