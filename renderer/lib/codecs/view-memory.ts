// The view a person chose for a node, remembered per (connection, path, czxid): a node deleted and created again has
// a new czxid and starts fresh. Kept in localStorage (a renderer preference, like the theme), bounded.
const STORAGE_KEY = 'zoodesk.codecViews'
const MAX_ENTRIES = 500

interface StorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

export function viewMemoryKey(connection: string, path: string, czxid: string): string {
  return `${connection}\u0000${path}\u0000${czxid}`
}

export class ViewMemory {
  constructor(private readonly storage: StorageLike | null = typeof localStorage === 'undefined' ? null : localStorage) {}

  #read(): Record<string, string> {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(STORAGE_KEY) ?? '{}')
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {}
    } catch {
      return {}
    }
  }

  get(connection: string, path: string, czxid: string): string | null {
    const value = this.#read()[viewMemoryKey(connection, path, czxid)]
    return typeof value === 'string' ? value : null
  }

  set(connection: string, path: string, czxid: string, view: string): void {
    const all = this.#read()
    const key = viewMemoryKey(connection, path, czxid)
    // Re-inserted at the end: the oldest choices are dropped first.
    delete all[key]
    all[key] = view
    const keys = Object.keys(all)
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete all[old]
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(all))
    } catch {
      // A full or disabled storage only loses the preference.
    }
  }
}
