// A remote ensemble's node timeline, as far as a client can see it: a persistent watch on the node, and the data
// fetched again on each change. It is partial by nature: changes made while ZooDesk was not connected, and changes
// that follow each other faster than a fetch (ZooKeeper delivers one event per change but the fetch sees the newest
// data), are missing; a watch does not say who made a change.
import { AddWatchMode, EventType, WatcherType } from '../../../engine/proto'
import type { WatchedEvent, ZooKeeperClient } from '../../../engine/client'

/** Versions kept per node: the oldest are dropped beyond this. */
export const MAX_TIMELINE_VERSIONS = 500

export interface SeenVersion {
  /** The node's mzxid when seen (czxid for a creation), or the zxid of the last version for a delete. */
  zxid: bigint
  timeMs: number
  kind: 'seen' | 'delete'
  version: number | null
  aclVersion: number | null
  data: Buffer | null
  ephemeralOwner: bigint | null
}

export class WatchTimeline {
  readonly versions: SeenVersion[] = []
  private started = false
  /** start() has read the node once: what is seen from now on is a change. */
  private live = false
  private stopped = false
  /** Fetches run one after another, so versions stay in order. */
  private chain: Promise<void> = Promise.resolve()
  private readonly watcher = (event: WatchedEvent) => {
    if (event.type === EventType.NodeDataChanged || event.type === EventType.NodeCreated || event.type === EventType.NodeDeleted) this.enqueue()
  }

  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
    /** Called after a change was seen (not for the first fetch of start()): the UI re-reads the timeline. */
    private readonly onChange: () => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    await this.client.addWatch(this.path, this.watcher, AddWatchMode.PERSISTENT)
    this.enqueue()
    await this.settled()
    this.live = true
  }

  /** Resolves once every fetch queued so far is done. */
  settled(): Promise<void> {
    return this.chain
  }

  private enqueue(): void {
    this.chain = this.chain.then(() => this.fetch()).catch(() => undefined)
  }

  private async fetch(): Promise<void> {
    if (this.stopped) return
    let seen: SeenVersion
    try {
      const { data, stat } = await this.client.getData(this.path)
      seen = { zxid: stat.mzxid, timeMs: this.now(), kind: 'seen', version: stat.version, aclVersion: stat.aversion, data, ephemeralOwner: stat.ephemeralOwner }
    } catch {
      // NONODE (or the connection is down: then the next event fetches again).
      const last = this.versions.at(-1)
      if (last === undefined || last.kind === 'delete') return
      seen = { ...last, kind: 'delete', timeMs: this.now() }
    }
    const last = this.versions.at(-1)
    // Two events, one fetch result (the second fetch saw the same version): keep one.
    if (last !== undefined && last.kind === seen.kind && last.zxid === seen.zxid && last.aclVersion === seen.aclVersion) return
    this.versions.push(seen)
    if (this.versions.length > MAX_TIMELINE_VERSIONS) this.versions.splice(0, this.versions.length - MAX_TIMELINE_VERSIONS)
    if (this.live) this.onChange()
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.client.removeWatches(this.path, this.watcher, WatcherType.Any).catch(() => undefined)
  }
}
