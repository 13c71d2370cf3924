// Containers and TTL nodes look persistent to every client: Apache reports ephemeralOwner 0 for them
// (DataNode.getClientEphemeralOwner), and ZooDesk's server does the same. The app knows the kind of the nodes it
// created itself, from the audit log (create with its mode, console create -c / -t), and shows that.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AuditEntry, NodeKind, ZnodeStat } from '../../main/contract/model'
import { api, apiClient } from './api'

interface KnownCreate {
  kind: 'container' | 'ttl'
  time: number
  connectionId: string | null
  connectionName: string | null
}

/** A remembered create only counts for the node whose ctime is this close to it (a node deleted and re-created by
 * someone else later is not taken for it). */
const CTIME_TOLERANCE_MS = 5 * 60_000

/** The kind an audit entry says a create made, when it is one a client cannot see. */
export function createdKind(entry: AuditEntry): 'container' | 'ttl' | null {
  if (entry.operation === 'create') {
    if (entry.detail === 'CONTAINER') return 'container'
    if (entry.detail === 'PERSISTENT_WITH_TTL' || entry.detail === 'PERSISTENT_SEQUENTIAL_WITH_TTL') return 'ttl'
    return null
  }
  if (entry.operation === 'console create' && entry.detail !== null) {
    const words = entry.detail.split(/\s+/)
    if (words.includes('-c')) return 'container'
    if (words.includes('-t')) return 'ttl'
  }
  return null
}

export const useKnownKindsStore = defineStore('knownKinds', () => {
  const byPath = ref(new Map<string, KnownCreate[]>())
  let stop: (() => void) | null = null

  function remember(entry: AuditEntry): void {
    const kind = createdKind(entry)
    if (kind === null || entry.path === null) return
    const list = byPath.value.get(entry.path) ?? []
    list.push({ kind, time: entry.time, connectionId: entry.connectionId, connectionName: entry.connectionName })
    byPath.value.set(entry.path, list)
  }

  async function load(): Promise<void> {
    stop ??= apiClient().on('audit.entry', remember)
    const page = await api().audit.list({ offset: 0, limit: 10_000 })
    for (const entry of page.entries) remember(entry)
  }

  /** container / ttl when this app created the node so (and the stat still fits), else what the stat says. */
  function kindOf(path: string, stat: ZnodeStat | undefined, connection: { connectionId: string; name: string } | null, statKind: NodeKind | null): NodeKind | null {
    if (stat === undefined || statKind !== 'persistent') return statKind
    const known = byPath.value.get(path)
    if (known === undefined) return statKind
    const match = known.findLast(
      (entry) =>
        Math.abs(entry.time - stat.ctime) < CTIME_TOLERANCE_MS && (connection === null || entry.connectionId === connection.connectionId || entry.connectionName === connection.name),
    )
    return match?.kind ?? statKind
  }

  return { byPath, load, kindOf, remember }
})
