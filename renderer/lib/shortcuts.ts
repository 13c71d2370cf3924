// The keyboard shortcuts: one list, read by the key handler and by the help overlay.
import { TAB_VIEWS, TOOL_VIEWS, TOOLS_KEY, viewShortcut } from './views'

export interface Shortcut {
  id: string
  /** `Ctrl+S`, `Shift+Delete`, `?`: Ctrl means Cmd on macOS too. */
  keys: string
  /** i18n key of what it does. */
  labelKey: string
  /** Where it works (i18n key). */
  scopeKey: string
}

/** Every view's keys, in the order of the view bar: the tabs, Alt+T for the Tools menu, then each tool. */
const VIEW_SHORTCUTS: readonly Shortcut[] = [
  ...TAB_VIEWS.map((view) => ({ id: `view.${view}`, keys: viewShortcut(view), labelKey: `nav.${view}`, scopeKey: 'shortcuts.scopeViews' })),
  { id: 'view.tools', keys: `Alt+${TOOLS_KEY}`, labelKey: 'shortcuts.tools', scopeKey: 'shortcuts.scopeViews' },
  ...TOOL_VIEWS.map((view) => ({ id: `view.${view}`, keys: viewShortcut(view), labelKey: `nav.${view}`, scopeKey: 'shortcuts.scopeViews' })),
]

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'help', keys: 'F1', labelKey: 'shortcuts.help', scopeKey: 'shortcuts.scopeGlobal' },
  { id: 'help2', keys: 'Shift+?', labelKey: 'shortcuts.help', scopeKey: 'shortcuts.scopeGlobal' },
  { id: 'theme', keys: 'Ctrl+Shift+L', labelKey: 'shortcuts.theme', scopeKey: 'shortcuts.scopeGlobal' },
  ...VIEW_SHORTCUTS,
  { id: 'filter', keys: 'Ctrl+F', labelKey: 'shortcuts.filter', scopeKey: 'shortcuts.scopeTree' },
  { id: 'create', keys: 'Alt+N', labelKey: 'shortcuts.create', scopeKey: 'shortcuts.scopeTree' },
  { id: 'refresh', keys: 'F5', labelKey: 'shortcuts.refresh', scopeKey: 'shortcuts.scopeTree' },
  { id: 'delete', keys: 'Delete', labelKey: 'shortcuts.delete', scopeKey: 'shortcuts.scopeTree' },
  { id: 'deleteRecursive', keys: 'Shift+Delete', labelKey: 'shortcuts.deleteRecursive', scopeKey: 'shortcuts.scopeTree' },
  { id: 'copyPath', keys: 'Ctrl+Shift+C', labelKey: 'shortcuts.copyPath', scopeKey: 'shortcuts.scopeTree' },
  { id: 'navigate', keys: '↑ ↓ ← → Home End', labelKey: 'shortcuts.navigate', scopeKey: 'shortcuts.scopeTree' },
  { id: 'save', keys: 'Ctrl+S', labelKey: 'shortcuts.save', scopeKey: 'shortcuts.scopeEditor' },
  { id: 'format', keys: 'Shift+Alt+F', labelKey: 'shortcuts.format', scopeKey: 'shortcuts.scopeEditor' },
  { id: 'console.history', keys: '↑ ↓', labelKey: 'shortcuts.history', scopeKey: 'shortcuts.scopeConsole' },
  { id: 'console.complete', keys: 'Tab', labelKey: 'shortcuts.complete', scopeKey: 'shortcuts.scopeConsole' },
  { id: 'escape', keys: 'Escape', labelKey: 'shortcuts.escape', scopeKey: 'shortcuts.scopeGlobal' },
]

export interface KeyLike {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
}

/** Whether a key event is the shortcut `keys` (one combination, e.g. `Ctrl+Shift+C`). */
export function matchesShortcut(event: KeyLike, keys: string): boolean {
  const parts = keys.split('+')
  const key = parts[parts.length - 1]!
  const wantCtrl = parts.includes('Ctrl')
  const wantShift = parts.includes('Shift')
  const wantAlt = parts.includes('Alt')
  if ((event.ctrlKey || event.metaKey) !== wantCtrl) return false
  if (event.altKey !== wantAlt) return false
  // Shift is part of the character for '?', so only check it for letters and named keys.
  if (key.length !== 1 || /[a-z]/i.test(key)) {
    if (event.shiftKey !== wantShift) return false
  }
  if (key.length === 1 && /[0-9]/.test(key) && wantAlt) return event.key === key || (event as { code?: string }).code === `Digit${key}`
  return event.key.toLowerCase() === key.toLowerCase()
}

export function shortcutKeys(id: string): string {
  return SHORTCUTS.find((shortcut) => shortcut.id === id)?.keys ?? ''
}
