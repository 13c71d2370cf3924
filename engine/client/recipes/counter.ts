import type { ZooKeeperClient } from '../client'
import { isBadVersion, isNoNode, isNodeExists } from '../errors'
import { ensurePath, withReconnect } from './common'

/**
 * A shared integer kept as decimal text in one znode, changed by compare-and-set: read value and version, write the
 * new value with that version, retry on BadVersion. (A write cut off by a connection loss is retried after a fresh
 * read, so it is applied once unless the lost write had already succeeded: at-least-once, like Curator's.)
 */
export class DistributedCounter {
  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
    private readonly initial = 0,
  ) {}

  async get(): Promise<number> {
    return (await this.read()).value
  }

  /** Adds `delta` atomically; returns the new value. */
  async add(delta: number): Promise<number> {
    for (;;) {
      const { value, version } = await this.read()
      const next = value + delta
      if (!Number.isSafeInteger(next)) throw new RangeError(`counter ${this.path} would leave the safe integer range`)
      try {
        await withReconnect(this.client, () => this.client.setData(this.path, String(next), version))
        return next
      } catch (error) {
        if (!isBadVersion(error)) throw error
      }
    }
  }

  increment(): Promise<number> {
    return this.add(1)
  }

  decrement(): Promise<number> {
    return this.add(-1)
  }

  private async read(): Promise<{ value: number; version: number }> {
    for (;;) {
      try {
        const { data, stat } = await withReconnect(this.client, () => this.client.getData(this.path))
        const text = data?.toString('utf8') ?? ''
        const value = text.length === 0 ? this.initial : Number(text)
        if (!Number.isSafeInteger(value)) throw new RangeError(`counter ${this.path} holds ${JSON.stringify(text)}`)
        return { value, version: stat.version }
      } catch (error) {
        if (!isNoNode(error)) throw error
        await this.create()
      }
    }
  }

  private async create(): Promise<void> {
    const slash = this.path.lastIndexOf('/')
    if (slash > 0) await ensurePath(this.client, this.path.substring(0, slash))
    await this.client.create(this.path, String(this.initial)).catch((error: unknown) => {
      if (!isNodeExists(error)) throw error
    })
  }
}
