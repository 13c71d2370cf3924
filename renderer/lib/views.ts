// The app's views and how they are reached: the everyday ones as tabs, the tools in one menu, each with its keys.

export type ViewName = 'explorer' | 'watches' | 'console' | 'health' | 'recipes' | 'cluster' | 'audit' | 'tap' | 'forensics' | 'quotas' | 'reconfig' | 'sessions' | 'diffs'
/**
 * The everyday views, always shown as tabs (Alt+1 … Alt+6): what a user looks at while working on a connection.
 * Fixed, not "whatever fits": a view keeps its place and its shortcut at any window width and in any language.
 */
export const TAB_VIEWS: readonly ViewName[] = ['explorer', 'watches', 'console', 'health', 'cluster', 'sessions']
/** The tools, reached through one "Tools" menu button (Alt+T, then the tool's number 1 … 7). */
export const TOOL_VIEWS: readonly ViewName[] = ['audit', 'diffs', 'quotas', 'reconfig', 'tap', 'forensics', 'recipes']
export const VIEWS: readonly ViewName[] = [...TAB_VIEWS, ...TOOL_VIEWS]
/** The key that opens the Tools menu together with Alt (KeyboardEvent.code, so that it works on any layout). */
export const TOOLS_KEY = 'T'

/** The keys that show `view`: `Alt+1` for a tab, `Alt+T 3` (Alt+T, then 3) for a tool. */
export function viewShortcut(view: ViewName): string {
  const tab = TAB_VIEWS.indexOf(view)
  if (tab >= 0) return `Alt+${tab + 1}`
  return `Alt+${TOOLS_KEY} ${TOOL_VIEWS.indexOf(view) + 1}`
}

export interface ViewKeyEvent {
  code: string
  altKey: boolean
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
}

/**
 * What a key press anywhere means for the view bar: Alt+1 … Alt+6 show a tab, Alt+T opens (or closes) the Tools
 * menu. Read from `code` (the key's place), so that Option+digit on macOS and other layouts work the same.
 */
export function viewKey(event: ViewKeyEvent): { kind: 'view'; view: ViewName } | { kind: 'tools' } | null {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return null
  if (event.code === `Key${TOOLS_KEY}`) return { kind: 'tools' }
  const digit = /^Digit([1-9])$/.exec(event.code)
  const view = digit === null ? undefined : TAB_VIEWS[Number(digit[1]) - 1]
  return view === undefined ? null : { kind: 'view', view }
}
