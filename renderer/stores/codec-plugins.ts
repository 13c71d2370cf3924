// Codec plug-ins in the renderer: the list main gives (`codecs.plugins`, again on `codecs.pluginsChanged` when the
// folder changes), each module imported from the page's own origin and registered in the editor's codec registry,
// and each file's status (what it registered, why it failed, the last error while in use) for the Plug-ins panel.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { CodecPluginList } from '../../main/contract/model'
import { CodecPluginLoader, type PluginStatus, pluginUrl } from '../lib/codecs/plugins'
import { codecs } from '../lib/codecs/registry'
import { api, apiClient } from './api'
import { useEditorStore } from './editor'

export const useCodecPluginsStore = defineStore('codecPlugins', () => {
  const folder = ref<string | null>(null)
  const statuses = ref<PluginStatus[]>([])
  const loading = ref(false)
  /** Why the list could not be had from main (the editor works on without plug-ins). */
  const listError = shallowRef<unknown>(null)
  /** Bumped after every load: the registry is not reactive, views that list codecs read this. */
  const revision = ref(0)
  const loadedAt = ref<number | null>(null)
  let stopEvents: (() => void) | null = null

  const loader = new CodecPluginLoader(
    codecs,
    (url) => import(/* @vite-ignore */ url) as Promise<unknown>,
    (file, message) => {
      // Reported from inside detect/decode, which may run while Vue computes something: updated after it.
      queueMicrotask(() => {
        const status = statuses.value.find((one) => one.file === file)
        if (status !== undefined) status.runtimeError = message
      })
    },
  )

  const problemCount = computed(() => statuses.value.filter((one) => one.error !== null || one.runtimeError !== null).length + (listError.value === null ? 0 : 1))

  /** (Re)loads every plug-in: from `list` when main just sent it, else asks main. Never throws. */
  async function load(list?: CodecPluginList): Promise<void> {
    stopEvents ??= apiClient().on('codecs.pluginsChanged', (changed) => void load(changed))
    loading.value = true
    try {
      const current = list ?? (await api().codecs.plugins())
      listError.value = null
      folder.value = current.folder
      const loaded = await loader.load(current.plugins, (file) => pluginUrl(file, document.baseURI))
      if (loaded === null) return
      statuses.value = loaded
      loadedAt.value = Date.now()
      revision.value++
      useEditorStore().codecsChanged()
    } catch (error) {
      listError.value = error
    } finally {
      loading.value = false
    }
  }

  async function openFolder(): Promise<{ folder: string; opened: boolean; problem: string | null }> {
    const result = await api().codecs.openFolder()
    folder.value = result.folder
    return result
  }

  return { folder, statuses, loading, listError, revision, loadedAt, problemCount, load, openFolder }
})
