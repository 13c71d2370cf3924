// Local clusters: the list kept live from clusters.state, actions, and the timeline of what happened to them.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { MethodArgs } from '../../main/contract/contract'
import type { ClusterView, ClusterZabEvent } from '../../main/contract/model'
import { api, apiClient } from './api'

export interface ClusterTimelineEntry {
  time: number
  clusterId: string
  /** i18n key. */
  kind: 'created' | 'started' | 'stopped' | 'member' | 'partition' | 'healed' | 'leader' | 'quorumLost' | 'quorumRestored' | 'commits'
  text: string
}

const TIMELINE_LIMIT = 500
/** ZAB events kept per cluster, as main keeps them (clusters.timeline). */
const ZAB_LIMIT = 2000
/** Live ZAB events reach the views at most this often (an election is a burst of votes). */
const ZAB_REFRESH_MS = 150

/** What changed between two views of a cluster, as timeline entries. */
export function describeChange(before: ClusterView | undefined, after: ClusterView, time: number): ClusterTimelineEntry[] {
  const entries: ClusterTimelineEntry[] = []
  const at = (kind: ClusterTimelineEntry['kind'], text: string) => entries.push({ time, clusterId: after.clusterId, kind, text })
  if (before === undefined) {
    at('created', after.name)
    return entries
  }
  if (!before.running && after.running) at('started', after.name)
  if (before.running && !after.running) at('stopped', after.name)
  for (const member of after.members) {
    const old = before.members.find((one) => one.id === member.id)
    if (old !== undefined && old.state !== member.state) at('member', `${member.id}: ${old.state} → ${member.state}${member.lastExit !== null && member.state !== 'running' ? ` (${member.lastExit})` : ''}`)
  }
  const partition = (view: ClusterView) => JSON.stringify(view.partition)
  if (partition(before) !== partition(after)) {
    if (after.partition === null) at('healed', after.name)
    else at('partition', after.partition.map((group) => `{${group.join(', ')}}`).join(' | '))
  }
  return entries
}

export const useClustersStore = defineStore('clusters', () => {
  const clusters = ref<ClusterView[]>([])
  const selectedId = ref<string | null>(null)
  const timeline = ref<ClusterTimelineEntry[]>([])
  const busy = ref<string | null>(null)
  let stop: (() => void) | null = null
  /** Per cluster id: its ZAB events (votes, elections, syncs, txn counts), oldest first. Not deep-reactive: see zabRevision. */
  const zab = shallowRef(new Map<string, ClusterZabEvent[]>())
  /** Bumped when `zab` changed (batched), so charts recompute once per burst. */
  const zabRevision = ref(0)
  let stopZab: (() => void) | null = null
  let zabTimer: ReturnType<typeof setTimeout> | null = null

  function zabChanged(): void {
    zabTimer ??= setTimeout(() => {
      zabTimer = null
      zabRevision.value++
    }, ZAB_REFRESH_MS)
  }

  function addZab(event: ClusterZabEvent): void {
    const list = zab.value.get(event.clusterId) ?? []
    list.push(event)
    if (list.length > ZAB_LIMIT) list.splice(0, list.length - ZAB_LIMIT)
    zab.value.set(event.clusterId, list)
    zabChanged()
  }

  /** The buffered history from main (a panel opened after the election still shows it), merged with live events. */
  async function loadZab(clusterId: string): Promise<void> {
    stopZab ??= apiClient().on('clusters.zab', addZab)
    const { events } = await api().clusters.timeline({ clusterId })
    const lastBuffered = events.at(-1)?.time ?? 0
    const live = (zab.value.get(clusterId) ?? []).filter((event) => event.time > lastBuffered)
    zab.value.set(clusterId, [...events, ...live].slice(-ZAB_LIMIT))
    zabRevision.value++
  }

  function note(entries: ClusterTimelineEntry[]): void {
    if (entries.length === 0) return
    const next = timeline.value.concat(entries)
    timeline.value = next.length > TIMELINE_LIMIT ? next.slice(next.length - TIMELINE_LIMIT) : next
  }

  function upsert(view: ClusterView): void {
    const before = clusters.value.find((cluster) => cluster.clusterId === view.clusterId)
    note(describeChange(before, view, Date.now()))
    clusters.value = before === undefined ? [...clusters.value, view] : clusters.value.map((cluster) => (cluster.clusterId === view.clusterId ? view : cluster))
    selectedId.value ??= view.clusterId
  }

  async function load(): Promise<void> {
    stop ??= apiClient().on('clusters.state', upsert)
    const list = await api().clusters.list()
    clusters.value = list
    selectedId.value ??= list.find((cluster) => cluster.isDefault)?.clusterId ?? list[0]?.clusterId ?? null
  }

  async function act(label: string, action: () => Promise<ClusterView>): Promise<ClusterView> {
    busy.value = label
    try {
      const view = await action()
      upsert(view)
      return view
    } finally {
      busy.value = null
    }
  }

  const create = (args: MethodArgs<'clusters.create'>) =>
    act('create', async () => {
      const view = await api().clusters.create(args)
      selectedId.value = view.clusterId
      return view
    })
  const start = (clusterId: string) => act('start', () => api().clusters.start({ clusterId }))
  const stopCluster = (clusterId: string) => act('stop', () => api().clusters.stop({ clusterId }))
  const kill = (clusterId: string, memberId: number) => act(`kill-${memberId}`, () => api().clusters.killMember({ clusterId, memberId }))
  const restart = (clusterId: string, memberId: number) => act(`restart-${memberId}`, () => api().clusters.restartMember({ clusterId, memberId }))
  const partition = (clusterId: string, groups: number[][]) => act('partition', () => api().clusters.partition({ clusterId, groups }))
  const heal = (clusterId: string) => act('heal', () => api().clusters.heal({ clusterId }))
  const setDisk = (clusterId: string, memberId: number, mode: 'ok' | 'slow' | 'fail', delayMs = 0) => act(`disk-${memberId}`, () => api().clusters.setDisk({ clusterId, memberId, mode, delayMs }))

  async function remove(clusterId: string, deleteData: boolean, confirm?: string): Promise<void> {
    busy.value = 'remove'
    try {
      await api().clusters.remove({ clusterId, deleteData, ...(confirm === undefined ? {} : { confirm }) })
      clusters.value = clusters.value.filter((cluster) => cluster.clusterId !== clusterId)
      if (selectedId.value === clusterId) selectedId.value = clusters.value[0]?.clusterId ?? null
    } finally {
      busy.value = null
    }
  }

  return { clusters, selectedId, timeline, busy, zab, zabRevision, loadZab, note, load, create, start, stop: stopCluster, kill, restart, partition, heal, setDisk, remove }
})
