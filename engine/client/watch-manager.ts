import { EventType, type EventTypeValue, WatcherType, type WatcherTypeValue } from '../proto'
import type { Watcher } from './types'

/** Where a registration lives, as in Java's ZKWatchManager. */
export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive'

type Table = Map<string, Set<Watcher>>

/** The watches a reconnect must re-register (SetWatches / SetWatches2), as server paths. */
export interface WatchLists {
  readonly data: string[]
  readonly exist: string[]
  readonly child: string[]
  readonly persistent: string[]
  readonly persistentRecursive: string[]
}

/** Watchers taken out by removeWatches, grouped by the local event each must receive. */
export interface RemovedWatchers {
  readonly data: Set<Watcher>
  readonly child: Set<Watcher>
  readonly persistent: Set<Watcher>
}

/**
 * Client-side watch tables, keyed by server path (so a chroot never confuses `/zookeeper/config` watches).
 * A server notification is fanned out here to every matching watcher, each at most once per event.
 */
export class WatchManager {
  private readonly tables: Record<WatchKind, Table> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  }

  add(kind: WatchKind, serverPath: string, watcher: Watcher): void {
    const table = this.tables[kind]
    let watchers = table.get(serverPath)
    if (watchers === undefined) {
      watchers = new Set()
      table.set(serverPath, watchers)
    }
    watchers.add(watcher)
  }

  get isEmpty(): boolean {
    const t = this.tables
    return t.data.size + t.exist.size + t.child.size + t.persistent.size + t.persistentRecursive.size === 0
  }

  get hasPersistent(): boolean {
    return this.tables.persistent.size + this.tables.persistentRecursive.size > 0
  }

  lists(): WatchLists {
    const t = this.tables
    return {
      data: [...t.data.keys()],
      exist: [...t.exist.keys()],
      child: [...t.child.keys()],
      persistent: [...t.persistent.keys()],
      persistentRecursive: [...t.persistentRecursive.keys()],
    }
  }

  /** Every watcher of every kind: session events go to all of them (Java's materialize for type None). */
  all(into: Set<Watcher>): Set<Watcher> {
    for (const table of Object.values(this.tables)) for (const watchers of table.values()) addAll(into, watchers)
    return into
  }

  clear(): void {
    for (const table of Object.values(this.tables)) table.clear()
  }

  /** The watchers a server notification triggers; one-shot registrations are consumed. */
  materialize(type: EventTypeValue, serverPath: string): Set<Watcher> {
    const result = new Set<Watcher>()
    const t = this.tables
    switch (type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        take(t.data, serverPath, result)
        take(t.exist, serverPath, result)
        this.addPersistent(serverPath, result, true)
        break
      case EventType.NodeChildrenChanged:
        take(t.child, serverPath, result)
        // Recursive watches never see NodeChildrenChanged; a persistent one does, for its own children.
        this.addPersistent(serverPath, result, false)
        break
      case EventType.NodeDeleted:
        take(t.data, serverPath, result)
        take(t.exist, serverPath, result)
        take(t.child, serverPath, result)
        this.addPersistent(serverPath, result, true)
        break
      default:
        break
    }
    return result
  }

  private addPersistent(serverPath: string, result: Set<Watcher>, recursiveToo: boolean): void {
    const persistent = this.tables.persistent.get(serverPath)
    if (persistent !== undefined) addAll(result, persistent)
    const recursive = this.tables.persistentRecursive
    if (!recursiveToo || recursive.size === 0) return
    // The path itself and each ancestor up to '/'.
    let path = serverPath
    for (;;) {
      const watchers = recursive.get(path)
      if (watchers !== undefined) addAll(result, watchers)
      if (path === '/') return
      const slash = path.lastIndexOf('/')
      path = slash <= 0 ? '/' : path.substring(0, slash)
    }
  }

  /** Java's containsWatcher: is there such a watcher (any watcher when `watcher` is undefined)? */
  contains(serverPath: string, watcher: Watcher | undefined, type: WatcherTypeValue): boolean {
    const t = this.tables
    const tablesToCheck: Table[] =
      type === WatcherType.Children
        ? [t.child, t.persistent, t.persistentRecursive]
        : type === WatcherType.Data
          ? [t.data, t.exist, t.persistent, t.persistentRecursive]
          : [t.child, t.data, t.exist, t.persistent, t.persistentRecursive]
    return tablesToCheck.some((table) => {
      const watchers = table.get(serverPath)
      if (watchers === undefined) return false
      return watcher === undefined ? watchers.size > 0 : watchers.has(watcher)
    })
  }

  /**
   * Java's removeWatcher: drops the watcher (all watchers when undefined) of the given type at exactly that path.
   * Children removes child watches; Data removes data and exist watches; Any also removes persistent ones.
   */
  remove(serverPath: string, watcher: Watcher | undefined, type: WatcherTypeValue): RemovedWatchers {
    const t = this.tables
    const removed: RemovedWatchers = { data: new Set(), child: new Set(), persistent: new Set() }
    if (type === WatcherType.Children || type === WatcherType.Any) removeFrom(t.child, serverPath, watcher, removed.child)
    if (type === WatcherType.Data || type === WatcherType.Any) {
      removeFrom(t.data, serverPath, watcher, removed.data)
      removeFrom(t.exist, serverPath, watcher, removed.data)
    }
    if (type === WatcherType.Any) {
      removeFrom(t.persistent, serverPath, watcher, removed.persistent)
      removeFrom(t.persistentRecursive, serverPath, watcher, removed.persistent)
    }
    return removed
  }
}

function take(table: Table, path: string, into: Set<Watcher>): void {
  const watchers = table.get(path)
  if (watchers === undefined) return
  table.delete(path)
  addAll(into, watchers)
}

function addAll(into: Set<Watcher>, from: Set<Watcher>): void {
  for (const watcher of from) into.add(watcher)
}

function removeFrom(table: Table, path: string, watcher: Watcher | undefined, removed: Set<Watcher>): void {
  const watchers = table.get(path)
  if (watchers === undefined) return
  if (watcher === undefined) {
    table.delete(path)
    addAll(removed, watchers)
    return
  }
  if (!watchers.delete(watcher)) return
  removed.add(watcher)
  if (watchers.size === 0) table.delete(path)
}

export const REMOVAL_EVENT = {
  data: EventType.DataWatchRemoved,
  child: EventType.ChildWatchRemoved,
  persistent: EventType.PersistentWatchRemoved,
} as const
