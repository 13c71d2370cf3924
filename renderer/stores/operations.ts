// Long recursive operations (delete, export, import, copy): the progress dialog, cancel, and the typed confirmation
// main asks for before dangerous ones.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ProgressEvent } from '../../main/contract/contract'
import { isApiError } from '../api'
import { api, apiClient } from './api'
import { useAppStore } from './app'

export interface RunningOperation {
  operationId: string
  /** i18n key of what is running. */
  titleKey: string
  path: string
  progress: ProgressEvent | null
  cancelling: boolean
}

let counter = 0
function newOperationId(): string {
  counter++
  return `ui-${Date.now().toString(36)}-${counter}`
}

export type OperationOutcome<T> = { status: 'done'; result: T } | { status: 'cancelled' } | { status: 'declined' } | { status: 'failed'; error: unknown }

export const useOperationsStore = defineStore('operations', () => {
  const running = ref<RunningOperation | null>(null)
  let stop: (() => void) | null = null

  function listen(): void {
    stop ??= apiClient().on('operations.progress', (event) => {
      if (running.value?.operationId === event.operationId) running.value = { ...running.value, progress: event }
    })
  }

  /**
   * Runs a recursive operation with a progress dialog. When main answers CONFIRMATION_REQUIRED, the user is shown
   * the reason and the count and must type the phrase; the call is then repeated with it.
   */
  async function run<T>(titleKey: string, path: string, call: (operationId: string, confirm: string | undefined) => Promise<T>): Promise<OperationOutcome<T>> {
    listen()
    const app = useAppStore()
    let confirm: string | undefined
    for (;;) {
      const operationId = newOperationId()
      running.value = { operationId, titleKey, path, progress: null, cancelling: false }
      try {
        const result = await call(operationId, confirm)
        return { status: 'done', result }
      } catch (error) {
        if (isApiError(error) && error.error.code === 'CONFIRMATION_REQUIRED' && confirm === undefined) {
          running.value = null
          const { phrase, count, reason } = error.error.details
          const ok = await app.confirm({ title: titleKey, message: `${reason} (${count})`, phrase, confirmLabel: 'common.confirm', danger: true })
          if (!ok) return { status: 'declined' }
          confirm = phrase
          continue
        }
        if (isApiError(error) && error.error.code === 'CANCELLED') return { status: 'cancelled' }
        return { status: 'failed', error }
      } finally {
        running.value = null
      }
    }
  }

  async function cancel(): Promise<void> {
    const current = running.value
    if (current === null) return
    running.value = { ...current, cancelling: true }
    await api().operations.cancel({ operationId: current.operationId })
  }

  return { running, run, cancel }
})
