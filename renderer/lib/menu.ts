/** An entry of a context menu (components/tree/ContextMenu.vue). */
export interface MenuItem {
  id: string
  label: string
  danger?: boolean
  disabled?: boolean
  separatorBefore?: boolean
  children?: MenuItem[]
}
