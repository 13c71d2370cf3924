import { EventType, KeeperState, type WatchedEvent } from '../client'

const STATE_NAMES = new Map<number, string>(Object.entries(KeeperState).map(([name, value]) => [value, name]))
const TYPE_NAMES = new Map<number, string>(Object.entries(EventType).map(([name, value]) => [value, name]))

/** `WatchedEvent.toString()`: `WatchedEvent state:SyncConnected type:NodeDataChanged path:/a`. */
export function watchedEventString(event: WatchedEvent): string {
  const state = STATE_NAMES.get(event.state) ?? String(event.state)
  const type = TYPE_NAMES.get(event.type) ?? String(event.type)
  return `WatchedEvent state:${state} type:${type} path:${event.path ?? 'null'}`
}

/** What zkCli's watcher prints for an event: two `printMessage` calls, each a blank line and a line. */
export function watcherOutput(event: WatchedEvent): string {
  return `\nWATCHER::\n\n${watchedEventString(event)}\n`
}
