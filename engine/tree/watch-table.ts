import type { Watcher } from './api'

/** Apache's `WatcherMode`. */
export const WatchMode = { standard: 0, persistent: 1, persistentRecursive: 2 } as const
export type WatchModeValue = (typeof WatchMode)[keyof typeof WatchMode]

/**
 * One of Apache's two `WatchManager`s (the data table or the child table), 3.8 semantics:
 * - one mode per (watcher, path): adding a standard watch where a persistent one is held turns it standard
 *   (the quirk ZOOKEEPER-4466 fixed in 3.9);
 * - standard watches match their exact path and go when they fire; persistent ones match their exact path and
 *   stay; recursive ones match the path and every descendant, for all events but NodeChildrenChanged;
 * - ancestors are only walked while the table holds at least one recursive watch;
 * - a watcher's path set survives when its last watch fires (Apache keeps it: it counts in `wchs` connections).
 */
export class WatchTable {
  private readonly byPath = new Map<string, Map<Watcher, WatchModeValue>>()
  private readonly byWatcher = new Map<Watcher, Set<string>>()
  private recursiveCount = 0
  private entryCount = 0

  /** Watch entries: Apache's `size()` (the sum of watchers over paths). */
  get size(): number {
    return this.entryCount
  }

  get pathCount(): number {
    return this.byPath.size
  }

  get watcherCount(): number {
    return this.byWatcher.size
  }

  get recursiveWatchCount(): number {
    return this.recursiveCount
  }

  add(path: string, watcher: Watcher, mode: WatchModeValue = WatchMode.standard): void {
    let watchers = this.byPath.get(path)
    if (watchers === undefined) {
      watchers = new Map()
      this.byPath.set(path, watchers)
    }
    const previous = watchers.get(watcher)
    if (previous === undefined) this.entryCount++
    watchers.set(watcher, mode)
    this.adjustRecursive(previous, mode)
    let paths = this.byWatcher.get(watcher)
    if (paths === undefined) {
      paths = new Set()
      this.byWatcher.set(watcher, paths)
    }
    paths.add(path)
  }

  /** Removes the watcher's entry at exactly `path`; false when it had none. */
  remove(path: string, watcher: Watcher): boolean {
    const paths = this.byWatcher.get(watcher)
    if (paths === undefined || !paths.delete(path)) return false
    const watchers = this.byPath.get(path)
    const mode = watchers?.get(watcher)
    if (watchers === undefined || mode === undefined) return false
    this.dropEntry(path, watchers, watcher, mode)
    return true
  }

  /** Drops every watch of a connection. */
  removeWatcher(watcher: Watcher): void {
    const paths = this.byWatcher.get(watcher)
    if (paths === undefined) return
    this.byWatcher.delete(watcher)
    for (const path of paths) {
      const watchers = this.byPath.get(path)
      const mode = watchers?.get(watcher)
      if (watchers !== undefined && mode !== undefined) this.dropEntry(path, watchers, watcher, mode)
    }
  }

  /**
   * Apache 3.8's `containsWatcher`, quirk included: it answers whether ANY watcher is registered at exactly `path`
   * in this table (its loop returns at the first path before ever looking at the caller), so checkWatches succeeds
   * for a connection that holds no watch there as long as another connection does.
   */
  containsWatcher(path: string, _watcher: Watcher): boolean {
    return this.byPath.has(path)
  }

  /** Whether this very watcher holds an entry at `path` (not Apache's checkWatches; for tests and reports). */
  holds(path: string, watcher: Watcher): boolean {
    return this.byPath.get(path)?.has(watcher) === true
  }

  modeOf(path: string, watcher: Watcher): WatchModeValue | undefined {
    return this.byPath.get(path)?.get(watcher)
  }

  /**
   * Collects the watchers an event on `path` reaches, removing the standard watches that fire. `childrenEvent`
   * is true for NodeChildrenChanged, which recursive watches never receive. Returns undefined when none match,
   * without allocating: the common case on a busy tree.
   */
  trigger(path: string, childrenEvent: boolean): Set<Watcher> | undefined {
    let matched: Set<Watcher> | undefined
    const exact = this.byPath.get(path)
    if (exact !== undefined) {
      for (const [watcher, mode] of exact) {
        if (mode === WatchMode.persistentRecursive) {
          if (childrenEvent) continue
        } else if (mode === WatchMode.standard) {
          exact.delete(watcher)
          this.entryCount--
          this.byWatcher.get(watcher)?.delete(path)
        }
        ;(matched ??= new Set()).add(watcher)
      }
      if (exact.size === 0) this.byPath.delete(path)
    }
    if (this.recursiveCount === 0 || childrenEvent) return matched
    for (let ancestor = parentOf(path); ancestor !== undefined; ancestor = parentOf(ancestor)) {
      const watchers = this.byPath.get(ancestor)
      if (watchers === undefined) continue
      for (const [watcher, mode] of watchers) {
        if (mode === WatchMode.persistentRecursive) (matched ??= new Set()).add(watcher)
      }
    }
    return matched
  }

  /** Paths per watcher (Apache's `getWatches`, the source of `wchc`). */
  pathsByWatcher(): ReadonlyMap<Watcher, ReadonlySet<string>> {
    return this.byWatcher
  }

  /** Watchers per path (Apache's `getWatchesByPath`, the source of `wchp`). */
  watchersByPath(): ReadonlyMap<string, ReadonlyMap<Watcher, WatchModeValue>> {
    return this.byPath
  }

  private dropEntry(path: string, watchers: Map<Watcher, WatchModeValue>, watcher: Watcher, mode: WatchModeValue): void {
    watchers.delete(watcher)
    this.entryCount--
    if (mode === WatchMode.persistentRecursive) this.recursiveCount--
    if (watchers.size === 0) this.byPath.delete(path)
  }

  private adjustRecursive(previous: WatchModeValue | undefined, next: WatchModeValue): void {
    const wasRecursive = previous === WatchMode.persistentRecursive
    const isRecursive = next === WatchMode.persistentRecursive
    if (wasRecursive !== isRecursive) this.recursiveCount += isRecursive ? 1 : -1
  }
}

/** `/a/b` → `/a` → `/` → undefined. */
function parentOf(path: string): string | undefined {
  if (path === '/') return undefined
  const lastSlash = path.lastIndexOf('/')
  if (lastSlash < 0) return undefined
  return lastSlash === 0 ? '/' : path.slice(0, lastSlash)
}
