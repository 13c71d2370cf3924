// Saved profiles and open connections (tabs), kept live from connections.state.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ConnectionStateEvent, ProfileInput } from '../../main/contract/contract'
import type { ConnectionTestReport, ConnectionView, ProfileView } from '../../main/contract/model'
import { api, apiClient } from './api'

/** What the tab's badge says. */
export type ConnectionBadge = 'connected' | 'connecting' | 'reconnecting' | 'readOnly' | 'expired' | 'closed' | 'authFailed'

export function badgeOf(connection: ConnectionView, lastEvent: string | null): ConnectionBadge {
  switch (connection.state) {
    case 'CONNECTED':
      return 'connected'
    case 'CONNECTEDREADONLY':
      return 'readOnly'
    case 'AUTH_FAILED':
      return 'authFailed'
    case 'CLOSED':
      return lastEvent === 'Expired' ? 'expired' : 'closed'
    case 'CONNECTING':
      return lastEvent === null ? 'connecting' : 'reconnecting'
  }
}

/** A profile as the form edits it (secrets typed in plain, absent = keep the saved one). */
export type ProfileDraft = ProfileInput

export function draftOf(profile: ProfileView | null): ProfileDraft {
  if (profile === null) {
    return { name: '', connectString: '127.0.0.1:2181', sessionTimeoutMs: 30_000, readOnly: false, color: null, credentials: [], tls: null, ssh: null }
  }
  return {
    id: profile.id,
    name: profile.name,
    connectString: profile.connectString,
    sessionTimeoutMs: profile.sessionTimeoutMs,
    readOnly: profile.readOnly,
    color: profile.color,
    credentials: profile.credentials.map((credential) => ({ scheme: 'digest' as const, user: credential.user })),
    tls: profile.tls === null ? null : { caPem: profile.tls.caPem, certPem: profile.tls.certPem, verifyHostname: profile.tls.verifyHostname },
    ssh: profile.ssh === null ? null : { host: profile.ssh.host, port: profile.ssh.port, user: profile.ssh.user, auth: profile.ssh.auth },
  }
}

export const useConnectionsStore = defineStore('connections', () => {
  const profiles = ref<ProfileView[]>([])
  const connections = ref<ConnectionView[]>([])
  const activeId = ref<string | null>(null)
  /** The last session event per connection (Disconnected, Expired…), for the badge. */
  const lastEvents = ref<Record<string, string>>({})
  const opening = ref<string | null>(null)
  /** Connections whose server refused a TTL node (extendedTypesEnabled is off there). */
  const ttlRefused = ref<Record<string, boolean>>({})
  let stop: (() => void) | null = null

  const active = computed(() => connections.value.find((connection) => connection.connectionId === activeId.value) ?? null)

  function badge(connectionId: string): ConnectionBadge {
    const connection = connections.value.find((one) => one.connectionId === connectionId)
    return connection === undefined ? 'closed' : badgeOf(connection, lastEvents.value[connectionId] ?? null)
  }

  function onState(event: ConnectionStateEvent): void {
    lastEvents.value = { ...lastEvents.value, [event.connectionId]: event.event }
    connections.value = connections.value.map((connection) => (connection.connectionId === event.connectionId ? { ...connection, state: event.state } : connection))
    // A session that came back may be on another server: refresh the details.
    if (event.state === 'CONNECTED' || event.state === 'CONNECTEDREADONLY') void refreshConnections()
  }

  async function refreshConnections(): Promise<void> {
    const list = await api().connections.list()
    connections.value = list
    if (activeId.value !== null && !list.some((connection) => connection.connectionId === activeId.value)) activeId.value = list[0]?.connectionId ?? null
  }

  async function load(defaultConnectionId: string | null): Promise<void> {
    stop ??= apiClient().on('connections.state', onState)
    const [saved] = await Promise.all([api().connections.listProfiles(), refreshConnections()])
    profiles.value = saved
    activeId.value ??= defaultConnectionId ?? connections.value[0]?.connectionId ?? null
  }

  function added(view: ConnectionView): ConnectionView {
    connections.value = [...connections.value.filter((one) => one.connectionId !== view.connectionId), view]
    activeId.value = view.connectionId
    return view
  }

  async function openProfile(profileId: string): Promise<ConnectionView> {
    opening.value = profileId
    try {
      return added(await api().connections.open({ kind: 'profile', profileId }))
    } finally {
      opening.value = null
    }
  }

  async function openAdHoc(connectString: string, name?: string, readOnly = false): Promise<ConnectionView> {
    opening.value = connectString
    try {
      return added(await api().connections.open({ kind: 'adHoc', connection: { connectString, readOnly, ...(name === undefined ? {} : { name }) } }))
    } finally {
      opening.value = null
    }
  }

  async function close(connectionId: string): Promise<void> {
    await api().connections.close({ connectionId })
    connections.value = connections.value.filter((connection) => connection.connectionId !== connectionId)
    if (activeId.value === connectionId) activeId.value = connections.value[0]?.connectionId ?? null
  }

  async function saveProfile(draft: ProfileDraft): Promise<ProfileView> {
    const saved = await api().connections.saveProfile({ profile: draft })
    profiles.value = [...profiles.value.filter((profile) => profile.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name))
    // Open connections of this profile take its new name and colour (main relabels them).
    if (connections.value.some((connection) => connection.profileId === saved.id)) await refreshConnections()
    return saved
  }

  async function duplicateProfile(profile: ProfileView): Promise<ProfileView> {
    const draft = draftOf(profile)
    delete draft.id
    draft.name = `${profile.name} (copy)`
    // Secrets stay with the original: the copy asks for them again.
    return saveProfile(draft)
  }

  async function deleteProfile(profileId: string): Promise<void> {
    await api().connections.deleteProfile({ profileId })
    profiles.value = profiles.value.filter((profile) => profile.id !== profileId)
  }

  function test(draft: ProfileDraft): Promise<ConnectionTestReport> {
    return api().connections.test({ kind: 'draft', profile: draft })
  }

  async function exportProfiles(): Promise<{ json: string; count: number }> {
    return api().connections.exportProfiles()
  }

  async function importProfiles(json: string): Promise<number> {
    const { imported } = await api().connections.importProfiles({ json })
    profiles.value = await api().connections.listProfiles()
    return imported.length
  }

  return {
    profiles,
    connections,
    activeId,
    active,
    opening,
    ttlRefused,
    lastEvents,
    badge,
    load,
    refreshConnections,
    openProfile,
    openAdHoc,
    close,
    saveProfile,
    duplicateProfile,
    deleteProfile,
    test,
    exportProfiles,
    importProfiles,
  }
})
