import { randomUUID } from 'node:crypto'
import { AddWatchMode, EventType, type WatchedEvent, type Watcher, WatcherType, isNoWatcher } from '../../../engine/client'
import type { UserWatchKind, WatchKindName, WatchView } from '../../contract/model'
import { fail } from '../../rpc/errors'
import type { EventBus } from '../../rpc/event-bus'
import type { Connections, OpenConnection } from '../connections/connections'
import { eventTypeName } from '../znodes/convert'

interface UserWatch {
  view: WatchView
  watcher: Watcher
}

const STATE_NAMES = new Map<number, string>([
  [-1, 'Unknown'],
  [0, 'Disconnected'],
  [3, 'SyncConnected'],
  [4, 'AuthFailed'],
  [5, 'ConnectedReadOnly'],
  [6, 'SaslAuthenticated'],
  [7, 'Closed'],
  [-112, 'Expired'],
])

/**
 * Watches: the user's (one-shot data/exists/children, persistent, persistent recursive) and the tree's own child
 * and data watches that keep the UI live. Every node event of every connection goes out on watches.event; session
 * events (type None) go out on connections.state instead.
 */
export class Watches {
  private readonly user = new Map<string, UserWatch>()
  private readonly treeWatchers = new Map<string, Watcher>()

  constructor(
    private readonly connections: Connections,
    private readonly bus: EventBus,
    private readonly now: () => number = Date.now,
  ) {
    connections.onClose((connection) => this.forget(connection))
  }

  private publish(connectionId: string, event: WatchedEvent, watchKind: WatchKindName, watchId: string | null): void {
    this.bus.emit('watches.event', {
      time: this.now(),
      connectionId,
      path: event.path,
      type: eventTypeName(event.type),
      state: STATE_NAMES.get(event.state) ?? String(event.state),
      watchKind,
      watchId,
    })
  }

  /** One function per connection and kind: registering it again on a path is the same watcher (no pile-up). */
  treeWatcher(connection: OpenConnection, kind: 'tree-data' | 'tree-children'): Watcher {
    const key = `${connection.id}/${kind}`
    let watcher = this.treeWatchers.get(key)
    if (watcher === undefined) {
      watcher = (event) => {
        if (event.type !== EventType.None) this.publish(connection.id, event, kind, null)
      }
      this.treeWatchers.set(key, watcher)
    }
    return watcher
  }

  async add(connectionId: string, path: string, kind: UserWatchKind): Promise<WatchView> {
    const connection = this.connections.get(connectionId)
    const client = connection.client
    const view: WatchView = { watchId: randomUUID(), connectionId, path, kind, active: true, createdAt: this.now(), eventCount: 0 }
    const oneShot = kind === 'data' || kind === 'exists' || kind === 'children'
    const watcher: Watcher = (event) => {
      if (event.type === EventType.None) return
      view.eventCount++
      if (oneShot) view.active = false
      this.publish(connectionId, event, kind, view.watchId)
    }
    switch (kind) {
      case 'data':
        await client.getData(path, watcher)
        break
      case 'exists':
        await client.exists(path, watcher)
        break
      case 'children':
        await client.getChildren(path, watcher)
        break
      case 'persistent':
        await client.addWatch(path, watcher, AddWatchMode.PERSISTENT)
        break
      case 'persistentRecursive':
        await client.addWatch(path, watcher, AddWatchMode.PERSISTENT_RECURSIVE)
        break
    }
    this.user.set(view.watchId, { view, watcher })
    return { ...view }
  }

  async remove(watchId: string): Promise<boolean> {
    const entry = this.user.get(watchId)
    if (entry === undefined) throw fail.notFound('watch', watchId)
    this.user.delete(watchId)
    const { view, watcher } = entry
    if (!view.active) return true
    const type = view.kind === 'children' ? WatcherType.Children : view.kind === 'persistent' || view.kind === 'persistentRecursive' ? WatcherType.Any : WatcherType.Data
    try {
      await this.connections.get(view.connectionId).client.removeWatches(view.path, watcher, type)
    } catch (error) {
      // Fired meanwhile: nothing left to remove.
      if (!isNoWatcher(error)) throw error
    }
    return true
  }

  list(connectionId?: string): WatchView[] {
    return [...this.user.values()].filter((entry) => connectionId === undefined || entry.view.connectionId === connectionId).map((entry) => ({ ...entry.view }))
  }

  private forget(connection: OpenConnection): void {
    for (const [id, entry] of this.user) if (entry.view.connectionId === connection.id) this.user.delete(id)
    this.treeWatchers.delete(`${connection.id}/tree-data`)
    this.treeWatchers.delete(`${connection.id}/tree-children`)
  }
}
