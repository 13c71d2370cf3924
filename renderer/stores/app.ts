// App-wide state: what main is, the current view, theme and language, toasts, the help overlay, confirmations.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { AppInfo } from '../../main/contract/contract'
import { setLocale, type LocaleName } from '../i18n'
import { type ReadableError, readableError } from '../lib/errors'
import type { ViewName } from '../lib/views'
import { api } from './api'

export { TAB_VIEWS, TOOL_VIEWS, TOOLS_KEY, VIEWS, type ViewName, viewShortcut } from '../lib/views'
export type ThemeName = 'light' | 'dark'

export interface Toast {
  id: number
  kind: 'error' | 'info' | 'success'
  /** An i18n key or plain text (errors carry their own words). */
  title: string
  error: ReadableError | null
  text: string | null
}

export interface ConfirmRequest {
  title: string
  message: string
  /** The text the user must type to confirm (dangerous operations), or null for a plain yes/no. */
  phrase: string | null
  confirmLabel: string
  danger: boolean
  resolve: (confirmed: boolean) => void
}

const THEME_KEY = 'zoodesk.theme'
const LOCALE_KEY = 'zoodesk.locale'
const TOAST_MS = 8000

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null
  }
}

export function systemTheme(): ThemeName {
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

export function systemLocale(): LocaleName {
  const languages = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? 'en']
  return languages.some((language) => language.toLowerCase().startsWith('zh')) && (languages[0] ?? '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en'
}

export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null)
  const view = ref<ViewName>('explorer')
  const theme = ref<ThemeName>((storage()?.getItem(THEME_KEY) as ThemeName | null) ?? systemTheme())
  const locale = ref<LocaleName>((storage()?.getItem(LOCALE_KEY) as LocaleName | null) ?? systemLocale())
  const toasts = ref<Toast[]>([])
  const helpOpen = ref(false)
  const confirmation = shallowRef<ConfirmRequest | null>(null)
  let nextToast = 1

  function applyTheme(): void {
    if (typeof document !== 'undefined') document.documentElement.dataset.theme = theme.value
  }

  function setTheme(next: ThemeName): void {
    theme.value = next
    storage()?.setItem(THEME_KEY, next)
    applyTheme()
  }

  function toggleTheme(): void {
    setTheme(theme.value === 'dark' ? 'light' : 'dark')
  }

  function setLanguage(next: LocaleName): void {
    locale.value = next
    storage()?.setItem(LOCALE_KEY, next)
    setLocale(next)
  }

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((toast) => toast.id !== id)
  }

  function push(toast: Omit<Toast, 'id'>, ms = TOAST_MS): number {
    const id = nextToast++
    toasts.value = [...toasts.value.slice(-2), { ...toast, id }]
    if (ms > 0) setTimeout(() => dismiss(id), ms)
    return id
  }

  /** Shows a failure as a readable toast (Apache's error name, the server's words, a plain hint). */
  function fail(titleKey: string, error: unknown): void {
    push({ kind: 'error', title: titleKey, error: readableError(error), text: null }, 12_000)
  }

  function notify(titleKey: string, text: string | null = null, kind: 'info' | 'success' = 'success'): void {
    push({ kind, title: titleKey, error: null, text }, 4000)
  }

  /** Runs `action`; a failure becomes a toast (never an exception that leaves a blank screen). */
  async function attempt<T>(titleKey: string, action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action()
    } catch (error) {
      fail(titleKey, error)
      return undefined
    }
  }

  function confirm(request: Omit<ConfirmRequest, 'resolve' | 'confirmLabel' | 'danger' | 'phrase'> & Partial<Pick<ConfirmRequest, 'confirmLabel' | 'danger' | 'phrase'>>): Promise<boolean> {
    confirmation.value?.resolve(false)
    return new Promise((resolve) => {
      confirmation.value = {
        phrase: null,
        confirmLabel: 'common.ok',
        danger: false,
        ...request,
        resolve: (confirmed) => {
          confirmation.value = null
          resolve(confirmed)
        },
      }
    })
  }

  async function load(): Promise<void> {
    info.value = await api().app.info()
  }

  applyTheme()
  setLocale(locale.value)

  return { info, view, theme, locale, toasts, helpOpen, confirmation, setTheme, toggleTheme, setLanguage, dismiss, push, fail, notify, attempt, confirm, load }
})
