import type { ZooKeeperClient } from '../client'
import { isConnectionLoss, isNoNode } from '../errors'
import { CreateMode } from '../../proto'
import { createProtected, ensurePath, nextEvent, sequenceOf, withDeadline, withReconnect } from './common'

export interface QueueItem {
  readonly path: string
  readonly data: Buffer | null
}

/**
 * The distributed queue from the ZooKeeper recipes: `offer` adds a PERSISTENT_SEQUENTIAL child, consumers take the
 * head by reading and then deleting it; whoever deletes it owns it. A consumer whose delete was cut off by a
 * connection loss and finds the item gone on retry keeps it (at-least-once: it may also have been taken by another
 * consumer in that window).
 */
export class DistributedQueue {
  constructor(
    protected readonly client: ZooKeeperClient,
    readonly dir: string,
  ) {}

  /** Adds an item at the tail; returns its node path. */
  async offer(data: Buffer | string | null): Promise<string> {
    return this.add('qn-', data)
  }

  /** A protected create: an offer cut off by a connection loss is found again, never added twice. */
  protected async add(kind: string, data: Buffer | string | null): Promise<string> {
    await ensurePath(this.client, this.dir)
    const name = await createProtected(this.client, this.dir, kind, CreateMode.PERSISTENT_SEQUENTIAL, data)
    return `${this.dir}/${name}`
  }

  /** Items in queue order. */
  protected order(names: readonly string[]): string[] {
    return [...names].sort((a, b) => sequenceOf(a) - sequenceOf(b))
  }

  async size(): Promise<number> {
    return (await this.names()).length
  }

  /** The head without removing it, or undefined when empty. */
  async peek(): Promise<QueueItem | undefined> {
    for (const name of this.order(await this.names())) {
      const path = `${this.dir}/${name}`
      try {
        return { path, data: (await this.client.getData(path)).data }
      } catch (error) {
        if (!isNoNode(error)) throw error
      }
    }
    return undefined
  }

  /** Removes and returns the head, or undefined when empty. */
  async poll(): Promise<QueueItem | undefined> {
    for (const name of this.order(await this.names())) {
      const path = `${this.dir}/${name}`
      let data: Buffer | null
      try {
        data = (await withReconnect(this.client, () => this.client.getData(path))).data
      } catch (error) {
        if (isNoNode(error)) continue
        throw error
      }
      if (await this.claim(path)) return { path, data }
    }
    return undefined
  }

  /** Removes and returns the head, waiting for one to arrive. */
  async take(timeoutMs?: number): Promise<QueueItem> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs
    for (;;) {
      const item = await this.poll()
      if (item !== undefined) return item
      const { watcher, fired } = nextEvent()
      const names = await withReconnect(this.client, () => this.client.getChildren(this.dir, watcher))
      if (names.length > 0) continue
      const remainingMs = deadline === undefined ? undefined : Math.max(0, deadline - Date.now())
      await withDeadline(fired, remainingMs, `take from ${this.dir}`)
    }
  }

  private async names(): Promise<string[]> {
    await ensurePath(this.client, this.dir)
    return withReconnect(this.client, () => this.client.getChildren(this.dir))
  }

  /** Deletes the item; true if this consumer got it. */
  private async claim(path: string): Promise<boolean> {
    let lostConnection = false
    for (;;) {
      try {
        await this.client.delete(path)
        return true
      } catch (error) {
        if (isNoNode(error)) return lostConnection
        if (!isConnectionLoss(error)) throw error
        lostConnection = true
        await this.client.waitForState('CONNECTED', 2 ** 31 - 1)
      }
    }
  }
}

const PRIORITY_DIGITS = 10
const PRIORITY_NAME = /-pq-\d{10}-\d{10}$/

/** A distributed priority queue: lower priority numbers come out first, equal priorities in arrival order. */
export class DistributedPriorityQueue extends DistributedQueue {
  /** `priority` is an integer in [0, 9999999999]; lower is served first. */
  override async offer(data: Buffer | string | null, priority = 0): Promise<string> {
    if (!Number.isInteger(priority) || priority < 0 || priority >= 10 ** PRIORITY_DIGITS) {
      throw new RangeError(`priority must be an integer in [0, ${10 ** PRIORITY_DIGITS - 1}]`)
    }
    return this.add(`pq-${String(priority).padStart(PRIORITY_DIGITS, '0')}-`, data)
  }

  /** `<random>-pq-<10-digit priority>-<10-digit sequence>`: priority first, then arrival. */
  protected override order(names: readonly string[]): string[] {
    const keyOf = (name: string): string => name.substring(name.length - 2 * PRIORITY_DIGITS - 1)
    return names.filter((name) => PRIORITY_NAME.test(name)).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))
  }
}
