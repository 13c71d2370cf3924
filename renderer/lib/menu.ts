/** An entry of a context menu (components/tree/ContextMenu.vue). */
export interface MenuItem {
  id: string
  label: string
  danger?: boolean
  disabled?: boolean
  /** Why the item is disabled, or what it does: the item's tooltip. */
  hint?: string
  /** The keyboard shortcut doing the same, shown at the right. */
  keys?: string
  separatorBefore?: boolean
  children?: MenuItem[]
}
