import type { ACL } from '../proto/data-records'
import { EventType, type EventTypeValue, WatcherType } from '../proto/enums'
import type { Watcher, WatchedEvent } from './api'
import { WatchMode, type WatchModeValue, WatchTable } from './watch-table'

export { WatchMode, type WatchModeValue, WatchTable } from './watch-table'

/** Whether a watcher may see an event on a node with this ACL (3.8.4+: READ on it); null = no check. */
export type EventFilter = (watcher: Watcher, acl: readonly ACL[] | null) => boolean

/**
 * The tree's two watch tables and the rules that fire them (Apache's DataTree.createNode / deleteNode / setData with
 * WatchManager.triggerWatch). A connection gets at most one notification per (event, path) per table; on delete the
 * child table skips connections the data table already told.
 */
export class WatchManager {
  readonly dataWatches = new WatchTable()
  readonly childWatches = new WatchTable()

  constructor(private readonly mayRead: EventFilter) {}

  /** exists / getData with watch=true. */
  addDataWatch(path: string, watcher: Watcher): void {
    this.dataWatches.add(path, watcher)
  }

  /** getChildren with watch=true. */
  addChildWatch(path: string, watcher: Watcher): void {
    this.childWatches.add(path, watcher)
  }

  /** addWatch: the same mode in both tables. `mode` is an AddWatchMode (0 persistent, 1 recursive). */
  addPersistentWatch(path: string, watcher: Watcher, mode: 0 | 1): void {
    const watchMode: WatchModeValue = mode === 1 ? WatchMode.persistentRecursive : WatchMode.persistent
    this.dataWatches.add(path, watcher, watchMode)
    this.childWatches.add(path, watcher, watchMode)
  }

  nodeCreated(path: string, parent: string, acl: readonly ACL[], parentAcl: readonly ACL[]): void {
    this.fire(this.dataWatches, path, EventType.NodeCreated, acl, undefined)
    this.fire(this.childWatches, parent, EventType.NodeChildrenChanged, parentAcl, undefined)
  }

  nodeDeleted(path: string, parent: string, acl: readonly ACL[], parentAcl: readonly ACL[]): void {
    const told = this.fire(this.dataWatches, path, EventType.NodeDeleted, acl, undefined)
    this.fire(this.childWatches, path, EventType.NodeDeleted, acl, told)
    this.fire(this.childWatches, parent, EventType.NodeChildrenChanged, parentAcl, undefined)
  }

  nodeDataChanged(path: string, acl: readonly ACL[]): void {
    this.fire(this.dataWatches, path, EventType.NodeDataChanged, acl, undefined)
  }

  /** removeWatches: `type` is a WatcherType; true when something was removed. */
  removeWatches(path: string, type: number, watcher: Watcher): boolean {
    switch (type) {
      case WatcherType.Children:
        return this.childWatches.remove(path, watcher)
      case WatcherType.Data:
        return this.dataWatches.remove(path, watcher)
      case WatcherType.Any: {
        const child = this.childWatches.remove(path, watcher)
        const data = this.dataWatches.remove(path, watcher)
        return child || data
      }
      default:
        return false
    }
  }

  /** checkWatches, with Apache 3.8's containsWatcher semantics (see WatchTable.containsWatcher). */
  checkWatches(path: string, type: number, watcher: Watcher): boolean {
    switch (type) {
      case WatcherType.Children:
        return this.childWatches.containsWatcher(path, watcher)
      case WatcherType.Data:
        return this.dataWatches.containsWatcher(path, watcher)
      case WatcherType.Any:
        return this.childWatches.containsWatcher(path, watcher) || this.dataWatches.containsWatcher(path, watcher)
      default:
        return false
    }
  }

  removeWatcher(watcher: Watcher): void {
    this.dataWatches.removeWatcher(watcher)
    this.childWatches.removeWatcher(watcher)
  }

  /** `wchs`: Apache reports the data table only. */
  summary(): { connections: number; paths: number; totalWatches: number } {
    const table = this.dataWatches
    return { connections: table.watcherCount, paths: table.pathCount, totalWatches: table.size }
  }

  /** mntr `zk_watch_count`: entries of both tables. */
  count(): number {
    return this.dataWatches.size + this.childWatches.size
  }

  /** `wchc`: session id → watched paths (data table, as Apache). */
  byConnection(): Map<bigint, string[]> {
    const report = new Map<bigint, string[]>()
    for (const [watcher, paths] of this.dataWatches.pathsByWatcher()) {
      const list = report.get(watcher.sessionId)
      if (list === undefined) report.set(watcher.sessionId, [...paths])
      else for (const path of paths) if (!list.includes(path)) list.push(path)
    }
    return report
  }

  /** `wchp`: path → session ids watching it (data table, as Apache). */
  byPath(): Map<string, bigint[]> {
    const report = new Map<string, bigint[]>()
    for (const [path, watchers] of this.dataWatches.watchersByPath()) {
      const ids = new Set<bigint>()
      for (const watcher of watchers.keys()) ids.add(watcher.sessionId)
      report.set(path, [...ids])
    }
    return report
  }

  private fire(
    table: WatchTable,
    path: string,
    type: EventTypeValue,
    acl: readonly ACL[],
    suppress: ReadonlySet<Watcher> | undefined,
  ): Set<Watcher> | undefined {
    const watchers = table.trigger(path, type === EventType.NodeChildrenChanged)
    if (watchers === undefined) return undefined
    const event: WatchedEvent = { type, path }
    for (const watcher of watchers) {
      if (suppress?.has(watcher) === true) continue
      if (!this.mayRead(watcher, acl)) continue
      watcher.process(event)
    }
    return watchers
  }
}
