// Local clusters: the list kept live from clusters.state, actions, and the timeline of what happened to them.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { MethodArgs } from '../../main/contract/contract'
import type { ClusterView } from '../../main/contract/model'
import { api, apiClient } from './api'

export interface ClusterTimelineEntry {
  time: number
  clusterId: string
  /** i18n key. */
  kind: 'created' | 'started' | 'stopped' | 'member' | 'partition' | 'healed' | 'leader' | 'quorumLost' | 'quorumRestored' | 'commits'
  text: string
}

const TIMELINE_LIMIT = 500

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

  return { clusters, selectedId, timeline, busy, note, load, create, start, stop: stopCluster, kill, restart, partition, heal, setDisk, remove }
})
