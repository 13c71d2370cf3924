// English and Simplified Chinese. The system's language is the default; the choice is kept in localStorage.
import { createI18n } from 'vue-i18n'
import en from './en'
import zhCN from './zh-CN'

export type LocaleName = 'en' | 'zh-CN'
export const LOCALES: readonly { name: LocaleName; label: string }[] = [
  { name: 'en', label: 'English' },
  { name: 'zh-CN', label: '简体中文' },
]

export const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
  missingWarn: false,
  fallbackWarn: false,
})

export function setLocale(name: LocaleName): void {
  i18n.global.locale.value = name
  if (typeof document !== 'undefined') document.documentElement.lang = name
}

/** Translation outside components (stores, plain functions). */
export function translate(key: string, values?: Record<string, unknown>): string {
  return values === undefined ? i18n.global.t(key) : i18n.global.t(key, values)
}
