import { randomUUID } from 'node:crypto'
import type { ZooKeeperClient } from '../client'
import { isNoNode, isNodeExists } from '../errors'
import { CreateMode } from '../../proto'
import type { Watcher } from '../types'
import { ensurePath, nextEvent, withDeadline, withReconnect } from './common'

/** Races a wait against the time left before `deadline` (ms since epoch), if any. */
function until<T>(promise: Promise<T>, deadline: number | undefined, what: string): Promise<T> {
  return withDeadline(promise, deadline === undefined ? undefined : Math.max(0, deadline - Date.now()), what)
}

const deadlineOf = (timeoutMs: number | undefined): number | undefined =>
  timeoutMs === undefined ? undefined : Date.now() + timeoutMs

/** The simple barrier: while its node exists, `waitOnBarrier` blocks; removing the node releases everyone. */
export class Barrier {
  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
  ) {}

  async set(): Promise<void> {
    const slash = this.path.lastIndexOf('/')
    if (slash > 0) await ensurePath(this.client, this.path.substring(0, slash))
    await this.client.create(this.path).catch((error: unknown) => {
      if (!isNodeExists(error)) throw error
    })
  }

  async remove(): Promise<void> {
    await this.client.delete(this.path).catch((error: unknown) => {
      if (!isNoNode(error)) throw error
    })
  }

  async waitOnBarrier(timeoutMs?: number): Promise<void> {
    const deadline = deadlineOf(timeoutMs)
    for (;;) {
      const { watcher, fired } = nextEvent()
      if ((await withReconnect(this.client, () => this.client.exists(this.path, watcher))) === null) return
      await until(fired, deadline, `barrier ${this.path}`)
    }
  }
}

const READY = 'ready'

/**
 * The double barrier from the ZooKeeper recipes: `enter` returns once `memberCount` participants have entered;
 * `leave` returns once all of them have left. Participants are ephemeral nodes, so a crashed one does not block the
 * others from leaving.
 */
export class DoubleBarrier {
  private readonly readyPath: string
  private readonly ownPath: string

  constructor(
    private readonly client: ZooKeeperClient,
    readonly dir: string,
    readonly memberCount: number,
    readonly name: string = randomUUID(),
  ) {
    this.readyPath = `${dir}/${READY}`
    this.ownPath = `${dir}/${name}`
  }

  async enter(timeoutMs?: number): Promise<void> {
    const deadline = deadlineOf(timeoutMs)
    await ensurePath(this.client, this.dir)
    // Watch for `ready` before joining, so its creation cannot slip between our check and our wait.
    const { watcher, fired } = nextEvent()
    const ready = await withReconnect(this.client, () => this.client.exists(this.readyPath, watcher))
    await this.client.create(this.ownPath, null, { mode: CreateMode.EPHEMERAL }).catch((error: unknown) => {
      if (!isNodeExists(error)) throw error
    })
    if (ready !== null) return
    if ((await this.participants()).length >= this.memberCount) {
      await this.client.create(this.readyPath).catch((error: unknown) => {
        if (!isNodeExists(error)) throw error
      })
      return
    }
    await until(fired, deadline, `entering ${this.dir}`)
  }

  async leave(timeoutMs?: number): Promise<void> {
    const deadline = deadlineOf(timeoutMs)
    for (;;) {
      const participants = (await this.participants()).sort()
      const mine = participants.includes(this.name)
      if (participants.length === 0 || (participants.length === 1 && mine)) {
        if (mine) await this.deleteIfPresent(this.ownPath)
        // The last one out resets the barrier for the next round.
        await this.deleteIfPresent(this.readyPath)
        return
      }
      const lowest = participants[0]!
      const highest = participants[participants.length - 1]!
      const { watcher, fired } = nextEvent()
      // The lowest leaves last and waits for the highest; everyone else leaves, then waits for the lowest.
      if (lowest === this.name) {
        if (await this.watchPresent(highest, watcher)) await until(fired, deadline, `leaving ${this.dir}`)
      } else {
        if (mine) await this.deleteIfPresent(this.ownPath)
        if (await this.watchPresent(lowest, watcher)) await until(fired, deadline, `leaving ${this.dir}`)
      }
    }
  }

  private async participants(): Promise<string[]> {
    const names = await withReconnect(this.client, () => this.client.getChildren(this.dir))
    return names.filter((name) => name !== READY)
  }

  private async watchPresent(name: string, watcher: Watcher): Promise<boolean> {
    return (await withReconnect(this.client, () => this.client.exists(`${this.dir}/${name}`, watcher))) !== null
  }

  private async deleteIfPresent(path: string): Promise<void> {
    await withReconnect(this.client, () => this.client.delete(path)).catch((error: unknown) => {
      if (!isNoNode(error)) throw error
    })
  }
}
